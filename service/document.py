"""The article read once: its words as tokens with offsets into the text as sent.

Every stage that reads words (marks, names, cues, candidates, features, the claim checker's
facts) reads them from one ``Document`` per text instead of tokenizing a slice of it again,
as spaCy's ``Doc`` is read by its components. Slices are found by bisection over the token
starts, so asking for the words of a window costs the words in it, not the window's length
times the number of times it is asked for."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import cast

from .sentences import ABBREVIATIONS

TOKEN = re.compile(r"[^\W_](?:[\w’'\-]|\.(?=[^\W_]))*\.?")


class Token:
    """A word with its offsets; ``word`` is its lower-case form without a trailing full
    stop or possessive."""

    __slots__ = ("capitalised", "end", "possessive", "start", "text", "word")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        w = text.lower()
        # Tokens are made by the thousand: the last character decides which checks apply.
        last = w[-1]
        if last == "s" and w.endswith(("’s", "'s")):
            self.possessive = True
            w = w[:-2]
            last = w[-1:]
        else:
            self.possessive = last in "’'" and w.endswith(("s’", "s'"))
        self.word = w.rstrip(".") if last == "." else w
        self.capitalised = text[0].isupper()


def spans(text: str) -> tuple[list[int], list[int]]:
    """Where the word tokens of ``text`` start and end: the tokenizer, run once per text. A
    sentence-final full stop is not part of a token; an abbreviation's is."""
    starts: list[int] = []
    ends: list[int] = []
    for m in TOKEN.finditer(text):
        s, e = m.span()
        if text[e - 1] == "." and not _keeps_stop(text[s:e]):
            e -= 1
        starts.append(s)
        ends.append(e)
    return starts, ends


def _keeps_stop(tok: str) -> bool:
    """Whether a token's final full stop is its own: an abbreviation's or an initial's."""
    return tok[:-1].lower() in ABBREVIATIONS or _initial(tok)


_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")


def _initial(tok: str) -> bool:
    """``J.`` and ``U.S.``: capital letters each followed by a full stop."""
    return tok[0].isupper() and _INITIALS.fullmatch(tok) is not None


@dataclass(slots=True, weakref_slot=True)
class Document:
    """``text`` tokenized once. A ``Token`` is made when a reader first asks for it, and
    only once: most of an article's words are never read as tokens."""

    text: str
    starts: list[int]
    ends: list[int]
    _made: list[Token | None]

    @classmethod
    def build(cls, text: str) -> Document:
        starts, ends = spans(text)
        return cls(text, starts, ends, [None] * len(starts))

    def _range(self, i: int, j: int) -> list[Token]:
        made = self._made[i:j]
        if None in made:
            text, starts, ends = self.text, self.starts, self.ends
            for k in range(i, j):
                if self._made[k] is None:
                    s, e = starts[k], ends[k]
                    self._made[k] = Token(text[s:e], s, e)
            made = self._made[i:j]
        return cast("list[Token]", made)

    def between(self, start: int, end: int) -> list[Token]:
        """The words of ``text[start:end]`` as the slice shows them: the tokens inside it,
        and the part inside it of a token it cuts ("Trump" of "anti-Trump" or of "Trump’s"
        cut before its "’s"), as if the slice alone were tokenized."""
        # Tokens do not overlap: their ends are in order as their starts are.
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_right(self.ends, end, i)
        inside = self._range(i, j)
        if i > 0 and self.ends[i - 1] > start:
            head = self._part(i - 1, start, end)
            inside = inside if head is None else [head, *inside]
        if j < len(self.starts) and self.starts[j] < end:
            tail = self._part(j, start, end)
            inside = inside if tail is None else [*inside, tail]
        return inside

    def last_between(self, start: int, end: int) -> Token | None:
        """``between(start, end)[-1]`` without building the list."""
        j = bisect.bisect_right(self.ends, end)
        if j < len(self.starts) and self.starts[j] < end:
            return self._part(j, start, end)
        if j > 0 and self.starts[j - 1] >= start:
            return self._range(j - 1, j)[0]
        if j > 0 and self.ends[j - 1] > start:
            return self._part(j - 1, start, end)
        return None

    def _part(self, k: int, start: int, end: int) -> Token | None:
        """The part of token ``k`` inside ``text[start:end]``, as the tokenizer reads it
        there; made afresh, since few slices cut a word."""
        text, s, e = self.text, self.starts[k], self.ends[k]
        if text[e : e + 1] == "." and text[e - 1] != ".":
            e += 1  # the word's sentence-final stop, which a part may keep ("R." of "8R.")
        first = _WORD_START.search(text, max(s, start), min(e, end))
        if first is None:
            return None
        s, e = first.start(), min(e, end)
        if text[e - 1] == "." and not _keeps_stop(text[s:e]):
            e -= 1
        return Token(text[s:e], s, e)


_WORD_START = re.compile(r"[^\W_]")
