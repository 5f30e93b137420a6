"""The Python API: what the HTTP and CLI layers call."""

from __future__ import annotations

from .quotes import quotes_in
from .ingest import Article, read_article
from .models import CheckOut, Finding, QuotesOut, SourceFormat
from .verify import ArticleIndex, count_verdicts

__all__ = ["check_draft", "index_article", "quotes", "read_article"]


def quotes(article: Article) -> QuotesOut:
    """Every direct quotation in the article with its speaker."""
    return QuotesOut(article=article.describe(), quotes=quotes_in(article))


def index_article(article: Article) -> ArticleIndex:
    return ArticleIndex(article, quotes_in(article))


def check_draft(article: Article, draft: str, *, draft_format: SourceFormat = "text") -> CheckOut:
    """Every quotation in ``draft`` judged against ``article``; ``draft_start``/``draft_end``
    index ``draft`` as given."""
    index = index_article(article)
    draft_article = read_article(draft, source_format=draft_format)
    findings: list[Finding] = []
    for q in quotes_in(draft_article):
        if q.kind == "nested":
            continue
        finding = index.judge(q.text, q.speaker)
        findings.append(finding.model_copy(update={"draft_start": q.start, "draft_end": q.end}))
    return CheckOut(article=article.describe(), findings=findings, counts=count_verdicts(findings))
