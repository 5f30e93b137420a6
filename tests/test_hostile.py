"""Hostile input, for what comes back. Large bodies are worked on off the event loop: while one is read, checked and encoded,
``/health`` is answered. Shown by order, not by a clock: the large request's work waits
until ``/health`` has answered, which it could not do if that work held the loop (the wait
would then time out and the request fail). How the work grows with the body is counted in
operations, lines of the service run (``bench.hostile.service_lines``). How long hostile bodies take is measured by
``bench/hostile.py``, not here."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, cast

import httpx
import pytest
from litestar.serialization import encode_json

import service.analysis
import service.api
from bench import hostile
from service import pipeline
from service.api import INLINE_BYTES, create_app
from service.ingest import read_article
from service.offline import MAX_SENTENCE_CHARS, offline_analysis
from service.settings import Settings

from .conftest import SAMPLE

pytestmark = pytest.mark.anyio

_SAMPLE = SAMPLE.read_text(encoding="utf-8") + "\n\n"
LARGE = _SAMPLE * (INLINE_BYTES // len(_SAMPLE) + 1)


class Hold:
    """Wraps a function so that its call, once started, waits until ``/health`` answered."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.answered = threading.Event()

    def __call__(self, work: Callable[..., Any]) -> Callable[..., Any]:
        def held(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            assert self.answered.wait(10), "/health was not answered while the work waited"
            return work(*args, **kwargs)

        return held


async def _health_while(path: str, payload: dict[str, Any], hold: Hold) -> None:
    app = create_app(Settings(engine="offline"))
    transport = httpx.ASGITransport(app=cast(Any, app))
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as client,
    ):
        large = asyncio.ensure_future(client.post(path, json=payload))
        while not hold.started.is_set():  # the large request's work has begun
            await asyncio.sleep(0.01)
        health = await client.get("/health")
        assert health.status_code == 200
        hold.answered.set()
        r = await large
    assert r.status_code == 200, r.text[:300]


@pytest.mark.parametrize("path", ["/quotes", "/summarize"])
async def test_health_is_answered_while_an_article_is_read(
    monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    assert len(LARGE) > INLINE_BYTES
    hold = Hold()
    monkeypatch.setattr(service.api, "read_json_article", hold(pipeline.read_json_article))
    await _health_while(path, {"text": LARGE}, hold)


async def test_health_is_answered_while_a_draft_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    hold = Hold()
    monkeypatch.setattr(service.api, "check_draft", hold(pipeline.check_draft))
    await _health_while("/check", {"text": LARGE, "draft": LARGE}, hold)


async def test_health_is_answered_while_the_offline_engine_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = Hold()
    monkeypatch.setattr(service.analysis, "offline_analysis", hold(offline_analysis))
    await _health_while("/summarize", {"text": LARGE}, hold)


async def test_health_is_answered_while_a_response_is_encoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hold = Hold()
    monkeypatch.setattr(service.api, "encode_json", hold(encode_json))
    await _health_while("/quotes", {"text": LARGE}, hold)


def test_the_offline_summary_leaves_out_sentences_too_long_for_one() -> None:
    """A summary of the article's own sentences stays a summary (and checking its
    quotations stays small) whatever the article: none over MAX_SENTENCE_CHARS."""
    long = "The council said " + ", ".join(f"item {i} of the plan" for i in range(40)) + "."
    assert len(long) > MAX_SENTENCE_CHARS
    short = [f"The council approved plan number {i} for the harbour on Monday." for i in range(9)]
    article = read_article("\n\n".join([long, *short]))
    result = offline_analysis(pipeline.index_article(article))
    chosen = [i.text for i in (*result.summary, *result.key_points)]
    assert result.summary and len(result.key_points) == 5
    assert all(long not in text for text in chosen)
    assert all(s.text in article.text for s in result.key_points)


# -- growth: doubling a hostile body at most doubles the work ----------------------------------

GROWTH_SIZE = 25_000
GROWTH_SLACK = 2.3
"""Doubling the body may cost at most this many times the work: twice, and a little for
the edges of the shapes' last paragraph."""
HANG_GUARD = 120
"""About ten times what a test of growth takes on a loaded machine."""


@pytest.mark.parametrize(
    "shape",
    [
        hostile.names_and_verbs,
        hostile.short_quotations,
        hostile.capitalised_names,
        hostile.one_paragraph,
        hostile.unpaired_marks,
        hostile.short_paragraphs,
    ],
    ids=lambda shape: shape.__name__,
)
@pytest.mark.timeout(HANG_GUARD)
def test_doubling_a_hostile_body_at_most_doubles_the_work(shape: Callable[[int], str]) -> None:
    small, large = (
        hostile.service_lines(shape(GROWTH_SIZE)),
        hostile.service_lines(shape(2 * GROWTH_SIZE)),
    )
    assert small > 10_000  # the shape was read, not refused
    assert large <= GROWTH_SLACK * small, f"{large / small:.2f} times the work"
