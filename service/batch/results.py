"""The results file: one JSON line per input line, appended and flushed one by one (a crash
loses at most the articles in flight), each recording the operation that produced it::

    {"id": ..., "ok": true, "line": 3, "operation": "report", "result": {...}}
    {"id": ..., "ok": false, "line": 4, "operation": "report", "error": {"title", "status", "detail"}}

A draft's check (``check``) also says whether the draft fails (``"failed"``, by the run's
``--fail-on``) and its most urgent ``"severity"``, beside the result.

``line`` is the input line; ``id`` is null for a line whose id cannot be read. What an
earlier run left is read back to resume: the ids done are skipped, and failed lines (and a
line cut short by a crash) are dropped before the run retries them, so after a complete run
the file holds exactly one line per input id."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from ..errors import FactcheckError, ProviderTimeoutError
from ..models import (
    BatchCheckResult,
    BatchFailure,
    BatchItemError,
    BatchOperation,
    BatchResult,
    CheckOut,
    worst_severity,
)
from ..settings import Settings
from .input import Item, id_key, valid_id
from .options import OPERATIONS
from .progress import Progress


@dataclass(slots=True)
class Tally:
    """What a run did, for the summary line and the exit status."""

    lines: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    flagged: int = 0
    """Drafts that fail their check (--operation check), this run's and those done before."""
    started: float = field(default_factory=time.monotonic)

    @property
    def exit_status(self) -> int:
        return 1 if self.failed or self.flagged else 0

    def summary(self, output: Path, *, stopped: bool = False) -> str:
        elapsed = time.monotonic() - self.started
        done = self.ok + self.failed
        rate = done / elapsed if elapsed > 0 else 0.0
        head = "stopped" if stopped else "done"
        drafts = (
            f"{self.flagged} draft{'s' if self.flagged != 1 else ''} failing the check, "
            if self.flagged
            else ""
        )
        return (
            f"factcheck: batch {head}: {self.lines} line{'s' if self.lines != 1 else ''}: "
            f"{self.ok} ok, {self.failed} failed, {drafts}{self.skipped} already done, "
            f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}; "
            f"{rate:.1f} articles/s in {elapsed:.1f} s; results in {output}"
        )


@dataclass(slots=True)
class Previous:
    """What an earlier run left in the results file."""

    done: set[str] = field(default_factory=set)
    flagged: set[str] = field(default_factory=set)
    """The ids done whose draft fails its check: they count in the exit status again."""
    operations: set[BatchOperation] = field(default_factory=set)
    rewrite: bool = False
    """The file has lines to drop before appending: failed results (they are retried),
    unreadable ones (a crash mid-line)."""


def results_state(path: Path) -> Previous:
    previous = Previous()
    if not path.exists():
        return previous
    with path.open("rb") as f:
        last = b"\n"
        for raw in f:
            last = raw
            if not raw.strip():
                continue
            record = read_record(raw)
            if record is None:
                previous.rewrite = True
                continue
            ok, key, operation, flagged = record
            if ok and key is not None:
                previous.done.add(key)
                if flagged:
                    previous.flagged.add(key)
                if operation is not None:
                    previous.operations.add(operation)
            else:
                previous.rewrite = True
        if not last.endswith(b"\n"):
            previous.rewrite = True
    return previous


def read_record(raw: bytes) -> tuple[bool, str | None, BatchOperation | None, bool] | None:
    """A line of the results file as (ok, id key, operation, whether its draft fails its
    check); None when it cannot be read."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("ok"), bool):
        return None
    value = valid_id(obj.get("id"))
    key = None if value is None else id_key(value)
    operation = obj.get("operation")
    return (
        obj["ok"],
        key,
        operation if operation in OPERATIONS else None,
        obj.get("failed") is True,
    )


def compact(path: Path, input_keys: set[str], say: Callable[[str], None]) -> None:
    """Rewrite the results without the lines a re-run replaces: failures of ids in the input
    (and of lines without an id), repeated successes, unreadable lines. Atomic: a crash
    leaves the old file or the new one."""
    kept_ok: set[str] = set()
    dropped_unreadable = 0
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out, path.open("rb") as f:
            for raw in f:
                if not raw.strip():
                    continue
                record = read_record(raw)
                if record is None:
                    dropped_unreadable += 1
                    continue
                ok, key, _, _ = record
                if ok and key is not None:
                    if key in kept_ok:
                        continue
                    kept_ok.add(key)
                elif key is None or key in input_keys:
                    continue  # retried in this run
                out.write(raw.rstrip(b"\r\n") + b"\n")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if dropped_unreadable:
        n = dropped_unreadable
        say(f"{path}: {n} unreadable line{'s' if n != 1 else ''} dropped (a run cut short?)")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One line of results, encoded where the article was processed (another process, a
    Dask worker): the command only writes it."""

    ok: bool
    line: str
    """The JSON record, without its newline."""
    flagged: bool = False
    """A draft that fails its check."""


def success(item: Item, operation: BatchOperation, result: Any) -> Outcome:
    assert item.id is not None
    if isinstance(result, CheckOut):
        checked = BatchCheckResult(
            id=item.id,
            line=item.line,
            operation=operation,
            result=result,
            failed=result.failed,
            severity=worst_severity(result.findings),
        )
        return Outcome(True, checked.model_dump_json(), flagged=result.failed)
    record = BatchResult(id=item.id, line=item.line, operation=operation, result=result)
    return Outcome(True, record.model_dump_json())


def failure(
    item: Item, operation: BatchOperation, error: BaseException, settings: Settings
) -> Outcome:
    """``error`` recorded for ``item``, secrets masked; any exception is one of ours."""
    error = as_error(error, settings)
    record = BatchFailure(
        id=item.id,
        line=item.line,
        operation=operation,
        error=BatchItemError(
            title=error.title, status=error.status, detail=settings.redact(error.detail)
        ),
    )
    return Outcome(False, record.model_dump_json())


class Sink(Protocol):
    """Where the live path puts each article's result."""

    def ok(self, item: Item, result: Any) -> None: ...

    def failed(self, item: Item, error: BaseException) -> None: ...


class Collected:
    """The results of a part of a batch, kept in order to be sent back (a Dask worker's)."""

    def __init__(self, operation: BatchOperation, settings: Settings) -> None:
        self.operation: BatchOperation = operation
        self.settings = settings
        self.outcomes: list[tuple[int, Outcome]] = []

    def ok(self, item: Item, result: Any) -> None:
        self.outcomes.append((item.line, success(item, self.operation, result)))

    def failed(self, item: Item, error: BaseException) -> None:
        self.outcomes.append((item.line, failure(item, self.operation, error, self.settings)))

    def in_order(self) -> list[Outcome]:
        return [outcome for _, outcome in sorted(self.outcomes, key=lambda pair: pair[0])]


class Results:
    """The results file, appended to one flushed line at a time."""

    def __init__(
        self,
        path: Path,
        operation: BatchOperation,
        settings: Settings,
        tally: Tally,
        progress: Progress,
    ) -> None:
        self._file: TextIO = path.open("a", encoding="utf-8", newline="\n")
        self._operation: BatchOperation = operation
        self._settings = settings
        self._tally = tally
        self._progress = progress

    def close(self) -> None:
        self._file.close()

    def ok(self, item: Item, result: Any) -> None:
        self.record(success(item, self._operation, result))

    def failed(self, item: Item, error: BaseException) -> None:
        self.record(failure(item, self._operation, error, self._settings))

    def record(self, outcome: Outcome) -> None:
        self._file.write(outcome.line + "\n")
        self._file.flush()
        if outcome.ok:
            self._tally.ok += 1
            self._tally.flagged += outcome.flagged
        else:
            self._tally.failed += 1
        self._progress.advance(failed=not outcome.ok)

    def tick(self) -> None:
        """An item through a step that writes nothing yet (preparing a provider batch)."""
        self._progress.advance(failed=False)


def as_error(exc: BaseException, settings: Settings) -> FactcheckError:
    """An exception raised while processing an article as the error its line records."""
    if isinstance(exc, FactcheckError):
        return exc
    if isinstance(exc, TimeoutError):
        return ProviderTimeoutError(
            f"the article took longer than {settings.deadline_seconds:g} s "
            "(FACTCHECK_DEADLINE_SECONDS)"
        )
    return FactcheckError(f"internal error: {type(exc).__name__}: {exc}")
