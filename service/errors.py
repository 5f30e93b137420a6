"""One exception per failure kind. The HTTP layer maps each to a problem response and the
CLI to an exit code, both from the attributes here, so the mapping lives in one place."""

from __future__ import annotations

import math
from datetime import UTC, datetime, time, timedelta

PROBLEM_PREFIX = "urn:factcheck:problem:"


def problem_type(title: str) -> str:
    """The ``type`` of every HTTP problem with this title: one vocabulary for the service's
    errors and the HTTP layer's own (404, 405), ``urn:factcheck:problem:not-found``."""
    return PROBLEM_PREFIX + title.lower().replace(" ", "-")


class FactcheckError(Exception):
    """Base of every error the service reports to a client."""

    status: int = 500
    title: str = "Internal error"
    exit_code: int = 3

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def problem_type(self) -> str:
        """The problem's ``type``: a URN named by the title, the same for every instance."""
        return problem_type(self.title)

    def headers(self) -> dict[str, str]:
        """HTTP headers that go with the problem (how to authenticate, when to retry)."""
        return {}


class InputError(FactcheckError):
    """The client sent something that cannot be read as an article."""

    status = 400
    title = "Bad input"
    exit_code = 2


class EmptyInputError(InputError):
    """No article text: nothing but whitespace, or HTML of markup only."""

    status = 422
    title = "Empty article"


class EmptyDraftError(EmptyInputError):
    title = "Empty draft"


class UndecodableInputError(InputError):
    """Bytes that are not UTF-8 text, or text with NUL characters: binary data."""

    status = 400
    title = "Undecodable input"


class UndecodableDraftError(UndecodableInputError):
    title = "Undecodable draft"


class InvalidJsonError(InputError):
    status = 400
    title = "Invalid JSON"


class InputTooLargeError(InputError):
    status = 413
    title = "Input too large"


class InvalidRequestError(InputError):
    """Well-formed JSON that does not match the request model: a field missing, of the wrong
    type, or unknown. ``errors`` lists each one with a JSON pointer to it."""

    status = 422
    title = "Invalid request"

    def __init__(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or []


class UnsupportedMediaTypeError(InputError):
    status = 415
    title = "Unsupported media type"


class UnsupportedCharsetError(UnsupportedMediaTypeError):
    """A body declared in a charset the service does not read (``charset=koi8-r``)."""

    title = "Unsupported charset"


class AccessError(FactcheckError):
    """The service's own access control refused the request."""

    exit_code = 2


class UnauthorizedError(AccessError):
    """No valid API key (FACTCHECK_API_KEYS is set and the request has none of them)."""

    status = 401
    title = "Unauthorized"

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="factcheck"'}


class RateLimitedError(AccessError):
    """The client (its key, or its address without keys) is over the rate limit;
    ``retry_after`` is how many seconds until it may send again."""

    status = 429
    title = "Too many requests"
    exit_code = 3

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ServiceUnreachableError(FactcheckError):
    """The client (service.client) cannot reach the service: refused, reset, no such host."""

    status = 503
    title = "Service unreachable"
    exit_code = 3


class ServiceTimeoutError(ServiceUnreachableError):
    """The client's timeout passed before the service answered."""

    status = 504
    title = "Service timed out"


class ConfigurationError(FactcheckError):
    """The service is set up wrongly (a missing prompt template, a bad setting)."""

    status = 500
    title = "Configuration error"
    exit_code = 2


class SyntaxUnavailableError(ConfigurationError):
    """The spaCy pipeline that speaker attribution parses with is not installed."""

    title = "Syntax pipeline unavailable"


class ProviderError(FactcheckError):
    """The model provider failed; ``cause`` names what went wrong for the problem body."""

    status = 502
    title = "Model provider error"
    exit_code = 3


class ProviderUnavailableError(ProviderError):
    """Rate-limited, overloaded or unreachable after the bounded retries."""

    status = 503
    title = "Model provider unavailable"


class ProviderTimeoutError(ProviderError):
    status = 504
    title = "Model provider timed out"


class ModelOutputError(ProviderError):
    """The model answered, but not with what was asked: invalid JSON twice, or an answer
    cut off at the output limit."""

    status = 502
    title = "Invalid model output"


class InvalidAnswerError(ModelOutputError):
    """The model's answer is not valid JSON for the schema. ``content`` is what it said and
    ``problem`` the first thing wrong with it: the live path asks once for a repair with
    them, a provider batch (no second round) reports the error."""

    def __init__(self, detail: str, *, content: str, problem: str) -> None:
        super().__init__(detail)
        self.content = content
        self.problem = problem


class ClusterError(FactcheckError):
    """The Dask cluster cannot be reached, or lost a part of the batch more often than it
    retries one (its workers keep dying)."""

    status = 503
    title = "Cluster unavailable"
    exit_code = 3


class BudgetExhaustedError(ProviderUnavailableError):
    """The spend budget for model calls (FACTCHECK_BUDGET_USD_PER_DAY) is used up until the
    next UTC day."""

    title = "Model budget exhausted"

    def headers(self) -> dict[str, str]:
        # Until the budget starts again, so that a client does not retry a day in advance.
        now = datetime.now(UTC)
        tomorrow = datetime.combine(now.date() + timedelta(days=1), time(), tzinfo=UTC)
        return {"Retry-After": str(max(1, math.ceil((tomorrow - now).total_seconds())))}
