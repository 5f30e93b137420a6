"""The live path: every article through the pipeline's own functions, ``concurrency`` at a
time, with the model called as a single request would call it. A batch does nothing to an
article that a single call does not."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from ..ingest import Article
from ..models import BatchOperation, ClaimsOut, QuotesOut, ReportOut, SummarizeOut
from ..pipeline import OFFLOAD_CHARS, claims, quotes, report, summarize
from ..settings import Settings
from .input import Item, read
from .results import Sink

if TYPE_CHECKING:
    from ..analysis import Analyzer

Out = ReportOut | SummarizeOut | ClaimsOut | QuotesOut


async def _quotes(article: Article, analyzer: Analyzer | None) -> QuotesOut:
    if len(article.text) > OFFLOAD_CHARS:
        return await asyncio.to_thread(quotes, article)
    return quotes(article)


STEPS: dict[BatchOperation, Callable[[Article, Any], Awaitable[Out]]] = {
    "report": report,
    "summarize": summarize,
    "claims": claims,
    "quotes": _quotes,
}


async def run_live(
    operation: BatchOperation,
    concurrency: int,
    settings: Settings,
    analyzer: Analyzer | None,
    items: Iterator[Item],
    results: Sink,
) -> None:
    """Every item through the pipeline, ``concurrency`` at a time; each failure recorded."""
    step = STEPS[operation]
    queue: asyncio.Queue[Item | None] = asyncio.Queue(maxsize=2 * concurrency)

    async def one(item: Item) -> None:
        assert item.payload is not None
        try:
            async with asyncio.timeout(settings.deadline_seconds):
                article = await read(item.payload)
                out = await step(article, analyzer)
        except Exception as exc:
            results.failed(item, exc)
        else:
            results.ok(item, out)

    async def worker() -> None:
        while (item := await queue.get()) is not None:
            await one(item)

    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(worker())
        for item in items:
            await queue.put(item)
        for _ in range(concurrency):
            await queue.put(None)
