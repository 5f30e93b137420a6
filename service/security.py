"""The service's own access control: optional bearer API keys (compared in constant time),
a per-key rate limit (a token bucket per key, or per client address without keys), and
CORS, off unless origins are configured.

Probes, the schema and the editors' page stay open: ``/health``, ``/ready``, ``/metrics``,
``/schema``, ``/`` and ``/page`` (the page holds no data; its requests to the API send the
key an editor types in)."""

from __future__ import annotations

import hashlib
import hmac
import math

from litestar.config.cors import CORSConfig
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from .errors import RateLimitedError, UnauthorizedError
from .settings import Settings
from .state.local import RateLimiter, SharedState

__all__ = [
    "OPEN_PATHS",
    "PAGE_PREFIX",
    "AccessMiddleware",
    "ApiKeys",
    "RateLimiter",
    "cors_config",
    "is_open_path",
    "split_list",
]

OPEN_PATHS = frozenset({"/", "/health", "/ready", "/metrics"})
SCHEMA_PREFIX = "/schema"
PAGE_PREFIX = "/page"
_OPEN_PREFIXES = (SCHEMA_PREFIX, PAGE_PREFIX)


def is_open_path(path: str) -> bool:
    """Whether ``path`` is served without an API key and outside the rate limit."""
    return path in OPEN_PATHS or any(
        path == prefix or path.startswith(prefix + "/") for prefix in _OPEN_PREFIXES
    )


def split_list(value: str) -> list[str]:
    """A comma-separated setting as a list, blanks dropped."""
    return [item.strip() for item in value.split(",") if item.strip()]


class ApiKeys:
    """The service's bearer keys. A request's token is compared with every key with
    :func:`hmac.compare_digest` (no early exit), so timing tells nothing about the keys."""

    def __init__(self, settings: Settings) -> None:
        raw = settings.api_keys.get_secret_value() if settings.api_keys else ""
        self._keys = [key.encode("utf-8") for key in split_list(raw)]

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    @property
    def secrets(self) -> list[str]:
        return [key.decode("utf-8") for key in self._keys]

    def identify(self, authorization: str | None) -> str | None:
        """A non-secret name for the key in an ``Authorization: Bearer KEY`` header (for the
        rate limit and the logs), or None when there is no such key."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        candidate = token.strip().encode("utf-8", "surrogateescape")
        found: bytes | None = None
        for key in self._keys:
            if hmac.compare_digest(candidate, key):
                found = key
        if found is None:
            return None
        return "key:" + hashlib.sha256(found).hexdigest()[:12]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class AccessMiddleware(ASGIMiddleware):
    """401 without a valid key (when keys are configured), 429 over the rate limit; both
    raised as the service's typed errors, so they become problem bodies like every other
    error (one vocabulary) and CORS headers are added to them."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, keys: ApiKeys, state: SharedState, per_minute: int) -> None:
        self.keys = keys
        self.state = state
        self.per_minute = per_minute
        self.should_bypass_for_scope = _bypass

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        client: str | None
        if self.keys.enabled:
            client = self.keys.identify(_header(scope, b"authorization"))
            if client is None:
                raise UnauthorizedError(
                    "this service needs an API key: send 'Authorization: Bearer KEY'"
                )
            scope["state"]["client_id"] = client
        else:
            address = scope.get("client")
            client = f"ip:{address[0]}" if address else "ip:unknown"
        if self.per_minute > 0:
            wait = await self.state.take_request(client)
            if wait > 0:
                after = max(1, math.ceil(wait))
                raise RateLimitedError(
                    f"more than {self.per_minute} requests a minute; try again in {after} s",
                    retry_after=after,
                )
        await next_app(scope, receive, send)


def _bypass(scope: Scope) -> bool:
    # CORS preflight requests carry no credentials: they must pass to be answered.
    return scope.get("method") == "OPTIONS" or is_open_path(scope["path"])


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the configured origins; None (no CORS headers at all) by default."""
    origins = split_list(settings.cors_origins)
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        allow_credentials=False,
        max_age=600,
    )
