"""schemathesis against the service's own OpenAPI schema, in process (ASGI, no socket):
generated requests, valid and invalid, to every documented operation; no response may be a
server error, and every response must conform to the schema (status code, content type,
body, headers). Bounded: a few examples per operation, derandomized, so it runs in seconds
in CI. The model is a FAKE provider that always answers (tests/fakes.py)."""

from __future__ import annotations

import asyncio
import atexit
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from service.api import create_app

from .fakes import NATO_ANALYSIS, FakeProvider, fake_answer

_provider = FakeProvider()
_provider.reply(fake_answer(NATO_ANALYSIS))
_analyzer = _provider.analyzer()
atexit.register(lambda: asyncio.run(_analyzer.close()))

app = create_app(_analyzer.settings, analyzer=_analyzer)
schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,  # the first request of an operation warms caches; the bound is below
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_conforms_to_the_schema(case: schemathesis.Case[Any]) -> None:
    # Every check but one: "schema-valid data is accepted" cannot hold for articles. A
    # string the schema allows may still be empty, whitespace, NUL bytes or an HTML page
    # with no text, which the service refuses (422/400) by design; what is refused must be
    # a documented 4xx problem, and that is checked.
    response = case.call_and_validate()
    assert response.status_code < 500, response.text
    assert response.elapsed < 10  # seconds
