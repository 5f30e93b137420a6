"""Concurrency against a FAKE provider that takes its time (``httpx2.MockTransport`` with an
async handler): many requests share the wait, the concurrency limit holds, and requests
that wait too long for a slot get 503. In process, no network."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import httpx2
import pytest

from service.analysis import Analyzer
from service.api import create_app
from service.llm import ChatModel
from service.models import ModelAnalysis, SummarizeOut

from .fakes import cite, fake_answer, fake_settings
from .test_api import assert_problem


class TimedProvider:
    """Answers every chat completion after ``seconds``; counts calls in flight."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.in_flight = 0
        self.reset()

    def reset(self) -> None:
        self.max_in_flight = 0
        self.calls = 0

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.seconds)
        finally:
            self.in_flight -= 1
        return fake_answer(
            ModelAnalysis(
                summary=[cite("The council met.", 1)], key_points=[], claims=[], statements=[]
            )
        )


def analyzer_on(provider: TimedProvider, **overrides: Any) -> Analyzer:
    settings = fake_settings(timeout_seconds=30, **overrides)
    limits = httpx2.Limits(max_connections=None, max_keepalive_connections=None)
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(provider), limits=limits)
    return Analyzer(settings, model=ChatModel(settings, http_client=client))


def article(i: int) -> str:
    # A different article each: no answer comes from the cache.
    return f'Council meeting number {i}. The mayor said "the bridge will open in May {i}".'


async def summarize_all(
    analyzer: Analyzer, provider: TimedProvider, n: int
) -> list[httpx2.Response]:
    """``n`` concurrent requests, really concurrent: httpx2's ASGI transport runs the app on
    this event loop (litestar's AsyncTestClient goes through a blocking portal, one request
    at a time). One request first, not counted: the process's one-time warm-up (loading the
    tokenizer, building the client's models) is not what is measured."""
    app = create_app(analyzer.settings, analyzer=analyzer)
    transport = httpx2.ASGITransport(app=cast(Any, app))
    async with (
        app.lifespan(),
        httpx2.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client,
    ):
        warm_up = await client.post("/summarize", json={"text": article(-1)})
        assert warm_up.status_code == 200, warm_up.text
        provider.reset()
        responses = await asyncio.gather(
            *(
                client.post(
                    "/summarize",
                    content=article(i).encode(),
                    headers={"content-type": "text/plain"},
                )
                for i in range(n)
            )
        )
        return list(responses)


@pytest.mark.anyio
async def test_a_hundred_concurrent_requests_share_the_wait() -> None:
    provider = TimedProvider(1.0)
    analyzer = analyzer_on(provider, max_concurrent_calls=100)
    try:
        responses = await summarize_all(analyzer, provider, 100)
    finally:
        await analyzer.close()
    assert [r.status_code for r in responses] == [200] * 100, responses[0].text
    assert all(SummarizeOut.model_validate_json(r.text).engine.usage.calls == 1 for r in responses)
    assert provider.calls == 100
    assert provider.max_in_flight == 100  # all waited at once, none after another


@pytest.mark.anyio
async def test_the_concurrency_limit_holds() -> None:
    provider = TimedProvider(0.1)
    analyzer = analyzer_on(provider, max_concurrent_calls=5, queue_timeout_seconds=30)
    try:
        responses = await summarize_all(analyzer, provider, 20)
    finally:
        await analyzer.close()
    assert [r.status_code for r in responses] == [200] * 20
    assert provider.calls == 20
    assert provider.max_in_flight == 5  # the limit, used to the full and never passed


@pytest.mark.anyio
async def test_waiting_too_long_for_a_slot_is_503() -> None:
    provider = TimedProvider(0.5)
    analyzer = analyzer_on(provider, max_concurrent_calls=2, queue_timeout_seconds=0.05)
    try:
        responses = await summarize_all(analyzer, provider, 6)
    finally:
        await analyzer.close()
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 200, 503, 503, 503, 503]
    for r in responses:
        if r.status_code == 503:
            problem = assert_problem(r, 503, "/summarize")
            assert "at most 2 at once" in (problem.detail or "")
    assert provider.max_in_flight <= 2
    assert provider.calls == 2  # the refused requests never reached the provider
