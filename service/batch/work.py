"""One part of a batch, processed wherever the batch runs it: in the command's own process,
in a process of its pool, or on a Dask worker. What a line holds depends on the article and
the settings alone, so where it is computed changes no byte of it.

The deterministic operations (the quotations, and every operation with the offline engine)
run here as plain functions; an operation that calls a model runs the live path over the
part (:func:`live_part`), with the model calls it may make at once given by the caller."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

from pydantic import BaseModel

from ..analysis import Analysis, Analyzer, offline
from ..ingest import Article
from ..models import ArticleIn, BatchOperation, CheckIn, CheckOut
from ..pipeline import (
    check_draft,
    claims_of,
    index_article,
    quotes,
    read_json_article,
    report_of,
    summary_of,
)
from ..quotes.model import speaker_model
from ..settings import Settings
from ..verify import ArticleIndex
from .input import Item
from .live import run_live
from .results import Collected, Outcome, failure, success

T = TypeVar("T")


def _read(step: Callable[[Article], T]) -> Callable[[ArticleIn], T]:
    return lambda payload: step(read_json_article(payload))


def _offline(step: Callable[[ArticleIndex, Analysis], T]) -> Callable[[ArticleIn], T]:
    def run(article: Article) -> T:
        index = index_article(article)
        return step(index, offline(index))

    return _read(run)


def check(payload: ArticleIn) -> CheckOut:
    """A line's draft checked against its article, as ``POST /check`` does it."""
    assert isinstance(payload, CheckIn) and payload.draft is not None
    return check_draft(
        read_json_article(payload),
        payload.draft,
        quotes_only=payload.quotes_only,
        fail_on=payload.fail_on,
    )


DETERMINISTIC: dict[BatchOperation, Callable[[ArticleIn], BaseModel]] = {
    "quotes": _read(quotes),
    "check": check,
    "report": _offline(report_of),
    "summarize": _offline(summary_of),
    "claims": _offline(claims_of),
}
"""Each operation without a model: the same results as the live path's with the offline
engine, computed without an event loop (a draft's check never asks a model)."""


def is_deterministic(operation: BatchOperation, settings: Settings) -> bool:
    """Whether the operation's results need no model: these run on every core."""
    return operation in ("quotes", "check") or not settings.use_llm


def warm_up() -> None:
    """What every article reads, loaded once per process rather than once per article: the
    speaker model (the lexicons' regexes are compiled when their modules are imported)."""
    speaker_model()


def outcome(operation: BatchOperation, settings: Settings, item: Item) -> Outcome:
    """One input line's result, or its error."""
    if item.error is not None:
        return failure(item, operation, item.error, settings)
    assert item.payload is not None
    try:
        out = DETERMINISTIC[operation](item.payload)
    except Exception as exc:
        return failure(item, operation, exc, settings)
    return success(item, operation, out)


def deterministic_part(
    operation: BatchOperation, settings: Settings, items: list[Item]
) -> list[Outcome]:
    """A part of a batch in input order (a pool's or a Dask worker's task)."""
    warm_up()
    return [outcome(operation, settings, item) for item in items]


def live_part(
    operation: BatchOperation, settings: Settings, items: list[Item], concurrency: int
) -> list[Outcome]:
    """A part of a batch through the live path, ``concurrency`` model calls at most, with an
    analyzer of its own (a Dask worker's task: its event loop lives as long as the task)."""
    collected = Collected(operation, settings)
    readable = [item for item in items if item.error is None]
    for item in items:
        if item.error is not None:
            collected.failed(item, item.error)

    async def run() -> None:
        analyzer = Analyzer(settings)
        try:
            await run_live(operation, concurrency, settings, analyzer, iter(readable), collected)
        finally:
            await analyzer.close()

    asyncio.run(run())
    return collected.in_order()


# -- a pool's processes ----------------------------------------------------------------

_job: tuple[BatchOperation, Settings] | None = None


def start(operation: BatchOperation, settings: Settings) -> None:
    """A pool process's initializer: the job it serves, and the model loaded once."""
    global _job
    _job = (operation, settings)
    warm_up()


def pooled(items: list[Item]) -> list[Outcome]:
    """A part of the batch in a pool's process (after :func:`start`)."""
    assert _job is not None, "the pool's initializer did not run"
    operation, settings = _job
    return [outcome(operation, settings, item) for item in items]


def parts(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """The items in lists of ``size`` (the last one shorter), read lazily."""
    it = iter(items)
    while part := list(islice(it, size)):
        yield part
