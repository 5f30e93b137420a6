"""Normalization for matching only, one character for one character.

``fold`` keeps the length of the text, so an offset found in the folded copy is the same
offset in the text the client sent: nothing needs mapping back, and nothing normalized can
leak out as an offset. Differences in the amount of whitespace are absorbed by a copy with
whitespace runs collapsed (``SpaceCollapsed``), whose offsets are mapped back."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from .lemmas import lemma

# Typographic variants that never change what was said.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″〝〞", '"'),
        **dict.fromkeys("‘’‚‛‹›′`´", "'"),
        **dict.fromkeys("–—‒―−‐‑", "-"),
        # Every whitespace character (all lie below U+3001): a folded text's only space is " ".
        **dict.fromkeys((c for c in map(chr, range(0x3001)) if c.isspace()), " "),
    }
)


# str.translate is fast only on ASCII text; on the rest (any article with a curly quote) a
# replace per variant present is many times faster.
_FOLD_PAIRS = [(chr(k), v) for k, v in _FOLD.items() if chr(k) != v]


def fold(text: str) -> str:
    """Quote marks, dashes and whitespace unified and case folded, same length as ``text``."""
    if text.isascii():
        folded = text.translate(_FOLD)
    else:
        folded = text
        for char, replacement in _FOLD_PAIRS:
            if char in folded:
                folded = folded.replace(char, replacement)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    # A few characters lower-case to two ("İ"): keep those as they are.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)


_SPACES = re.compile(" {2,}")


class SpaceCollapsed:
    """A folded text (``fold``) with every run of spaces as one, for finding words whatever
    whitespace separates them with ``str.find``: a search pattern compiled for each quotation
    checked would cost more than the search. ``original`` maps an index back."""

    __slots__ = ("_removed", "_starts", "text")

    def __init__(self, folded: str) -> None:
        # Where the shift between the two texts grows: after each run of spaces.
        self._starts = [0]
        self._removed = [0]
        pieces: list[str] = []
        done = removed = 0
        for m in _SPACES.finditer(folded):
            pieces.append(folded[done : m.start() + 1])
            done = m.end()
            removed += m.end() - m.start() - 1
            self._starts.append(m.end() - removed)
            self._removed.append(removed)
        pieces.append(folded[done:])
        self.text = "".join(pieces)

    def original(self, index: int) -> int:
        """The index in the folded (and so the original) text of character ``index``."""
        return index + self._removed[bisect.bisect_right(self._starts, index) - 1]

    def find_words(self, words: str) -> Iterator[tuple[int, int]]:
        """Spans, in the original text, of ``words`` (folded, any whitespace between them) on
        word boundaries, left to right, not overlapping."""
        needle = " ".join(fold(words).split())
        if not needle:
            return
        # A boundary is required only where the words themselves begin or end with one.
        check_before, check_after = needle[0].isalnum(), needle[-1].isalnum()
        text, n = self.text, len(needle)
        pos = text.find(needle)
        while pos >= 0:
            end = pos + n
            if (not check_before or pos == 0 or not _is_word(text[pos - 1])) and (
                not check_after or end == len(text) or not _is_word(text[end])
            ):
                yield self.original(pos), self.original(end - 1) + 1
                pos = text.find(needle, end)
            else:
                pos = text.find(needle, pos + 1)


def _is_word(char: str) -> bool:
    """What ``\\w`` matches."""
    return char.isalnum() or char == "_"


WORD = re.compile(r"[^\W\d_][\w’'-]*|\d[\d.,]*\d|\d")
_STOP = frozenset(
    """the a an and or but of to in on at for with by from as is are was were be been has have
    had it its this that these those he she they we you i his her their our will would can
    could should may might said says say also than then there which who whom what when where
    how about into over after before more most such only other some any all one does did do""".split()
)


def content_words(text: str) -> list[str]:
    """The words that carry a sentence's content, folded and stemmed (``lemmas.lemma``:
    "plans", "planned" and "planning" meet, and "won" with "wins"): no function words,
    numbers kept."""
    return [lemma(w) for w in WORD.findall(fold(text)) if w not in _STOP]
