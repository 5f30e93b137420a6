"""Hostile input: bodies of the shapes that make text processing superlinear, timed over
HTTP (a uvicorn subprocess) and in the Python API, as ratios to a baseline in the same run.

Run from the repository root::

    .venv/bin/python -m bench.hostile                 # 2 MB bodies, HTTP and Python API
    .venv/bin/python -m bench.hostile --size 0.5      # quicker
    .venv/bin/python -m bench.hostile --only api --json

Shapes (``--size`` MB of UTF-8 each, made here, deterministic):

* ``short paragraphs`` (the baseline): news-like prose in paragraphs of two to four
  sentences, a third of them with a quotation and a named speaker; half the words common,
  half drawn from some 16,000 made-up ones;
* ``one paragraph``: the same prose with no line break at all;
* ``short quotations``: about 134,000 quotations of two words at 2 MB, on one line;
* ``unpaired marks``: about 264,000 quotation marks of every kind at 2 MB, each before a
  word, none closed;
* ``nested 1,000 deep``: paragraphs of a quotation nested 1,000 deep in alternating double
  and single marks;
* ``capitalised names``: about 80,000 capitalised two-word names at 2 MB, in sentences,
  every paragraph with a quotation attributed to a pronoun;
* ``names and speech verbs, no marks``: reported speech only, not one quotation mark: every
  sentence a speech verb whose subject is a name, a pronoun or a noun phrase, some with a
  named hearer ("Jane Doe told John Roe that …", "According to …", "The agency said …"),
  in paragraphs of two to five sentences;
* ``one word``: a single word of the whole size;
* ``draft vs article``: a draft of the given size (its quotations the article's own, every
  third with a word changed, every third invented) checked against an article of the given
  size (short paragraphs). The JSON body carries both, so the server's body limit is raised
  to twice the size and a megabyte (``FACTCHECK_MAX_BODY_BYTES``) for the whole run.

Text shapes go as ``text/plain`` to ``/quotes`` (the quotation extractor) and to
``/summarize`` with the offline engine (the extractor, sentences, the extractive summary);
the draft as JSON to ``/check``. The Python API is timed on the same calls
(``pipeline.read_body`` then ``quotes_json`` or ``summarize``; ``check_draft``), each in a
child process of its own so that a shape over ``--timeout`` can be stopped; the time is
measured in the child, after its imports and a warm-up call on a small article.

Reported per shape and endpoint: seconds, and seconds per MB as a ratio to the baseline's on
the same endpoint in the same run (``/check`` against ``/quotes``: checking a draft against
per MB of body, against extracting quotations). Over HTTP, ``/health`` is asked every 50 ms
while each request runs; its median and worst latency say whether the event loop kept
answering. A request over ``--timeout`` is reported as such and the server restarted (its
worker thread cannot be stopped). Target: every ratio at most 3 and nothing over 5 s at 2 MB.

``--count`` counts instead of timing: the lines of the service's code run to extract each
text shape's quotations (``service_lines``), per MB as a ratio to the baseline's. The count
does not change with the load on the machine; tests/test_hostile.py asserts with it that
doubling a body at most doubles the work.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import httpx

from bench.loopback import ROOT, Server, machine, reproduce, start_uvicorn, table

if TYPE_CHECKING:
    from _typeshed import TraceFunction

MB = 1_000_000
BASELINE = "short paragraphs"

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
    """Pieces joined until ``size`` bytes of UTF-8, the last one cut to fit."""
    out: list[str] = []
    length = 0
    for piece in pieces:
        encoded = len(piece.encode())
        if length + encoded > size:
            out.append(piece.encode()[: size - length].decode(errors="ignore"))
            break
        out.append(piece)
        length += encoded
    return "".join(out)


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


_VERBS = "said told added warned asked claimed wrote explained".split()
_REPORTED = (
    "{name} {verb} that {words}",
    "{name} told {other} that {words}",
    "She {verb} {words}",
    "According to {name}, {words}",
    "The agency {verb} {words}",
    "It {verb} {words}",
    "{words}, {verb} {name}",
    "{words}, {name} {verb}",
)


def names_and_verbs(size: int) -> str:
    """News reported without a quotation mark: every sentence a speech verb with a named
    person, a hearer, a pronoun or a noun phrase for its subject."""
    rnd = random.Random(6)

    def sentences() -> Iterator[str]:
        while True:
            words = _sentence(rnd, rnd.randint(5, 10))[:-1]
            said = rnd.choice(_REPORTED).format(
                name=_name(rnd),
                other=_name(rnd),
                verb=rnd.choice(_VERBS),
                words=words[0].lower() + words[1:],
            )
            yield said[0].upper() + said[1:] + "."

    def paragraphs() -> Iterator[str]:
        items = sentences()
        while True:
            yield " ".join(next(items) for _ in range(rnd.randint(2, 5))) + "\n\n"

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
    "names and speech verbs, no marks": names_and_verbs,
    "one word": one_word,
}
DRAFT_SHAPE = "draft vs article"


ENDPOINTS = ("/quotes", "/summarize")
TARGET_RATIO = 3.0
TARGET_SECONDS = 5.0


def body(shape: str, size: int) -> tuple[bytes, str]:
    """The request body of ``shape`` at ``size`` bytes (two of them for the draft shape) and
    its content type."""
    if shape == DRAFT_SHAPE:
        draft, article = draft_and_article(size)
        return json.dumps({"text": article, "draft": draft}).encode(), "application/json"
    return TEXT_SHAPES[shape](size).encode(), "text/plain"


def plan() -> list[tuple[str, str]]:
    """(shape, endpoint) in the order run: the baseline first on each endpoint."""
    runs = [(shape, endpoint) for endpoint in ENDPOINTS for shape in TEXT_SHAPES]
    return [*runs, (DRAFT_SHAPE, "/check")]


# -- the Python API, one call in a child process -----------------------------------------


def api_call(shape: str, endpoint: str, size: int) -> float:
    """Seconds for one call of the Python API behind ``endpoint`` on ``shape``, after a
    warm-up on a small article (imports, caches of compiled patterns)."""
    from service.analysis import Analyzer
    from service.models import CheckIn
    from service.pipeline import check_draft, quotes_json, read_body, read_json_article, summarize
    from service.settings import Settings

    analyzer = Analyzer(Settings(engine="offline"))
    limit = 4 * size + 2 * MB

    def run(raw: bytes, media: str) -> object:
        if endpoint == "/check":
            payload = CheckIn.model_validate_json(raw)
            assert payload.draft is not None
            return check_draft(read_json_article(payload), payload.draft)
        article = read_body(raw, media, limit=limit)
        if endpoint == "/quotes":
            return quotes_json(article)
        return asyncio.run(summarize(article, analyzer))

    run(*body(shape, 20_000))
    raw, media = body(shape, size)
    started = time.perf_counter()
    run(raw, media)
    return time.perf_counter() - started


def api_timed(shape: str, endpoint: str, size: int, timeout: float) -> float | None:
    """``api_call`` in a child process; None when it took longer than ``timeout``."""
    command = [sys.executable, "-m", "bench.hostile", "--api-call", shape, endpoint, str(size)]
    try:
        done = subprocess.run(
            command, cwd=ROOT, capture_output=True, text=True, timeout=timeout + 60, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    seconds = float(done.stdout.strip().splitlines()[-1])
    return seconds if seconds <= timeout else None


# -- the work counted, not timed ---------------------------------------------------------

_SERVICE = str(ROOT / "service") + os.sep


def clear_caches() -> None:
    """Every ``lru_cache`` of the service emptied, so that a larger body gains nothing from
    what a smaller one left behind."""
    for name, module in list(sys.modules.items()):
        if name == "service" or name.startswith("service."):
            for value in vars(module).values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


def service_lines(text: str) -> int:
    """Lines of the service's own code run to extract the quotations of ``text``, caches
    emptied and the model loaded first: a count of operations that no load on the machine
    changes. Each pass of a loop counts, in a comprehension too; what a C function loops
    over inside (a regex, ``list.index``) does not."""
    from service.quotes import extract_quotes

    clear_caches()
    extract_quotes("Jane Smith said: “We will.” The agency said “no”.")
    lines = 0

    def local(frame: FrameType, event: str, arg: object) -> TraceFunction:
        nonlocal lines
        lines += 1
        return local

    def calls(frame: FrameType, event: str, arg: object) -> TraceFunction | None:
        nonlocal lines
        if frame.f_code.co_filename.startswith(_SERVICE):
            lines += 1
            return local
        return None

    sys.settrace(calls)
    try:
        extract_quotes(text)
    finally:
        sys.settrace(None)
    return lines


def count_report(size: int) -> str:
    """``service_lines`` of each text shape at ``size``, per MB as a ratio to the
    baseline's."""
    counted = []
    for shape, make in TEXT_SHAPES.items():
        text = make(size)
        counted.append((shape, len(text.encode()) / MB, service_lines(text)))
        print(counted[-1], file=sys.stderr, flush=True)
    base = counted[0][2] / counted[0][1]
    rows = [
        [shape, f"{mb:.2f}", f"{lines:,}", f"{lines / mb / base:.1f}"]
        for shape, mb, lines in counted
    ]
    return table(["shape", "MB", "lines of the service run", "per MB vs baseline"], rows)


# -- HTTP, with /health asked all along -------------------------------------------------------


@dataclass
class HealthProbe:
    """Asks ``/health`` every ``every`` seconds in a thread; keeps each answer's latency."""

    url: str
    every: float = 0.05
    latencies: list[float] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> HealthProbe:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()

    def _run(self) -> None:
        with httpx.Client(trust_env=False, timeout=30) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    ok = client.get(self.url + "/health").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.latencies.append(time.perf_counter() - started)
                self.failures += not ok
                self._stop.wait(self.every)


@dataclass
class Result:
    shape: str
    endpoint: str
    mode: str
    megabytes: float
    seconds: float | None
    """None: over the timeout."""
    status: int | None = None
    health_p50_ms: float | None = None
    health_max_ms: float | None = None
    ratio: float | None = None


def start_server(workdir: Path, size: int) -> Server:
    env = {"FACTCHECK_ENGINE": "offline", "FACTCHECK_MAX_BODY_BYTES": str(2 * size + MB)}
    return start_uvicorn(
        "factcheck", "service.api:create_app", workdir=workdir, env=env, factory=True
    )


def http_runs(size: int, timeout: float) -> Iterator[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(Path(tmp), size)
        try:
            for shape, endpoint in plan():
                raw, media = body(shape, size)
                with httpx.Client(trust_env=False, timeout=timeout) as client:
                    client.post(server.url + endpoint, content=b"warm up", headers=_TEXT)
                    with HealthProbe(server.url) as probe:
                        started = time.perf_counter()
                        try:
                            r = client.post(
                                server.url + endpoint, content=raw, headers={"content-type": media}
                            )
                            seconds: float | None = time.perf_counter() - started
                            status: int | None = r.status_code
                        except httpx.TimeoutException:
                            seconds = status = None
                lat = sorted(probe.latencies) or [0.0]
                yield Result(
                    shape,
                    endpoint,
                    "http",
                    len(raw) / MB,
                    seconds,
                    status,
                    round(statistics.median(lat) * 1000, 1),
                    round(lat[-1] * 1000, 1),
                )
                if seconds is None:  # its worker thread goes on: a fresh server for the rest
                    server.stop()
                    server = start_server(Path(tmp), size)
        finally:
            server.stop()


_TEXT = {"content-type": "text/plain"}


def api_runs(size: int, timeout: float) -> Iterator[Result]:
    for shape, endpoint in plan():
        raw, _ = body(shape, size)
        yield Result(
            shape, endpoint, "api", len(raw) / MB, api_timed(shape, endpoint, size, timeout)
        )


def with_ratios(results: list[Result]) -> list[Result]:
    """Each result's seconds per MB over the baseline's, same mode, same endpoint (``/check``:
    the ``/quotes`` baseline)."""
    base = {
        (r.mode, r.endpoint): r.seconds / r.megabytes
        for r in results
        if r.shape == BASELINE and r.seconds
    }
    for r in results:
        per_mb = base.get((r.mode, "/quotes" if r.endpoint == "/check" else r.endpoint))
        if r.seconds is not None and per_mb:
            r.ratio = round(r.seconds / r.megabytes / per_mb, 1)
    return results


def verdict(r: Result, timeout: float) -> str:
    if r.seconds is None:
        return f"no: over {timeout:g} s"
    if r.status not in (None, 200):
        return f"no: {r.status}"
    misses = []
    if r.ratio is not None and r.ratio > TARGET_RATIO:
        misses.append(f"ratio > {TARGET_RATIO:g}")
    if r.seconds > TARGET_SECONDS:
        misses.append(f"> {TARGET_SECONDS:g} s")
    return "no: " + ", ".join(misses) if misses else "yes"


def report(results: list[Result], timeout: float) -> str:
    rows = []
    for r in results:
        seconds = "-" if r.seconds is None else f"{r.seconds:.2f}"
        health = "-" if r.health_p50_ms is None else f"{r.health_p50_ms:g} / {r.health_max_ms:g}"
        ratio = "-" if r.ratio is None else f"{r.ratio:g}"
        rows.append(
            [
                r.shape,
                r.endpoint,
                r.mode,
                f"{r.megabytes:.2f}",
                seconds,
                ratio,
                health,
                verdict(r, timeout),
            ]
        )
    headers = [
        "shape",
        "endpoint",
        "via",
        "MB",
        "seconds",
        "per MB vs baseline",
        "/health p50 / max ms",
        "on target",
    ]
    return table(headers, rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=2.0, help="MB of each body (default 2)")
    parser.add_argument("--only", choices=["api", "http"], help="one way only")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per call")
    parser.add_argument("--json", action="store_true", help="JSON instead of markdown")
    parser.add_argument(
        "--count",
        action="store_true",
        help="count the lines of the service run on each text shape instead of timing",
    )
    parser.add_argument("--api-call", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.api_call:  # the child process of api_timed
        shape, endpoint, size = args.api_call
        print(api_call(shape, endpoint, int(size)))
        return 0
    size = int(args.size * 1_000_000)
    if args.count:
        print(count_report(size))
        print()
        print(reproduce("bench.hostile", sys.argv[1:] if argv is None else argv))
        return 0
    runs: list[Iterator[Result]] = []
    if args.only != "api":
        runs.append(http_runs(size, args.timeout))
    if args.only != "http":
        runs.append(api_runs(size, args.timeout))
    results: list[Result] = []
    for result in itertools.chain(*runs):
        print(result, file=sys.stderr, flush=True)  # progress: a slow run takes minutes
        results.append(result)
    with_ratios(results)
    if args.json:
        print(json.dumps({"machine": machine(), "results": [asdict(r) for r in results]}, indent=1))
    else:
        print(report(results, args.timeout))
        print()
        print(reproduce("bench.hostile", sys.argv[1:] if argv is None else argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
