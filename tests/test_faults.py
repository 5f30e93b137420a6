"""Faults of the model provider, injected with the fake provider (tests/fakes.py): what is
retried (bounded, with backoff, honouring Retry-After), and the typed error each failure
ends as (the HTTP layer answers 502/503/504 from it, the CLI exits 3)."""

from __future__ import annotations

import logging
import re

import httpx2
import pytest

from service.errors import (
    ModelOutputError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from service.ingest import read_article
from service.pipeline import report

from .fakes import (
    NATO_ANALYSIS,
    FakeProvider,
    fake_answer,
    fake_completion,
    fake_error,
    fake_settings,
    fake_timeout,
)

pytestmark = pytest.mark.anyio


def _reset(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadError("fake provider: connection reset by peer", request=request)


def _rate_limited(retry_after: str | None) -> httpx2.Response:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return httpx2.Response(
        429, headers=headers, json={"error": {"message": "slow down", "type": "rate_limit"}}
    )


async def _run(provider: FakeProvider, sample_text: str, retries: int) -> None:
    analyzer = provider.analyzer(fake_settings(max_retries=retries, deadline_seconds=20))
    try:
        out = await report(read_article(sample_text), analyzer)
        assert out.engine.usage.calls == 1
    finally:
        await analyzer.close()


def _retry_waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The waits before retries, as the openai client logs them: what it chose to wait,
    not a clock reading."""
    return [
        float(m.group(1))
        for r in caplog.records
        if (m := re.search(r"Retrying request (?:to \S+ )?in ([\d.]+) seconds", r.getMessage()))
    ]


@pytest.mark.parametrize(
    "first",
    [
        _rate_limited("1"),
        _rate_limited(None),
        fake_error(500),
        fake_error(503),
        _reset,
        fake_timeout,
    ],
    ids=["429-retry-after", "429-no-retry-after", "500", "503", "connection-reset", "read-timeout"],
)
async def test_transient_failures_are_retried_then_succeed(sample_text: str, first: object) -> None:
    provider = FakeProvider()
    provider.reply(first, fake_answer(NATO_ANALYSIS))  # type: ignore[arg-type]
    await _run(provider, sample_text, retries=2)
    assert len(provider.requests) == 2  # one failure, one retry


async def test_retry_after_is_honoured(sample_text: str, caplog: pytest.LogCaptureFixture) -> None:
    provider = FakeProvider()
    provider.reply(_rate_limited("2"), fake_answer(NATO_ANALYSIS))
    with caplog.at_level(logging.INFO, logger="openai"):
        await _run(provider, sample_text, retries=1)
    # What the provider asked for, not the default backoff (under a second).
    assert _retry_waits(caplog) == [2.0]


@pytest.mark.parametrize(
    ("reply", "error", "calls"),
    [
        (_rate_limited("0.1"), ProviderUnavailableError, 3),
        (fake_error(500), ProviderError, 3),
        (fake_error(503), ProviderUnavailableError, 3),
        (_reset, ProviderUnavailableError, 3),
        (fake_timeout, ProviderTimeoutError, 3),
        (fake_error(401, "bad key"), ProviderError, 1),  # not retried: it would not help
        (fake_error(400, "bad request"), ProviderError, 1),
        (fake_completion("this is not JSON"), ModelOutputError, 2),  # one repair attempt
        (fake_answer(NATO_ANALYSIS, finish_reason="length"), ModelOutputError, 1),
    ],
    ids=["429", "500", "503", "reset", "timeout", "401", "400", "not-json-twice", "truncated"],
)
async def test_persistent_failures_end_as_typed_errors_after_bounded_retries(
    sample_text: str, reply: object, error: type[Exception], calls: int
) -> None:
    provider = FakeProvider()
    provider.reply(reply)  # type: ignore[arg-type]
    analyzer = provider.analyzer(fake_settings(max_retries=2, deadline_seconds=30))
    try:
        with pytest.raises(error) as raised:
            await report(read_article(sample_text), analyzer)
    finally:
        await analyzer.close()
    assert type(raised.value) is error
    assert len(provider.requests) == calls
    assert "sk-test-secret-123" not in str(raised.value)
