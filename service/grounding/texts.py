"""Judge every sentence of a text written about the article, a draft's or the model's
summary, as a claim, leaving quotations to the quotation checker."""

from __future__ import annotations

import bisect
from itertools import accumulate

from ..ingest import Article
from ..models import Finding, FindingKind, Quote
from ..normalize import content_words
from ..sentences import sentence_spans
from ..verify import ArticleIndex
from .claims import judge_claim

MIN_WORDS = 2
"""A sentence with fewer content words ("Background:", "Updated.") states nothing to check."""
_MARKUP = " \t\n#*>-•·▪◦‣+|_"
"""Heading marks, bullets and emphasis before a line of a draft, not part of its sentence."""
_CLOSING_MARKUP = " \t\n#*|_"
"""Emphasis and table bars after one."""


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
    spans = sorted((q.start - 1, q.end + 1) for q in quotes)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    for lo, hi in paragraphs:
        for s, e in sentence_spans(text, lo, hi):
            while s < e and text[s] in _MARKUP:
                s += 1
            while e > s and text[e - 1] in _CLOSING_MARKUP:
                e -= 1
            # Some quotation starts by the sentence's end and ends after its start.
            last = bisect.bisect_right(starts, e) - 1
            if last >= 0 and reach[last] >= s:
                continue
            sentence = text[s:e]
            words = content_words(sentence)
            if len(words) >= MIN_WORDS:
                findings.append(judge_claim(index, sentence, kind=kind, at=(s, e), words=words))
    return findings


def draft_sentences(index: ArticleIndex, draft: Article, quotes: list[Quote]) -> list[Finding]:
    """The draft's own sentences (those quoting nobody), each a ``sentence`` finding."""
    return sentence_findings(index, draft.text, draft.paragraphs, quotes, "sentence")


def summary_sentences(index: ArticleIndex, summary: str, quotes: list[Quote]) -> list[Finding]:
    """Each sentence of the model's summary that holds none of its ``quotes`` (those are
    checked as quotations), judged as a claim."""
    return sentence_findings(index, summary, [(0, len(summary))], quotes, "claim")


def key_point_findings(index: ArticleIndex, key_points: list[str]) -> list[Finding]:
    """Each key point, judged whole as a claim."""
    return [
        judge_claim(index, point.lstrip(_MARKUP).rstrip(_CLOSING_MARKUP), kind="claim")
        for point in key_points
    ]
