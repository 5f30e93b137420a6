"""Normalization for matching only, with a map back to the original offsets.

Nothing normalized ever leaves the service: callers match in ``Normalized.text`` and turn
every hit back into original offsets with ``Normalized.span``."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Typographic variants that never change what was said.
_CHAR_MAP = {
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"', "〝": '"', "〞": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "‹": "'", "›": "'", "′": "'", "`": "'", "´": "'",
    "–": "-", "—": "-", "‒": "-", "―": "-", "−": "-", "‐": "-", "‑": "-",
    "…": "...",
}
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"}


@dataclass(frozen=True, slots=True)
class Normalized:
    text: str
    origin: tuple[int, ...]
    """``origin[i]`` is the original offset of normalized character ``i``; one extra entry
    holds the original length, so an end offset maps too."""

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the normalized slice ``[start:end]``."""
        if end <= start:
            at = self.origin[start]
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def normalize(text: str, *, casefold: bool = True) -> Normalized:
    """Unify quote marks, dashes and ellipses, collapse whitespace (runs become one space,
    leading and trailing whitespace is dropped) and fold case."""
    out: list[str] = []
    origin: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch in _ZERO_WIDTH:
            continue
        if ch.isspace():
            pending_space = bool(out)
            continue
        if pending_space:
            out.append(" ")
            origin.append(i - 1)
            pending_space = False
        mapped = _CHAR_MAP.get(ch)
        if mapped is None:
            mapped = ch.casefold() if casefold else ch
            if len(mapped) > 1 or not mapped.isascii():
                mapped = unicodedata.normalize("NFC", mapped)
        for m in mapped:
            out.append(m)
            origin.append(i)
    origin.append(len(text))
    return Normalized("".join(out), tuple(origin))
