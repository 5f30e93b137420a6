"""service.client against the real app, served by uvicorn on loopback in a thread of the
test: the models come back typed, problems come back as the server's typed exceptions, the
key is carried, and 429 is retried after its Retry-After (or not, beyond the bound). The
model, where one is asked, is a FAKE provider (tests/fakes.py)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from service.analysis import Analyzer
from service.api import create_app
from service.client import AsyncClient, Client
from service.errors import (
    BudgetExhaustedError,
    EmptyInputError,
    InvalidRequestError,
    ProviderUnavailableError,
    RateLimitedError,
    ServiceUnreachableError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
)
from service.models import CheckOut, ReportOut
from service.settings import Settings

from .conftest import SAMPLE, fresh_python
from .fakes import (
    NATO_ANALYSIS,
    NATO_SUMMARY,
    TRUE_QUOTE,
    FakeProvider,
    fake_answer,
    fake_error,
    fake_settings,
)
from .servers import free_port, serving_app

ARTICLE = SAMPLE.read_text(encoding="utf-8")
KEY = "client-test-key-1"

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])
DRAFT = f'Jens Stoltenberg said: "{TRUE_QUOTE}" He also said "we will win by Christmas".'


def serving(
    settings: Settings, analyzer: Analyzer | None = None
) -> contextlib.AbstractContextManager[str]:
    """The app, served by uvicorn on a free loopback port in a thread; its base URL."""
    return serving_app(create_app(settings, analyzer=analyzer))


@pytest.fixture(scope="module")
def offline() -> Iterator[str]:
    with serving(Settings(engine="offline")) as base:
        yield base


def test_the_client_returns_the_apis_models(offline: str) -> None:
    with Client(offline) as fc:
        assert fc.health().status == "ok"
        quotes = fc.quotes(ARTICLE, title="NATO")
        out = fc.check(ARTICLE, DRAFT)
        report = fc.report(ARTICLE)
    assert quotes.article.title == "NATO" and len(quotes.quotes) == 4
    assert isinstance(out, CheckOut) and out.failed
    verdicts = {f.text: f.verdict for f in out.findings if f.kind == "quotation"}
    assert verdicts[TRUE_QUOTE] == "verified"
    assert verdicts["we will win by Christmas"] == "unsupported"
    assert isinstance(report, ReportOut) and report.engine.engine == "offline"
    # The same request over plain httpx gets the same JSON: the client adds nothing.
    raw = httpx.post(f"{offline}/check", json={"text": ARTICLE, "draft": DRAFT}).json()
    assert out.model_dump(mode="json") == raw


def test_problems_are_raised_as_the_servers_typed_errors(offline: str) -> None:
    with Client(offline) as fc:
        with pytest.raises(EmptyInputError) as empty:
            fc.quotes("   ")
        with pytest.raises(InvalidRequestError) as invalid:
            fc.check(ARTICLE, DRAFT, fail_on=["fatal"])  # type: ignore[list-item]
    assert empty.value.status == 422 and "request" in empty.value.detail  # the request id
    assert invalid.value.errors[0]["pointer"] == "#/fail_on/0"
    # A type the server did not raise for this client maps by its own name, not its status.
    assert not isinstance(empty.value, UnsupportedMediaTypeError)


def test_the_api_key_is_carried() -> None:
    with serving(Settings(engine="offline", api_keys=KEY)) as base:
        with Client(base) as anonymous, pytest.raises(UnauthorizedError) as refused:
            anonymous.quotes(ARTICLE)
        with Client(base, api_key=KEY) as fc:
            assert len(fc.quotes(ARTICLE).quotes) == 4
    assert refused.value.status == 401


def test_429_is_retried_after_its_retry_after_within_the_bound() -> None:
    # 60 a minute: a burst of 60, then a token a second, so once the burst is spent the
    # server answers 429 with Retry-After: 1, and the client waits and tries again.
    seen: list[int] = []
    hooks: dict[str, Any] = {"response": [lambda r: seen.append(r.status_code)]}
    with (
        serving(Settings(engine="offline", rate_limit_per_minute=60)) as base,
        httpx.Client(event_hooks=hooks) as http,
        Client(base, http_client=http) as fc,
    ):
        for _ in range(64):
            assert fc.quotes('The mayor said "the bridge opens in May".').quotes
            if seen.count(429) >= 2:
                break
    assert seen.count(429) >= 2, seen
    # Every 429 was followed by a try that got through: no call raised.
    assert all(later == 200 for first, later in itertools.pairwise(seen) if first == 429)


def test_a_retry_after_beyond_the_bound_is_raised_at_once() -> None:
    seen: list[int] = []
    hooks: dict[str, Any] = {"response": [lambda r: seen.append(r.status_code)]}
    with (
        serving(Settings(engine="offline", rate_limit_per_minute=1)) as base,
        httpx.Client(event_hooks=hooks) as http,
        Client(base, http_client=http, max_retry_wait=5) as fc,
    ):
        fc.quotes(ARTICLE)
        with pytest.raises(RateLimitedError) as limited:
            fc.quotes(ARTICLE)
    assert seen == [200, 429]  # not retried: the server asked for about a minute
    assert limited.value.retry_after > 5


def test_503_is_retried_a_bounded_number_of_times_then_raised() -> None:
    provider = FakeProvider()
    provider.reply(fake_error(503), fake_answer(NATO_ANALYSIS))
    analyzer = provider.analyzer(fake_settings())
    seen: list[int] = []
    hooks: dict[str, Any] = {"response": [lambda r: seen.append(r.status_code)]}
    with serving(analyzer.settings, analyzer) as base:
        with httpx.Client(event_hooks=hooks) as http, Client(base, http_client=http) as fc:
            out = fc.summarize(ARTICLE)  # the provider's 503 once, then its answer
        assert seen == [503, 200] and out.summary == NATO_SUMMARY
        provider.reply(fake_error(503))
        with Client(base, retries=2) as fc, pytest.raises(ProviderUnavailableError):
            fc.summarize(ARTICLE + " Another article.")
    asyncio.run(analyzer.close())
    assert len(provider.requests) == 2 + 3  # one try and two retries, each one provider call


def test_an_exhausted_budget_is_not_retried_before_the_next_day() -> None:
    provider = FakeProvider()
    provider.reply(fake_answer(NATO_ANALYSIS))
    analyzer = provider.analyzer(fake_settings(budget_usd_per_day=0.0))
    seen: list[str] = []
    hooks: dict[str, Any] = {"response": [lambda r: seen.append(r.headers.get("retry-after"))]}
    with (
        serving(analyzer.settings, analyzer) as base,
        httpx.Client(event_hooks=hooks) as http,
        Client(base, http_client=http, max_retry_wait=0) as fc,
        pytest.raises(BudgetExhaustedError),
    ):
        fc.summarize(ARTICLE)
    asyncio.run(analyzer.close())
    [after] = seen  # asked once: the server said to come back when the UTC day turns
    assert 1 <= int(after) <= 24 * 3600
    assert provider.requests == []


def test_the_async_client(offline: str) -> None:
    async def run() -> tuple[CheckOut, ReportOut]:
        async with AsyncClient(offline) as fc:
            out, report = await asyncio.gather(fc.check(ARTICLE, DRAFT), fc.report(ARTICLE))
            with pytest.raises(EmptyInputError):
                await fc.summarize(" ")
            return out, report

    out, report = asyncio.run(run())
    assert out.failed and report.engine.engine == "offline"


def test_an_unreachable_service_is_a_typed_error() -> None:
    with (
        Client(f"http://127.0.0.1:{free_port()}", timeout=2) as fc,
        pytest.raises(ServiceUnreachableError),
    ):
        fc.health()


def test_the_client_imports_neither_the_model_client_nor_the_server() -> None:
    code = (
        "import sys\n"
        "import service.client\n"
        "heavy = {'openai', 'httpx2', 'litestar', 'uvicorn', 'trafilatura', 'tiktoken'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    done = fresh_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
