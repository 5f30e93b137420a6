"""Replicas sharing state in a real Redis: two ``factcheck serve`` processes on one Redis make
one provider call for the same article and share the rate limit; with Redis stopped they go
on answering and ``/ready`` and ``/metrics`` say so, and they go back to Redis by themselves.

Every server is started here on loopback: Debian's ``redis-server`` (``.ci/run`` installs
it; without it these tests skip, except in CI), the fake OpenAI-compatible provider of the
benchmarks (``bench/fake_provider.py``, which counts the calls it gets) and the service."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from service.analysis import Analyzer
from service.errors import BudgetExhaustedError
from service.ingest import read_article
from service.pipeline import index_article
from service.settings import Settings
from service.state import open_state

from .conftest import ARTICLES, SAMPLE
from .servers import fake_provider, free_port, provider_calls, start

redis = pytest.importorskip("redis", reason="the redis extra is not installed")

pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1", "localhost", "::1"])

API_KEY = "replica-test-key-7f3a"
PER_MINUTE = 6
NO_DISK = ["--save", "", "--appendonly", "no"]


@dataclass
class RedisServer:
    binary: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", *NO_DISK],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        message = "needs Debian's redis-server"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: .ci/run installs it")
        pytest.skip(message)
    server = RedisServer(binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def provider() -> Iterator[str]:
    with fake_provider() as url:
        yield url


@pytest.fixture
def replicas(redis_server: RedisServer, provider: str) -> Iterator[list[str]]:
    """Two service processes on the one Redis and the one provider."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("FACTCHECK_", "OPENAI_"))  # the test's settings alone
    }
    env |= {
        "FACTCHECK_REDIS_URL": redis_server.url,
        "FACTCHECK_BASE_URL": f"{provider}/v1",
        "FACTCHECK_PROVIDER_API_KEY": "sk-fake",
        "FACTCHECK_API_KEYS": API_KEY,
        "FACTCHECK_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE),
        "FACTCHECK_READY_CACHE_SECONDS": "0",
        "FACTCHECK_LOG_LEVEL": "WARNING",
    }
    processes, urls = [], []
    try:
        for _ in range(2):
            port = free_port()
            args = [sys.executable, "-m", "service.cli", "serve", "--port", str(port)]
            processes.append(start(args, env, f"http://127.0.0.1:{port}/health"))
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def post(url: str, text: str) -> httpx.Response:
    return httpx.post(
        f"{url}/summarize",
        json={"text": text},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=60,
    )


def limited(replicas: list[str], article: str, client: Any) -> list[int]:
    """The statuses of PER_MINUTE + 2 requests alternating over the replicas, all counted in
    one window of the shared limit. The limit counts per calendar minute, one Redis key per
    client and minute: requests that fell into two windows (two keys) are sent again, once
    more at most, since a second attempt cannot straddle another minute's end."""
    for _ in range(2):
        for key in client.scan_iter(match="factcheck:rate:*"):
            client.delete(key)
        statuses = [post(replicas[i % 2], article) for i in range(PER_MINUTE + 2)]
        if len(list(client.scan_iter(match="factcheck:rate:*"))) == 1:
            assert int(statuses[-1].headers.get("Retry-After", "0")) >= 1
            return [r.status_code for r in statuses]
    raise AssertionError("the requests straddled two minutes twice")


def test_two_replicas_make_one_provider_call_and_share_the_rate_limit(
    replicas: list[str], provider: str, redis_server: RedisServer
) -> None:
    article = SAMPLE.read_text(encoding="utf-8")
    first, second = (post(url, article) for url in replicas)
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert provider_calls(provider) == 1  # the second replica read the first one's answer
    assert first.json()["engine"]["cached"] is False
    assert second.json()["engine"]["cached"] is True
    assert second.json()["summary"] == first.json()["summary"]

    # PER_MINUTE requests in all, whichever replica takes them; then 429 from either.
    client = redis.Redis.from_url(redis_server.url)
    assert limited(replicas, article, client) == [200] * PER_MINUTE + [429, 429]

    # Nothing secret in Redis: the client's key is only there hashed.
    stored = b"".join(
        key + (client.get(key) or b"") for key in client.scan_iter(match="factcheck:*")
    )
    assert b"factcheck:rate:" in stored and b"factcheck:answer:" in stored
    assert API_KEY.encode() not in stored and b"sk-fake" not in stored


def ready(url: str) -> dict[str, Any]:
    r = httpx.get(f"{url}/ready", timeout=10)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_redis_stopped_mid_run_answers_go_on_and_ready_says_so(
    replicas: list[str], provider: str, redis_server: RedisServer
) -> None:
    url = replicas[0]
    assert ready(url)["shared_state"] == "redis" and ready(url)["shared_state_up"] is True
    texts = [p.read_text(encoding="utf-8") for p in sorted(ARTICLES.glob("*.txt"))[:3]]
    assert post(url, texts[0]).status_code == 200

    redis_server.stop()
    during = post(url, texts[1])
    assert during.status_code == 200, during.text  # answered: a cache miss, a provider call
    assert provider_calls(provider) == 2
    down = ready(url)
    assert down["shared_state_up"] is False and "redis unreachable" in down["shared_state_detail"]
    metrics = httpx.get(f"{url}/metrics").text
    assert 'factcheck_shared_state_up{backend="redis"} 0.0' in metrics

    redis_server.start()  # the same port, empty: the replica finds it again by itself
    for _ in range(100):
        if ready(url)["shared_state_up"]:
            break
        time.sleep(0.1)
    assert ready(url)["shared_state_up"] is True
    assert post(url, texts[2]).status_code == 200
    assert post(replicas[1], texts[2]).json()["engine"]["cached"] is True  # shared again
    assert provider_calls(provider) == 3


def test_a_budget_spent_by_one_replica_stops_the_other(
    redis_server: RedisServer, provider: str
) -> None:
    """The spend budget lives in Redis: what one replica spent counts for all of them."""
    client = redis.Redis.from_url(redis_server.url)
    day = time.strftime("%Y-%m-%d", time.gmtime())
    client.set(f"factcheck:spend:{day}", json.dumps(0.5))  # another replica spent this
    settings = Settings(
        engine="llm",
        base_url=f"{provider}/v1",
        redis_url=redis_server.url,
        budget_usd_per_day=0.5,
        price_input_per_mtok=1.0,
        price_output_per_mtok=1.0,
    )
    article = read_article(SAMPLE.read_text(encoding="utf-8"))

    async def ask() -> None:
        analyzer = Analyzer(settings, state=open_state(settings))
        try:
            await analyzer.analyze(index_article(article))
        finally:
            await analyzer.close()

    with pytest.raises(BudgetExhaustedError, match=r"budget of 0\.5 USD"):
        asyncio.run(ask())
    assert provider_calls(provider) == 0
    client.set(f"factcheck:spend:{day}", json.dumps(0.25))
    asyncio.run(ask())  # under the budget: the call is made and its cost added
    assert provider_calls(provider) == 1
    assert float(client.get(f"factcheck:spend:{day}") or 0) > 0.25
