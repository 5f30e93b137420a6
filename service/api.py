"""The HTTP API (litestar): thin handlers over :mod:`service.pipeline`.

Request bodies are read as raw bytes by our own code, so that the size limit, decoding
errors and content types are handled the same way as in the CLI. Every error response is an
RFC 9457 problem (``application/problem+json``); none carries a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

from litestar import Litestar, Request, Response, get, post
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.di import Provide
from litestar.enums import MediaType
from litestar.exceptions import HTTPException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.plugins import OpenAPISchemaPlugin
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.response import File
from litestar.serialization import encode_json
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp
from litestar.typing import FieldDefinition
from pydantic import BaseModel, ValidationError

from . import version
from .analysis import Analyzer
from .charset import declared_charset, media_type
from .errors import (
    FactcheckError,
    InputTooLargeError,
    InvalidJsonError,
    InvalidRequestError,
    ProviderError,
    UnsupportedMediaTypeError,
    problem_type,
)
from .ingest import Article, decode
from .models import (
    HTML_TEXT_PATTERN,
    TEXT_PATTERN,
    ArticleIn,
    CheckIn,
    CheckOut,
    ClaimsOut,
    Health,
    Problem,
    QuotesOut,
    ReportOut,
    SummarizeOut,
)
from .observability import (
    CLIENT_CLOSED,
    METRICS_CONTENT_TYPE,
    Metrics,
    ObservedApp,
    current_request_id,
    register_secrets,
)
from .pipeline import (
    check_draft,
    claims,
    quotes_json,
    read_body,
    read_json_article,
    report,
    summarize,
)
from .readiness import NotReadyError, Readiness, ReadinessProbe
from .security import (
    PAGE_PREFIX,
    SCHEMA_PREFIX,
    AccessMiddleware,
    ApiKeys,
    cors_config,
)
from .settings import Settings, get_settings
from .state import open_state

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

__all__ = ["app", "create_app"]

__version__ = version()

log = logging.getLogger("factcheck.api")

WEB = Path(__file__).with_name("web")
"""The editors' page: static HTML, CSS and a script that use the JSON API like any client."""

PROBLEM_JSON = "application/problem+json"
INLINE_BYTES = 64 * 1024
"""Bodies up to this size are processed on the event loop (a few milliseconds); larger
ones, which can take a second or more, in a worker thread so other requests keep flowing."""

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


# -- reading request bodies ---------------------------------------------------------


def _content_type(request: Request[Any, Any, Any]) -> str:
    return request.headers.get("content-type", "")


def _media_type(request: Request[Any, Any, Any]) -> str:
    return media_type(_content_type(request))


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings = request.app.state.settings
    assert isinstance(settings, Settings)
    return settings


def _limit(request: Request[Any, Any, Any]) -> int:
    return _settings(request).max_body_bytes


def _analyzer(request: Request[Any, Any, Any]) -> Analyzer:
    analyzer = request.app.state.analyzer
    assert isinstance(analyzer, Analyzer)
    return analyzer


def parse_json(model: type[M], raw: bytes, *, limit: int, content_type: str = "") -> M:
    """A JSON body, in the charset its ``content_type`` declares, validated against
    ``model``: 400 when it is not JSON, 422 when it does not match the model."""
    text = decode(raw, limit=limit, charset=declared_charset(content_type))
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        syntax = next((e for e in errors if e["type"] == "json_invalid"), None)
        if syntax is not None:
            raise InvalidJsonError(
                f"invalid JSON: {syntax['msg'].removeprefix('Invalid JSON: ')}"
            ) from None
        fields = [
            {"pointer": "#/" + "/".join(str(p) for p in e["loc"]), "detail": e["msg"]}
            for e in errors
        ]
        summary = "; ".join(
            f"{f['pointer'].removeprefix('#/') or 'body'}: {f['detail']}" for f in fields
        )
        raise InvalidRequestError(
            f"the body does not match {model.__name__}: {summary}", fields
        ) from None


def _article_from(raw: bytes, content_type: str, *, limit: int) -> Callable[[], Article]:
    """How to read the article in a ``POST /quotes`` body (the work is deferred, so that large
    bodies can be read in a worker thread)."""
    media = media_type(content_type)
    if _is_json(media):
        return lambda: read_json_article(
            parse_json(ArticleIn, raw, limit=limit, content_type=content_type)
        )
    if not media or media.startswith("text/"):
        return lambda: read_body(raw, content_type, limit=limit)
    hint = (
        " (curl: use --data-binary with -H 'content-type: text/plain')" if "form" in media else ""
    )
    raise UnsupportedMediaTypeError(
        f"cannot read an article from {media}; send application/json, text/plain or text/html{hint}"
    )


async def _run(work: Callable[[], T], size: int) -> T:
    if size > INLINE_BYTES:
        return await sync_to_thread(work)
    return work()


async def _respond(out: BaseModel | dict[str, Any], size: int) -> Response[Any]:
    """``out`` as a JSON response, encoded in a worker thread when the request was large: a
    response holds the article, and encoding megabytes would stall the event loop."""

    def encode() -> bytes:
        return out.model_dump_json().encode() if isinstance(out, BaseModel) else encode_json(out)

    return Response(await _run(encode, size), media_type=MediaType.JSON)


async def _read_article(request: Request[Any, Any, Any]) -> Article:
    """The article in a body like ``POST /quotes``'s: JSON ``ArticleIn``, text or HTML."""
    raw = await request.body()
    read = _article_from(raw, _content_type(request), limit=_limit(request))
    return await _run(read, len(raw))


def _metrics(request: Request[Any, Any, Any]) -> Metrics:
    metrics = request.app.state.metrics
    assert isinstance(metrics, Metrics)
    return metrics


# -- the model's work: an overall deadline, cancelled when the client goes away -------------


class ClientDisconnectedError(Exception):
    """The client closed the connection before its answer was ready."""


async def _until_disconnect(request: Request[Any, Any, Any]) -> None:
    """Returns when the client has gone away. Only called once the body has been read: the
    server's next message is then ``http.disconnect``, when the client closes the connection
    (or once the response is sent)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _model_work(request: Request[Any, Any, Any], work: Awaitable[T]) -> T:
    """``work`` (which may call the model), cancelled, model calls included, when the client
    disconnects before it is done. (Its overall deadline is the analyzer's: a
    ``ProviderTimeoutError``, answered 504 like every provider timeout.)

    Litestar does not cancel a handler whose client went away (litestar issue #2490), so the
    work runs in a task of its own, raced against the server's ``http.disconnect``."""
    task = asyncio.ensure_future(work)
    gone = asyncio.ensure_future(_until_disconnect(request))
    try:
        await asyncio.wait({task, gone}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pending in (task, gone):
            pending.cancel()
        await asyncio.wait({task, gone})  # the cancelled model call is over before we answer
    if task.cancelled():  # the client went first
        raise ClientDisconnectedError
    return task.result()


def _record(request: Request[Any, Any, Any], endpoint: str, out: Any) -> None:
    """The model usage and verdicts of a response, in the app's metrics."""
    metrics = _metrics(request)
    engine = getattr(out, "engine", None)
    if engine is not None:
        if engine.cached:
            metrics.model_cache_hits.labels(endpoint).inc()
        usage = engine.usage
        if usage.calls:
            metrics.model_calls.labels(endpoint).inc(usage.calls)
        if usage.prompt_tokens:
            metrics.model_tokens.labels("prompt").inc(usage.prompt_tokens)
        if usage.completion_tokens:
            metrics.model_tokens.labels("completion").inc(usage.completion_tokens)
    for verdict, count in getattr(out, "counts", {}).items():
        if count:
            metrics.verdicts.labels(endpoint, verdict).inc(count)


# -- OpenAPI: the request bodies the handlers read themselves -----------------------
#
# The handlers take the raw request, not a ``data`` parameter, so litestar neither parses
# nor documents the body. Litestar documents the ``data`` parameter of any dependency
# declared on a handler as its request body, and resolves only the dependencies a handler
# asks for; the two dependencies below are declared but never asked for, so they document
# the JSON models (as components, like the response models) and are never called.


def _article_in(data: ArticleIn) -> None:  # pragma: no cover - documentation only
    raise AssertionError("documents the request body; never called")


def _check_in(data: CheckIn) -> None:  # pragma: no cover - documentation only
    raise AssertionError("documents the request body; never called")


def _documents_body(provider: Callable[..., None]) -> dict[str, Provide]:
    return {"_request_body": Provide(provider, sync_to_thread=False)}


_RAW_TEXT = Schema(
    type=OpenAPIType.STRING,
    min_length=1,
    pattern=TEXT_PATTERN,
    description="The article itself, not blank, no NUL characters. Text that looks like an "
    "HTML page is read as one: its body is extracted (the response then includes the "
    "extracted text that offsets index).",
)
_RAW_HTML = Schema(
    type=OpenAPIType.STRING,
    min_length=1,
    pattern=HTML_TEXT_PATTERN,
    description="An HTML page, with some text outside its tags and no NUL characters; its "
    "body is extracted (the response then includes the extracted text that offsets index). "
    "A fragment the extractor finds no article in is read as it is.",
)
_BODY_LIMIT = (
    f"At most FACTCHECK_MAX_BODY_BYTES bytes ({Settings.model_fields['max_body_bytes'].default:,} "
    "unless configured); a larger body is refused with 413 before it is read."
)


class _ClosedModels(OpenAPISchemaPlugin):
    """Litestar's pydantic schemas, plus ``additionalProperties: false`` for the models that
    refuse unknown fields (``extra="forbid"``): the schema says what the server refuses."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        model = field_definition.annotation
        return (
            isinstance(model, type)
            and issubclass(model, BaseModel)
            and model.model_config.get("extra") == "forbid"
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = PydanticSchemaPlugin.for_pydantic_model(field_definition, schema_creator)
        schema.additional_properties = False
        _drop_refused_nulls(schema, field_definition.annotation)
        return schema


def _drop_refused_nulls(schema: Schema, model: type[BaseModel]) -> None:
    """Litestar documents every ``X | None`` field as nullable; a field that refuses null
    (it may be left out, not sent as null: its pydantic schema says ``WithJsonSchema``
    without null) is documented as pydantic's own schema has it, without the null."""
    own = model.model_json_schema()["properties"]
    for name, prop in (schema.properties or {}).items():
        if not isinstance(prop, Schema) or not prop.one_of or _nullable(own.get(name, {})):
            continue
        kept = [
            branch
            for branch in prop.one_of
            if not (isinstance(branch, Schema) and branch.type == OpenAPIType.NULL)
        ]
        if len(kept) == 1 and isinstance(kept[0], Schema) and kept[0].type is not None:
            prop.one_of, prop.type = None, kept[0].type
        else:
            prop.one_of = kept


def _nullable(prop: Mapping[str, Any]) -> bool:
    branches = [prop, *prop.get("anyOf", []), *prop.get("oneOf", [])]
    return any(b.get("type") == "null" for b in branches) or "$ref" in prop


@dataclass
class _TextOrJsonBody(Operation):
    """``POST /quotes`` also takes the article as a raw ``text/plain`` or ``text/html`` body."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body.content.setdefault("text/plain", OpenAPIMediaType(schema=_RAW_TEXT))
            self.request_body.content.setdefault("text/html", OpenAPIMediaType(schema=_RAW_HTML))
            self.request_body.description = _BODY_LIMIT


@dataclass
class _JsonBody(Operation):
    """``POST /check`` takes JSON only."""

    def __post_init__(self) -> None:
        if isinstance(self.request_body, RequestBody):
            self.request_body.description = _BODY_LIMIT


def _problem_spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_JSON,
        description=description,
        generate_examples=False,
    )


_PROBLEMS: Mapping[int, ResponseSpec] = {
    400: _problem_spec(
        "Invalid JSON, or undecodable input or draft: bytes that are not text in the declared "
        "charset (UTF-8 when none is declared), UTF-16 without a byte order mark, NUL characters"
    ),
    401: _problem_spec(
        "No valid API key (only when FACTCHECK_API_KEYS is set); WWW-Authenticate says how"
    ),
    413: _problem_spec("The body is larger than the configured limit (FACTCHECK_MAX_BODY_BYTES)"),
    415: _problem_spec(
        "A content type the endpoint cannot read, or a charset other than utf-8, us-ascii, "
        "iso-8859-1, windows-1252 and utf-16"
    ),
    429: _problem_spec(
        "Over the rate limit of the key or client address (only when "
        "FACTCHECK_RATE_LIMIT_PER_MINUTE is set); Retry-After says in how many seconds to retry"
    ),
    422: _problem_spec(
        "Empty article (blank, or HTML of markup only), empty draft, or a JSON body that does "
        "not match its model (invalid request)"
    ),
    500: _problem_spec("Unexpected server error (logged; no details are returned)"),
}

_MODEL_PROBLEMS: Mapping[int, ResponseSpec] = {
    **_PROBLEMS,
    502: _problem_spec(
        "The model provider failed: an HTTP error, a rejected key, an unknown model, or an "
        "answer that is invalid JSON twice or cut off at the output limit"
    ),
    503: _problem_spec("The model provider is rate-limiting, overloaded or unreachable"),
    504: _problem_spec("The model provider did not answer in time"),
}


# -- handlers ------------------------------------------------------------------------


@get("/health", summary="Liveness", sync_to_thread=False)
def health() -> Health:
    """Liveness and version: the process is up. Never asks the model provider (see
    `/ready`)."""
    return Health(status="ok", version=__version__)


@get(
    "/ready",
    summary="Readiness",
    responses={
        503: _problem_spec(
            "Not ready: the configuration is incomplete, or the model provider does not "
            "answer (the detail names the cause)"
        )
    },
)
async def ready(request: Request[Any, Any, Any]) -> Readiness:
    """Whether this instance can serve requests: the configuration is whole and, with the
    language model, the provider answers `GET /models` (checked at most every few seconds,
    FACTCHECK_READY_CACHE_SECONDS). For load balancers and orchestrators."""
    probe = request.app.state.readiness
    assert isinstance(probe, ReadinessProbe)
    return await probe.check(_analyzer(request))


@get("/", include_in_schema=False, sync_to_thread=False)
def page() -> File:
    """The editors' page (its script and style sheet are under ``/page``)."""
    return File(WEB / "index.html", content_disposition_type="inline", media_type="text/html")


@get("/metrics", include_in_schema=False)
async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Prometheus metrics (text exposition format): of this process, or the sum over
    every worker when ``factcheck serve`` runs several."""
    metrics = _metrics(request)
    status = await _analyzer(request).state.status()
    metrics.shared_state_up.labels(status.backend).set(1 if status.up else 0)
    # The header itself, not media_type: litestar appends "; charset=utf-8" to a text/
    # media type, and prometheus-client's already names it; strict parsers (Go's, so
    # Prometheus's) refuse a parameter given twice.
    return Response(metrics.render(), headers={"content-type": METRICS_CONTENT_TYPE})


@post(
    "/quotes",
    summary="Quotations in an article",
    status_code=200,
    dependencies=_documents_body(_article_in),
    operation_class=_TextOrJsonBody,
    responses=_PROBLEMS,
)
async def post_quotes(request: Request[Any, Any, Any]) -> Response[QuotesOut]:
    """Every direct quotation in the article, with its speaker and character offsets.

    Deterministic, no LLM. The article is a JSON object (`ArticleIn`), or the raw text or
    HTML page as a `text/plain` or `text/html` body."""
    raw = await request.body()
    read = _article_from(raw, _content_type(request), limit=_limit(request))
    # QuotesOut's JSON form, built without the models, which would only be dumped again
    # (the busiest endpoint); the annotation is what documents the body.
    return await _respond(await _run(lambda: quotes_json(read()), len(raw)), len(raw))


@post(
    "/summarize",
    summary="Summarize an article",
    status_code=200,
    dependencies=_documents_body(_article_in),
    operation_class=_TextOrJsonBody,
    responses=_MODEL_PROBLEMS,
)
async def post_summarize(request: Request[Any, Any, Any]) -> Response[SummarizeOut]:
    """Summary and key points (the language model, or the offline engine when none is
    configured: see `engine`), with every quotation they contain checked against the
    article. The body is like `POST /quotes`'s."""
    article = await _read_article(request)
    out = await _model_work(request, summarize(article, _analyzer(request)))
    _record(request, "summarize", out)
    return await _respond(out, len(article.text))


@post(
    "/claims",
    summary="Claims and attributed statements in an article",
    status_code=200,
    dependencies=_documents_body(_article_in),
    operation_class=_TextOrJsonBody,
    responses=_MODEL_PROBLEMS,
)
async def post_claims(request: Request[Any, Any, Any]) -> Response[ClaimsOut]:
    """The article's claims and who said what, as the model reads them, each checked against
    the article: a claim is a `paraphrase` of the sentence that supports it, or
    `unsupported`; a statement gets the verdict and offsets of the checker, never the model's.
    The body is like `POST /quotes`'s."""
    article = await _read_article(request)
    out = await _model_work(request, claims(article, _analyzer(request)))
    _record(request, "claims", out)
    return await _respond(out, len(article.text))


@post(
    "/check",
    summary="Check a draft's quotations against the article, or report on the article",
    status_code=200,
    dependencies=_documents_body(_check_in),
    operation_class=_JsonBody,
    responses=_MODEL_PROBLEMS,
)
async def post_check(request: Request[Any, Any, Any]) -> Response[CheckOut | ReportOut]:
    """With a `draft`: every quotation in the draft judged against the article (`CheckOut`):
    verified, misquoted (with the article's passage and a word-level diff), misattributed or
    unsupported; and unless `quotes_only`, every other sentence of the draft: paraphrase
    (with the supporting sentence), contradicted (with the differing words) or unsupported.
    `failed` says whether a finding has a severity listed in `fail_on`. Deterministic, no
    model.

    Without a `draft`: the full report on the article (`ReportOut`): summary, key points,
    claims and attributed statements from one model call, all checked, and the article's
    own quotations."""
    raw = await request.body()
    media = _media_type(request)
    if media and not _is_json(media):
        raise UnsupportedMediaTypeError(f"cannot read {media}; send application/json (CheckIn)")
    payload = await _run(
        lambda: parse_json(
            CheckIn, raw, limit=_limit(request), content_type=_content_type(request)
        ),
        len(raw),
    )
    draft = payload.draft
    out: CheckOut | ReportOut
    if draft is None:
        article = await _run(lambda: read_json_article(payload), len(raw))
        out = await _model_work(request, report(article, _analyzer(request)))
    else:
        out = await _run(
            lambda: check_draft(
                read_json_article(payload),
                draft,
                quotes_only=payload.quotes_only,
                fail_on=payload.fail_on,
            ),
            len(raw),
        )
    _record(request, "check", out)
    return await _respond(out, len(raw))


# -- errors as RFC 9457 problems ----------------------------------------------------


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    title: str,
    detail: str | None,
    *,
    type_: str,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response[bytes]:
    problem = Problem(
        type=type_,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        errors=errors or None,
    )
    body = problem.model_dump(mode="json", exclude_none=True)
    request_id = current_request_id()
    if request_id:  # an RFC 9457 extension member: quote it when reporting a problem
        body["request_id"] = request_id
    return Response(
        json.dumps(body, ensure_ascii=False).encode(),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _factcheck_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    assert isinstance(exc, FactcheckError)
    detail = _settings(request).redact(exc.detail)
    if isinstance(exc, ProviderError):  # the provider's failure, not a bug: no traceback
        _metrics(request).model_failures.labels(str(exc.status)).inc()
        log.warning("%s %s: %s: %s", request.method, request.url.path, exc.title, detail)
    elif isinstance(exc, NotReadyError):
        log.warning("not ready: %s", detail)
    elif exc.status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, detail, exc_info=exc)
    errors = exc.errors if isinstance(exc, InvalidRequestError) else None
    return problem_response(
        request,
        exc.status,
        exc.title,
        detail,
        type_=exc.problem_type,
        errors=errors,
        headers=exc.headers(),
    )


def _http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Litestar's own errors: routing (404, 405), body size (413), request validation."""
    assert isinstance(exc, HTTPException)
    if isinstance(exc, RequestEntityTooLarge):
        limit = request.route_handler.resolve_request_max_body_size()
        return _factcheck_error(
            request,
            InputTooLargeError(f"the request body is larger than the limit of {limit:,} bytes"),
        )
    if exc.status_code >= 500:
        return _unexpected_error(request, exc)
    errors = None
    if isinstance(exc, ValidationException) and isinstance(exc.extra, list):
        errors = [
            {"pointer": "#/" + str(e.get("key", "")), "detail": str(e.get("message", ""))}
            for e in exc.extra
            if isinstance(e, dict)
        ]
    title = _phrase(exc.status_code)
    return problem_response(
        request,
        exc.status_code,
        title,
        exc.detail,
        type_=problem_type(title),
        errors=errors,
        headers=exc.headers,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _client_disconnected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """Nobody will read this answer; the log and the metrics say what happened."""
    _metrics(request).disconnects.inc()
    log.info(
        "%s %s: the client disconnected; its model calls were cancelled",
        request.method,
        request.url.path,
    )
    return Response(b"", status_code=CLIENT_CLOSED)


def _unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        500,
        "Internal error",
        "an unexpected error occurred; it has been logged on the server",
        type_=problem_type("Internal error"),
    )


# -- the API docs, served from the package ---------------------------------------------

DOCS_ASSETS = Path(__file__).with_name("docs_assets")
"""Swagger UI (npm swagger-ui-dist, its LICENSE and NOTICE beside it), shipped in the package
so that the docs page needs no CDN: many newsroom deployments have no internet."""
_ASSETS_PATH = f"{SCHEMA_PREFIX}/assets"


def _swagger() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        js_url=f"{_ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{_ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{_ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{_ASSETS_PATH}/favicon-32x32.png'>",
        path=["/", "/swagger"],
    )


# -- the app -------------------------------------------------------------------------


def create_app(settings: Settings | None = None, analyzer: Analyzer | None = None) -> Litestar:
    """The app, configured by ``settings`` (the environment's by default). It owns one
    :class:`Analyzer` built from them, made on startup and closed on shutdown; an
    ``analyzer`` passed in is used instead, and stays open (whoever made it closes it).

    Every app has its own metrics registry; API keys, the rate limit and CORS come from the
    settings (all off by default)."""
    settings = settings or get_settings()
    keys = ApiKeys(settings)
    register_secrets(
        [
            settings.api_key.get_secret_value() if settings.api_key else None,
            _url_password(settings.base_url),
            *keys.secrets,
        ]
    )
    metrics = Metrics()
    # The cache, the rate limit and the budget: this process's, or shared in Redis.
    state = open_state(settings) if analyzer is None else analyzer.state

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        owned = analyzer is None
        app.state.analyzer = Analyzer(settings, state=state) if analyzer is None else analyzer
        app.state.readiness = ReadinessProbe(settings)
        try:
            yield
        finally:
            if owned:
                await app.state.analyzer.close()

    app = Litestar(
        route_handlers=[
            health,
            ready,
            metrics_endpoint,
            page,
            create_static_files_router(path=PAGE_PREFIX, directories=[WEB], name="page"),
            post_quotes,
            post_summarize,
            post_claims,
            post_check,
            create_static_files_router(_ASSETS_PATH, [DOCS_ASSETS], name="docs-assets"),
        ],
        lifespan=[lifespan],
        # Without keys or a rate limit the access middleware has nothing to do: no layer.
        middleware=[AccessMiddleware(keys, state, settings.rate_limit_per_minute)]
        if keys.enabled or settings.rate_limit_per_minute > 0
        else [],
        cors_config=cors_config(settings),
        exception_handlers={
            FactcheckError: _factcheck_error,
            ClientDisconnectedError: _client_disconnected,
            HTTPException: _http_error,
            Exception: _unexpected_error,
        },
        request_max_body_size=settings.max_body_bytes,
        plugins=[_ClosedModels()],
        # Logging is the process's: JSON lines set up by `factcheck serve` (observability),
        # not a root handler of litestar's own that would write a second format.
        logging_config=None,
        state=State({"settings": settings, "metrics": metrics}),
        openapi_config=OpenAPIConfig(
            title="factcheck",
            version=__version__,
            description="Summarize news articles, list their claims and who said what, and "
            "check every quote and attribution (the model's, or a draft's) against the "
            "article's own text, deterministically, with character offsets into the article.",
            use_handler_docstrings=True,
            path=SCHEMA_PREFIX,
            render_plugins=[_swagger()],
            **_security_docs(keys),
        ),
        debug=False,
    )
    # Outermost: every response, a 404 or a CORS preflight too, gets its request id, its
    # log line and its metrics.
    app.asgi_handler = cast(ASGIApp, ObservedApp(cast(Any, app.asgi_handler), metrics))
    return app


def _url_password(url: str | None) -> str | None:
    try:
        return urlsplit(url).password if url else None
    except ValueError:
        return None


def _security_docs(keys: ApiKeys) -> dict[str, Any]:
    """With API keys, the schema says so (bearer authentication on every operation; the
    probes are open all the same)."""
    if not keys.enabled:
        return {}
    return {
        "components": Components(
            security_schemes={
                "BearerKey": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="One of the keys in FACTCHECK_API_KEYS.",
                )
            }
        ),
        "security": [{"BearerKey": []}],
    }


app = create_app()
