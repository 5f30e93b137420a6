"""Which words of a claim stand in the place of which words of an article passage: the two
word sequences aligned by their lemmas (``difflib``'s longest matching blocks), and the
stretches one matches or replaces in the other. A name or number of the claim differs from
the article's only where it takes the place of one of the article's: "Leaders of about 30
states met" against "about 20 states met, said Emmanuel Macron" differs in 30/20, and
"Leaders" replaces no name; "cycle lanes that will cost €4 million" against "12 kilometres
of protected cycle lanes" puts no number in the place of another. A negation changes what
the claim says only where it stands among words the claim restates."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Stretch:
    """One step of an alignment: words the two texts share in the same order (``same``),
    or a stretch of one in the place of a stretch of the other, or of nothing (``None``)."""

    claim: Span | None
    article: Span | None
    claim_words: int
    article_words: int
    same: bool


@dataclass(frozen=True, slots=True)
class Alignment:
    """How a claim and an article passage line up, every span into its own text."""

    stretches: list[Stretch]
    claim: str
    article: str
    """The texts the spans index."""

    @property
    def pairs(self) -> list[tuple[Span, Span]]:
        """Each stretch of the claim that stands where a stretch of the passage does, as
        (claim span, article span): the words the two share, and each stretch that takes
        the place of another. The shared ones count because an amount's currency is no
        word: "€4 million" and "$4 million" stand in one place though their words are the
        same."""
        return [(s.claim, s.article) for s in self.stretches if s.claim and s.article]

    def loose(self, at: int, *, in_claim: bool, most: int) -> bool:
        """Whether the word at ``at`` (of the claim, or else of the article) lies in a
        stretch of more than ``most`` words that the other text has nothing, or something
        else, for, and the word after it is none the two share: "the Alliance has no plans"
        keeps its "no" wherever the claim's "has" was matched, since "plans" is shared."""
        text = self.claim if in_claim else self.article
        word = WORD.search(text, at)
        after = WORD.search(text, word.end()) if word else None
        here = self._stretch(at, in_claim)
        following = self._stretch(after.start(), in_claim) if after else None
        if here is None or here.same:
            return False
        words = here.claim_words if in_claim else here.article_words
        return words > most and not (following is not None and following.same)

    def _stretch(self, at: int, in_claim: bool) -> Stretch | None:
        for s in self.stretches:
            span = s.claim if in_claim else s.article
            if span is not None and span[0] <= at < span[1]:
                return s
        return None


def align(claim: str, article: str, start: int, end: int) -> Alignment:
    """``claim`` aligned with ``article[start:end]`` by its words' lemmas."""
    ours, our_spans = _words(claim, 0, len(claim))
    theirs, their_spans = _words(article, start, end)
    matcher = SequenceMatcher(None, ours, theirs, autojunk=False)
    return Alignment(
        [
            Stretch(
                (our_spans[i1][0], our_spans[i2 - 1][1]) if i2 > i1 else None,
                (their_spans[j1][0], their_spans[j2 - 1][1]) if j2 > j1 else None,
                i2 - i1,
                j2 - j1,
                op == "equal",
            )
            for op, i1, i2, j1, j2 in matcher.get_opcodes()
        ],
        claim,
        article,
    )


def in_place_of(claim_at: Span, article_at: Span, alignment: Alignment) -> bool:
    """Whether the claim's words at ``claim_at`` stand where the article's at
    ``article_at`` do, in one of the ``alignment``'s pairs (the spans overlap them)."""
    return any(_overlap(claim_at, c) and _overlap(article_at, a) for c, a in alignment.pairs)


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
