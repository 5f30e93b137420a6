"""``factcheck batch``: many articles from a JSONL file, one result line each.

Input: one JSON object a line, ``{"id", "text", "title"?, "url"?}``; ``id`` is a string or a
number (``1`` and ``"1"`` are the same id); other keys are ignored; blank lines are skipped.

Output: one JSON line per input line, in the order they finish, appended to the results
file and flushed one by one (a crash loses at most the articles in flight)::

    {"id": ..., "ok": true, "line": 3, "result": {...}}   # the operation's model
    {"id": ..., "ok": false, "line": 4, "error": {"title", "status", "detail"}}

``line`` is the input line; ``id`` is null for a line whose id cannot be read. A re-run
skips the ids the results file holds with ``ok: true`` and retries the others: failed lines
(and a line cut short by a crash) are dropped from the file first, so after a complete run
it holds exactly one line per input id. A duplicate id is processed once, with a warning.

Two ways to run the model:

* live (default): the pipeline's own functions, ``concurrency`` articles at a time;
* ``--provider-batch``: OpenAI's Batch API. The request bodies are the ones the live path
  sends, taken from the real :class:`~service.analysis.Analyzer` and
  :class:`~service.llm.ChatModel` on an in-process transport that sends nothing; an article
  too long for one request becomes one request per part (``custom_id`` ``"<id>#<n>"``,
  1-based) and the answers are merged as the live path merges them. The answers are then
  grounded by the same pipeline functions (``report``, ``summarize``, ``claims``) on an
  analyzer that hands them over instead of asking the model. The Batch API allows no repair
  round, so an answer that is not valid JSON is a per-item error (a plain re-run retries it,
  with the repair). ``--resume-batch`` re-plans the same input with the same settings to map
  the answers back, so keep both unchanged between submitting and resuming."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Final, TextIO, TypeVar

import httpx
import openai
from openai.types import Batch
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar
from rich.text import Text

from .analysis import PROMPT, Analysis, Analyzer, engine_info, merge
from .errors import (
    ConfigurationError,
    FactcheckError,
    InputError,
    InputTooLargeError,
    InvalidRequestError,
    ModelOutputError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    UndecodableInputError,
)
from .ingest import Article, looks_like_html
from .llm import CallUsage, ChatModel
from .models import (
    ArticleIn,
    BatchFailure,
    BatchItemError,
    BatchResult,
    ClaimsOut,
    EngineInfo,
    ModelAnalysis,
    QuotesOut,
    ReportOut,
    SummarizeOut,
)
from .pipeline import OFFLOAD_CHARS, claims, index_article, quotes, read_json_article, report
from .pipeline import summarize as summarize_step
from .prompts import load_prompt
from .settings import Settings

__all__ = [
    "BatchOptions",
    "Operation",
    "Tally",
    "id_key",
    "openai_client",
    "parse_line",
    "run_batch",
]

BatchId = str | int | float
Out = ReportOut | SummarizeOut | ClaimsOut | QuotesOut
M = TypeVar("M", bound=BaseModel)

ENDPOINT: Final = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch statuses after which nothing more will be answered."""
UPLOAD_TIMEOUT = 600.0
_NO_KEY = "not-needed"
_PART_SUFFIX = "#"


class Operation(StrEnum):
    report = "report"
    summarize = "summarize"
    claims = "claims"
    quotes = "quotes"


async def _quotes(article: Article, analyzer: Analyzer | None) -> QuotesOut:
    if len(article.text) > OFFLOAD_CHARS:
        return await asyncio.to_thread(quotes, article)
    return quotes(article)


STEPS: dict[Operation, Callable[[Article, Any], Awaitable[Out]]] = {
    Operation.report: report,
    Operation.summarize: summarize_step,
    Operation.claims: claims,
    Operation.quotes: _quotes,
}
"""The pipeline's functions: a batch does nothing to an article that a single call does not."""


@dataclass(frozen=True, slots=True)
class BatchOptions:
    articles: Path
    output: Path
    operation: Operation = Operation.report
    concurrency: int = 16
    provider_batch: bool = False
    resume_batch: str | None = None
    poll_interval: float = 30.0


@dataclass(slots=True)
class Tally:
    """What a run did, for the summary line and the exit status."""

    lines: int = 0
    ok: int = 0
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def exit_status(self) -> int:
        return 1 if self.failed else 0

    def summary(self, output: Path, *, stopped: bool = False) -> str:
        elapsed = time.monotonic() - self.started
        done = self.ok + self.failed
        rate = done / elapsed if elapsed > 0 else 0.0
        head = "stopped" if stopped else "done"
        return (
            f"factcheck: batch {head}: {self.lines} line{'s' if self.lines != 1 else ''}: "
            f"{self.ok} ok, {self.failed} failed, {self.skipped} already done, "
            f"{self.duplicates} duplicate{'s' if self.duplicates != 1 else ''}; "
            f"{rate:.1f} articles/s in {elapsed:.1f} s; results in {output}"
        )


# -- reading the input ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One input line: an article to process, or the reason it cannot be."""

    line: int
    id: BatchId | None
    payload: ArticleIn | None = None
    error: FactcheckError | None = None

    @property
    def key(self) -> str | None:
        return None if self.id is None else id_key(self.id)


def id_key(value: BatchId) -> str:
    """The id as results are matched on: a string as it is, a number as JSON writes it."""
    return value if isinstance(value, str) else json.dumps(value)


def _valid_id(value: object) -> BatchId | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    return None


def parse_line(line: int, raw: bytes, *, limit: int) -> Item:
    """An input line as an article, or as a per-line error naming what is wrong."""
    if len(raw) > limit:
        return Item(
            line,
            None,
            error=InputTooLargeError(
                f"the line is larger than the limit of {limit:,} bytes (FACTCHECK_MAX_BODY_BYTES)"
            ),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Item(line, None, error=UndecodableInputError(f"not valid UTF-8 (byte {exc.start})"))
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Item(line, None, error=InputError(f"invalid JSON: {exc.msg} at column {exc.colno}"))
    if not isinstance(obj, dict):
        return Item(
            line, None, error=InputError('not a JSON object {"id", "text", "title"?, "url"?}')
        )
    if obj.get("id") is None:
        return Item(
            line,
            None,
            error=InvalidRequestError('no "id": every line needs one (a string or a number)'),
        )
    item_id = _valid_id(obj["id"])
    if item_id is None:
        return Item(
            line,
            None,
            error=InvalidRequestError(
                f'"id" must be a non-empty string or a number, not {json.dumps(obj["id"])[:80]}'
            ),
        )
    body = obj.get("text")
    if not isinstance(body, str):
        what = 'no "text"' if body is None else '"text" must be a string'
        return Item(line, item_id, error=InvalidRequestError(what))
    for name in ("title", "url"):
        if obj.get(name) is not None and not isinstance(obj[name], str):
            return Item(
                line, item_id, error=InvalidRequestError(f'"{name}" must be a string or null')
            )
    return Item(line, item_id, ArticleIn(text=body, title=obj.get("title"), url=obj.get("url")))


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a file with their 1-based numbers."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            stripped = raw.strip()
            if stripped:
                yield number, stripped


def _items(path: Path, limit: int) -> Iterator[Item]:
    for number, raw in _raw_lines(path):
        yield parse_line(number, raw, limit=limit)


def _line_key(raw: bytes) -> str | None:
    """The id of a line without reading the rest of it: for counting, and matching results."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    value = _valid_id(obj.get("id")) if isinstance(obj, dict) else None
    return None if value is None else id_key(value)


@dataclass(slots=True)
class _Plan:
    """What the first pass over the input found."""

    lines: int = 0
    keys: set[str] = field(default_factory=set)
    to_do: int = 0


def _scan(path: Path, done: set[str]) -> _Plan:
    plan = _Plan()
    for _, raw in _raw_lines(path):
        plan.lines += 1
        key = _line_key(raw)
        if key is None:
            plan.to_do += 1
        elif key not in plan.keys:
            plan.keys.add(key)
            plan.to_do += key not in done
    return plan


# -- the results file ----------------------------------------------------------------------


@dataclass(slots=True)
class _Previous:
    """What an earlier run left in the results file."""

    done: set[str] = field(default_factory=set)
    operations: set[Operation] = field(default_factory=set)
    rewrite: bool = False
    """The file has lines to drop before appending: failed results (they are retried),
    unreadable ones (a crash mid-line)."""


def _operation_of(result: object) -> Operation | None:
    """Which operation a result is from, by its fields."""
    if not isinstance(result, dict):
        return None
    if "summary_quotes" in result:
        return Operation.report
    if "engine" not in result:
        return Operation.quotes
    return Operation.summarize if "summary" in result else Operation.claims


def _results_state(path: Path) -> _Previous:
    previous = _Previous()
    if not path.exists():
        return previous
    with path.open("rb") as f:
        last = b"\n"
        for raw in f:
            last = raw
            if not raw.strip():
                continue
            record = _record(raw)
            if record is None:
                previous.rewrite = True
                continue
            ok, key, operation = record
            if ok and key is not None:
                previous.done.add(key)
                if operation is not None:
                    previous.operations.add(operation)
            else:
                previous.rewrite = True
        if not last.endswith(b"\n"):
            previous.rewrite = True
    return previous


def _record(raw: bytes) -> tuple[bool, str | None, Operation | None] | None:
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("ok"), bool):
        return None
    value = _valid_id(obj.get("id"))
    key = None if value is None else id_key(value)
    return obj["ok"], key, _operation_of(obj.get("result"))


def _compact(path: Path, input_keys: set[str], say: Callable[[str], None]) -> None:
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
                record = _record(raw)
                if record is None:
                    dropped_unreadable += 1
                    continue
                ok, key, _ = record
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


class _Results:
    """The results file, appended to one flushed line at a time."""

    def __init__(self, path: Path, tally: Tally, progress: Progress) -> None:
        self._file: TextIO = path.open("a", encoding="utf-8", newline="\n")
        self._tally = tally
        self._progress = progress

    def close(self) -> None:
        self._file.close()

    def ok(self, item: Item, result: Out) -> None:
        assert item.id is not None
        self._write(BatchResult(id=item.id, line=item.line, result=result))
        self._tally.ok += 1
        self._progress.advance(failed=False)

    def failed(self, item: Item, error: FactcheckError, settings: Settings) -> None:
        record = BatchFailure(
            id=item.id,
            line=item.line,
            error=BatchItemError(
                title=error.title, status=error.status, detail=settings.redact(error.detail)
            ),
        )
        self._write(record)
        self._tally.failed += 1
        self._progress.advance(failed=True)

    def tick(self) -> None:
        """An item through a step that writes nothing yet (preparing a provider batch)."""
        self._progress.advance(failed=False)

    def _write(self, record: BaseModel) -> None:
        self._file.write(record.model_dump_json() + "\n")
        self._file.flush()


# -- progress on stderr --------------------------------------------------------------------


class Progress:
    """A progress bar on a terminal (done/total, failures, rate); elsewhere only warnings and
    what the provider's batch is doing, one line each."""

    def __init__(self, *, live: bool, stream: TextIO | None = None) -> None:
        self.live = live
        self._stream = stream
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._failed = 0
        self._last_status = ""

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stderr

    def phase(self, description: str, total: int | None) -> None:
        """A new bar (a terminal only)."""
        if not self.live:
            return
        bar = self._ensure_bar()
        if self._task is not None:
            bar.update(self._task, visible=False)
        self._failed = 0
        self._task = bar.add_task(description, total=total, failed=0)

    def advance(self, *, failed: bool) -> None:
        if self._bar is None or self._task is None:
            return
        self._failed += failed
        self._bar.update(self._task, advance=1, failed=self._failed)

    def status(self, line: str, completed: int, total: int | None) -> None:
        """Where the provider's batch stands: the bar on a terminal, else a line per change."""
        if self.live:
            bar = self._ensure_bar()
            if self._task is None:
                self._task = bar.add_task(line, total=total, failed=0)
            bar.update(self._task, description=line, completed=completed, total=total)
        elif line != self._last_status:
            self.say(line, prefix="")
        self._last_status = line

    def say(self, message: str, *, prefix: str = "warning: ") -> None:
        text = f"factcheck: {prefix}{message}"
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def _ensure_bar(self) -> Bar:
        if self._bar is None:
            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                _RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream, force_terminal=True, highlight=False),
                transient=False,
            )
            self._bar.start()
        return self._bar


class _RateColumn(ProgressColumn):
    """Articles (or requests) a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f}/s")


# -- the live path -------------------------------------------------------------------------


async def _read(payload: ArticleIn) -> Article:
    """The article (HTML extracted); long or HTML ones in a worker thread."""
    if len(payload.text) > OFFLOAD_CHARS or looks_like_html(payload.text):
        return await asyncio.to_thread(read_json_article, payload)
    return read_json_article(payload)


def _as_error(exc: BaseException, settings: Settings) -> FactcheckError:
    if isinstance(exc, FactcheckError):
        return exc
    if isinstance(exc, TimeoutError):
        return ProviderTimeoutError(
            f"the article took longer than {settings.deadline_seconds:g} s "
            "(FACTCHECK_DEADLINE_SECONDS)"
        )
    return FactcheckError(f"internal error: {type(exc).__name__}: {exc}")


async def _live(
    options: BatchOptions,
    settings: Settings,
    analyzer: Analyzer | None,
    items: Iterator[Item],
    results: _Results,
) -> None:
    """Every item through the pipeline, ``concurrency`` at a time; each failure recorded."""
    step = STEPS[options.operation]
    queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=2 * options.concurrency)

    async def one(item: Item) -> None:
        assert item.payload is not None
        try:
            async with asyncio.timeout(settings.deadline_seconds):
                article = await _read(item.payload)
                out = await step(article, analyzer)
        except Exception as exc:
            results.failed(item, _as_error(exc, settings), settings)
        else:
            results.ok(item, out)

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            await one(item)

    async with asyncio.TaskGroup() as group:
        for _ in range(options.concurrency):
            group.create_task(worker())
        for item in items:
            await queue.put(item)
        for _ in range(options.concurrency):
            await queue.put(None)


def _fresh(
    items: Iterator[Item],
    done: set[str],
    tally: Tally,
    results: _Results,
    settings: Settings,
    progress: Progress,
    name: str,
) -> Iterator[Item]:
    """The items to process: per-line errors are recorded on the way, ids already done are
    skipped, and a repeated id is processed once, with a warning."""
    first: dict[str, int] = {}
    for item in items:
        key = item.key
        if key is not None and key in first:
            tally.duplicates += 1
            progress.say(
                f"{name}:{item.line}: duplicate id {json.dumps(item.id)} "
                f"(first on line {first[key]}): processed once"
            )
            continue
        if key is not None:
            first[key] = item.line
        if key is not None and key in done:
            tally.skipped += 1
            continue
        if item.error is not None:
            results.failed(item, item.error, settings)
            continue
        yield item


# -- the provider's Batch API ----------------------------------------------------------------


def openai_client(
    settings: Settings, http_client: httpx.AsyncClient | None = None
) -> openai.AsyncOpenAI:
    """The client for the Batch API, configured as :class:`~service.llm.ChatModel`'s (tests
    replace this function to put a fake transport in)."""
    key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
    return openai.AsyncOpenAI(
        api_key=key,
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        http_client=http_client,
    )


_PART: ContextVar[int] = ContextVar("factcheck_batch_part")
_EMPTY_ANSWER = ModelAnalysis(summary="", key_points=[], claims=[], statements=[])


class _Numbered(ChatModel):
    """Numbers the analyzer's calls, in the order it makes them (the order of the parts)."""

    def __init__(self, inner: ChatModel) -> None:  # wraps; no client of its own
        self.settings = inner.settings
        self.name = inner.name
        self._inner = inner
        self.calls = 0

    async def close(self) -> None:
        await self._inner.close()

    async def structured(self, system: str, user: str, schema: type[M]) -> tuple[M, CallUsage]:
        _PART.set(self.calls)
        self.calls += 1
        return await self._inner.structured(system, user, schema)


class _Requests:
    """The request bodies the live path would send for an article, one per part, taken from
    the real Analyzer and ChatModel on an in-process transport that keeps each request and
    answers it with an empty analysis: nothing is sent and nothing is re-implemented."""

    def __init__(self, settings: Settings) -> None:
        quiet = settings.model_copy(update={"cache_entries": 0, "max_retries": 0})
        client = httpx.AsyncClient(transport=httpx.MockTransport(self._keep))
        self._model = _Numbered(ChatModel(quiet, http_client=client))
        self._analyzer = Analyzer(quiet, model=self._model)
        self._bodies: dict[int, dict[str, Any]] = {}

    def _keep(self, request: httpx.Request) -> httpx.Response:
        self._bodies[_PART.get()] = json.loads(request.content)
        return httpx.Response(
            200,
            json={
                "id": "chatcmpl-not-sent",
                "object": "chat.completion",
                "created": 0,
                "model": self._model.name,
                "choices": [
                    {
                        "index": 0,
                        "message": {
                            "role": "assistant",
                            "content": _EMPTY_ANSWER.model_dump_json(),
                        },
                        "finish_reason": "stop",
                    }
                ],
            },
        )

    async def bodies(self, article: Article) -> list[dict[str, Any]]:
        self._bodies = {}
        self._model.calls = 0
        await self._analyzer.analyze(index_article(article))
        return [self._bodies[i] for i in range(self._model.calls)]

    async def close(self) -> None:
        await self._analyzer.close()


@dataclass(slots=True)
class _Submitted:
    """The article of input line ``line``, sent as ``custom_ids`` (one per part). Only this
    is kept while the batch runs; the article is read again to be checked."""

    line: int
    custom_ids: list[str]


@dataclass(slots=True)
class _Answer:
    analysis: ModelAnalysis | None = None
    error: FactcheckError | None = None
    usage: CallUsage = field(default_factory=CallUsage)


class _Answered(Analyzer):
    """An analyzer that asks nobody: its one answer came through the Batch API."""

    def __init__(self, settings: Settings, analysis: Analysis) -> None:
        super().__init__(settings.model_copy(update={"engine": "offline"}))
        self.settings = settings
        self._analysis = analysis

    async def analyze(self, index: Any) -> Analysis:
        return self._analysis


@contextlib.contextmanager
def _provider(what: str, settings: Settings) -> Iterator[None]:
    """The provider's failures as ours (exit status 3), secrets masked."""
    try:
        yield
    except openai.APITimeoutError:
        raise ProviderTimeoutError(
            f"{what}: the provider did not answer within {settings.timeout_seconds:g} s"
        ) from None
    except openai.APIConnectionError:
        where = settings.redact(settings.base_url or "https://api.openai.com/v1")
        raise ProviderUnavailableError(f"{what}: cannot reach the provider at {where}") from None
    except openai.AuthenticationError:
        raise ProviderError(f"{what}: the provider rejected the API key (401)") from None
    except openai.APIStatusError as exc:
        cause = (
            ProviderUnavailableError
            if exc.status_code in (429, 502, 503, 504, 529)
            else ProviderError
        )
        message = exc.message if isinstance(exc.message, str) else str(exc.message)
        raise cause(
            settings.redact(
                f"{what}: the provider answered HTTP {exc.status_code}: {message[:200]}"
            )
        ) from None


def _custom_ids(key: str, parts: int) -> list[str]:
    if parts == 1:
        return [key]
    return [f"{key}{_PART_SUFFIX}{i}" for i in range(1, parts + 1)]


async def _prepare(
    items: Iterator[Item],
    settings: Settings,
    results: _Results,
    requests_file: Path,
) -> dict[str, _Submitted]:
    """Every item's requests written to ``requests_file``; items that cannot be sent are
    recorded as failed here. The same input and settings give the same requests, which is
    how ``--resume-batch`` maps the answers back."""
    planned: dict[str, _Submitted] = {}
    taken: set[str] = set()
    builder = _Requests(settings)
    try:
        with requests_file.open("w", encoding="utf-8", newline="\n") as out:
            for item in items:
                assert item.payload is not None and item.key is not None
                try:
                    article = await _read(item.payload)
                    bodies = await builder.bodies(article)
                except Exception as exc:
                    results.failed(item, _as_error(exc, settings), settings)
                    continue
                ids = _custom_ids(item.key, len(bodies))
                clash = next((c for c in ids if c in taken), None)
                if clash is not None:
                    results.failed(
                        item,
                        InvalidRequestError(
                            f"its request id {clash!r} is another article's (an id ending in "
                            f"'#<n>' names a part of a long article in a provider batch); "
                            "rename it, or run without --provider-batch"
                        ),
                        settings,
                    )
                    continue
                taken.update(ids)
                for custom_id, body in zip(ids, bodies, strict=True):
                    request = {
                        "custom_id": custom_id,
                        "method": "POST",
                        "url": ENDPOINT,
                        "body": body,
                    }
                    out.write(json.dumps(request, ensure_ascii=False) + "\n")
                planned[item.key] = _Submitted(item.line, ids)
                results.tick()
    finally:
        await builder.close()
    return planned


def _metadata(settings: Settings, operation: Operation) -> dict[str, str]:
    return {
        "factcheck_operation": operation.value,
        "factcheck_model": settings.model[:500],
        "factcheck_prompt": load_prompt(PROMPT).ref,
    }


def _batch_line(batch: Batch) -> str:
    counts = batch.request_counts
    done = (
        f", {counts.completed + counts.failed}/{counts.total} requests answered" if counts else ""
    )
    failed = f", {counts.failed} failed" if counts and counts.failed else ""
    return f"batch {batch.id}: {batch.status}{done}{failed}"


async def _wait(
    client: openai.AsyncOpenAI,
    batch_id: str,
    settings: Settings,
    interval: float,
    progress: Progress,
) -> Batch:
    """The batch once it has finished (completed, failed, expired or cancelled)."""
    while True:
        with _provider(f"batch {batch_id}", settings):
            batch = await client.batches.retrieve(batch_id)
        counts = batch.request_counts
        progress.status(
            _batch_line(batch),
            (counts.completed + counts.failed) if counts else 0,
            counts.total if counts and counts.total else None,
        )
        if batch.status in TERMINAL:
            return batch
        await asyncio.sleep(interval)


async def _download(
    client: openai.AsyncOpenAI, file_id: str | None, settings: Settings
) -> list[str]:
    if not file_id:
        return []
    with _provider(f"file {file_id}", settings):
        content = await client.files.content(file_id)
    return content.text.splitlines()


def _failure(code: str | None, message: str) -> FactcheckError:
    if code == "batch_expired":
        return ProviderTimeoutError(
            "the batch expired (24 h) before this request was answered; run again"
        )
    return ProviderError(f"the Batch API failed this request: {code or 'error'}: {message}")


def _answer(obj: dict[str, Any], model: str) -> _Answer:
    """One line of the batch's output or error file as an answer or a per-item error."""
    error = obj.get("error")
    if isinstance(error, dict):
        return _Answer(error=_failure(error.get("code"), str(error.get("message") or "")))
    response = obj.get("response")
    if not isinstance(response, dict):
        return _Answer(error=ProviderError("the Batch API returned neither answer nor error"))
    body = response.get("body")
    status = response.get("status_code")
    if status != 200:
        message = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = str(body["error"].get("message") or "")
        cause = (
            ProviderUnavailableError if status in (429, 500, 502, 503, 504, 529) else ProviderError
        )
        return _Answer(error=cause(f"the model provider answered HTTP {status}: {message[:200]}"))
    try:
        completion = ChatCompletion.model_validate(body)
    except ValidationError:
        return _Answer(error=ModelOutputError("the Batch API returned a malformed chat completion"))
    usage = CallUsage(calls=1)
    if completion.usage is not None:
        usage.prompt_tokens = completion.usage.prompt_tokens
        usage.completion_tokens = completion.usage.completion_tokens
    if not completion.choices:
        return _Answer(
            error=ModelOutputError(f"the model ({model}) returned no answer"), usage=usage
        )
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        return _Answer(
            error=ModelOutputError(
                f"the model's answer was cut off at {completion.usage.completion_tokens if completion.usage else '?'} "
                "tokens (finish_reason 'length'); raise FACTCHECK_MAX_OUTPUT_TOKENS"
            ),
            usage=usage,
        )
    try:
        analysis = ModelAnalysis.model_validate_json(choice.message.content or "")
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "the answer"
        return _Answer(
            error=ModelOutputError(
                f"the model ({model}) answered with invalid JSON: {where}: "
                f"{first.get('msg', 'invalid')} (a provider batch has no repair round; a re-run "
                "without --provider-batch retries it with one)"
            ),
            usage=usage,
        )
    return _Answer(analysis=analysis, usage=usage)


def _answers(lines: list[str], model: str, progress: Progress) -> dict[str, _Answer]:
    answers: dict[str, _Answer] = {}
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            progress.say("the batch's output has a line that is not JSON; ignored")
            continue
        if isinstance(obj, dict) and isinstance(obj.get("custom_id"), str):
            answers[obj["custom_id"]] = _answer(obj, model)
    return answers


def _engine(settings: Settings, parts: int, usage: CallUsage, batch_id: str) -> EngineInfo:
    return engine_info(
        settings,
        load_prompt(PROMPT).ref,
        parts,
        usage,
        notice=f"Answered through the provider's Batch API (batch {batch_id}); the cost "
        "estimate uses the configured live prices.",
    )


async def _ground(
    items: Iterator[Item],
    planned: dict[str, _Submitted],
    answers: dict[str, _Answer],
    batch: Batch,
    settings: Settings,
    operation: Operation,
    results: _Results,
) -> None:
    """Every answer checked against its article by the pipeline's own function."""
    step = STEPS[operation]
    why = f"the batch {batch.id} {batch.status} without answering this article"
    if batch.status == "completed":
        why = (
            f"the batch {batch.id} has no answer for this article (was it submitted with "
            "other input or settings?)"
        )
    elif batch.status == "failed" and batch.errors and batch.errors.data:
        messages = "; ".join(e.message or e.code or "error" for e in batch.errors.data[:3])
        why = f"the batch {batch.id} failed: {messages}"
    for item in items:
        submitted = planned.get(item.key or "")
        if submitted is None or submitted.line != item.line or item.payload is None:
            continue
        got = [answers.get(c) for c in submitted.custom_ids]
        missing = next(
            (c for c, a in zip(submitted.custom_ids, got, strict=True) if a is None), None
        )
        if missing is not None:
            results.failed(item, ProviderError(why), settings)
            continue
        parts = [a for a in got if a is not None]
        failed = next((a.error for a in parts if a.error is not None), None)
        if failed is not None:
            results.failed(item, failed, settings)
            continue
        usage = CallUsage()
        for a in parts:
            usage.add(a.usage)
        merged = merge([a.analysis for a in parts if a.analysis is not None])
        analysis = Analysis(merged, _engine(settings, len(parts), usage, batch.id))
        try:
            article = await _read(item.payload)
            out = await step(article, _Answered(settings, analysis))
        except Exception as exc:
            results.failed(item, _as_error(exc, settings), settings)
        else:
            results.ok(item, out)


async def _provider_batch(
    options: BatchOptions,
    settings: Settings,
    items: Iterator[Item],
    results: _Results,
    progress: Progress,
    to_do: int,
) -> None:
    progress.phase("preparing requests", to_do)
    with tempfile.TemporaryDirectory(prefix="factcheck-batch-") as tmp:
        requests_file = Path(tmp) / f"{options.articles.stem}-requests.jsonl"
        planned = await _prepare(items, settings, results, requests_file)
        if not planned:
            return
        client = openai_client(settings)
        try:
            if options.resume_batch:
                with _provider(f"batch {options.resume_batch}", settings):
                    batch = await client.batches.retrieve(options.resume_batch)
                _check_resumed(batch, settings, options.operation, progress)
            else:
                with _provider("uploading the requests", settings):
                    uploaded = await client.files.create(
                        file=requests_file, purpose="batch", timeout=UPLOAD_TIMEOUT
                    )
                with _provider("creating the batch", settings):
                    batch = await client.batches.create(
                        input_file_id=uploaded.id,
                        endpoint=ENDPOINT,
                        completion_window="24h",
                        metadata=_metadata(settings, options.operation),
                    )
                progress.say(
                    f"submitted batch {batch.id} ({len(planned)} articles); if this run stops, "
                    f"pick it up with --resume-batch {batch.id}",
                    prefix="",
                )
            progress.phase(f"batch {batch.id}", None)
            try:
                batch = await _wait(client, batch.id, settings, options.poll_interval, progress)
            except (asyncio.CancelledError, KeyboardInterrupt):
                progress.say(
                    f"batch {batch.id} goes on at the provider; pick it up with "
                    f"--resume-batch {batch.id}",
                    prefix="",
                )
                raise
            output = await _download(client, batch.output_file_id, settings)
            errors = await _download(client, batch.error_file_id, settings)
        finally:
            await client.close()
    answers = _answers(output + errors, settings.model, progress)
    progress.phase("checking answers", len(planned))
    again = _items(options.articles, settings.max_body_bytes)
    await _ground(again, planned, answers, batch, settings, options.operation, results)


def _check_resumed(
    batch: Batch, settings: Settings, operation: Operation, progress: Progress
) -> None:
    if batch.endpoint != ENDPOINT:
        raise InputError(
            f"batch {batch.id} is for {batch.endpoint}, not {ENDPOINT}: not a factcheck batch"
        )
    meta = batch.metadata or {}
    for key, now in _metadata(settings, operation).items():
        then = meta.get(key)
        if then is not None and then != now:
            progress.say(
                f"batch {batch.id} was submitted with {key.removeprefix('factcheck_')} "
                f"{then!r}, this run uses {now!r}"
            )


# -- the command ---------------------------------------------------------------------------


async def _run(
    options: BatchOptions,
    settings: Settings,
    make_analyzer: Callable[[Settings], Analyzer] | None,
    done: set[str],
    to_do: int,
    progress: Progress,
    tally: Tally,
) -> None:
    results = _Results(options.output, tally, progress)
    analyzer = None
    try:
        items = _fresh(
            _items(options.articles, settings.max_body_bytes),
            done,
            tally,
            results,
            settings,
            progress,
            str(options.articles),
        )
        if options.provider_batch:
            await _provider_batch(options, settings, items, results, progress, to_do)
        else:
            if make_analyzer is not None and options.operation is not Operation.quotes:
                analyzer = make_analyzer(settings)
            progress.phase(options.operation.value, to_do)
            await _live(options, settings, analyzer, items, results)
    finally:
        results.close()
        if analyzer is not None:
            await analyzer.close()


def run_batch(
    options: BatchOptions,
    settings: Settings,
    make_analyzer: Callable[[Settings], Analyzer] | None,
    *,
    live_progress: bool,
) -> int:
    """The whole command: 0 when every line is ok, 1 when any failed. A usage error (a
    missing file, a results file of another operation) raises before anything is written; a
    failure of the provider as a whole (upload, batch creation) raises a
    :class:`~service.errors.ProviderError` after the lines already done are written."""
    _check_paths(options)
    if options.provider_batch and not settings.use_llm:
        raise ConfigurationError(
            "--provider-batch needs the llm engine: set OPENAI_API_KEY (or OPENAI_BASE_URL)"
        )
    if options.provider_batch and options.operation is Operation.quotes:
        raise InputError("--provider-batch: the quotes operation asks no model; run it without")
    load_prompt(PROMPT)  # a broken prompt template is one error, not one per article
    previous = _results_state(options.output)
    others = sorted(op.value for op in previous.operations - {options.operation})
    if others:
        raise InputError(
            f"{options.output} holds {', '.join(others)} results; write "
            f"{options.operation.value} results to another file"
        )
    progress = Progress(live=live_progress)
    plan = _scan(options.articles, previous.done)
    if previous.rewrite:
        _compact(options.output, plan.keys, progress.say)
    tally = Tally(lines=plan.lines)
    stopped = True
    try:
        asyncio.run(
            _run(options, settings, make_analyzer, previous.done, plan.to_do, progress, tally)
        )
        stopped = False
    except ProviderError as exc:
        raise type(exc)(settings.redact(exc.detail)) from None
    finally:
        progress.close()
        print(tally.summary(options.output, stopped=stopped), file=sys.stderr, flush=True)
    return tally.exit_status


def _check_paths(options: BatchOptions) -> None:
    src = options.articles
    if not src.exists():
        raise InputError(f"{src}: no such file")
    if not src.is_file():
        raise InputError(f"{src}: not a regular file")
    out = options.output
    if out.exists() and not out.is_file():
        raise InputError(f"{out}: not a regular file")
    if out.exists() and out.resolve() == src.resolve():
        raise InputError(f"{out}: the results file cannot be the input file")
    if not out.parent.exists():
        raise InputError(f"{out.parent}: no such directory")
