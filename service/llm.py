"""The model call: one structured chat completion against any OpenAI-compatible endpoint.

The openai client retries 408/409/429/5xx and connection errors itself (bounded, with
exponential backoff and jitter, honouring Retry-After); what still fails is turned into one
of our provider errors here, so the HTTP layer answers 502/503/504 and the CLI exits 3."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from .errors import ModelOutputError, ProviderError, ProviderTimeoutError, ProviderUnavailableError
from .settings import Settings

log = logging.getLogger("factcheck.llm")

M = TypeVar("M", bound=BaseModel)

_NO_KEY = "not-needed"
"""Local servers (llama.cpp, vLLM, Ollama) take any key; the client insists on one."""


@dataclass(slots=True)
class CallUsage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: CallUsage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


class ChatModel:
    """A model behind an OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: Settings, http_client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.name = settings.model
        key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=settings.base_url,
            timeout=settings.timeout_seconds,
            max_retries=settings.max_retries,
            http_client=http_client,
        )
        self._slots = asyncio.Semaphore(settings.max_concurrent_calls)

    async def close(self) -> None:
        await self._client.close()

    def probe_client(self, timeout: float) -> openai.AsyncOpenAI:
        """The same client (base URL, key, connection pool) with a short timeout and no
        retries, for readiness probes."""
        return self._client.with_options(timeout=timeout, max_retries=0)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A place among the calls allowed to run at once; beyond the limit a call waits,
        at most ``queue_timeout_seconds``, then the provider counts as unavailable."""
        try:
            async with asyncio.timeout(self.settings.queue_timeout_seconds):
                await self._slots.acquire()
        except TimeoutError:
            raise ProviderUnavailableError(
                f"too many requests are waiting for the model provider (at most "
                f"{self.settings.max_concurrent_calls} at once); try again shortly"
            ) from None
        try:
            yield
        finally:
            self._slots.release()

    async def structured(self, system: str, user: str, schema: type[M]) -> tuple[M, CallUsage]:
        """The model's answer to ``system`` + ``user`` as an instance of ``schema``. An answer
        that is not valid JSON for the schema gets one repair attempt; an answer cut off at
        the output limit is an error, never parsed as if it were whole."""
        messages: list[dict[str, str]] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        usage = CallUsage()
        content = await self._complete(messages, schema, usage)
        try:
            return schema.model_validate_json(content), usage
        except ValidationError as first:
            log.warning("model answer did not match the schema; asking once for a repair")
            messages += [
                {"role": "assistant", "content": content},
                {"role": "user", "content": _repair_request(first)},
            ]
        content = await self._complete(messages, schema, usage)
        try:
            return schema.model_validate_json(content), usage
        except ValidationError as second:
            raise ModelOutputError(
                f"the model ({self.name}) answered with invalid JSON twice: {_first_error(second)}"
            ) from None

    async def _complete(
        self, messages: list[dict[str, str]], schema: type[BaseModel], usage: CallUsage
    ) -> str:
        async with self.slot():
            return await self._complete_now(messages, schema, usage)

    async def _complete_now(
        self, messages: list[dict[str, str]], schema: type[BaseModel], usage: CallUsage
    ) -> str:
        try:
            # The typed overloads want TypedDict messages; plain dicts are what is sent.
            completions: Any = self._client.chat.completions
            response: ChatCompletion = await completions.create(
                model=self.name,
                messages=messages,
                response_format=self._response_format(schema),
                max_tokens=self.settings.max_output_tokens,
                temperature=0,
            )
        except openai.APITimeoutError:
            raise ProviderTimeoutError(
                f"the model provider did not answer within {self.settings.timeout_seconds:g} s "
                f"({self.settings.max_retries} retries)"
            ) from None
        except openai.RateLimitError:
            raise ProviderUnavailableError(
                f"the model provider is rate-limiting requests (429 after {self.settings.max_retries} retries)"
            ) from None
        except openai.APIConnectionError:
            raise ProviderUnavailableError(
                f"cannot reach the model provider at {self._client.base_url}"
            ) from None
        except openai.AuthenticationError:
            raise ProviderError("the model provider rejected the API key (401)") from None
        except openai.NotFoundError:
            raise ProviderError(
                f"the model provider does not know the model {self.name!r} (404)"
            ) from None
        except openai.APIStatusError as exc:
            cause = (
                ProviderUnavailableError
                if exc.status_code in (502, 503, 504, 529)
                else ProviderError
            )
            raise cause(
                f"the model provider answered HTTP {exc.status_code}: {_brief(exc)}"
            ) from None
        usage.calls += 1
        if response.usage is not None:
            usage.prompt_tokens += response.usage.prompt_tokens
            usage.completion_tokens += response.usage.completion_tokens
        if not response.choices:
            raise ModelOutputError(f"the model ({self.name}) returned no answer")
        choice = response.choices[0]
        if choice.finish_reason == "length":
            raise ModelOutputError(
                f"the model's answer was cut off at {self.settings.max_output_tokens} tokens "
                "(finish_reason 'length'); raise FACTCHECK_MAX_OUTPUT_TOKENS"
            )
        return choice.message.content or ""

    def _response_format(self, schema: type[BaseModel]) -> dict[str, Any]:
        if self.settings.json_mode == "json_object":
            return {"type": "json_object"}
        return {
            "type": "json_schema",
            "json_schema": {
                "name": schema.__name__,
                "schema": schema.model_json_schema(),
                "strict": True,
            },
        }


def schema_instructions(schema: type[BaseModel], settings: Settings) -> str:
    """The schema written into the prompt, for servers that only take ``json_object``."""
    if settings.json_mode != "json_object":
        return ""
    return "\nThe JSON schema:\n" + json.dumps(schema.model_json_schema(), separators=(",", ":"))


def _repair_request(error: ValidationError) -> str:
    return (
        "That answer is not valid JSON for the schema: "
        f"{_first_error(error)}. Answer again with only the corrected JSON object."
    )


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "the answer"
    return f"{where}: {first.get('msg', 'invalid')}"


def _brief(exc: openai.APIStatusError) -> str:
    message = exc.message if isinstance(exc.message, str) else str(exc.message)
    return message[:200]
