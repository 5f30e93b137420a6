"""Metrics that add up across the worker processes of ``factcheck serve --workers N``:
prometheus-client's multiprocess mode. Every worker writes its samples to files of its own
in one directory (``PROMETHEUS_MULTIPROC_DIR``), and the worker that answers a scrape
reports the sum over all of them.

prometheus-client reads ``PROMETHEUS_MULTIPROC_DIR`` once, when it is first imported, so
the directory is set in the environment before the workers start (they are new processes,
which import it afresh); the serving process itself keeps one registry per app."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

__all__ = [
    "MULTIPROC_ENV",
    "forget_dead_workers",
    "multiproc_dir",
    "render_all_workers",
    "shared_metrics_dir",
]

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

_DB = re.compile(r"_(\d+)\.db$")
"""The pid at the end of a worker's file name (``counter_1234.db``, ``gauge_livesum_1234.db``)."""


def multiproc_dir() -> str | None:
    """The shared directory when this process is one of several workers, else None."""
    return os.environ.get(MULTIPROC_ENV) or None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def forget_dead_workers(directory: str) -> None:
    """Drop the live gauges (requests in flight, shared state up) of workers that died:
    uvicorn starts a new worker in place of a dead one, and a dead worker's requests are no
    longer in flight. Its counters stay, so that totals never go down."""
    pids = {int(m.group(1)) for p in Path(directory).glob("*.db") if (m := _DB.search(p.name))}
    for pid in pids:
        if not _alive(pid):
            mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]


def render_all_workers(directory: str) -> bytes:
    """The exposition text of the sum over every worker's samples."""
    forget_dead_workers(directory)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


@contextlib.contextmanager
def shared_metrics_dir() -> Iterator[str]:
    """The directory the workers share, set in the environment while they run: the
    operator's ``PROMETHEUS_MULTIPROC_DIR`` (a tmpfs volume, say), emptied of an earlier
    run's files, which prometheus-client requires; else a temporary directory, removed when
    the server stops."""
    given = multiproc_dir()
    if given is not None:
        Path(given).mkdir(parents=True, exist_ok=True)
        for old in Path(given).glob("*.db"):
            old.unlink()
        yield given
        return
    made = tempfile.mkdtemp(prefix="factcheck-metrics-")
    os.environ[MULTIPROC_ENV] = made
    try:
        yield made
    finally:
        del os.environ[MULTIPROC_ENV]
        shutil.rmtree(made, ignore_errors=True)
