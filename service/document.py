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


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``text[start:end]`` with offsets into ``text``. A sentence-final full
    stop is not part of a token; an abbreviation's is."""
    out: list[Token] = []
    for m in TOKEN.finditer(text, start, len(text) if end is None else end):
        s, e = m.span()
        tok = m.group()
        if tok.endswith(".") and tok[:-1].lower() not in ABBREVIATIONS and not _initial(tok):
            e -= 1
            tok = tok[:-1]
        out.append(Token(tok, s, e))
    return out


_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")


def _initial(tok: str) -> bool:
    """``J.`` and ``U.S.``: capital letters each followed by a full stop."""
    return tok[0].isupper() and _INITIALS.fullmatch(tok) is not None


@dataclass(slots=True)
class Document:
    """``text`` tokenized once."""

    text: str
    tokens: list[Token]
    starts: list[int]

    @classmethod
    def build(cls, text: str) -> Document:
        toks = tokens(text)
        return cls(text, toks, [t.start for t in toks])

    def between(self, start: int, end: int) -> list[Token]:
        """The tokens that start at or after ``start`` and end by ``end``."""
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.starts, end, i)
        while j > i and self.tokens[j - 1].end > end:
            j -= 1
        return self.tokens[i:j]

    def last_between(self, start: int, end: int) -> Token | None:
        """``between(start, end)[-1]`` without building the list."""
        j = bisect.bisect_left(self.starts, end)
        while j > 0 and self.tokens[j - 1].end > end:
            j -= 1
        return self.tokens[j - 1] if j > 0 and self.tokens[j - 1].start >= start else None
