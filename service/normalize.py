"""Normalization for matching only, one character for one character.

``fold`` keeps the length of the text, so an offset found in the folded copy is the same
offset in the text the client sent: nothing needs mapping back, and nothing normalized can
leak out as an offset. Differences in the amount of whitespace are absorbed by the search
pattern (``words_pattern``) instead of by collapsing the text."""

from __future__ import annotations

import re
from functools import lru_cache

# Typographic variants that never change what was said.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("“”„‟«»″〝〞", '"'),
        **dict.fromkeys("‘’‚‛‹›′`´", "'"),
        **dict.fromkeys("–—‒―−‐‑", "-"),
        **dict.fromkeys(
            "\t\n\r\f\v\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000",
            " ",
        ),
    }
)


def fold(text: str) -> str:
    """Quote marks, dashes and whitespace unified and case folded, same length as ``text``."""
    folded = text.translate(_FOLD)
    lowered = folded.lower()
    if len(lowered) == len(folded):
        return lowered
    # A few characters lower-case to two ("İ"): keep those as they are.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in folded)


@lru_cache(maxsize=4096)
def words_pattern(words: str) -> re.Pattern[str] | None:
    """A pattern finding ``words`` in a folded text whatever whitespace separates them,
    on word boundaries; None when there are no words."""
    parts = fold(words).split()
    if not parts:
        return None
    body = r"\s+".join(re.escape(p) for p in parts)
    before = r"(?<!\w)" if parts[0][0].isalnum() else ""
    after = r"(?!\w)" if parts[-1][-1].isalnum() else ""
    return re.compile(before + body + after)


WORD = re.compile(r"[^\W\d_][\w’'-]*|\d[\d.,]*\d|\d")
_STOP = frozenset(
    """the a an and or but of to in on at for with by from as is are was were be been has have
    had it its this that these those he she they we you i his her their our will would can
    could should may might said says say also than then there which who whom what when where
    how about into over after before more most such only other some any all one does did do""".split()
)
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")


def content_words(text: str) -> list[str]:
    """The words that carry a sentence's content, folded and crudely stemmed ("plans",
    "planned" and "planning" meet): no function words, numbers kept."""
    return [
        _SUFFIX.sub("", w) if len(w) > 4 else w for w in WORD.findall(fold(text)) if w not in _STOP
    ]
