"""The offline engine: what factcheck says about an article with no language model.

An extractive summary (the article's own sentences, ranked by position and by how many of
the article's frequent words they hold) and the core's quotations as attributed
statements. Nothing is downloaded, nothing leaves the machine."""

from __future__ import annotations

from collections import Counter

from .models import ModelAnalysis, ModelStatement
from .normalize import WORD
from .verify import ArticleIndex

_TERMINAL = frozenset('.!?…"”’»')
SUMMARY_SENTENCES = 3
KEY_POINTS = 5
MAX_SENTENCE_CHARS = 400
"""Longer sentences (a key point's limit for the model too) are not taken: it keeps the
summary a summary, and the work of checking its quotations small, whatever the article."""


def offline_analysis(index: ArticleIndex) -> ModelAnalysis:
    article = index.article
    sentences = [
        (s, e)
        for s, e in index.sentences
        if e - s <= MAX_SENTENCE_CHARS
        and article.text[e - 1] in _TERMINAL
        and len(WORD.findall(article.text[s:e])) >= 6
    ]
    ranked = _rank(sentences, index.sentence_words)
    summary = sorted(ranked[:SUMMARY_SENTENCES])
    points = sorted(ranked[SUMMARY_SENTENCES : SUMMARY_SENTENCES + KEY_POINTS])
    # Built without validation: the length bounds budget a model's output, and the
    # article's own sentences and quotations are all worth keeping.
    return ModelAnalysis.model_construct(
        summary=" ".join(article.text[s:e] for s, e in summary),
        key_points=[article.text[s:e] for s, e in points],
        claims=[],
        statements=[
            ModelStatement.model_construct(speaker=q.speaker, text=q.text, direct=True)
            for q in index.quotes
            if q.speaker and q.kind != "nested"
        ],
    )


def _rank(
    sentences: list[tuple[int, int]], words: dict[tuple[int, int], list[str]]
) -> list[tuple[int, int]]:
    freq = Counter(w for span in sentences for w in words[span])
    top = max(freq.values(), default=1)

    def score(index: int, span: tuple[int, int]) -> float:
        content = words[span]
        density = sum(freq[w] for w in content) / (top * max(len(content), 1))
        return density + 1.0 / (1 + index)  # news puts what matters first

    order = sorted(range(len(sentences)), key=lambda i: -score(i, sentences[i]))
    return [sentences[i] for i in order]
