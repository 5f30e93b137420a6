"""Shared fixtures and the cassette configuration.

Tests never reach the network: pytest runs with ``--record-mode=none --block-network``
(see pyproject), so a request that no cassette holds fails instead of going out. Cassettes
are recorded by ``scripts/record_cassettes.sh`` against a real OpenAI-compatible server."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.observability import JsonFormatter
from service.quotes.model import SpeakerModel, speaker_model
from service.settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "nato-stoltenberg-2024-05-08.txt"
ARTICLES = ROOT / "tests" / "data" / "articles"
CASSETTES = ROOT / "tests" / "cassettes"


def fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` run by this Python in a process of its own (nothing imported yet), from the
    repository's root; its output captured as text."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


# Headers that may carry credentials or account identifiers, in either direction.
SECRET_HEADERS = [
    "authorization",
    "api-key",
    "x-api-key",
    "openai-organization",
    "openai-project",
    "cookie",
    "set-cookie",
]


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _drop_secret_response_headers(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers", {})
    for name in list(headers):
        if name.lower() in SECRET_HEADERS:
            del headers[name]
    return response


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return {
        "filter_headers": [(h, None) for h in SECRET_HEADERS],
        "before_record_response": _drop_secret_response_headers,
        "decode_compressed_response": True,
        # The body is matched too: a changed prompt, schema or setting fails until the
        # cassette is recorded again, instead of replaying a stale answer.
        "match_on": ["method", "scheme", "port", "path", "query", "json_body"],
    }


def _json_body(r1: Any, r2: Any) -> None:
    def parse(body: Any) -> Any:
        if isinstance(body, bytes):
            body = body.decode("utf-8")
        try:
            return json.loads(body) if body else None
        except ValueError:
            return body

    assert parse(r1.body) == parse(r2.body), "request bodies differ"


def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    vcr.register_matcher("json_body", _json_body)


@pytest.fixture(scope="session")
def recording() -> dict[str, Any]:
    """How the cassettes were recorded (endpoint settings the requests depend on); written
    by ``scripts/record_cassettes.sh``. While recording, the environment says it."""
    if os.environ.get("FACTCHECK_RECORDING") == "1":
        return {
            "base_url": os.environ["FACTCHECK_RECORD_BASE_URL"],
            "model": os.environ["FACTCHECK_RECORD_MODEL"],
            "json_mode": os.environ.get("FACTCHECK_RECORD_JSON_MODE", "json_schema"),
        }
    path = CASSETTES / "recording.json"
    if not path.exists():
        pytest.skip("no cassettes recorded yet (scripts/record_cassettes.sh)")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Every log line of the test as ``factcheck serve`` writes it: JSON, on a stream."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def http_scope(path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    """An ASGI scope for ``POST path``, for tests that drive the app message by message."""
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }


def pytest_configure(config: pytest.Config) -> None:
    """The provider and service settings of whoever runs the tests never reach a test (a key
    in the shell must not turn the offline engine into the model): removed before any test
    module is imported, since some build an app at import."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "FACTCHECK_")) and not name.startswith("FACTCHECK_RECORD"):
            del os.environ[name]


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """Settings read anew by every test, from the environment the test sets."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def speaker_model_with_threshold(threshold: float) -> SpeakerModel:
    """The shipped speaker model with another confidence threshold."""
    shipped = speaker_model()
    return SpeakerModel(
        shipped.version, shipped.weights, shipped.temperature, threshold, shipped.draft_threshold
    )
