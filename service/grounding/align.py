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
from ..normalize import WORD, content_words, fold

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
    claim_bounds: Span
    """Where the claim's first word starts and its last word ends."""

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
        _bounds(claim),
    )


def _bounds(text: str) -> Span:
    words = [m.span() for m in WORD.finditer(text)]
    return (words[0][0], words[-1][1]) if words else (0, 0)


def in_place_of(claim_at: Span, article_at: Span, alignment: Alignment, *, most: int) -> bool:
    """Whether the claim's words at ``claim_at`` stand where the article's at
    ``article_at`` do: in one stretch (the spans overlap it), either of words the two share
    (an amount's currency is no word: "€4 million" and "$4 million" stand in one place
    though their words are the same) or of one's words in the place of the other's, the
    two sides with at most ``most`` words besides those: "Putin suggested" against "Macron
    admitted that he had suggested" puts one for the other, but "Very Good Reporter" against
    "at a press conference in Hanahan, South Carolina on Monday" is two texts going on about
    different things, not "Hanahan" put for "Very". Where the claim's stretch opens or
    closes the claim, the article's words before or after its own are what it goes on with
    where the claim has nothing to say: "ban all Hispanic." against "ban all Muslims — 1.6
    billion members of an entire religion — from" puts one for the other."""
    opens, closes = alignment.claim_bounds
    for s in alignment.stretches:
        if not (s.claim and s.article and _overlap(claim_at, s.claim)):
            continue
        if not _overlap(article_at, s.article):
            continue
        if s.same:
            return True
        first, last = s.claim[0] <= opens, s.claim[1] >= closes
        ours = sum(_words_around(alignment.claim, s.claim, claim_at))
        before, after = _words_around(alignment.article, s.article, article_at)
        theirs = (0 if first else before) + (0 if last else after)
        if ours + theirs <= most:
            return True
    return False


def _words_around(text: str, stretch: Span, at: Span) -> tuple[int, int]:
    """How many content words of ``stretch`` come before ``at``, and how many after it."""

    def count(lo: int, hi: int) -> int:
        # Function words aside: "in Berlin in" against "in Paris at the end of" is one
        # place put for another.
        return len(content_words(text[lo:hi])) if hi > lo else 0

    return count(stretch[0], at[0]), count(at[1], stretch[1])


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]
