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
