"""``GET /ready``: whether this process can do its job, as a load balancer asks it: the
configuration is whole (the prompt template loads; the llm engine has somewhere to go) and,
with the language model, the provider answers a cheap ``GET {base_url}/models``. The answer
is reused for a few seconds, so a busy prober costs the provider next to nothing."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Literal

import openai
from pydantic import BaseModel, Field

from .analysis import PROMPT, Analyzer
from .errors import FactcheckError, ProviderError
from .llm import provider_failures
from .prompts import load_prompt
from .settings import Settings

__all__ = ["NotReadyError", "Readiness", "ReadinessProbe"]


class NotReadyError(FactcheckError):
    """The service cannot serve requests now (503); the detail names the cause."""

    status = 503
    title = "Not ready"
    exit_code = 3


class Readiness(BaseModel):
    """The service is configured and its model provider answers."""

    status: Literal["ready"] = "ready"
    engine: Literal["llm", "offline"]
    model: str | None = Field(description="The model requests are sent to (llm engine).")
    provider_checked: bool = Field(
        description="True when the provider answered GET /models (llm engine)."
    )
    shared_state: Literal["process", "redis"] = Field(
        default="process",
        description="Where the answer cache, the rate limit and the budget are kept "
        "(redis with FACTCHECK_REDIS_URL).",
    )
    shared_state_up: bool = Field(
        default=True,
        description="False when Redis cannot be reached: the service still answers, with "
        "cache misses and this process's limits, and goes back to Redis by itself.",
    )
    shared_state_detail: str | None = Field(default=None, description="Why Redis is down.")


class ReadinessProbe:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = asyncio.Lock()
        self._last: tuple[float, Readiness | NotReadyError] | None = None

    async def check(self, analyzer: Analyzer) -> Readiness:
        """Ready, or :class:`NotReadyError`; a fresh answer at most every
        ``ready_cache_seconds``."""
        async with self._lock:  # one probe of the provider at a time
            last = self._last
            if last is None or self._clock() - last[0] >= self.settings.ready_cache_seconds:
                last = self._last = (self._clock(), await self._probe(analyzer))
        result = last[1]
        if isinstance(result, NotReadyError):
            raise NotReadyError(result.detail)
        return result

    async def _probe(self, analyzer: Analyzer) -> Readiness | NotReadyError:
        ready = await self._probe_provider(analyzer)
        if isinstance(ready, NotReadyError):
            return ready
        state = await analyzer.state.status()
        return ready.model_copy(
            update={
                "shared_state": state.backend,
                "shared_state_up": state.up,
                "shared_state_detail": state.detail,
            }
        )

    async def _probe_provider(self, analyzer: Analyzer) -> Readiness | NotReadyError:
        settings = self.settings
        try:
            load_prompt(PROMPT)
        except (FactcheckError, OSError, ValueError) as exc:
            return NotReadyError(f"configuration: the prompt template cannot be loaded: {exc}")
        if settings.engine == "llm" and settings.api_key is None and settings.base_url is None:
            return NotReadyError(
                "configuration: the llm engine needs OPENAI_API_KEY, or OPENAI_BASE_URL for a "
                "local server"
            )
        model = analyzer.model
        if model is None:
            return Readiness(engine="offline", model=None, provider_checked=False)
        # The analyzer's own client: same base URL, key and connection pool as the requests.
        timeout = settings.ready_timeout_seconds
        try:
            with (
                provider_failures(settings, timeout=timeout, retries=0),
                # An answer without a model list, or with something else, is still an answer.
                contextlib.suppress(openai.NotFoundError, openai.APIResponseValidationError),
            ):
                await model.probe_client(timeout).models.list()
        except ProviderError as exc:  # its title names what a request would get now
            return NotReadyError(f"{exc.title}: {exc.detail}")
        return Readiness(engine="llm", model=settings.model, provider_checked=True)
