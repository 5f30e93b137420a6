"""What every stage of quotation attribution reads about one article, built once: its
words, the text with its quotations blanked out, its sentences and the names it mentions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..document import Document, Token
from ..ingest import Article
from ..sentences import sentence_spans
from .marks import RawQuote, find_quotes
from .names import NameIndex
from .speakers import QUOTE_CHAR


@dataclass(slots=True)
class QuoteContext:
    text: str
    doc: Document
    """``text`` tokenized, once: every stage reads its words from here."""
    paragraphs: Sequence[tuple[int, int]]
    raw: list[RawQuote]
    masked: str
    """``text`` with every top-level quotation blanked out (see ``mask_quotes``)."""
    sentences: list[list[tuple[int, int]]]
    """Each paragraph's sentences, a quotation ending with a full stop ending one."""
    names: NameIndex

    @classmethod
    def build(cls, article: Article) -> QuoteContext:
        """An ingested article's quotations found and the rest read around them."""
        text, paragraphs = article.text, article.paragraphs
        raw = find_quotes(text, paragraphs)
        masked = mask_quotes(text, raw)
        doc = Document.build(text)
        return cls(
            text,
            doc,
            paragraphs,
            raw,
            masked,
            [quote_sentences(text, masked, lo, hi) for lo, hi in paragraphs],
            NameIndex.build(doc, paragraphs),
        )

    def unquoted(self, start: int, end: int) -> list[Token]:
        """The tokens of ``masked[start:end]``: those of the text that no quotation covers."""
        masked = self.masked
        return [
            t for t in self.doc.between(start, end) if QUOTE_CHAR not in masked[t.start : t.end]
        ]

    def last_unquoted(self, start: int, end: int) -> Token | None:
        """``unquoted(start, end)[-1]``, without reading the tokens before it."""
        found = self.doc.last_between(start, end)
        while found is not None and QUOTE_CHAR in self.masked[found.start : found.end]:
            found = self.doc.last_between(start, found.start)
        return found


def mask_quotes(text: str, raw: list[RawQuote]) -> str:
    """The text with every top-level quotation, marks included, blanked out, so that words
    inside quotations are never taken for cues or speakers."""
    spans = sorted(
        (q.open_pos, (q.close_pos + 1) if q.close_pos is not None else q.end)
        for q in raw
        if not q.nested
    )
    pieces: list[str] = []
    done = 0
    for lo, hi in spans:
        lo, hi = max(lo, done), min(hi, len(text))
        if hi > lo:
            pieces += (text[done:lo], QUOTE_CHAR * (hi - lo))
            done = hi
    pieces.append(text[done:])
    return "".join(pieces)


_QUOTE_RUN = re.compile(QUOTE_CHAR + "+")
_NEXT_SENTENCE = re.compile(r"\s+[A-Z]")


def quote_sentences(text: str, masked: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = sentence_spans(masked, lo, hi)
    # A quotation ending a sentence: "… win." He then …
    refined: list[tuple[int, int]] = []
    for s, e in out:
        cursor = s
        for m in _QUOTE_RUN.finditer(masked, s, e):
            qe = m.end()
            # Looked at where it stands: copying the rest of the sentence for each
            # quotation would make a sentence of many quotations quadratic.
            follow = _NEXT_SENTENCE.match(masked, qe, e)
            if follow and _ends_sentence_inside(text, m.start(), qe):
                refined.append((cursor, qe))
                cursor = follow.end() - 1
        refined.append((cursor, e))
    return refined


def _ends_sentence_inside(text: str, qs: int, qe: int) -> bool:
    """Whether the quotation blanked out at ``[qs:qe]`` ended its sentence with a full stop.
    A question or exclamation mark does not: “Why?” Graham asked."""
    inner = text[qs:qe].rstrip("\"”’'»“ ")
    return inner[-1:] in (".", "…")


def sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    """The sentence (of a paragraph's, in order) that holds ``pos``."""
    i = bisect.bisect_right(sentences, pos, key=lambda span: span[0]) - 1
    if i >= 0 and sentences[i][0] <= pos < sentences[i][1]:
        return sentences[i]
    return sentences[-1] if sentences else (pos, pos)
