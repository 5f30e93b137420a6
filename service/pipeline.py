"""The Python API: what the HTTP and CLI layers call."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter

from .errors import EmptyDraftError, UndecodableDraftError, UndecodableInputError
from .grounding import (
    draft_sentences,
    ground_statement,
    joined,
    judge_claim,
    key_point_findings,
    quotes_in_text,
    summary_sentences,
    text_quotes,
)
from .ingest import Article, parse_request_body, read_article
from .models import (
    DEFAULT_FAIL_ON,
    ArticleIn,
    CheckOut,
    ClaimsOut,
    Finding,
    GroundedReason,
    Quote,
    QuotesOut,
    ReportOut,
    SourceFormat,
    SummarizeOut,
)
from .quotes import quotes_in, quotes_with_names
from .quotes.model import speaker_model
from .verify import ArticleIndex, count_verdicts

if TYPE_CHECKING:  # the model's side (openai, tiktoken) is imported only by who runs it
    from .analysis import Analysis, Analyzer

T = TypeVar("T")

OFFLOAD_CHARS = 64 * 1024
"""The async functions index and check articles longer than this in a worker thread (it
takes a second or more for the longest), so that an event loop serving other requests
keeps flowing; shorter ones take milliseconds and stay on the loop."""

__all__ = [
    "check_draft",
    "claims",
    "claims_of",
    "ground",
    "index_article",
    "quotes",
    "quotes_json",
    "read_article",
    "read_body",
    "read_json_article",
    "report",
    "report_of",
    "summarize",
    "summary_of",
]


def read_body(raw: bytes, content_type: str, *, limit: int) -> Article:
    """An article from the bytes of a request body or a file: JSON ``{"text", "title"?,
    "url"?}``, HTML or plain text, by ``content_type`` (sniffed when it is empty)."""
    text, title, url, fmt = parse_request_body(raw, content_type, limit=limit)
    if fmt == "json":
        return read_json_article(ArticleIn(text=text, title=title, url=url))
    return read_article(text, title=title, url=url, source_format="html" if fmt == "html" else None)


def read_json_article(payload: ArticleIn) -> Article:
    """An article sent as JSON; HTML in its ``text`` is detected and extracted."""
    if "\x00" in payload.text:
        raise UndecodableInputError("the article contains NUL characters: binary data, not text")
    return read_article(payload.text, title=payload.title, url=payload.url, plain="json")


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
    quotes, names = quotes_with_names(article)
    return ArticleIndex(article, quotes, names)


def check_draft(
    article: Article,
    draft: str,
    *,
    draft_format: SourceFormat = "text",
    quotes_only: bool = False,
    fail_on: Collection[str] = DEFAULT_FAIL_ON,
) -> CheckOut:
    """Every quotation in ``draft`` judged against ``article``, and unless ``quotes_only``
    every sentence of it that holds none; ``draft_start``/``draft_end`` index ``draft`` as
    given. ``failed`` says whether a finding has a severity in ``fail_on``."""
    if not draft.strip():
        raise EmptyDraftError("the draft is empty")
    if "\x00" in draft:
        raise UndecodableDraftError("the draft contains NUL characters: binary data, not text")
    index = index_article(article)
    draft_article = read_article(draft, source_format=draft_format)
    findings: list[Finding] = []
    draft_quotes = [q for q in quotes_in(draft_article) if q.kind != "nested"]
    for q in draft_quotes:
        finding = index.judge(q.text, q.speaker)
        findings.append(finding.model_copy(update={"draft_start": q.start, "draft_end": q.end}))
    if not quotes_only:
        findings += draft_sentences(index, draft_article, draft_quotes)
        findings.sort(key=lambda f: f.draft_start or 0)
    return CheckOut(
        article=article.describe(),
        findings=findings,
        counts=count_verdicts(findings),
        speaker_model=speaker_model().version,
        failed=any(f.severity in fail_on for f in findings),
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
    return await _deterministic(article, lambda: summary_of(index, analysis))


async def claims(article: Article, analyzer: Analyzer) -> ClaimsOut:
    """Claims and attributed statements, each grounded in the article or marked as not."""
    index, analysis = await _analyze(article, analyzer)
    return await _deterministic(article, lambda: claims_of(index, analysis))


async def report(article: Article, analyzer: Analyzer) -> ReportOut:
    """Everything about one article from one model call: summary, key points, claims,
    statements (all checked) and the article's own quotations."""
    index, analysis = await _analyze(article, analyzer)
    return await _deterministic(article, lambda: report_of(index, analysis))


async def ground(
    article: Article, analysis: Analysis, step: Callable[[ArticleIndex, Analysis], T]
) -> T:
    """``step`` (:func:`summary_of`, :func:`claims_of` or :func:`report_of`) on an analysis
    that was made elsewhere (a provider batch's answer), exactly as the steps above."""
    index = await _deterministic(article, lambda: index_article(article))
    return await _deterministic(article, lambda: step(index, analysis))


def summary_of(index: ArticleIndex, analysis: Analysis) -> SummarizeOut:
    """The model's summary and key points, every quotation and sentence in them checked."""
    result = analysis.result
    checked = _check_summary(index, analysis)
    return SummarizeOut(
        article=index.article.describe(),
        engine=analysis.engine,
        summary=joined(result.summary)[0],
        key_points=[k.text for k in result.key_points],
        quotes=checked.quotes,
        summary_findings=checked.sentences,
        key_point_findings=checked.key_points,
        grounded=checked.grounded,
        grounded_reason=checked.reason,
        counts=count_verdicts(checked.all),
    )


def claims_of(index: ArticleIndex, analysis: Analysis) -> ClaimsOut:
    """The model's claims and statements, each checked against the article."""
    claim_findings, statements = _ground(index, analysis)
    return ClaimsOut(
        article=index.article.describe(),
        engine=analysis.engine,
        claims=claim_findings,
        statements=statements,
        counts=count_verdicts(claim_findings + statements),
    )


def report_of(index: ArticleIndex, analysis: Analysis) -> ReportOut:
    """Everything the model said, checked, with the article's own quotations."""
    result = analysis.result
    checked = _check_summary(index, analysis)
    claim_findings, statements = _ground(index, analysis)
    return ReportOut(
        article=index.article.describe(),
        engine=analysis.engine,
        summary=joined(result.summary)[0],
        key_points=[k.text for k in result.key_points],
        summary_quotes=checked.quotes,
        summary_findings=checked.sentences,
        key_point_findings=checked.key_points,
        grounded=checked.grounded,
        grounded_reason=checked.reason,
        claims=claim_findings,
        statements=statements,
        quotes=index.quotes,
        counts=count_verdicts(checked.all + claim_findings + statements),
    )


@dataclass(frozen=True, slots=True)
class _SummaryChecked:
    quotes: list[Finding]
    sentences: list[Finding]
    key_points: list[Finding]

    @property
    def all(self) -> list[Finding]:
        return self.quotes + self.sentences + self.key_points

    extractive: bool = False
    """The offline engine's summary: the article's own sentences, not checked."""

    @property
    def reason(self) -> GroundedReason:
        """The first of what makes the summary ungrounded, or why it is grounded."""
        claims = self.sentences + self.key_points
        if self.extractive:
            return "extractive"
        if not claims and not self.quotes:
            return "nothing_checked"
        if any(f.verdict == "contradicted" for f in claims):
            return "contradicted"
        if any(f.severity == "error" for f in self.quotes):
            return "quotation_error"
        if any(f.verdict != "paraphrase" for f in claims):
            return "unsupported"
        return "supported"

    @property
    def grounded(self) -> bool:
        return self.reason in ("supported", "extractive")


def _check_summary(index: ArticleIndex, analysis: Analysis) -> _SummaryChecked:
    """The quotations in the model's summary and key points, and each of their sentences.
    The offline engine's summary is the article's own sentences: checking it against the
    article would only verify the article against itself, so nothing is reported."""
    if analysis.engine.engine == "offline":
        return _SummaryChecked([], [], [], extractive=True)
    result = analysis.result
    quoted = text_quotes(joined(result.summary)[0])
    return _SummaryChecked(
        [index.judge(q.text, q.speaker) for q in quoted]
        + quotes_in_text(index, [k.text for k in result.key_points]),
        summary_sentences(index, result.summary, quoted),
        key_point_findings(index, result.key_points),
    )


def _ground(index: ArticleIndex, analysis: Analysis) -> tuple[list[Finding], list[Finding]]:
    """The model's claims and statements, each checked against the article."""
    result = analysis.result
    claim_findings = [judge_claim(index, c) for c in result.claims]
    statements = [ground_statement(index, s) for s in result.statements]
    return claim_findings, statements
