"""The interface, and its form inside one process."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, Protocol

from ..settings import Settings

Backend = Literal["process", "redis"]


@dataclass(frozen=True, slots=True)
class StateStatus:
    backend: Backend
    up: bool
    """False when the state is meant to be in Redis and Redis cannot be reached: the process
    then answers from its own (cache misses, local limits)."""
    detail: str | None = None


class SharedState(Protocol):
    async def answer(self, key: str) -> bytes | None:
        """A cached model answer, or None."""
        ...

    async def keep_answer(self, key: str, value: bytes) -> None: ...

    async def take_request(self, client: str) -> float:
        """A request of ``client`` against the rate limit: 0 when allowed, else the seconds
        to wait (for Retry-After)."""
        ...

    async def spent_today(self) -> float:
        """What the model calls have cost since midnight UTC, in USD."""
        ...

    async def spend(self, usd: float) -> None: ...

    async def status(self) -> StateStatus: ...

    async def close(self) -> None: ...


@dataclass(slots=True)
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per client: ``per_minute`` requests in a burst, refilled at
    ``per_minute`` a minute. At most ``max_clients`` buckets are kept (least recently seen
    dropped first: a dropped client starts again with a full bucket)."""

    def __init__(
        self,
        per_minute: int,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def acquire(self, client: str) -> float:
        """Takes a token for ``client``: 0 when one was there, else the seconds until one
        will be (for Retry-After)."""
        now = self._clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            bucket = self._buckets[client] = _Bucket(self.capacity, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(client)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


class LocalState:
    """The state of this process alone: an LRU of answers, a token bucket per client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute)
        self._answers: OrderedDict[str, bytes] = OrderedDict()
        self._spent: tuple[str, float] = (today(), 0.0)

    async def answer(self, key: str) -> bytes | None:
        value = self._answers.get(key)
        if value is not None:
            self._answers.move_to_end(key)
        return value

    async def keep_answer(self, key: str, value: bytes) -> None:
        self._answers[key] = value
        self._answers.move_to_end(key)
        while len(self._answers) > self.settings.cache_entries:
            self._answers.popitem(last=False)

    async def take_request(self, client: str) -> float:
        return self.limiter.acquire(client)

    async def spent_today(self) -> float:
        day, usd = self._spent
        return usd if day == today() else 0.0

    async def spend(self, usd: float) -> None:
        self._spent = (today(), await self.spent_today() + usd)

    async def status(self) -> StateStatus:
        return StateStatus("process", True)

    async def close(self) -> None:
        return None


def seconds_to_next_minute() -> float:
    return 60.0 - time.time() % 60.0
