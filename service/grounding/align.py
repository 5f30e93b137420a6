"""Which words of a claim stand in the place of which words of an article passage: the two
word sequences aligned by their lemmas (``difflib``'s longest matching blocks), and the
stretches one matches or replaces in the other. A name or number of the claim differs from
the article's only where it takes the place of one of the article's: "Leaders of about 30
states met" against "about 20 states met, said Emmanuel Macron" differs in 30/20, and
"Leaders" replaces no name; "cycle lanes that will cost €4 million" against "12 kilometres
of protected cycle lanes" puts no number in the place of another."""

from __future__ import annotations

from difflib import SequenceMatcher

from ..lemmas import lemma
from ..normalize import WORD, fold

Span = tuple[int, int]


def _words(text: str, start: int, end: int) -> tuple[list[str], list[Span]]:
    keys: list[str] = []
    spans: list[Span] = []
    for m in WORD.finditer(fold(text[start:end])):
        keys.append(lemma(m.group()))
        spans.append((start + m.start(), start + m.end()))
    return keys, spans


def counterparts(claim: str, article: str, start: int, end: int) -> list[tuple[Span, Span]]:
    """Each stretch of ``claim`` that stands where a stretch of ``article[start:end]`` does,
    as (claim span, article span): the words the two share in the same order, and each
    stretch that takes the place of another between them (or at either end). The shared
    ones count because an amount's currency is no word: "€4 million" and "$4 million" stand
    in one place though their words are the same."""
    ours, our_spans = _words(claim, 0, len(claim))
    theirs, their_spans = _words(article, start, end)
    out: list[tuple[Span, Span]] = []
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "equal"):
            out.append(
                (
                    (our_spans[i1][0], our_spans[i2 - 1][1]),
                    (their_spans[j1][0], their_spans[j2 - 1][1]),
                )
            )
    return out


def in_place_of(claim_at: Span, article_at: Span, pairs: list[tuple[Span, Span]]) -> bool:
    """Whether the claim's words at ``claim_at`` stand where the article's at
    ``article_at`` do, in one of the ``pairs`` of ``counterparts`` (the spans overlap them)."""
    return any(_overlap(claim_at, c) and _overlap(article_at, a) for c, a in pairs)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
