"""One problem vocabulary: every error status that the OpenAPI schema declares, provoked for
real on every operation that declares it, answers with the same problem fields and a
``urn:factcheck:problem:…`` type; 401 says how to authenticate and 429 when to retry. A status
declared without a way to provoke it here fails the walk, so the schema and this test move
together."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

import service.api
from service.api import create_app
from service.errors import problem_type
from service.models import Problem
from service.settings import Settings

from .conftest import SAMPLE
from .fakes import FakeProvider, Reply, fake_error, fake_settings, fake_timeout

PROBLEM_JSON = "application/problem+json"
URN = re.compile(r"^urn:factcheck:problem:[a-z0-9]+(?:-[a-z0-9]+)*$")
ARTICLE = SAMPLE.read_text(encoding="utf-8")
KEY = "problem-walk-key-1"

Call = Callable[[TestClient[Any], str], Any]


def _declared() -> list[tuple[str, str, int]]:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        schema = c.get("/schema/openapi.json").json()
    return sorted(
        (path, method.upper(), int(status))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
        if int(status) >= 400
    )


DECLARED = _declared()


def _json(body: object) -> Call:
    return lambda c, path: c.post(path, json=body)


def _raw(content: bytes, content_type: str) -> Call:
    return lambda c, path: c.post(path, content=content, headers={"content-type": content_type})


def _twice(c: TestClient[Any], path: str) -> Any:
    c.post(path, json={"text": ARTICLE, "draft": "x"})
    return c.post(path, json={"text": ARTICLE, "draft": "x"})


@pytest.fixture
def app_with() -> Iterator[Callable[..., TestClient[Any]]]:
    """An app (in a test client) with the settings given, the model a FAKE provider giving
    ``reply``."""
    opened: list[Any] = []

    def make(reply: Reply | None = None, **overrides: Any) -> TestClient[Any]:
        provider = FakeProvider()
        if reply is not None:
            provider.reply(reply)
        analyzer = provider.analyzer(fake_settings(**overrides))
        client = TestClient(app=create_app(analyzer.settings, analyzer=analyzer))
        client.__enter__()
        opened.append((client, analyzer))
        return client

    yield make
    for client, analyzer in opened:
        client.__exit__(None, None, None)
        asyncio.run(analyzer.close())


def _explode(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("a bug, not the client's fault")


# What provokes each status: the settings of the app, and the request.
PROVOKE: dict[int, tuple[dict[str, Any], Call]] = {
    400: ({}, _raw(b'{"text": "unclosed', "application/json")),
    401: ({"api_keys": KEY}, _json({"text": ARTICLE})),
    413: ({"max_body_bytes": 1024}, _raw(b"x" * 4096, "application/json")),
    415: ({}, _raw(b"%PDF-1.7", "application/pdf")),
    422: ({}, _json({"text": " "})),
    429: ({"rate_limit_per_minute": 1}, _twice),
    500: ({}, _json({"text": ARTICLE})),
    502: ({"reply": fake_error(500)}, _json({"text": ARTICLE})),
    503: ({"reply": fake_error(503)}, _json({"text": ARTICLE})),
    504: ({"reply": fake_timeout}, _json({"text": ARTICLE})),
}


def test_every_declared_error_status_can_be_provoked() -> None:
    assert {status for _, _, status in DECLARED} <= set(PROVOKE)
    assert {401, 429} <= {status for _, _, status in DECLARED}


def _assert_problem(response: Any, status: int, path: str) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = Problem.model_validate_json(response.text)
    assert URN.match(problem.type), problem.type
    assert problem.type == problem_type(problem.title)
    assert (problem.status, problem.instance) == (status, path)
    assert problem.title and problem.detail and problem.request_id
    assert response.headers["x-request-id"] == problem.request_id
    return problem


@pytest.mark.parametrize(("path", "method", "status"), DECLARED)
def test_declared_status_answers_with_a_problem(
    path: str,
    method: str,
    status: int,
    app_with: Callable[..., TestClient[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if path == "/ready":  # the llm engine without a key or a server: not ready
        with TestClient(app=create_app(Settings(engine="llm"))) as c:
            _assert_problem(c.get(path), status, path)
        return
    assert method == "POST"
    overrides, call = PROVOKE[status]
    if status == 500:
        for name in ("quotes_json", "summarize", "claims", "report"):
            monkeypatch.setattr(service.api, name, _explode)
    client = app_with(**overrides)
    response = call(client, path)
    problem = _assert_problem(response, status, path)
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert problem.type == "urn:factcheck:problem:unauthorized"
        authorized = client.post(
            path, json={"text": " "}, headers={"authorization": f"Bearer {KEY}"}
        )
        assert authorized.status_code == 422  # the key lets it through to the next check
    if status == 429:
        assert int(response.headers["retry-after"]) >= 1
        assert problem.type == "urn:factcheck:problem:too-many-requests"
    if status == 500:
        assert "RuntimeError" not in response.text and "a bug" not in response.text


@pytest.mark.parametrize(
    ("method", "path", "status", "type_"),
    [
        ("GET", "/nowhere", 404, "urn:factcheck:problem:not-found"),
        ("GET", "/quotes", 405, "urn:factcheck:problem:method-not-allowed"),
    ],
)
def test_the_http_layers_own_errors_share_the_vocabulary(
    method: str, path: str, status: int, type_: str
) -> None:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        problem = _assert_problem(c.request(method, path), status, path)
    assert problem.type == type_
