"""A typed client of the HTTP API, for the apps that call it: :class:`Client` (blocking) and
:class:`AsyncClient` over httpx (``pip install 'factcheck[client]'``).

Each method returns the API's own pydantic model (``CheckOut``, ``SummarizeOut``…). A
problem response is raised as the typed exception of :mod:`service.errors` that the server
raised (its ``type`` names it), so ``except RateLimitedError`` works across the wire. 429
and 503 are retried a bounded number of times, after the ``Retry-After`` the server gives
(a short backoff without one); a wait longer than ``max_retry_wait`` is not waited for: the
error is raised at once, its ``retry_after`` saying when to come back.

Only this module, the models and the errors are imported: no model client, no server."""

from __future__ import annotations

import asyncio
import time
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from .errors import (
    FactcheckError,
    InvalidRequestError,
    RateLimitedError,
    ServiceTimeoutError,
    ServiceUnreachableError,
    problem_type,
)
from .models import (
    DEFAULT_FAIL_ON,
    CheckOut,
    ClaimsOut,
    Health,
    Problem,
    QuotesOut,
    ReportOut,
    Severity,
    SummarizeOut,
)

__all__ = ["AsyncClient", "Client"]

M = TypeVar("M", bound=BaseModel)

RETRIED = frozenset({429, 503})
"""Statuses that say "not now": over the rate limit, or the model provider unavailable."""
BACKOFF_SECONDS = 0.5
"""The first wait before retrying a 503 without Retry-After; doubled on each retry."""


def _errors_by_type() -> dict[str, type[FactcheckError]]:
    """Every typed error by its problem type; where subclasses share a title (and so a
    type), the most general one, which takes the problem's detail alone."""
    found: dict[str, type[FactcheckError]] = {}
    queue: list[type[FactcheckError]] = [FactcheckError]
    while queue:
        cls = queue.pop(0)
        found.setdefault(problem_type(cls.title), cls)
        queue += cls.__subclasses__()
    return found


_ERRORS = _errors_by_type()


def _retry_after(response: httpx.Response) -> float | None:
    """The ``Retry-After`` header in seconds (delta-seconds or an HTTP date), or None."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def error_of(response: httpx.Response) -> FactcheckError:
    """The typed exception for an error response: the server's own class where the problem
    type names one, else the base class carrying the status and title."""
    error: FactcheckError
    try:
        problem = Problem.model_validate_json(response.content)
    except ValidationError:  # not the service's answer (a proxy's page): status and text
        error = FactcheckError(response.text[:500] or response.reason_phrase or "no body")
        error.status, error.title = response.status_code, response.reason_phrase or "Error"
        return error
    detail = problem.detail or problem.title
    if problem.request_id:  # what to quote when reporting it to whoever runs the service
        detail += f" (request {problem.request_id})"
    cls = _ERRORS.get(problem.type)
    if cls is RateLimitedError:
        after = _retry_after(response)
        error = RateLimitedError(detail, retry_after=int(after) if after is not None else 1)
    elif cls is InvalidRequestError:
        error = InvalidRequestError(detail, problem.errors)
    elif cls is not None:
        error = cls(detail)
    else:  # a type this client does not know (a newer server): the base, as the server said
        error = FactcheckError(detail)
        error.status, error.title = problem.status, problem.title
    return error


class _Calls:
    """What both clients send and read: the request of each operation and the answer's
    model; the retry policy."""

    def __init__(
        self, base_url: str, api_key: str | None, retries: int, max_retry_wait: float
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.retries = retries
        self.max_retry_wait = max_retry_wait

    def wait(self, response: httpx.Response, attempt: int) -> float | None:
        """How long to wait before trying again after ``response`` (the ``attempt``-th,
        0-based), or None to answer now: not a retried status, retries used up, or a
        Retry-After beyond ``max_retry_wait``."""
        if response.status_code not in RETRIED or attempt >= self.retries:
            return None
        after = _retry_after(response)
        if after is None:
            after = BACKOFF_SECONDS * 2**attempt
        return after if after <= self.max_retry_wait else None

    @staticmethod
    def read(response: httpx.Response, model: type[M]) -> M:
        if response.status_code >= 400:
            raise error_of(response)
        return model.model_validate_json(response.content)


def article_body(text: str, title: str | None, url: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text}
    if title is not None:
        body["title"] = title
    if url is not None:
        body["url"] = url
    return body


def check_body(
    text: str,
    draft: str,
    *,
    title: str | None,
    url: str | None,
    quotes_only: bool,
    fail_on: list[Severity] | None,
) -> dict[str, Any]:
    return {
        **article_body(text, title, url),
        "draft": draft,
        "quotes_only": quotes_only,
        "fail_on": list(fail_on or DEFAULT_FAIL_ON),
    }


def _transport_error(exc: httpx.TransportError, base_url: str) -> FactcheckError:
    if isinstance(exc, httpx.TimeoutException):
        return ServiceTimeoutError(f"the service at {base_url} did not answer in time: {exc}")
    return ServiceUnreachableError(f"cannot reach the service at {base_url}: {exc}")


class Client:
    """The API, blocking. ``with Client(url, api_key=...) as fc: fc.check(text, draft)``."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        max_retry_wait: float = 30.0,
        http_client: httpx.Client | None = None,
    ) -> None:
        """``timeout`` is per request, in seconds (a report can wait for the model);
        ``retries`` how often a 429 or 503 is tried again; ``http_client`` one of your own
        (proxies, hooks, TLS), which stays yours to close."""
        self._calls = _Calls(base_url, api_key, retries, max_retry_wait)
        self._owned = http_client is None
        self._http = http_client or httpx.Client(timeout=timeout)
        self._timeout = timeout

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._owned:
            self._http.close()

    def _send(self, method: str, path: str, model: type[M], body: Any = None) -> M:
        calls = self._calls
        attempt = 0
        while True:
            try:
                response = self._http.request(
                    method,
                    calls.base_url + path,
                    json=body,
                    headers=calls.headers,
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                raise _transport_error(exc, calls.base_url) from exc
            wait = calls.wait(response, attempt)
            if wait is None:
                return calls.read(response, model)
            time.sleep(wait)
            attempt += 1

    def health(self) -> Health:
        return self._send("GET", "/health", Health)

    def quotes(self, text: str, *, title: str | None = None, url: str | None = None) -> QuotesOut:
        """Every quotation in the article, with its speaker and offsets (no model)."""
        return self._send("POST", "/quotes", QuotesOut, article_body(text, title, url))

    def summarize(
        self, text: str, *, title: str | None = None, url: str | None = None
    ) -> SummarizeOut:
        return self._send("POST", "/summarize", SummarizeOut, article_body(text, title, url))

    def claims(self, text: str, *, title: str | None = None, url: str | None = None) -> ClaimsOut:
        return self._send("POST", "/claims", ClaimsOut, article_body(text, title, url))

    def report(self, text: str, *, title: str | None = None, url: str | None = None) -> ReportOut:
        """The full report on an article (``POST /check`` without a draft)."""
        return self._send("POST", "/check", ReportOut, article_body(text, title, url))

    def check(
        self,
        text: str,
        draft: str,
        *,
        title: str | None = None,
        url: str | None = None,
        quotes_only: bool = False,
        fail_on: list[Severity] | None = None,
    ) -> CheckOut:
        """The draft checked against the article; ``failed`` says whether a finding has a
        severity in ``fail_on`` (errors by default)."""
        body = check_body(
            text,
            draft,
            title=title,
            url=url,
            quotes_only=quotes_only,
            fail_on=fail_on,
        )
        return self._send("POST", "/check", CheckOut, body)


class AsyncClient:
    """The API, for asyncio: the methods of :class:`Client`, awaited."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 120.0,
        retries: int = 3,
        max_retry_wait: float = 30.0,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        self._calls = _Calls(base_url, api_key, retries, max_retry_wait)
        self._owned = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=timeout)
        self._timeout = timeout

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._owned:
            await self._http.aclose()

    async def _send(self, method: str, path: str, model: type[M], body: Any = None) -> M:
        calls = self._calls
        attempt = 0
        while True:
            try:
                response = await self._http.request(
                    method,
                    calls.base_url + path,
                    json=body,
                    headers=calls.headers,
                    timeout=self._timeout,
                )
            except httpx.TransportError as exc:
                raise _transport_error(exc, calls.base_url) from exc
            wait = calls.wait(response, attempt)
            if wait is None:
                return calls.read(response, model)
            await asyncio.sleep(wait)
            attempt += 1

    async def health(self) -> Health:
        return await self._send("GET", "/health", Health)

    async def quotes(
        self, text: str, *, title: str | None = None, url: str | None = None
    ) -> QuotesOut:
        return await self._send("POST", "/quotes", QuotesOut, article_body(text, title, url))

    async def summarize(
        self, text: str, *, title: str | None = None, url: str | None = None
    ) -> SummarizeOut:
        body = article_body(text, title, url)
        return await self._send("POST", "/summarize", SummarizeOut, body)

    async def claims(
        self, text: str, *, title: str | None = None, url: str | None = None
    ) -> ClaimsOut:
        return await self._send("POST", "/claims", ClaimsOut, article_body(text, title, url))

    async def report(
        self, text: str, *, title: str | None = None, url: str | None = None
    ) -> ReportOut:
        return await self._send("POST", "/check", ReportOut, article_body(text, title, url))

    async def check(
        self,
        text: str,
        draft: str,
        *,
        title: str | None = None,
        url: str | None = None,
        quotes_only: bool = False,
        fail_on: list[Severity] | None = None,
    ) -> CheckOut:
        body = check_body(
            text,
            draft,
            title=title,
            url=url,
            quotes_only=quotes_only,
            fail_on=fail_on,
        )
        return await self._send("POST", "/check", CheckOut, body)
