"""Sentences with offsets: splitting on terminal punctuation, not on abbreviations."""

from __future__ import annotations

import re

ABBREVIATIONS = frozenset(
    """
        m mme mr mrs ms dr prof sen rep del gov gen col lt sgt capt adm cmdr rev st jr sr u.s
        u.k u.n no vs jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd dept
        fig est etc
        """.split()
)
# A lower-case word after a full stop goes on with the sentence: "Rep. Jo Lee (R-Ky.) said".
_SENTENCE_BREAK = re.compile(r"[.!?…]['\"’”»)\]]*\s+(?=\ue000|[\"“‘'«„(\[]?(?![a-z])[^\W_])")


def sentence_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentences of ``text[lo:hi]`` as ``(start, end)``; a full stop after an abbreviation
    ("Mr.", "U.S.") or an initial ("J.") does not end one. Works on a masked copy of a text
    too (see ``attribution``): only punctuation and the next character are looked at."""
    out: list[tuple[int, int]] = []
    start = lo
    for m in _SENTENCE_BREAK.finditer(text, lo, hi):
        word = text[max(lo, m.start() - 6) : m.start() + 1].split()[-1:]
        if word and (
            word[0].rstrip(".").lower().split("’")[0] in ABBREVIATIONS or len(word[0]) == 2
        ):
            continue
        end = m.end()
        while end > m.start() and text[end - 1].isspace():
            end -= 1
        out.append((start, end))
        start = m.end()
    if start < hi:
        out.append((start, hi))
    return out
