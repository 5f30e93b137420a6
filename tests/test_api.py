"""The HTTP API through litestar's test client: contract, verdicts, problem responses and
the OpenAPI schema. No network."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

import service.api
from service.api import create_app
from service.models import CheckOut, Problem, QuotesOut
from service.settings import Settings

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "nato-stoltenberg-2024-05-08.txt"
PROBLEM_JSON = "application/problem+json"

DRAFT = (
    'Stoltenberg said: "NATO has no intention of sending troops to Ukraine."\n'
    "\n"
    'He added that the only way was to "prove on the battlefield that he will lose".\n'
    'Macron said "the Ukrainians didn’t ask for NATO troops".\n'
    'Macron also said "we will win this war by Christmas".\n'
)

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Council approves new cycle lanes on Harbour Road | The Coastal Herald</title>
</head>
<body>
  <header>
    <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
  </header>
  <main>
    <article>
      <h1>Council approves new cycle lanes on Harbour Road</h1>
      <p>The city council voted on Tuesday to build protected cycle lanes along Harbour Road,
      ending a two-year dispute between residents and shop owners.</p>
      <p>“This is the safest street design we have ever approved,” Anna Berg, the council
      leader, said after the vote.</p>
      <p>Not everyone was pleased. “We will lose half of our parking spaces,” said Peter
      Holm, who owns a bakery on the road.</p>
      <p>Construction is expected to begin in the autumn, according to the council.</p>
    </article>
  </main>
  <footer>
    <p>© 2024 The Coastal Herald. All rights reserved.</p><a href="/privacy">Privacy</a>
  </footer>
</body>
</html>
"""


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(Settings())) as c:
        yield c


@pytest.fixture(scope="module")
def sample() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def assert_problem(response: Any, status: int, path: str) -> Problem:
    """A problem+json body with every RFC 9457 member, and no traceback anywhere."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert "Traceback" not in response.text
    problem = Problem.model_validate_json(response.text)
    assert problem.status == status
    assert problem.type and problem.title and problem.detail
    assert problem.instance == path
    return problem


# -- health --------------------------------------------------------------------------


def test_health(client: TestClient[Any]) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": service.api.__version__}


# -- POST /quotes ----------------------------------------------------------------------


def _check_sample_quotes(out: QuotesOut, text: str) -> None:
    assert len(out.quotes) == 4
    assert {q.speaker for q in out.quotes} == {"Jens Stoltenberg"}
    for q in out.quotes:
        assert text[q.start : q.end] == q.text
    assert out.quotes[2].text.startswith("NATO has no intention of sending troops to Ukraine.")


def test_quotes_plain_text_body(client: TestClient[Any], sample: str) -> None:
    r = client.post("/quotes", content=sample.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    out = QuotesOut.model_validate_json(r.text)
    assert out.article.source_format == "text"
    assert out.article.text is None  # offsets index the text as sent
    _check_sample_quotes(out, sample)


def test_quotes_json_body(client: TestClient[Any], sample: str) -> None:
    r = client.post(
        "/quotes", json={"text": sample, "title": "NATO", "url": "https://example.org/a"}
    )
    assert r.status_code == 200, r.text
    out = QuotesOut.model_validate_json(r.text)
    assert out.article.source_format == "json"
    assert out.article.title == "NATO"
    _check_sample_quotes(out, sample)


def test_quotes_body_without_content_type_is_sniffed(client: TestClient[Any], sample: str) -> None:
    r = client.post("/quotes", content=sample.encode(), headers={"content-type": ""})
    assert r.status_code == 200, r.text
    _check_sample_quotes(QuotesOut.model_validate_json(r.text), sample)


def test_quotes_large_body_is_processed(client: TestClient[Any], sample: str) -> None:
    # Over the inline threshold: read in a worker thread, same answer.
    text = "\n\n".join([sample] * (service.api.INLINE_BYTES // len(sample.encode()) + 1))
    assert len(text.encode()) > service.api.INLINE_BYTES
    r = client.post("/quotes", content=text.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    out = QuotesOut.model_validate_json(r.text)
    assert all(text[q.start : q.end] == q.text for q in out.quotes)
    assert sum(q.speaker == "Jens Stoltenberg" for q in out.quotes) >= 4


@pytest.mark.parametrize("how", ["text/html", "sniffed", "json"])
def test_quotes_html_body(client: TestClient[Any], how: str) -> None:
    if how == "json":
        r = client.post("/quotes", json={"text": PAGE})
    else:
        ctype = "text/html; charset=utf-8" if how == "text/html" else "text/plain"
        r = client.post("/quotes", content=PAGE.encode(), headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    out = QuotesOut.model_validate_json(r.text)
    assert out.article.source_format == "html"
    extracted = out.article.text
    assert extracted is not None
    assert "<p>" not in extracted and "Privacy" not in extracted and "Sport" not in extracted
    assert out.article.title and out.article.title.startswith("Council approves new cycle lanes")
    # Offsets index the returned extracted text.
    for span in out.article.body:
        assert extracted[span.start : span.end] == span.text
    for q in out.quotes:
        assert extracted[q.start : q.end] == q.text
    by_text = {q.text.rstrip(","): q for q in out.quotes}
    assert "This is the safest street design we have ever approved" in by_text
    parking = by_text["We will lose half of our parking spaces"]
    assert parking.speaker == "Peter Holm"


# -- POST /check -----------------------------------------------------------------------


def test_check_verdicts(client: TestClient[Any], sample: str) -> None:
    r = client.post("/check", json={"text": sample, "draft": DRAFT})
    assert r.status_code == 200, r.text
    out = CheckOut.model_validate_json(r.text)
    by_verdict = {f.verdict: f for f in out.findings}
    assert [f.verdict for f in out.findings] == [
        "verified",
        "misquoted",
        "misattributed",
        "unsupported",
    ]
    assert out.counts == {"verified": 1, "misquoted": 1, "misattributed": 1, "unsupported": 1}
    for f in out.findings:
        assert f.draft_start is not None and f.draft_end is not None
        assert DRAFT[f.draft_start : f.draft_end] == f.text
        for e in f.evidence:
            assert sample[e.start : e.end] == e.text

    verified = by_verdict["verified"]
    assert verified.text == "NATO has no intention of sending troops to Ukraine."
    assert verified.article_speaker == "Jens Stoltenberg"
    assert verified.evidence[0].text.startswith("NATO has no intention")

    misquoted = by_verdict["misquoted"]
    assert misquoted.diff is not None
    assert any(
        d.op == "replace" and d.article == "not" and d.draft == "lose" for d in misquoted.diff
    )
    assert "he will not" in misquoted.evidence[0].text

    misattributed = by_verdict["misattributed"]
    assert misattributed.speaker == "Macron"
    assert misattributed.article_speaker == "Jens Stoltenberg"

    unsupported = by_verdict["unsupported"]
    assert unsupported.text == "we will win this war by Christmas"
    assert unsupported.evidence == []


def test_check_draft_quoting_the_article_itself_is_all_verified(
    client: TestClient[Any], sample: str
) -> None:
    draft = 'Stoltenberg said the situation was "the situation is changing now".'
    r = client.post("/check", json={"text": sample, "draft": draft})
    assert r.status_code == 200, r.text
    assert [f.verdict for f in CheckOut.model_validate_json(r.text).findings] == ["verified"]


# -- problems --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "ctype"),
    [
        ("/quotes", b'{"text": ""}', "application/json"),
        ("/quotes", b'{"text": "   \\n  "}', "application/json"),
        ("/quotes", b"", "text/plain"),
        ("/quotes", b"\n\n  \n", "text/plain"),
        ("/check", b'{"text": "", "draft": "He said \\"hello\\"."}', "application/json"),
        ("/check", b'{"text": "He said \\"hello\\".", "draft": ""}', "application/json"),
    ],
)
def test_empty_text_is_422(client: TestClient[Any], path: str, body: bytes, ctype: str) -> None:
    r = client.post(path, content=body, headers={"content-type": ctype})
    problem = assert_problem(r, 422, path)
    assert "empty" in (problem.detail or "")


def test_body_over_the_limit_is_413(sample: str) -> None:
    limit = 1000
    with TestClient(app=create_app(Settings(max_body_bytes=limit))) as small:
        body = sample.encode()
        assert len(body) > limit
        r = small.post("/quotes", content=body, headers={"content-type": "text/plain"})
        problem = assert_problem(r, 413, "/quotes")
        assert "1,000" in (problem.detail or "")
        r = small.post("/check", json={"text": sample, "draft": "x"})
        assert_problem(r, 413, "/check")
        # Under the limit still works.
        r = small.post(
            "/quotes", content=b'He said "fine".', headers={"content-type": "text/plain"}
        )
        assert r.status_code == 200


def test_streamed_body_over_the_limit_is_413() -> None:
    # No content-length announced: the limit holds on the bytes actually received.
    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            yield b"x" * 100

    with TestClient(app=create_app(Settings(max_body_bytes=1000))) as small:
        r = small.post("/quotes", content=chunks(), headers={"content-type": "text/plain"})
        assert_problem(r, 413, "/quotes")


@pytest.mark.parametrize(
    ("path", "body", "ctype"),
    [
        ("/quotes", b"caf\xe9 au lait", "text/plain"),
        ("/quotes", b"\xff\xfe\x00a\x00b", "text/plain"),
        ("/quotes", b"some text\x00with a NUL byte", "text/plain"),
        ("/quotes", b'{"text": "caf\xe9"}', "application/json"),
        ("/check", b'{"text": "a", "draft": "\xc3("}', "application/json"),
        ("/quotes", b'{"text": "NUL \\u0000 inside"}', "application/json"),
        ("/check", b'{"text": "He said \\"hi\\".", "draft": "NUL \\u0000"}', "application/json"),
    ],
)
def test_undecodable_bytes_are_400(
    client: TestClient[Any], path: str, body: bytes, ctype: str
) -> None:
    r = client.post(path, content=body, headers={"content-type": ctype})
    problem = assert_problem(r, 400, path)
    assert problem.title == "Undecodable input"


@pytest.mark.parametrize("path", ["/quotes", "/check"])
@pytest.mark.parametrize("body", [b'{"text": ', b"{'text': 'single quotes'}", b"{}}", b"[1, 2"])
def test_malformed_json_is_400(client: TestClient[Any], path: str, body: bytes) -> None:
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    problem = assert_problem(r, 400, path)
    assert "invalid JSON" in (problem.detail or "")


@pytest.mark.parametrize(
    ("path", "payload", "pointers"),
    [
        ("/quotes", {}, {"#/text"}),
        ("/quotes", {"txt": "typo"}, {"#/text", "#/txt"}),
        ("/quotes", {"text": 42}, {"#/text"}),
        ("/quotes", ["not", "an", "object"], {"#/"}),
        ("/check", {"text": 'He said "hi".'}, {"#/draft"}),
        ("/check", {"draft": "x"}, {"#/text"}),
        ("/check", {"text": "a", "draft": None}, {"#/draft"}),
    ],
)
def test_body_not_matching_the_model_is_422(
    client: TestClient[Any], path: str, payload: Any, pointers: set[str]
) -> None:
    r = client.post(
        path, content=json.dumps(payload).encode(), headers={"content-type": "application/json"}
    )
    problem = assert_problem(r, 422, path)
    assert problem.title == "Invalid request"
    assert problem.errors is not None
    assert {e["pointer"] for e in problem.errors} == pointers


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/quotes", "application/x-www-form-urlencoded"),
        ("/quotes", "application/pdf"),
        ("/check", "text/plain"),
    ],
)
def test_unsupported_media_type_is_415(client: TestClient[Any], path: str, ctype: str) -> None:
    r = client.post(path, content=b"text=hello", headers={"content-type": ctype})
    assert_problem(r, 415, path)


def test_litestar_routing_errors_are_problems(client: TestClient[Any]) -> None:
    assert_problem(client.get("/nowhere"), 404, "/nowhere")
    assert_problem(client.get("/quotes"), 405, "/quotes")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_unexpected_error_is_500_without_details(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("secret internal state")

    monkeypatch.setattr(service.api, "quotes", explode)
    handler = _Records()
    logger = logging.getLogger("factcheck.api")
    logger.addHandler(handler)
    try:
        with TestClient(app=create_app(Settings())) as c:
            r = c.post("/quotes", content=b'He said "hi".', headers={"content-type": "text/plain"})
    finally:
        logger.removeHandler(handler)
    problem = assert_problem(r, 500, "/quotes")
    assert "secret" not in r.text and "RuntimeError" not in r.text
    assert problem.title == "Internal error"
    # ... but the server log has the whole story.
    assert [str(rec.exc_info[1]) for rec in handler.records if rec.exc_info] == [
        "secret internal state"
    ]


# -- OpenAPI ---------------------------------------------------------------------------


def test_openapi_schema(client: TestClient[Any]) -> None:
    r = client.get("/schema/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["info"]["title"] == "factcheck"
    assert schema["info"]["version"] == service.api.__version__
    paths = schema["paths"]
    assert set(paths) >= {"/health", "/quotes", "/check"}
    components = schema["components"]["schemas"]
    for name in ("QuotesOut", "CheckOut", "Finding", "Quote", "Problem", "ArticleIn", "CheckIn"):
        assert name in components, name

    def ref(content: dict[str, Any], media: str) -> str:
        return str(content[media]["schema"]["$ref"])

    quotes = paths["/quotes"]["post"]
    body = quotes["requestBody"]["content"]
    assert ref(body, "application/json") == "#/components/schemas/ArticleIn"
    assert {"text/plain", "text/html"} <= set(body)
    assert ref(quotes["responses"]["200"]["content"], "application/json").endswith("/QuotesOut")

    check = paths["/check"]["post"]
    assert ref(check["requestBody"]["content"], "application/json").endswith("/CheckIn")
    assert ref(check["responses"]["200"]["content"], "application/json").endswith("/CheckOut")
    assert ref(paths["/health"]["get"]["responses"]["200"]["content"], "application/json").endswith(
        "/Health"
    )
    for op in (quotes, check):
        for status in ("400", "413", "422", "500"):
            assert ref(op["responses"][status]["content"], PROBLEM_JSON).endswith("/Problem")
