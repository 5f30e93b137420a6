"""The Python API: what the HTTP and CLI layers call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import TypeAdapter

from .analysis import Analysis, Analyzer
from .errors import EmptyInputError, UndecodableInputError
from .grounding import ground_statement, quotes_in_text, support
from .ingest import Article, looks_like_html, parse_request_body, read_article
from .models import (
    ArticleIn,
    CheckOut,
    ClaimsOut,
    Finding,
    Quote,
    QuotesOut,
    ReportOut,
    SourceFormat,
    SummarizeOut,
)
from .quotes import quotes_in
from .quotes.model import speaker_model
from .verify import ArticleIndex, count_verdicts

T = TypeVar("T")

OFFLOAD_CHARS = 64 * 1024
"""The async functions index and check articles longer than this in a worker thread (it
takes a second or more for the longest), so that an event loop serving other requests
keeps flowing; shorter ones take milliseconds and stay on the loop."""

__all__ = [
    "Analyzer",
    "check_draft",
    "claims",
    "index_article",
    "quotes",
    "quotes_json",
    "read_article",
    "read_body",
    "read_json_article",
    "report",
    "summarize",
]


def read_body(raw: bytes, content_type: str, *, limit: int) -> Article:
    """An article from the bytes of a request body or a file: JSON ``{"text", "title"?,
    "url"?}``, HTML or plain text, by ``content_type`` (sniffed when it is empty)."""
    text, title, url, fmt = parse_request_body(raw, content_type, limit=limit)
    if fmt == "json":
        return read_json_article(ArticleIn(text=text, title=title, url=url))
    return read_article(text, title=title, url=url, source_format=fmt)


def read_json_article(payload: ArticleIn) -> Article:
    """An article sent as JSON; HTML in its ``text`` is detected and extracted."""
    if "\x00" in payload.text:
        raise UndecodableInputError("the article contains NUL characters: binary data, not text")
    fmt: SourceFormat = "html" if looks_like_html(payload.text) else "json"
    return read_article(payload.text, title=payload.title, url=payload.url, source_format=fmt)


def quotes(article: Article) -> QuotesOut:
    """Every direct quotation in the article with its speaker."""
    return QuotesOut(
        article=article.describe(),
        quotes=quotes_in(article),
        speaker_model=speaker_model().version,
    )


_QUOTE_LIST = TypeAdapter(list[Quote])


def quotes_json(article: Article) -> dict[str, Any]:
    """``quotes(article)`` in its JSON form (``model_dump(mode="json")``), without building
    the ``QuotesOut`` and ``Span`` models that would only be dumped again: for responses."""
    return {
        "article": article.description(),
        "quotes": _QUOTE_LIST.dump_python(quotes_in(article), mode="json"),
        "speaker_model": speaker_model().version,
    }


def index_article(article: Article) -> ArticleIndex:
    return ArticleIndex(article, quotes_in(article))


def check_draft(article: Article, draft: str, *, draft_format: SourceFormat = "text") -> CheckOut:
    """Every quotation in ``draft`` judged against ``article``; ``draft_start``/``draft_end``
    index ``draft`` as given."""
    if not draft.strip():
        raise EmptyInputError("the draft is empty")
    if "\x00" in draft:
        raise UndecodableInputError("the draft contains NUL characters: binary data, not text")
    index = index_article(article)
    draft_article = read_article(draft, source_format=draft_format)
    findings: list[Finding] = []
    for q in quotes_in(draft_article):
        if q.kind == "nested":
            continue
        finding = index.judge(q.text, q.speaker)
        findings.append(finding.model_copy(update={"draft_start": q.start, "draft_end": q.end}))
    return CheckOut(
        article=article.describe(),
        findings=findings,
        counts=count_verdicts(findings),
        speaker_model=speaker_model().version,
    )


async def _deterministic(article: Article, work: Callable[[], T]) -> T:
    if len(article.text) > OFFLOAD_CHARS:
        return await asyncio.to_thread(work)
    return work()


async def _analyze(article: Article, analyzer: Analyzer) -> tuple[ArticleIndex, Analysis]:
    index = await _deterministic(article, lambda: index_article(article))
    return index, await analyzer.analyze(index)


async def summarize(article: Article, analyzer: Analyzer) -> SummarizeOut:
    """Summary and key points (LLM, or the offline engine), with every quotation they
    contain checked against the article."""
    index, analysis = await _analyze(article, analyzer)
    result = analysis.result
    found = await _deterministic(
        article, lambda: quotes_in_text(index, [result.summary, *result.key_points])
    )
    return SummarizeOut(
        article=article.describe(),
        engine=analysis.engine,
        summary=result.summary,
        key_points=list(result.key_points),
        quotes=found,
        counts=count_verdicts(found),
    )


def _ground(index: ArticleIndex, analysis: Analysis) -> tuple[list[Finding], list[Finding]]:
    """The model's claims and statements, each checked against the article."""
    result = analysis.result
    claim_findings = [support(index, c) for c in result.claims]
    statements = [ground_statement(index, s) for s in result.statements]
    return claim_findings, statements


async def claims(article: Article, analyzer: Analyzer) -> ClaimsOut:
    """Claims and attributed statements, each grounded in the article or marked as not."""
    index, analysis = await _analyze(article, analyzer)
    claim_findings, statements = await _deterministic(article, lambda: _ground(index, analysis))
    return ClaimsOut(
        article=article.describe(),
        engine=analysis.engine,
        claims=claim_findings,
        statements=statements,
        counts=count_verdicts(claim_findings + statements),
    )


async def report(article: Article, analyzer: Analyzer) -> ReportOut:
    """Everything about one article from one model call: summary, key points, claims,
    statements (all checked) and the article's own quotations."""
    index, analysis = await _analyze(article, analyzer)
    result = analysis.result

    def check() -> tuple[list[Finding], list[Finding], list[Finding]]:
        summary_quotes = quotes_in_text(index, [result.summary, *result.key_points])
        return (summary_quotes, *_ground(index, analysis))

    summary_quotes, claim_findings, statements = await _deterministic(article, check)
    return ReportOut(
        article=article.describe(),
        engine=analysis.engine,
        summary=result.summary,
        key_points=list(result.key_points),
        summary_quotes=summary_quotes,
        claims=claim_findings,
        statements=statements,
        quotes=index.quotes,
        counts=count_verdicts(summary_quotes + claim_findings + statements),
    )
