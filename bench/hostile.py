"""Hostile input: 2 MB bodies of the shapes that make text processing superlinear.

Run from the repository root::

    python -m bench.hostile                  # HTTP (a uvicorn subprocess) and Python API
    python -m bench.hostile --size 0.5       # quicker: 0.5 MB bodies
    python -m bench.hostile --only api --json

Shapes (``--size`` MB each, made here, deterministic):

* ``short paragraphs`` (the baseline): news-like prose in paragraphs of two to four
  sentences, a third of them with a quotation and a named speaker;
* ``one paragraph``: the same prose with no line break at all;
* ``short quotations``: about 100,000 quotations of two words at 2 MB, nothing between them;
* ``unpaired marks``: about 200,000 quotation marks of every kind, never closed, each
  before a word;
* ``nested 1,000 deep``: paragraphs of a quotation nested 1,000 deep in alternating
  double and single marks;
* ``capitalised names``: about 100,000 capitalised two-word names, in sentences, every
  paragraph with a quotation attributed to a pronoun;
* ``one word``: a single word of the whole size, no space at all;
* ``draft vs article``: a draft of the given size (half its quotations the article's own,
  half altered or invented) checked against an article of the given size. Over HTTP the
  JSON body carries both, so the server's body limit is raised to fit it.

Every text shape is posted as ``text/plain`` to ``/quotes`` (deterministic) and to
``/summarize`` with the offline engine (quotations, then the extractive summary); the
draft shape as JSON to ``/check``. The same calls are timed in the Python API
(``pipeline.read_body`` then ``quotes_json`` / ``summarize`` / ``check_draft``).

Reported per shape and endpoint: seconds, seconds per MB, and that as a ratio to the
baseline's seconds per MB in the same run (the target is a ratio of 3 at most and no call
over 5 s at 2 MB). Over HTTP, ``/health`` is polled every 50 ms while each request runs;
its median and worst latency show whether the event loop kept answering.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

MB = 1024 * 1024
BASELINE = "short paragraphs"
TARGET_RATIO = 3.0
TARGET_SECONDS = 5.0

_WORDS = (
    "council budget minister road school week city plan vote harbour bridge river tax "
    "report police court hospital water station market union teacher village county "
    "election office border company worker train price energy farm museum season"
).split()
_SYLLABLES = "an bel cor dra el fen gor hal is jor kem lin mor nat or pel quin ros sal tor ul ven wil yan zor".split()


def _word(rnd: random.Random) -> str:
    return "".join(rnd.choice(_SYLLABLES) for _ in range(rnd.randint(2, 3)))


def _name(rnd: random.Random) -> str:
    return f"{_word(rnd).capitalize()} {_word(rnd).capitalize()}"


def _sentence(rnd: random.Random, words: int) -> str:
    # Half the words common, half drawn from some 16,000: a vocabulary like news text's,
    # where most word pairs are rare.
    body = " ".join(rnd.choice(_WORDS) if rnd.random() < 0.5 else _word(rnd) for _ in range(words))
    return body[0].upper() + body[1:] + "."


def _fill(size: int, pieces: Iterator[str]) -> str:
    """Pieces joined until ``size`` characters (all shapes are ASCII or counted in
    characters; the body's UTF-8 size is what is reported)."""
    out: list[str] = []
    length = 0
    for piece in pieces:
        out.append(piece)
        length += len(piece)
        if length >= size:
            break
    return "".join(out)[:size]


def _paragraphs(seed: int) -> Iterator[str]:
    rnd = random.Random(seed)
    while True:
        sentences = [_sentence(rnd, rnd.randint(8, 18)) for _ in range(rnd.randint(2, 4))]
        if rnd.random() < 1 / 3:
            quote = _sentence(rnd, rnd.randint(5, 12))[:-1]
            sentences.insert(1, f"“{quote},” said {_name(rnd)}.")
        yield " ".join(sentences)


def short_paragraphs(size: int) -> str:
    return _fill(size, (p + "\n\n" for p in _paragraphs(1)))


def one_paragraph(size: int) -> str:
    return _fill(size, (p + " " for p in _paragraphs(1)))


def short_quotations(size: int) -> str:
    rnd = random.Random(2)
    return _fill(size, (f'"{rnd.choice(_WORDS)} {i}" ' for i in range(10**9)))


_MARKS = "\"“”„‟«»〝〞'‘’‚‹›"


def unpaired_marks(size: int) -> str:
    # Every mark in turn, each before a word and never after one: nothing closes.
    rnd = random.Random(3)
    return _fill(
        size, (f"{_MARKS[i % len(_MARKS)]}{rnd.choice(_WORDS)[:4]} " for i in range(10**9))
    )


def nested(size: int, depth: int = 1000) -> str:
    opens = "".join(("“" if i % 2 == 0 else "‘") + f"level {i} " for i in range(depth))
    closes = "".join("”" if i % 2 == 0 else "’" for i in reversed(range(depth)))
    block = f"The spokesman said {opens}{closes} on Monday.\n\n"
    return _fill(size, (block for _ in range(10**9)))


def capitalised_names(size: int) -> str:
    rnd = random.Random(4)

    def paragraphs() -> Iterator[str]:
        while True:
            names = ", ".join(_name(rnd) for _ in range(8))
            yield f"{names} and {_name(rnd)} met. “{_sentence(rnd, 6)[:-1]},” she said.\n\n"

    return _fill(size, paragraphs())


def one_word(size: int) -> str:
    return _fill(size, ("abcdefghij" for _ in range(10**9)))


def draft_and_article(size: int) -> tuple[str, str]:
    """An article of ``size`` and a draft of ``size`` whose quotations are the article's own
    (every second one with a word changed) or invented."""
    article = short_paragraphs(size)
    rnd = random.Random(5)
    quoted: list[str] = []
    start = article.find("“")
    while start >= 0:
        end = article.find(",”", start)
        quoted.append(article[start + 1 : end])
        start = article.find("“", end)

    def lines() -> Iterator[str]:
        for i in range(10**9):
            words = quoted[i % len(quoted)].split()
            if i % 3 == 1:
                words[rnd.randrange(len(words))] = "never"
            elif i % 3 == 2:
                words = _sentence(rnd, 9)[:-1].split()
            yield f"The report quoted {_name(rnd)}: “{' '.join(words)}.”\n\n"

    return _fill(size, lines()), article


TEXT_SHAPES: dict[str, Callable[[int], str]] = {
    BASELINE: short_paragraphs,
    "one paragraph": one_paragraph,
    "short quotations": short_quotations,
    "unpaired marks": unpaired_marks,
    "nested 1,000 deep": nested,
    "capitalised names": capitalised_names,
    "one word": one_word,
}
DRAFT_SHAPE = "draft vs article"
