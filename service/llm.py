"""The model client, one structured chat completion at a time against any OpenAI-compatible
endpoint, in pieces the live path and the Batch API path share:

- :func:`chat_request` builds the body of a request and :func:`read_completion` turns the
  provider's completion into the parsed answer or a typed error; both are pure, so a
  provider batch uploads exactly what a live call sends and reads its answers the same way;
- :func:`provider_error` (and :func:`provider_failures` around a call) is the one place the
  provider's failures become ours, for live calls, Batch API calls and readiness probes
  alike; :func:`status_error` does it for an HTTP status read from a batch's output file;
- :class:`ChatModel` sends requests: calls in flight bounded, the openai client's retries
  (408/409/429/5xx and connection errors, with backoff, jitter and Retry-After), one repair
  round for an answer that does not parse."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx2
import openai
from openai.types.chat import ChatCompletion
from pydantic import BaseModel, ValidationError

from .errors import (
    InvalidAnswerError,
    ModelOutputError,
    ProviderError,
    ProviderTimeoutError,
    ProviderUnavailableError,
)
from .settings import Settings

log = logging.getLogger("factcheck.llm")

M = TypeVar("M", bound=BaseModel)

_NO_KEY = "not-needed"
"""Local servers (llama.cpp, vLLM, Ollama) take any key; the client insists on one."""
_OPENAI = "https://api.openai.com/v1"
_UNAVAILABLE = frozenset({429, 502, 503, 504, 529})
"""Statuses that say the provider cannot take the request now (503 here): rate-limited,
overloaded, or down behind its gateway."""


@dataclass(slots=True)
class CallUsage:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    models: list[str] = field(default_factory=list)
    """The models the provider says answered (its ``model`` field), each once, in order: a
    provider may answer with another model than the one asked for (a local server, an
    alias that resolves to a dated version)."""

    def add(self, other: CallUsage) -> None:
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        self.models += [m for m in other.models if m not in self.models]


def openai_client(
    settings: Settings, http_client: httpx2.AsyncClient | None = None
) -> openai.AsyncOpenAI:
    """The provider's client as configured: base URL, key, timeout and retries."""
    key = settings.api_key.get_secret_value() if settings.api_key else _NO_KEY
    return openai.AsyncOpenAI(
        api_key=key,
        base_url=settings.base_url,
        timeout=settings.timeout_seconds,
        max_retries=settings.max_retries,
        http_client=http_client,
    )


# -- requests and answers ------------------------------------------------------------------


def chat_request(
    settings: Settings, messages: list[dict[str, str]], schema: type[BaseModel]
) -> dict[str, Any]:
    """The body of a chat completion request whose answer must be an instance of
    ``schema``: the configured model, JSON mode and output budget, temperature 0."""
    return {
        "model": settings.model,
        "messages": messages,
        "response_format": _response_format(schema, settings),
        "max_tokens": settings.max_output_tokens,
        "temperature": 0,
    }


def read_completion(completion: ChatCompletion, schema: type[M], settings: Settings) -> M:
    """The answer of ``completion`` as an instance of ``schema``, or a
    :class:`~service.errors.ModelOutputError`: no answer, an answer cut off at the output
    limit (never parsed as if it were whole), or :class:`~service.errors.InvalidAnswerError`
    for one that is not valid JSON for the schema."""
    if not completion.choices:
        raise ModelOutputError(f"the model ({settings.model}) returned no answer")
    choice = completion.choices[0]
    if choice.finish_reason == "length":
        raise ModelOutputError(
            f"the model's answer was cut off at {settings.max_output_tokens} tokens "
            "(finish_reason 'length'); raise FACTCHECK_MAX_OUTPUT_TOKENS"
        )
    content = choice.message.content or ""
    try:
        return schema.model_validate_json(content)
    except ValidationError as exc:
        problem = _first_error(exc)
        raise InvalidAnswerError(
            f"the model ({settings.model}) answered with invalid JSON: {problem}",
            content=content,
            problem=problem,
        ) from None


def usage_of(completion: ChatCompletion) -> CallUsage:
    """One call, the model that answered it and the tokens the provider says it cost."""
    usage = CallUsage(calls=1, models=[completion.model] if completion.model else [])
    if completion.usage is not None:
        usage.prompt_tokens = completion.usage.prompt_tokens
        usage.completion_tokens = completion.usage.completion_tokens
    return usage


def schema_instructions(schema: type[BaseModel], settings: Settings) -> str:
    """The schema written into the prompt, for servers that only take ``json_object``."""
    if settings.json_mode != "json_object":
        return ""
    return "\nThe JSON schema:\n" + json.dumps(schema.model_json_schema(), separators=(",", ":"))


def _response_format(schema: type[BaseModel], settings: Settings) -> dict[str, Any]:
    if settings.json_mode == "json_object":
        return {"type": "json_object"}
    return {
        "type": "json_schema",
        "json_schema": {
            "name": schema.__name__,
            "schema": schema.model_json_schema(),
            "strict": True,
        },
    }


def _repair(request: dict[str, Any], error: InvalidAnswerError) -> dict[str, Any]:
    """``request`` again, with the invalid answer and a request to correct it."""
    messages = [
        *request["messages"],
        {"role": "assistant", "content": error.content},
        {
            "role": "user",
            "content": f"That answer is not valid JSON for the schema: {error.problem}. "
            "Answer again with only the corrected JSON object.",
        },
    ]
    return {**request, "messages": messages}


def _first_error(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "the answer"
    return f"{where}: {first.get('msg', 'invalid')}"


# -- the provider's failures ---------------------------------------------------------------


def status_error(status: int, message: str, *, retries: int = 0) -> ProviderError:
    """What an HTTP error status from the provider is for us: unavailable (503) when it is
    rate-limited or overloaded, timed out (504) for a 408, else a provider error (502)."""
    after = f" after {retries} retries" if retries else ""
    if status == 401:
        return ProviderError("the model provider rejected the API key (401)")
    if status == 403:
        return ProviderError("the model provider refused access (403)")
    if status == 408:
        return ProviderTimeoutError(f"the model provider timed out the request (408{after})")
    if status == 429:
        return ProviderUnavailableError(
            f"the model provider is rate-limiting requests (429{after})"
        )
    cause = ProviderUnavailableError if status in _UNAVAILABLE else ProviderError
    return cause(f"the model provider answered HTTP {status}: {message[:200]}")


def provider_error(
    exc: openai.APIError,
    settings: Settings,
    *,
    timeout: float | None = None,
    retries: int | None = None,
) -> ProviderError:
    """``exc`` as our error, secrets masked. ``timeout`` and ``retries`` are the call's
    (the settings' by default; a readiness probe has its own)."""
    timeout = settings.timeout_seconds if timeout is None else timeout
    retries = settings.max_retries if retries is None else retries
    error: ProviderError
    if isinstance(exc, openai.APITimeoutError):
        tried = f" ({retries} retries)" if retries else ""
        error = ProviderTimeoutError(
            f"the model provider did not answer within {timeout:g} s{tried}"
        )
    elif isinstance(exc, openai.APIConnectionError):
        error = ProviderUnavailableError(
            f"cannot reach the model provider at {settings.base_url or _OPENAI}"
        )
    elif isinstance(exc, openai.APIStatusError):
        # The provider's own message, as a batch's error file gives it, not the client's
        # "Error code: ..." wrapping.
        body = exc.body if isinstance(exc.body, dict) else {}
        message = body.get("message")
        error = status_error(
            exc.status_code,
            message if isinstance(message, str) else str(exc.message),
            retries=retries,
        )
    elif isinstance(exc, openai.APIResponseValidationError):
        error = ModelOutputError("the model provider answered with a malformed response")
    else:
        error = ProviderError(f"the model provider failed: {type(exc).__name__}")
    return type(error)(settings.redact(error.detail))


@contextlib.contextmanager
def provider_failures(
    settings: Settings, what: str = "", *, timeout: float | None = None, retries: int | None = None
) -> Iterator[None]:
    """Around a call to the provider: its failures leave as ours (:func:`provider_error`),
    the detail prefixed with ``what`` was being done."""
    try:
        yield
    except openai.APIError as exc:
        error = provider_error(exc, settings, timeout=timeout, retries=retries)
        if what:
            error = type(error)(f"{what}: {error.detail}")
        raise error from None


# -- the live client -----------------------------------------------------------------------


class ChatModel:
    """A model behind an OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: Settings, http_client: httpx2.AsyncClient | None = None) -> None:
        self.settings = settings
        self.name = settings.model
        self._client = openai_client(settings, http_client)
        self._slots = asyncio.Semaphore(settings.max_concurrent_calls)

    @property
    def where(self) -> str:
        """The endpoint, secrets masked: for messages."""
        return self.settings.redact(str(self._client.base_url))

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

    async def structured(self, request: dict[str, Any], schema: type[M]) -> tuple[M, CallUsage]:
        """The answer to ``request`` (from :func:`chat_request`) as an instance of
        ``schema``. An answer that is not valid JSON for the schema gets one repair
        request."""
        usage = CallUsage()
        try:
            return read_completion(await self._send(request, usage), schema, self.settings), usage
        except InvalidAnswerError as exc:
            log.warning("model answer did not match the schema; asking once for a repair")
            first = exc
        try:
            answer = await self._send(_repair(request, first), usage)
            return read_completion(answer, schema, self.settings), usage
        except InvalidAnswerError as second:
            raise ModelOutputError(
                f"the model ({self.name}) answered with invalid JSON twice: {second.problem}"
            ) from None

    async def _send(self, request: dict[str, Any], usage: CallUsage) -> ChatCompletion:
        async with self.slot():
            with provider_failures(self.settings):
                # The typed overloads want TypedDict messages; plain dicts are what is sent.
                completions: Any = self._client.chat.completions
                completion: ChatCompletion = await completions.create(**request)
        usage.add(usage_of(completion))
        return completion
