"""Operations: request ids, JSON log lines, GET /ready, Prometheus metrics, the overall
deadline (504), a client's disconnect cancelling its model call, and the ``serve`` command's
wiring (workers, graceful shutdown, logging). No network: in-process clients and a FAKE
provider on ``httpx2.MockTransport``."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient, TestClient
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

import service.cli
from service.analysis import Analyzer
from service.api import create_app
from service.llm import ChatModel
from service.models import CheckOut, SummarizeOut
from service.observability import sane_request_id
from service.settings import Settings

from .conftest import SAMPLE as SAMPLE_PATH
from .conftest import fresh_python, http_scope
from .fakes import (
    FAKE_API_KEY,
    NATO_ANALYSIS,
    NATO_SUMMARY,
    FakeProvider,
    fake_answer,
    fake_error,
    fake_settings,
)
from .test_api import assert_problem

SAMPLE = SAMPLE_PATH.read_text(encoding="utf-8")
TEXT = {"content-type": "text/plain"}
ARTICLE = 'The mayor said "the bridge will open in May" at the council meeting.'


def analyzer_on(handler: Any, **overrides: Any) -> Analyzer:
    """An analyzer whose real ChatModel talks to an async fake provider."""
    settings = fake_settings(**overrides)
    client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    return Analyzer(settings, model=ChatModel(settings, http_client=client))


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture(scope="module")
def offline() -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        yield c


# -- request ids and log lines ---------------------------------------------------------------


def test_every_response_has_a_request_id(offline: TestClient[Any]) -> None:
    r = offline.post("/quotes", content=ARTICLE.encode(), headers=TEXT)
    generated = r.headers["x-request-id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    again = offline.post("/quotes", content=ARTICLE.encode(), headers=TEXT)
    assert again.headers["x-request-id"] != generated
    # A sane id from the client (a proxy's, say) is kept; 404s and probes have one too.
    r = offline.get("/nowhere", headers={"x-request-id": "edge-7f3a:42"})
    assert r.headers["x-request-id"] == "edge-7f3a:42"
    assert offline.get("/health").headers["x-request-id"]


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, 'quote"d', "new\nline", "", "ünïcode"])
def test_an_insane_request_id_is_replaced(given: str) -> None:
    kept = sane_request_id(given)
    assert kept != given and len(kept) == 32


def test_problem_bodies_carry_the_request_id(offline: TestClient[Any]) -> None:
    r = offline.post("/quotes", content=b"", headers={**TEXT, "x-request-id": "req-1"})
    problem = assert_problem(r, 422, "/quotes")
    assert r.json()["request_id"] == "req-1" == r.headers["x-request-id"]
    assert problem.title


def test_one_json_line_per_request_with_its_id(json_log: io.StringIO) -> None:
    fake = FakeProvider()
    fake.reply(fake_error(503, "overloaded"))
    analyzer = fake.analyzer()
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            ok = c.post("/quotes", content=ARTICLE.encode(), headers=TEXT)
            failed = c.post(
                "/summarize", content=ARTICLE.encode(), headers={**TEXT, "x-request-id": "r-503"}
            )
    finally:
        asyncio.run(analyzer.close())
    assert (ok.status_code, failed.status_code) == (200, 503)
    records = lines_of(json_log)
    access = [r for r in records if r["logger"] == "factcheck.access"]
    assert [(r["method"], r["path"], r["status"]) for r in access] == [
        ("POST", "/quotes", 200),
        ("POST", "/summarize", 503),
    ]
    for r in access:
        assert {"ts", "level", "logger", "msg", "request_id", "duration_ms", "route"} <= set(r)
        assert r["duration_ms"] >= 0
    assert access[0]["request_id"] == ok.headers["x-request-id"]
    assert (access[1]["request_id"], access[1]["level"]) == ("r-503", "ERROR")
    # Every line written while serving the failed request carries its id: the warning
    # about the provider too.
    warning = [r for r in records if r["logger"] == "factcheck.api"]
    assert warning and all(r["request_id"] == "r-503" for r in warning)
    assert "Model provider unavailable" in warning[0]["msg"]
    assert FAKE_API_KEY not in json_log.getvalue()


def test_serve_logs_json_lines_on_stderr() -> None:
    """The logging configuration `factcheck serve` gives uvicorn, applied in a fresh
    process: one JSON object per line on stderr, secrets masked."""
    code = (
        "import logging, logging.config\n"
        "from service.observability import log_config, register_secrets\n"
        "logging.config.dictConfig(log_config('INFO'))\n"
        "register_secrets(['sk-live-abcdef123456'])\n"
        "logging.getLogger('factcheck.api').warning('key %s', 'sk-live-abcdef123456',"
        " extra={'path': '/x'})\n"
        "logging.getLogger('uvicorn.error').info('Started server process')\n"
        "logging.getLogger('httpx2').info('not shown: below WARNING')\n"
    )
    done = fresh_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(r["logger"], r["msg"]) for r in records] == [
        ("factcheck.api", "key [redacted]"),
        ("uvicorn.error", "Started server process"),
    ]
    assert records[0]["path"] == "/x" and records[0]["level"] == "WARNING"


# -- GET /ready ------------------------------------------------------------------------------


class ModelsEndpoint:
    """A fake provider's GET /models: answers what it is told, counts the calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.reply: Callable[[httpx2.Request], httpx2.Response] = lambda r: httpx2.Response(
            200, json={"object": "list", "data": [{"id": "fake-model", "object": "model"}]}
        )

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert request.method == "GET" and request.url.path == "/v1/models", request.url
        self.calls += 1
        return self.reply(request)


def test_ready_with_the_offline_engine(offline: TestClient[Any]) -> None:
    r = offline.get("/ready")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "engine": "offline",
        "model": None,
        "provider_checked": False,
        "shared_state": "process",
        "shared_state_up": True,
        "shared_state_detail": None,
    }


def test_ready_asks_the_provider_and_caches_the_answer() -> None:
    models = ModelsEndpoint()
    analyzer = analyzer_on(models, ready_cache_seconds=60)
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            for _ in range(3):
                r = c.get("/ready")
                assert r.status_code == 200, r.text
            assert r.json()["provider_checked"] is True and r.json()["model"] == "fake-model"
            assert models.calls == 1  # the answer is reused
    finally:
        asyncio.run(analyzer.close())


def _timeout(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("fake: timed out", request=request)


def _refused(request: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("fake: connection refused", request=request)


@pytest.mark.parametrize(
    ("reply", "cause"),
    [
        (lambda r: fake_error(503, "overloaded"), "answered HTTP 503"),
        (lambda r: fake_error(401, f"bad key {FAKE_API_KEY}"), "rejected the API key"),
        (_timeout, "did not answer within 0.5 s"),
        (_refused, "cannot reach"),
    ],
    ids=["503", "401", "timeout", "refused"],
)
def test_not_ready_when_the_provider_does_not_answer(
    reply: Callable[[httpx2.Request], httpx2.Response], cause: str
) -> None:
    models = ModelsEndpoint()
    models.reply = reply
    analyzer = analyzer_on(models, ready_cache_seconds=0, ready_timeout_seconds=0.5)
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            r = c.get("/ready")
            problem = assert_problem(r, 503, "/ready")
            assert problem.title == "Not ready"
            assert cause in (problem.detail or "") and "model provider" in (problem.detail or "")
            assert FAKE_API_KEY not in r.text
            assert c.get("/health").status_code == 200  # alive all the same
            # It recovers by itself once the provider answers.
            models.reply = ModelsEndpoint().reply
            assert c.get("/ready").status_code == 200
            assert models.calls == 2  # no retries: a probe is quick
    finally:
        asyncio.run(analyzer.close())


def test_a_provider_without_a_models_list_is_ready() -> None:
    models = ModelsEndpoint()
    models.reply = lambda r: fake_error(404, "no such route")
    analyzer = analyzer_on(models)
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            assert c.get("/ready").status_code == 200
    finally:
        asyncio.run(analyzer.close())


def test_not_ready_when_the_llm_engine_has_nowhere_to_go(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "FACTCHECK_PROVIDER_API_KEY",
        "FACTCHECK_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    with TestClient(app=create_app(Settings(engine="llm"))) as c:
        problem = assert_problem(c.get("/ready"), 503, "/ready")
        assert "configuration" in (problem.detail or "")
        assert "OPENAI_API_KEY" in (problem.detail or "")


# -- metrics ---------------------------------------------------------------------------------


def scrape(client: TestClient[Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def test_metrics_count_requests_latency_model_calls_tokens_and_verdicts() -> None:
    fake = FakeProvider()
    fake.reply(fake_answer(NATO_ANALYSIS))
    analyzer = fake.analyzer()
    draft = (
        'Stoltenberg said "NATO has no intention of sending troops to Ukraine." and "we will win".'
    )
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            assert c.post("/summarize", json={"text": SAMPLE}).status_code == 200
            assert c.post("/summarize", json={"text": SAMPLE}).status_code == 200  # cached
            r = c.post("/check", json={"text": SAMPLE, "draft": draft})
            counts = CheckOut.model_validate_json(r.text).counts
            assert c.post("/quotes", content=b"", headers=TEXT).status_code == 422
            assert c.get("/nowhere/12345").status_code == 404
            m = scrape(c)
    finally:
        asyncio.run(analyzer.close())

    def get(name: str, **labels: str) -> float:
        return m.get((name, tuple(sorted(labels.items()))), 0.0)

    req = "factcheck_http_requests_total"
    assert get(req, route="/summarize", method="POST", status="200") == 2
    assert get(req, route="/check", method="POST", status="200") == 1
    assert get(req, route="/quotes", method="POST", status="422") == 1
    assert get(req, route="<unmatched>", method="GET", status="404") == 1  # no raw path
    hist = "factcheck_http_request_duration_seconds_count"
    assert get(hist, route="/summarize", method="POST") == 2
    assert get("factcheck_model_calls_total", endpoint="summarize") == 1
    assert get("factcheck_model_cache_hits_total", endpoint="summarize") == 1
    assert get("factcheck_model_tokens_total", kind="prompt") == 812
    assert get("factcheck_model_tokens_total", kind="completion") == 164
    assert get("factcheck_verdicts_total", endpoint="summarize", verdict="verified") == 2
    for verdict, n in counts.items():
        assert get("factcheck_verdicts_total", endpoint="check", verdict=verdict) == n
    assert get("factcheck_http_requests_in_flight") == 1  # the scrape itself


def test_model_failures_are_counted() -> None:
    fake = FakeProvider()
    fake.reply(fake_error(429, "slow down"))
    analyzer = fake.analyzer()
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            assert c.post("/claims", json={"text": SAMPLE}).status_code == 503
            m = scrape(c)
    finally:
        asyncio.run(analyzer.close())
    assert m[("factcheck_model_failures_total", (("status", "503"),))] == 1


def test_every_app_has_its_own_registry() -> None:
    with (
        TestClient(app=create_app(Settings(engine="offline"))) as a,
        TestClient(app=create_app(Settings(engine="offline"))) as b,
    ):
        a.post("/quotes", content=ARTICLE.encode(), headers=TEXT)
        key = (
            "factcheck_http_requests_total",
            (("method", "POST"), ("route", "/quotes"), ("status", "200")),
        )
        assert scrape(a)[key] == 1
        assert key not in scrape(b)


def test_metrics_are_not_in_the_schema(offline: TestClient[Any]) -> None:
    paths = offline.get("/schema/openapi.json").json()["paths"]
    assert "/metrics" not in paths and "/ready" in paths and "/health" in paths


# -- the overall deadline and a client that goes away ----------------------------------------


class SlowProvider:
    """A chat completions endpoint that takes ``seconds`` to answer; it records starts,
    cancellations and completions."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = asyncio.Event()
        self.cancelled = 0
        self.finished = 0

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.started.set()
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        self.finished += 1
        return fake_answer(NATO_ANALYSIS)


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/summarize", "/claims", "/check"])
async def test_the_overall_deadline_is_a_504_problem(path: str) -> None:
    slow = SlowProvider(30)
    analyzer = analyzer_on(slow, deadline_seconds=0.3, timeout_seconds=60)
    try:
        async with AsyncTestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            r = await c.post(path, json={"text": SAMPLE})
    finally:
        await analyzer.close()
    problem = assert_problem(r, 504, path)
    assert problem.title == "Model provider timed out"
    assert "did not finish within 0.3 s" in (problem.detail or "")
    assert slow.cancelled == 1 and slow.finished == 0  # the call did not go on in the background


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/summarize", "/check"])
async def test_a_client_that_disconnects_cancels_its_model_call(
    path: str, json_log: io.StringIO
) -> None:
    """ASGI level, as uvicorn does it: after the body, the server's next message is
    ``http.disconnect`` when the client goes away; the model call in flight is cancelled."""
    slow = SlowProvider(30)
    analyzer = analyzer_on(slow, timeout_seconds=60)
    app = create_app(analyzer.settings, analyzer=analyzer)
    body = json.dumps({"text": SAMPLE}).encode()
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await slow.started.wait()  # the model is being asked: now the client hangs up
        await asyncio.sleep(0.05)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    try:
        async with AsyncTestClient(app=app) as c:  # startup and shutdown (the lifespan)
            asgi: Any = app  # a plain ASGI callable, as the server sees it
            await asyncio.wait_for(
                asgi(
                    http_scope(
                        path,
                        [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                        ],
                    ),
                    receive,
                    send,
                ),
                timeout=10,  # a hang guard: the model call takes 30 s unless cancelled
            )
            samples = {
                s.name: s.value
                for f in text_string_to_metric_families((await c.get("/metrics")).text)
                for s in f.samples
            }
    finally:
        await analyzer.close()
    assert slow.cancelled == 1 and slow.finished == 0
    assert samples["factcheck_client_disconnects_total"] == 1
    access = [r for r in lines_of(json_log) if r["logger"] == "factcheck.access"]
    assert access[0]["path"] == path and access[0]["status"] == 499


@pytest.mark.anyio
async def test_a_client_that_stays_gets_its_answer() -> None:
    slow = SlowProvider(0.2)
    analyzer = analyzer_on(slow)
    try:
        async with AsyncTestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            r = await c.post("/summarize", json={"text": SAMPLE})
    finally:
        await analyzer.close()
    assert r.status_code == 200, r.text
    assert SummarizeOut.model_validate_json(r.text).summary == NATO_SUMMARY
    assert (slow.finished, slow.cancelled) == (1, 0)


# -- factcheck serve -----------------------------------------------------------------------


@pytest.fixture
def uvicorn_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, dict[str, Any]]]:
    import uvicorn

    calls: list[tuple[object, dict[str, Any]]] = []

    def fake_run(app: object, **options: Any) -> None:
        calls.append((app, options))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def serve(*args: str) -> Any:
    return CliRunner().invoke(service.cli.app, ["serve", *args], prog_name="factcheck")


def test_serve_one_process(uvicorn_runs: list[tuple[object, dict[str, Any]]]) -> None:
    result = serve("--port", "8123")
    assert result.exit_code == 0, result.output
    [(app, options)] = uvicorn_runs
    assert isinstance(app, Litestar)
    assert options["port"] == 8123 and options["host"] == "127.0.0.1"
    assert options["timeout_graceful_shutdown"] == 30.0  # finishes requests in flight
    assert options["access_log"] is False  # the service's own line, with the request id
    formatter = options["log_config"]["formatters"]["json"]["()"]
    assert formatter == "service.observability.JsonFormatter"
    assert "workers" not in options


def test_serve_several_workers(uvicorn_runs: list[tuple[object, dict[str, Any]]]) -> None:
    result = serve("--host", "0.0.0.0", "--workers", "4", "--graceful-timeout", "5")
    assert result.exit_code == 0, result.output
    [(app, options)] = uvicorn_runs
    # Worker processes import the app themselves: an import string, which resolves.
    assert app == "service.api:app"
    module, _, name = str(app).partition(":")
    assert isinstance(getattr(__import__(module, fromlist=[name]), name), Litestar)
    assert (options["workers"], options["timeout_graceful_shutdown"]) == (4, 5.0)
    assert options["host"] == "0.0.0.0"


@pytest.mark.parametrize("args", [["--workers", "0"], ["--graceful-timeout", "-1"]])
def test_serve_refuses_bad_options(
    uvicorn_runs: list[tuple[object, dict[str, Any]]], args: list[str]
) -> None:
    result = serve(*args)
    assert result.exit_code == 2
    assert uvicorn_runs == []
