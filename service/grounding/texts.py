"""Judge every sentence of a text written about the article, a draft's or the model's
summary, as a claim, leaving quotations to the quotation checker."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from itertools import accumulate

from ..ingest import Article
from ..models import Finding, FindingKind, ModelCited, Quote
from ..normalize import content_words
from ..sentences import sentence_spans
from ..verify import ArticleIndex
from .citations import Citation
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
    paragraphs: Sequence[tuple[int, int]],
    quotes: list[Quote],
    kind: FindingKind,
    citations: Sequence[Citation] | None = None,
) -> list[Finding]:
    """Every sentence of ``text`` that holds no quotation, judged against ``index``, with
    ``draft_start``/``draft_end`` into ``text``; with ``citations`` (one per paragraph),
    each against what its paragraph cites."""
    findings: list[Finding] = []
    spans = sorted((q.start - 1, q.end + 1) for q in quotes)
    starts = [a for a, _ in spans]
    reach = list(accumulate((b for _, b in spans), max))
    cites: Sequence[Citation | None] = citations or [None] * len(paragraphs)
    for (lo, hi), cited in zip(paragraphs, cites, strict=True):
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
                findings.append(
                    judge_claim(index, sentence, kind=kind, at=(s, e), words=words, cited=cited)
                )
    return findings


def draft_sentences(index: ArticleIndex, draft: Article, quotes: list[Quote]) -> list[Finding]:
    """The draft's own sentences (those quoting nobody), each a ``sentence`` finding."""
    return sentence_findings(index, draft.text, draft.paragraphs, quotes, "sentence")


def joined(items: Sequence[ModelCited]) -> tuple[str, list[tuple[int, int]]]:
    """The model's summary sentences as one text, a space between two, and where each
    stands in it."""
    text, spans = "", []
    for item in items:
        sentence = item.text.strip()
        if not sentence:
            continue
        if text:
            text += " "
        spans.append((len(text), len(text) + len(sentence)))
        text += sentence
    return text, spans


def summary_sentences(
    index: ArticleIndex, summary: Sequence[ModelCited], quotes: list[Quote]
) -> list[Finding]:
    """Each sentence of the model's summary (``joined``) that holds none of its ``quotes``
    (those are checked as quotations), judged as a claim against what its item cites;
    ``draft_start``/``draft_end`` index the joined text."""
    text, spans = joined(summary)
    paragraphs = index.article.paragraphs
    citations = [Citation.of(i.paragraphs, paragraphs) for i in summary if i.text.strip()]
    return sentence_findings(index, text, spans, quotes, "claim", citations)


def key_point_findings(index: ArticleIndex, key_points: Sequence[ModelCited]) -> list[Finding]:
    """Each key point, judged whole as a claim against what it cites."""
    paragraphs = index.article.paragraphs
    return [
        judge_claim(
            index,
            point.text.lstrip(_MARKUP).rstrip(_CLOSING_MARKUP),
            kind="claim",
            cited=Citation.of(point.paragraphs, paragraphs),
        )
        for point in key_points
    ]
