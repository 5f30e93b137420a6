"""The shared state in Redis: a few named keys with expiry. While Redis cannot be reached
every operation falls back to this process's own state (a cache miss, the local rate limit
and budget) and Redis is tried again a second later, so the service keeps answering and
recovers by itself.

Keys (``factcheck:`` first): ``answer:<sha256 of article, model, prompt, engine>`` (the
model's answer, for ``cache_ttl_seconds``), ``rate:<sha256 of the client key>:<minute>``
(requests of that client in that minute: a fixed window), ``spend:<UTC day>`` (USD)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from ..settings import Settings
from .local import LocalState, StateStatus, seconds_to_next_minute, today

log = logging.getLogger("factcheck.state")

T = TypeVar("T")

PREFIX = "factcheck:"
RETRY_SECONDS = 1.0
"""How long Redis is left alone after a failure before it is tried again."""
_SPEND_TTL = 2 * 24 * 3600


class RedisState:
    def __init__(self, settings: Settings, fallback: LocalState) -> None:
        assert settings.redis_url is not None
        self.settings = settings
        self.fallback = fallback
        timeout = settings.redis_timeout_seconds
        self._redis = aioredis.Redis.from_url(
            settings.redis_url.get_secret_value(),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
        )
        self._down_until = 0.0
        self._error: str | None = None
        self.failures = 0
        """Redis operations that failed and were answered locally (for the metrics)."""

    async def _try(self, op: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]) -> T:
        if time.monotonic() < self._down_until:
            return await local()
        try:
            value = await op()
        except (RedisError, OSError) as exc:
            self.failures += 1
            if self._error is None:
                log.warning("redis unreachable, using this process's state: %s", exc)
            self._error = self.settings.redact(f"{type(exc).__name__}: {exc}")
            self._down_until = time.monotonic() + RETRY_SECONDS
            return await local()
        if self._error is not None:
            log.warning("redis is back: the state is shared again")
            self._error = None
        return value

    async def answer(self, key: str) -> bytes | None:
        async def get() -> bytes | None:
            value = await self._redis.get(PREFIX + "answer:" + key)
            return value.encode() if isinstance(value, str) else value

        return await self._try(get, lambda: self.fallback.answer(key))

    async def keep_answer(self, key: str, value: bytes) -> None:
        async def put() -> None:
            await self._redis.set(
                PREFIX + "answer:" + key, value, ex=self.settings.cache_ttl_seconds
            )

        await self._try(put, lambda: self.fallback.keep_answer(key, value))

    async def take_request(self, client: str) -> float:
        limit = self.settings.rate_limit_per_minute
        # The client key is a secret of its holder: only its hash is stored.
        name = hashlib.sha256(client.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        key = f"{PREFIX}rate:{name}:{int(time.time() // 60)}"

        async def take() -> float:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, 120)
                count, _ = await pipe.execute()
            return 0.0 if int(count) <= limit else seconds_to_next_minute()

        return await self._try(take, lambda: self.fallback.take_request(client))

    async def spent_today(self) -> float:
        async def get() -> float:
            value = await self._redis.get(f"{PREFIX}spend:{today()}")
            return float(value) if value is not None else 0.0

        return await self._try(get, self.fallback.spent_today)

    async def spend(self, usd: float) -> None:
        key = f"{PREFIX}spend:{today()}"

        async def add() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incrbyfloat(key, usd)
                pipe.expire(key, _SPEND_TTL)
                await pipe.execute()

        await self._try(add, lambda: self.fallback.spend(usd))

    async def status(self) -> StateStatus:
        async def ping() -> bool:
            await self._redis.ping()
            return True

        async def down() -> bool:
            return False

        up = await self._try(ping, down)
        return StateStatus("redis", up, None if up else f"redis unreachable: {self._error}")

    async def close(self) -> None:
        await self._redis.aclose()
