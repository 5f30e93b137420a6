"""``factcheck batch`` on every core (``--processes``) and on a Dask cluster (``--cluster``):
the same lines as one process, nothing lost and nothing written twice when a worker dies.

The cluster is a real ``distributed.LocalCluster`` with worker processes on loopback."""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from service.batch import BatchOptions, run_batch
from service.cli import app
from service.settings import Settings, get_settings

from .conftest import ARTICLES, SAMPLE
from .servers import fake_provider

distributed = pytest.importorskip("distributed", reason="the cluster extra is not installed")

# The cluster's scheduler and workers talk over loopback; nothing else is reachable.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])


def articles(n: int) -> list[dict[str, Any]]:
    """``n`` lines cycling through the real articles of the tests, each with its own id."""
    texts = [SAMPLE.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))
    ]
    lines: list[dict[str, Any]] = [{"id": f"a{i}", "text": texts[i % len(texts)]} for i in range(n)]
    lines[5] = {"id": "empty", "text": "  "}  # a failure is a line like any other
    return lines


def write(path: Path, lines: list[dict[str, Any]]) -> Path:
    body = "".join(json.dumps(line) + "\n" for line in lines)
    path.write_text(body + "{not json\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "FACTCHECK_BASE_URL", "FACTCHECK_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def batch(*args: str) -> int:
    result = CliRunner().invoke(app, ["batch", *args])
    assert result.exit_code in (0, 1), result.stderr
    return result.exit_code


@pytest.mark.parametrize("operation", ["quotes", "report"])
def test_two_processes_write_the_lines_of_one(tmp_path: Path, operation: str) -> None:
    src = write(tmp_path / "in.jsonl", articles(80))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert batch(str(src), "-o", str(one), "--operation", operation, "-p", "1") == 1
    assert batch(str(src), "-o", str(two), "--operation", operation, "-p", "2") == 1
    assert two.read_bytes() == one.read_bytes()
    lines = [json.loads(line) for line in one.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in lines] == list(range(1, 82))  # input order, the bad line too
    assert sum(not r["ok"] for r in lines) == 2


DRAFTS = [
    'Stoltenberg said the alliance had "no intention of sending troops to Ukraine".',
    "Stoltenberg said Russia must “lose on the battlefield”.",
]
"""A draft that passes its check and one that fails it, given to the articles in turn."""


def with_drafts(n: int) -> list[dict[str, Any]]:
    lines = articles(n)
    for i, line in enumerate(lines):
        line["draft"] = DRAFTS[i % 2]
    return lines


def test_two_processes_check_drafts_as_one(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", with_drafts(40))
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert batch(str(src), "-o", str(one), "--operation", "check", "-p", "1") == 1
    assert batch(str(src), "-o", str(two), "--operation", "check", "-p", "2") == 1
    assert two.read_bytes() == one.read_bytes()
    results = [json.loads(line) for line in one.read_text(encoding="utf-8").splitlines()]
    assert sum(r["ok"] and r["failed"] for r in results) > 0
    assert sum(r["ok"] and not r["failed"] for r in results) > 0


def test_processes_resume_where_a_run_stopped(tmp_path: Path) -> None:
    src = write(tmp_path / "in.jsonl", articles(70))
    whole, cut = tmp_path / "whole.jsonl", tmp_path / "cut.jsonl"
    batch(str(src), "-o", str(whole), "--operation", "quotes", "-p", "1")
    kept = whole.read_bytes().splitlines(keepends=True)[:33]
    cut.write_bytes(b"".join(kept) + b'{"id": "a33", "ok": tr')  # killed mid-line
    batch(str(src), "-o", str(cut), "--operation", "quotes", "-p", "2")
    assert sorted(cut.read_bytes().splitlines()) == sorted(whole.read_bytes().splitlines())


# -- the cluster -----------------------------------------------------------------------


@pytest.fixture
def provider() -> Iterator[str]:
    with fake_provider() as url:
        yield url


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as local:
        yield local


def test_a_cluster_writes_the_lines_of_one_process(tmp_path: Path, cluster: Any) -> None:
    src = write(tmp_path / "in.jsonl", articles(150))
    one, spread = tmp_path / "one.jsonl", tmp_path / "cluster.jsonl"
    batch(str(src), "-o", str(one), "--operation", "quotes", "-p", "1")
    batch(
        str(src), "-o", str(spread), "--operation", "quotes", "--cluster", cluster.scheduler_address
    )
    # As the parts come back, in any order; each line the same bytes.
    assert sorted(spread.read_bytes().splitlines()) == sorted(one.read_bytes().splitlines())


def test_a_cluster_checks_drafts_as_one_process(tmp_path: Path, cluster: Any) -> None:
    src = write(tmp_path / "in.jsonl", with_drafts(40))
    one, spread = tmp_path / "one.jsonl", tmp_path / "cluster.jsonl"
    assert batch(str(src), "-o", str(one), "--operation", "check", "-p", "1") == 1
    address = cluster.scheduler_address
    assert batch(str(src), "-o", str(spread), "--operation", "check", "--cluster", address) == 1
    assert sorted(spread.read_bytes().splitlines()) == sorted(one.read_bytes().splitlines())


def test_a_worker_killed_mid_batch_loses_no_line_and_duplicates_none(
    tmp_path: Path, cluster: Any
) -> None:
    src = write(tmp_path / "in.jsonl", articles(600))
    one, spread = tmp_path / "one.jsonl", tmp_path / "cluster.jsonl"
    batch(str(src), "-o", str(one), "--operation", "quotes", "-p", "1")
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = client.run(os.getpid)
    killed = threading.Event()
    written_then: list[int] = []

    def kill_when_some_are_written() -> None:
        while not killed.is_set():
            done = len(spread.read_bytes().splitlines()) if spread.exists() else 0
            if done >= 100:
                os.kill(next(iter(pids.values())), signal.SIGKILL)
                written_then.append(done)
                killed.set()
            killed.wait(0.01)

    watcher = threading.Thread(target=kill_when_some_are_written, daemon=True)
    watcher.start()
    settings = Settings(engine="offline")
    options = BatchOptions(
        articles=src, output=spread, operation="quotes", cluster=cluster.scheduler_address
    )
    status = run_batch(options, settings, None, live_progress=False)
    killed.set()
    watcher.join()
    assert status == 1  # the two bad lines
    written = spread.read_bytes().splitlines()
    assert written_then and written_then[0] < 601  # killed in the middle of the batch
    assert len(written) == len(set(written)) == 601
    assert sorted(written) == sorted(one.read_bytes().splitlines())
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)  # the nanny started another: the next test has two


@pytest.mark.parametrize("concurrency", [1, 4])
def test_model_calls_on_a_cluster_stay_within_the_concurrency(
    tmp_path: Path, cluster: Any, provider: str, concurrency: int
) -> None:
    """The limit holds across the cluster's workers: reached, never passed."""
    council = (
        "The council voted on Tuesday to build cycle lanes along Harbour Road. “We will lose "
        "half of our parking spaces,” shop owner Peter Holm told reporters."
    )
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "text": f"{council} Article {i}."}) + "\n" for i in range(150)
        ),
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    settings = Settings(
        engine="llm", base_url=f"{provider}/v1", api_key="sk-fake", model="fake-model"
    )
    options = BatchOptions(
        articles=src,
        output=out,
        operation="summarize",
        concurrency=concurrency,
        cluster=cluster.scheduler_address,
    )
    assert run_batch(options, settings, None, live_progress=False) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(r["id"] for r in lines) == list(range(150))
    assert all(r["result"]["engine"]["engine"] == "llm" for r in lines)
    stats = httpx.get(f"{provider}/stats").json()
    assert stats["calls"] == 150
    assert stats["peak_in_flight"] == concurrency
