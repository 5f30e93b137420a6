"""Ground what a model said in the article: every quotation and attributed statement gets
a verdict and article offsets from the checker, never from the model."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from .ingest import read_article
from .models import Finding, ModelStatement, Span
from .normalize import content_words, fold
from .quotes import quotes_in
from .verify import ArticleIndex, same_person

SUPPORT_MIN_OVERLAP = 0.7
"""Share of a statement's content words that one article sentence must hold to support it."""

_NEGATION = re.compile(r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without)\b|n't\b")
_NUMBER = re.compile(r"\d[\d.,]*")


def ground_statement(index: ArticleIndex, statement: ModelStatement) -> Finding:
    """A direct quotation is judged like a draft's; reported speech must be supported by
    an article sentence, and its speaker must not contradict the article's."""
    if statement.direct:
        return index.judge(statement.text, statement.speaker)
    finding = support(index, statement.text, statement.speaker)
    if finding.verdict != "paraphrase" or not statement.speaker:
        return finding
    [evidence] = finding.evidence
    quoted = [
        q for q in index.quotes if evidence.start <= q.start and q.end <= evidence.end and q.speaker
    ]
    if quoted and not any(same_person(statement.speaker, q.speaker or "") for q in quoted):
        other = quoted[0].speaker
        return finding.model_copy(
            update={
                "verdict": "misattributed",
                "article_speaker": other,
                "attribution": "mismatch",
                "message": f"the article gives this to {other}, not {statement.speaker}",
            }
        )
    surname = statement.speaker.split()[-1]
    if quoted or re.search(rf"\b{re.escape(surname)}\b", evidence.text, re.IGNORECASE):
        return finding.model_copy(
            update={
                "attribution": "match",
                "article_speaker": quoted[0].speaker if quoted else statement.speaker,
            }
        )
    return finding


def support(index: ArticleIndex, statement: str, speaker: str | None = None) -> Finding:
    """``paraphrase`` with the article sentence that best supports ``statement`` (most of
    its content words, the same numbers, the same polarity), else ``unsupported``."""
    words = set(content_words(statement))
    text = index.article.text
    best: tuple[float, float, int, int] | None = None
    if words:
        numbers = set(_NUMBER.findall(statement))
        negated = bool(_NEGATION.search(fold(statement)))
        for s, e in index.sentences:
            sentence = text[s:e]
            overlap = len(words & set(index.sentence_words[s, e])) / len(words)
            if overlap < SUPPORT_MIN_OVERLAP:
                continue
            if not numbers <= set(_NUMBER.findall(sentence)) or negated != bool(
                _NEGATION.search(fold(sentence))
            ):
                continue
            tie = fuzz.token_set_ratio(fold(statement), fold(sentence))
            if best is None or (overlap, tie) > best[:2]:
                best = (overlap, tie, s, e)
    if best is None:
        return Finding(
            text=statement,
            speaker=speaker,
            verdict="unsupported",
            method="none",
            score=0.0,
            evidence=[],
            message="no sentence of the article supports this",
        )
    overlap, _, s, e = best
    return Finding(
        text=statement,
        speaker=speaker,
        verdict="paraphrase",
        method="fuzzy",
        score=round(overlap * 100, 1),
        evidence=[Span.of(text, s, e)],
        message="supported by this sentence of the article",
    )


def quotes_in_text(index: ArticleIndex, texts: list[str]) -> list[Finding]:
    """Every quotation inside model-written text (a summary, key points), checked."""
    findings: list[Finding] = []
    for text in texts:
        if not text.strip():
            continue
        for q in quotes_in(read_article(text, source_format="text")):
            if q.kind != "nested":
                findings.append(index.judge(q.text, q.speaker))
    return findings
