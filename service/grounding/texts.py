"""Judge every sentence of a text written about the article, a draft's or the model's
summary, as a claim, leaving quotations to the quotation checker."""

from __future__ import annotations

from ..ingest import Article, read_article
from ..models import Finding, FindingKind, Quote
from ..normalize import content_words
from ..quotes import quotes_in
from ..sentences import sentence_spans
from ..verify import ArticleIndex
from .claims import judge_claim

MIN_WORDS = 2
"""A sentence with fewer content words ("Background:", "Updated.") states nothing to check."""
_MARKUP = " \t\n#*>-•·▪◦‣+|_"
"""Heading marks, bullets and emphasis around a line of a draft, not part of its sentence."""


def sentence_findings(
    index: ArticleIndex,
    text: str,
    paragraphs: tuple[tuple[int, int], ...] | list[tuple[int, int]],
    quotes: list[Quote],
    kind: FindingKind,
) -> list[Finding]:
    """Every sentence of ``text`` that holds no quotation, judged against ``index``, with
    ``draft_start``/``draft_end`` into ``text``."""
    findings: list[Finding] = []
    for lo, hi in paragraphs:
        for s, e in sentence_spans(text, lo, hi):
            while s < e and text[s] in _MARKUP:
                s += 1
            while e > s and text[e - 1] in _MARKUP:
                e -= 1
            if any(q.start - 1 <= e and s <= q.end + 1 for q in quotes):
                continue
            sentence = text[s:e]
            if len(content_words(sentence)) < MIN_WORDS:
                continue
            finding = judge_claim(index, sentence, kind=kind)
            findings.append(finding.model_copy(update={"draft_start": s, "draft_end": e}))
    return findings


def draft_sentences(index: ArticleIndex, draft: Article, quotes: list[Quote]) -> list[Finding]:
    """The draft's own sentences (those quoting nobody), each a ``sentence`` finding."""
    return sentence_findings(index, draft.text, draft.paragraphs, quotes, "sentence")


def summary_sentences(index: ArticleIndex, summary: str) -> list[Finding]:
    """Each sentence of the model's summary that holds no quotation (``quotes_in_text``
    checks those), judged as a claim."""
    if not summary.strip():
        return []
    quotes = quotes_in(read_article(summary, source_format="text"))
    return sentence_findings(index, summary, [(0, len(summary))], quotes, "claim")


def key_point_findings(index: ArticleIndex, key_points: list[str]) -> list[Finding]:
    """Each key point, judged whole as a claim."""
    return [judge_claim(index, point.strip(_MARKUP), kind="claim") for point in key_points]
