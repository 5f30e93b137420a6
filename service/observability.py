"""Operations: structured logs (JSON lines with a request id, secrets masked) and Prometheus
metrics (one registry per app, never the process-wide default one; the sum over every worker
when ``factcheck serve`` runs several, see :mod:`service.multiproc`).

The request id of the request being served lives in a context variable, so every log line
written while serving it (the API's, the model client's, httpx2's) carries it."""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST as METRICS_CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from .multiproc import multiproc_dir, render_all_workers

__all__ = [
    "METRICS_CONTENT_TYPE",
    "JsonFormatter",
    "Metrics",
    "ObservedApp",
    "current_request_id",
    "log_config",
    "redact",
    "register_secrets",
    "request_id_var",
    "sane_request_id",
]

request_id_var: ContextVar[str | None] = ContextVar("factcheck_request_id", default=None)

_SANE_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
"""What a client's X-Request-ID may be to be kept: short, printable, no spaces or quotes."""


def sane_request_id(candidate: str | None) -> str:
    """``candidate`` when it is a sane request id, else a new one."""
    if candidate and _SANE_ID.fullmatch(candidate):
        return candidate
    # uuid.uuid4().hex without the UUID object, which costs twice what the bytes do.
    new = bytearray(os.urandom(16))
    new[6] = new[6] & 0x0F | 0x40  # version 4
    new[8] = new[8] & 0x3F | 0x80  # the RFC 4122 variant
    return new.hex()


def current_request_id() -> str | None:
    return request_id_var.get()


# -- secrets ------------------------------------------------------------------------------

_SECRETS: set[str] = set()
_LONGEST_FIRST: list[str] = []
"""The secrets in the order they are masked: a key inside a longer one after that one."""
_MIN_SECRET = 4
"""Shorter "secrets" are not masked: masking every "abc" would garble the logs."""
_BEARER = re.compile(r"\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}")
"""An Authorization header's credentials, whoever wrote them into a message."""


def register_secrets(secrets: Iterable[str | None]) -> None:
    """Secrets never to be written in a log line (the provider's key, the service's keys,
    a password in the provider's URL); process-wide, like logging itself."""
    _SECRETS.update(s for s in secrets if s and len(s) >= _MIN_SECRET)
    _LONGEST_FIRST[:] = sorted(_SECRETS, key=len, reverse=True)


def redact(text: str) -> str:
    """``text`` with every registered secret, and whatever follows ``Bearer``, masked."""
    for secret in _LONGEST_FIRST:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    # Every string of every log line comes here: most have no "Bearer", which `in` finds
    # much sooner than the regex's search, which tries every position.
    if "Bearer" not in text:
        return text
    return _BEARER.sub(r"\1[redacted]", text)


# -- JSON lines ---------------------------------------------------------------------------

_RESERVED = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName", "color_message"}  # uvicorn's, with ANSI codes
)


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return redact(str(value))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``ts``, ``level``, ``logger``, ``msg``, the ``request_id``
    of the request being served, the record's extra fields (``method``, ``path``,
    ``status``, ``duration_ms`` on request lines) and ``exc`` for a traceback. Every string
    goes through :func:`redact`."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id:
            out["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_") and key not in out:
                out[key] = _plain(value)
        if record.exc_info:
            out["exc"] = redact(self.formatException(record.exc_info))
        elif record.stack_info:
            out["stack"] = redact(self.formatStack(record.stack_info))
        return redact(json.dumps(out, ensure_ascii=False, default=str))


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for ``factcheck serve`` (uvicorn applies it in every
    worker): JSON lines on stderr for the service, uvicorn and the libraries; uvicorn's own
    access log off (the service writes one line per request, with its request id)."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": f"{__name__}.JsonFormatter"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "httpx2": {"level": "WARNING"},  # the model client's transport
            "httpcore2": {"level": "WARNING"},
            "openai": {"level": "WARNING"},
        },
        "root": {"handlers": ["stderr"], "level": level},
    }


# -- metrics ------------------------------------------------------------------------------

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """The app's Prometheus metrics, in a registry of its own; in multiprocess mode
    (``PROMETHEUS_MULTIPROC_DIR`` set when the process started) the values are in the shared
    directory's files and :meth:`render` reports the sum over every worker process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "factcheck_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "factcheck_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response.",
            ["route", "method"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        # Several workers: the requests in flight are the sum over the live ones.
        self.in_flight = Gauge(
            "factcheck_http_requests_in_flight",
            "HTTP requests being served.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.model_calls = Counter(
            "factcheck_model_calls",
            "Calls to the model provider that answered, by endpoint.",
            ["endpoint"],
            registry=r,
        )
        self.model_tokens = Counter(
            "factcheck_model_tokens",
            "Tokens the model provider counted, by kind (prompt, completion).",
            ["kind"],
            registry=r,
        )
        self.model_cache_hits = Counter(
            "factcheck_model_cache_hits",
            "Analyses answered from the in-memory cache, without a model call.",
            ["endpoint"],
            registry=r,
        )
        self.model_failures = Counter(
            "factcheck_model_failures",
            "Requests that failed because of the model provider, by HTTP status returned.",
            ["status"],
            registry=r,
        )
        self.verdicts = Counter(
            "factcheck_verdicts",
            "Findings returned, by endpoint and verdict.",
            ["endpoint", "verdict"],
            registry=r,
        )
        self.shared_state_up = Gauge(
            "factcheck_shared_state_up",
            "1 when the shared state (cache, rate limit, budget) is reachable, 0 when Redis "
            "is down and this process answers from its own state.",
            ["backend"],
            registry=r,
            # Set by the worker that answers the scrape, just before: its value is the news,
            # the other workers' are from their own last scrape.
            multiprocess_mode="livemostrecent",
        )
        self.disconnects = Counter(
            "factcheck_client_disconnects",
            "Requests whose client went away before the answer; their model calls cancelled.",
            registry=r,
        )

    def render(self) -> bytes:
        """The exposition text: of every worker when there are several, else of this app."""
        directory = multiproc_dir()
        if directory is not None:
            return render_all_workers(directory)
        return generate_latest(self.registry)


# -- every HTTP request: its id, its log line, its metrics ---------------------------------

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_UNMATCHED = "<unmatched>"
"""The route label of a request no route took (404): never the raw path, whose values are
unbounded."""
CLIENT_CLOSED = 499
"""The status logged (nginx's convention) for a request whose client went away first."""

access_log = logging.getLogger("factcheck.access")

Message = dict[str, Any]
ASGIReceive = Callable[[], Awaitable[Message]]
ASGISend = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[dict[str, Any], ASGIReceive, ASGISend], Awaitable[None]]


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class ObservedApp:
    """Wraps the app's ASGI handler (outside CORS and the exception handlers, so it sees
    every response, a 404 too): a request id (the client's ``X-Request-ID`` when sane) in
    the context and the ``X-Request-ID`` response header, the in-flight gauge, one log line
    and the request metrics when the response is done."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        # labels() checks and locks on every call; a service sees few label sets (route
        # templates, methods, statuses), so each one's child is looked up once.
        self._requests: dict[tuple[str, str, int], Counter] = {}
        self._latency: dict[tuple[str, str], Histogram] = {}

    async def __call__(self, scope: dict[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = sane_request_id(_header(scope, b"x-request-id"))
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        status: int | None = None
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-request-id"
                ]
                headers.append((b"x-request-id", request_id.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        self.metrics.in_flight.inc()
        failed = False
        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            failed = True
            raise
        finally:
            self.metrics.in_flight.dec()
            self._done(scope, status, failed, time.perf_counter() - started)
            request_id_var.reset(token)

    def _done(
        self, scope: dict[str, Any], status: int | None, failed: bool, seconds: float
    ) -> None:
        method = str(scope.get("method", "GET")).upper()
        method = method if method in _METHODS else "OTHER"
        route = str(scope.get("path_template") or _UNMATCHED)
        if status is None:  # no response: the client went away, or the server broke
            status = 500 if failed else CLIENT_CLOSED
        counter = self._requests.get((route, method, status))
        if counter is None:
            counter = self.metrics.requests.labels(route, method, str(status))
            self._requests[route, method, status] = counter
        counter.inc()
        histogram = self._latency.get((route, method))
        if histogram is None:
            histogram = self._latency[route, method] = self.metrics.latency.labels(route, method)
        histogram.observe(seconds)
        level = logging.ERROR if status >= 500 else logging.INFO
        if not access_log.isEnabledFor(level):  # what Logger.log checks first, before the extras
            return
        path = str(scope.get("path", ""))[:256]
        state = scope.get("state") or {}
        extra: dict[str, Any] = {
            "method": method,
            "path": path,
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        if state.get("client_id"):
            extra["client_id"] = state["client_id"]
        access_log.log(level, "%s %s %s", method, path, status, extra=extra)
