"""The HTTP API through litestar's test client: contract, verdicts, problem responses and
the OpenAPI schema. No network."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

import service.api
import service.pipeline
from service.analysis import Analyzer
from service.api import create_app
from service.models import (
    CheckOut,
    ClaimsOut,
    ModelCited,
    Problem,
    QuotesOut,
    ReportOut,
    SummarizeOut,
)
from service.prompts import load_prompt
from service.settings import Settings

from .conftest import ARTICLES, SAMPLE
from .fakes import (
    FAKE_API_KEY,
    FAKE_MODEL,
    INVENTED_CLAIM,
    INVENTED_QUOTE,
    NATO_ANALYSIS,
    NATO_KEY_POINTS,
    NATO_SUMMARY,
    REPORTED_STATEMENT,
    SUPPORTED_CLAIM,
    TRUE_QUOTE,
    WRONG_SPEAKER_QUOTE,
    FakeProvider,
    Reply,
    cite,
    fake_answer,
    fake_completion,
    fake_error,
    fake_settings,
    fake_timeout,
)

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


_ARTICLES = sorted(ARTICLES.glob("*.txt"))


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


@pytest.mark.parametrize(
    "body", [SAMPLE.read_text(encoding="utf-8"), PAGE, *(p.read_text() for p in _ARTICLES)]
)
def test_quotes_body_is_the_models_json_exactly(client: TestClient[Any], body: str) -> None:
    """The endpoint builds QuotesOut's JSON without the models (pipeline.quotes_json): it must
    be what serializing the models gives, byte for byte, key order included."""
    r = client.post("/quotes", content=body.encode(), headers={"content-type": "text/plain"})
    assert r.status_code == 200, r.text
    article = service.pipeline.read_body(body.encode(), "text/plain", limit=10**7)
    expected = service.pipeline.quotes(article).model_dump(mode="json")
    assert r.content == json.dumps(expected, ensure_ascii=False, separators=(",", ":")).encode()
    assert article.description() == article.describe().model_dump(mode="json")


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
    ("path", "body", "ctype", "title"),
    [
        ("/quotes", b'{"text": ""}', "application/json", "Empty article"),
        ("/quotes", b'{"text": "   \\n  "}', "application/json", "Empty article"),
        ("/quotes", b"", "text/plain", "Empty article"),
        ("/quotes", b"\n\n  \n", "text/plain", "Empty article"),
        ("/quotes", b"\x1c\x1f \xc2\x85", "text/plain", "Empty article"),  # str.isspace
        ("/quotes", b"<html><body>\n</body></html>", "text/html", "Empty article"),
        (
            "/check",
            b'{"text": "", "draft": "He said \\"hello\\"."}',
            "application/json",
            "Empty article",
        ),
        (
            "/check",
            b'{"text": "He said \\"hello\\".", "draft": ""}',
            "application/json",
            "Empty draft",
        ),
        (
            "/check",
            b'{"text": "He said \\"hello\\".", "draft": " \\t"}',
            "application/json",
            "Empty draft",
        ),
    ],
)
def test_empty_text_is_422_named_for_what_was_empty(
    client: TestClient[Any], path: str, body: bytes, ctype: str, title: str
) -> None:
    r = client.post(path, content=body, headers={"content-type": ctype})
    problem = assert_problem(r, 422, path)
    assert problem.title == title
    assert problem.type == "urn:factcheck:problem:" + title.lower().replace(" ", "-")
    assert "empty" in (problem.detail or "") or "no article text" in (problem.detail or "")


@pytest.mark.parametrize(
    ("body", "ctype"),
    [
        (b"<p>Mayor Anna Berg said \xe2\x80\x9cwe will build\xe2\x80\x9d.</p>", "text/html"),
        (b"<p></p>", "text/plain"),  # looks like HTML, has no article: read as sent
        (b'{"text": "<div>"}', "application/json"),
    ],
)
def test_html_without_an_article_is_read_as_sent(
    client: TestClient[Any], body: bytes, ctype: str
) -> None:
    """The extractor is made for whole pages; what it finds nothing in but is not markup
    only is read as it was sent, so that the schema's patterns say what is refused."""
    r = client.post("/quotes", content=body, headers={"content-type": ctype})
    assert r.status_code == 200, r.text
    out = QuotesOut.model_validate_json(r.text)
    sent = json.loads(body)["text"] if ctype == "application/json" else body.decode()
    assert out.article.text is None  # offsets index the body as sent
    assert [(s.start, s.end) for s in out.article.body] == [(0, len(sent))]
    assert out.article.source_format == ("json" if ctype == "application/json" else "text")


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
    ("path", "body", "ctype", "title"),
    [
        ("/quotes", b"caf\xe9 au lait", "text/plain", "Undecodable input"),
        ("/quotes", b"\xff\xfe\x00a\x00b", "text/plain", "Undecodable input"),
        ("/quotes", b"some text\x00with a NUL byte", "text/plain", "Undecodable input"),
        ("/quotes", b'{"text": "caf\xe9"}', "application/json", "Undecodable input"),
        ("/check", b'{"text": "a", "draft": "\xc3("}', "application/json", "Undecodable input"),
        ("/quotes", b'{"text": "NUL \\u0000 inside"}', "application/json", "Undecodable input"),
        (
            "/check",
            b'{"text": "He said \\"hi\\".", "draft": "NUL \\u0000"}',
            "application/json",
            "Undecodable draft",
        ),
    ],
)
def test_undecodable_bytes_are_400(
    client: TestClient[Any], path: str, body: bytes, ctype: str, title: str
) -> None:
    r = client.post(path, content=body, headers={"content-type": ctype})
    problem = assert_problem(r, 400, path)
    assert problem.title == title


@pytest.mark.parametrize("path", ["/quotes", "/check"])
@pytest.mark.parametrize("body", [b'{"text": ', b"{'text': 'single quotes'}", b"{}}", b"[1, 2"])
def test_malformed_json_is_400(client: TestClient[Any], path: str, body: bytes) -> None:
    r = client.post(path, content=body, headers={"content-type": "application/json"})
    problem = assert_problem(r, 400, path)
    assert problem.title == "Invalid JSON"
    assert "invalid JSON" in (problem.detail or "")


def test_json_sniffed_in_an_untyped_body_names_what_is_wrong(client: TestClient[Any]) -> None:
    r = client.post("/quotes", content=b'{"text": ', headers={"content-type": ""})
    assert assert_problem(r, 400, "/quotes").title == "Invalid JSON"
    r = client.post("/quotes", content=b'{"txt": "typo"}', headers={"content-type": ""})
    assert assert_problem(r, 422, "/quotes").title == "Invalid request"


@pytest.mark.parametrize(
    ("path", "payload", "pointers"),
    [
        ("/quotes", {}, {"#/text"}),
        ("/quotes", {"txt": "typo"}, {"#/text", "#/txt"}),
        ("/quotes", {"text": 42}, {"#/text"}),
        ("/quotes", ["not", "an", "object"], {"#/"}),
        ("/check", {"text": 'He said "hi".', "draft": 42}, {"#/draft"}),
        ("/check", {"draft": "x"}, {"#/text"}),
        ("/check", {"text": "a", "draft": ["x"]}, {"#/draft"}),
        ("/check", {"text": "a", "draft": "x", "quotes_only": 0}, {"#/quotes_only"}),  # strict
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

    monkeypatch.setattr(service.api, "quotes_json", explode)
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
    assert "draft" not in components["CheckIn"].get("required", [])
    # With a draft CheckOut, without one the report: both documented.
    assert check["responses"]["200"]["content"]["application/json"]["schema"] == {
        "oneOf": [
            {"$ref": "#/components/schemas/CheckOut"},
            {"$ref": "#/components/schemas/ReportOut"},
        ]
    }
    assert ref(paths["/health"]["get"]["responses"]["200"]["content"], "application/json").endswith(
        "/Health"
    )
    for op in (quotes, check):
        for status in ("400", "413", "422", "500"):
            assert ref(op["responses"][status]["content"], PROBLEM_JSON).endswith("/Problem")


# -- the LLM stages: /summarize, /claims, /check without a draft -------------------------
#
# The offline engine needs nothing; the model is a FAKE provider (tests/fakes.py) behind
# the real client, so what is sent, parsed and mapped to problems is the real thing.


@pytest.fixture(scope="module")
def offline_client() -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        yield c


@pytest.fixture
def fake_provider() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def fake_client(fake_provider: FakeProvider) -> Iterator[TestClient[Any]]:
    """The app with an analyzer whose model is the fake provider."""
    analyzer = fake_provider.analyzer()
    try:
        with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
            yield c
    finally:
        asyncio.run(analyzer.close())


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text) if s]


@pytest.mark.parametrize("how", ["text/plain", "json"])
def test_summarize_offline_engine(offline_client: TestClient[Any], sample: str, how: str) -> None:
    if how == "json":
        r = offline_client.post("/summarize", json={"text": sample})
    else:
        r = offline_client.post(
            "/summarize", content=sample.encode(), headers={"content-type": how}
        )
    assert r.status_code == 200, r.text
    out = SummarizeOut.model_validate_json(r.text)
    engine = out.engine
    assert (engine.engine, engine.model, engine.prompt, engine.usage.calls) == (
        "offline",
        None,
        None,
        0,
    )
    assert engine.notice and "Offline engine" in engine.notice
    assert "OPENAI_API_KEY" in engine.notice  # how to switch to a model
    # Extractive: every sentence of the summary and every key point is the article's own,
    # but for a pronoun the quotations resolved to a speaker, replaced by the name.
    assert out.summary and out.key_points
    for sentence in _sentences(out.summary) + out.key_points:
        assert sentence.replace("Jens Stoltenberg added", "He added") in sample, sentence
    # The article's own sentences, checked against the article, would only verify the
    # article against itself: no verdicts are given (issue 11).
    assert out.quotes == [] and out.summary_findings == [] and out.key_point_findings == []
    assert out.counts == {} and out.grounded and out.grounded_reason == "extractive"


def test_summarize_with_the_model(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    r = fake_client.post(
        "/summarize", content=sample.encode(), headers={"content-type": "text/plain"}
    )
    assert r.status_code == 200, r.text
    out = SummarizeOut.model_validate_json(r.text)
    assert out.summary == NATO_SUMMARY
    assert out.key_points == NATO_KEY_POINTS
    engine = out.engine
    assert (engine.engine, engine.model, engine.prompt, engine.cached) == (
        "llm",
        FAKE_MODEL,
        load_prompt("analyze").ref,
        False,
    )
    assert (engine.usage.calls, engine.usage.prompt_tokens, engine.usage.completion_tokens) == (
        1,
        812,
        164,
    )
    assert engine.notice is None
    # The quotation in the model's summary is checked against the article.
    [quote] = out.quotes
    assert (quote.text, quote.verdict) == (TRUE_QUOTE, "verified")
    assert sample[quote.evidence[0].start : quote.evidence[0].end] == quote.evidence[0].text
    # One call, to the configured model, with a structured-output schema.
    [body] = fake_provider.bodies()
    assert body["model"] == FAKE_MODEL
    assert body["response_format"]["type"] == "json_schema"
    assert "Jens Stoltenberg" in body["messages"][-1]["content"]
    # The same article again: answered from the cache, no second call.
    r = fake_client.post("/summarize", json={"text": sample})
    assert SummarizeOut.model_validate_json(r.text).engine.cached is True
    assert len(fake_provider.requests) == 1


def test_claims_are_checked_not_trusted(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    r = fake_client.post("/claims", json={"text": sample, "title": "NATO"})
    assert r.status_code == 200, r.text
    out = ClaimsOut.model_validate_json(r.text)
    assert out.engine.engine == "llm" and out.engine.usage.calls == 1
    claims = {f.text: f for f in out.claims}
    statements = {f.text: f for f in out.statements}
    assert claims[SUPPORTED_CLAIM].verdict == "paraphrase"
    assert (
        "Russian forces have been able to make progress" in claims[SUPPORTED_CLAIM].evidence[0].text
    )
    assert claims[INVENTED_CLAIM].verdict == "unsupported"
    assert claims[INVENTED_CLAIM].evidence == []

    true = statements[TRUE_QUOTE]
    assert (true.verdict, true.article_speaker, true.attribution) == (
        "verified",
        "Jens Stoltenberg",
        "match",
    )
    assert statements[INVENTED_QUOTE].verdict == "unsupported"
    # The article's sentence holding these words names no speaker with a cue (the speaker
    # is read from the sentence before): not explicit enough to call the model wrong.
    wrong = statements[WRONG_SPEAKER_QUOTE]
    assert (wrong.verdict, wrong.speaker, wrong.article_speaker) == (
        "unconfirmed",
        "Emmanuel Macron",
        "Jens Stoltenberg",
    )
    reported = statements[REPORTED_STATEMENT]
    assert (reported.verdict, reported.attribution) == ("paraphrase", "match")

    assert out.counts == {"paraphrase": 2, "unsupported": 2, "verified": 1, "unconfirmed": 1}
    for f in out.claims + out.statements:  # offsets from the checker, into the text as sent
        for e in f.evidence:
            assert sample[e.start : e.end] == e.text


def test_check_without_a_draft_is_the_full_report(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    r = fake_client.post("/check", json={"text": sample})
    assert r.status_code == 200, r.text
    out = ReportOut.model_validate_json(r.text)
    assert out.summary == NATO_SUMMARY
    assert [f.verdict for f in out.summary_quotes] == ["verified"]
    assert [f.verdict for f in out.claims] == ["paraphrase", "unsupported"]
    assert [f.verdict for f in out.statements] == [
        "verified",
        "unsupported",
        "unconfirmed",
        "paraphrase",
    ]
    assert len(out.quotes) == 4 and {q.speaker for q in out.quotes} == {"Jens Stoltenberg"}
    # The summary's sentence without a quotation and both key points, judged as claims.
    assert [f.text for f in out.summary_findings] == ["He said Ukraine needs more military aid."]
    checked = out.summary_findings + out.key_point_findings
    assert [f.verdict for f in checked] == ["paraphrase"] * 3 and out.grounded
    assert sum(out.counts.values()) == 1 + 1 + 2 + 2 + 4
    assert len(fake_provider.requests) == 1  # one call for the whole report


def test_an_invented_summary_is_marked_and_not_grounded(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    """A small model once answered with its prompt's worked example; another may swap who
    said what. Each sentence is marked, and the summary as a whole is not grounded."""
    copied = "Mayor Ana Ruiz said the bridge will reopen in May; engineers disagree."
    swapped = "Putin suggested that Western states send troops to Ukraine."
    true = "NATO has no plans to deploy troops in Ukraine."
    summary = [cite(copied, 2), cite(swapped, 8), cite(true, 2)]
    fake_provider.reply(
        fake_answer(
            NATO_ANALYSIS.model_copy(update={"summary": summary, "key_points": [cite(swapped, 8)]})
        )
    )
    r = fake_client.post("/summarize", json={"text": sample})
    assert r.status_code == 200, r.text
    out = SummarizeOut.model_validate_json(r.text)
    assert [(f.text, f.verdict) for f in out.summary_findings] == [
        (copied, "unsupported"),
        (swapped, "contradicted"),
        (true, "paraphrase"),
    ]
    [point] = out.key_point_findings
    assert point.verdict == "contradicted" and "Emmanuel Macron" in point.evidence[0].text
    assert point.diff and any(d.draft == "Putin" for d in point.diff)
    for f in out.summary_findings:
        assert f.draft_start is not None
        assert out.summary[f.draft_start : f.draft_end] == f.text
    assert out.grounded is False and out.grounded_reason == "contradicted"
    assert out.counts == {"unsupported": 1, "contradicted": 2, "paraphrase": 1}


TRUE_SENTENCE = "NATO has no plans to deploy troops in Ukraine."
"""True of the sample article, which states it in paragraph [2] (and its headline, [1])."""


@pytest.mark.parametrize(
    ("summary", "key_points", "grounded", "reason"),
    [
        # A model answering "x": nothing checkable is no grounded summary.
        ([cite("x", 1)], [], False, "nothing_checked"),
        ([cite("x", 1)], [cite("x", 1)], False, "unsupported"),  # nothing to check
        ([cite(TRUE_SENTENCE, 2)], [], True, "supported"),
        ([cite(TRUE_SENTENCE, 2), cite(TRUE_SENTENCE, 1, 2)], [], True, "supported"),
        # True, but it cites nothing, a paragraph the article lacks, or one that does not
        # hold it: a citation is checked, never taken on trust, and so is its absence.
        ([cite(TRUE_SENTENCE)], [], False, "unsupported"),
        ([cite(TRUE_SENTENCE, 12)], [], False, "unsupported"),
        ([cite(TRUE_SENTENCE, 6)], [], False, "unsupported"),
        ([cite(TRUE_SENTENCE, 2)], [cite(TRUE_SENTENCE, 0)], False, "unsupported"),
        ([cite(f"{TRUE_SENTENCE} Whales stranded in Wales.", 2)], [], False, "unsupported"),
        # A quotation the article does not hold.
        (
            [cite('Jens Stoltenberg said "we will defeat Russia by Christmas".', 2)],
            [],
            False,
            "quotation_error",
        ),
    ],
)
def test_grounded_says_why(
    fake_client: TestClient[Any],
    fake_provider: FakeProvider,
    sample: str,
    summary: list[ModelCited],
    key_points: list[ModelCited],
    grounded: bool,
    reason: str,
) -> None:
    fake_provider.reply(
        fake_answer(NATO_ANALYSIS.model_copy(update={"summary": summary, "key_points": key_points}))
    )
    r = fake_client.post("/summarize", json={"text": sample})
    assert r.status_code == 200, r.text
    out = SummarizeOut.model_validate_json(r.text)
    assert (out.grounded, out.grounded_reason) == (grounded, reason), out


def test_each_summary_sentence_and_key_point_is_judged_by_what_it_cites(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    """The citation reaches the response as article spans, the evidence lies inside them,
    and a citation that points at nothing says so in its message."""
    fake_provider.reply(
        fake_answer(
            NATO_ANALYSIS.model_copy(
                update={
                    "summary": [
                        cite(TRUE_SENTENCE, 2, 14),
                        cite("NATO has no plans to deploy troops in Belarus.", 2),
                        cite(TRUE_SENTENCE),
                    ],
                    "key_points": [cite(TRUE_SENTENCE, 14, 0), cite(TRUE_SENTENCE, 6)],
                }
            )
        )
    )
    r = fake_client.post("/summarize", json={"text": sample})
    assert r.status_code == 200, r.text
    out = SummarizeOut.model_validate_json(r.text)
    body = out.article.body
    verdicts = [(f.verdict, f.message) for f in out.summary_findings + out.key_point_findings]
    assert verdicts == [
        (
            "paraphrase",
            "supported by this sentence of paragraph [2] it cites; it cites paragraph [14], "
            "which the article does not have (it has 9)",
        ),
        ("contradicted", "the article says this with another name: “Ukraine”, not “Belarus”"),
        ("unsupported", "the model cited no paragraph of the article for this"),
        (
            "unsupported",
            "it cites paragraphs [14], [0], which the article does not have (it has 9)",
        ),
        ("unsupported", "the paragraph [6] it cites does not hold this"),
    ]
    cited = [f.cited for f in out.summary_findings + out.key_point_findings]
    assert cited == [[body[1]], [body[1]], [], [], [body[5]]]
    for f in out.summary_findings + out.key_point_findings:
        assert f.cited is not None
        for e in f.evidence:
            assert any(c.start <= e.start and e.end <= c.end for c in f.cited)
            assert sample[e.start : e.end] == e.text


def test_check_with_a_draft_asks_no_model(
    fake_client: TestClient[Any], fake_provider: FakeProvider, sample: str
) -> None:
    r = fake_client.post("/check", json={"text": sample, "draft": DRAFT})
    assert r.status_code == 200, r.text
    assert len(CheckOut.model_validate_json(r.text).findings) == 4
    assert fake_provider.requests == []


def test_check_options_quotes_only_and_fail_on(client: TestClient[Any], sample: str) -> None:
    draft = (
        "Stoltenberg said NATO has no plans to deploy troops in Ukraine. "
        "Analysts expect the debate to go on for months. "
        'He said: "NATO has no intention of sending troops to Ukraine."'
    )
    r = client.post("/check", json={"text": sample, "draft": draft})
    out = CheckOut.model_validate_json(r.text)
    assert [(f.kind, f.verdict, f.severity) for f in out.findings] == [
        ("sentence", "paraphrase", "note"),
        ("sentence", "unsupported", "note"),
        ("quotation", "verified", "note"),
    ]
    assert out.failed is False  # an unsupported sentence is a note; notes do not fail
    r = client.post("/check", json={"text": sample, "draft": draft, "fail_on": ["error", "note"]})
    assert CheckOut.model_validate_json(r.text).failed is True
    r = client.post("/check", json={"text": sample, "draft": draft, "quotes_only": True})
    assert [f.kind for f in CheckOut.model_validate_json(r.text).findings] == ["quotation"]
    r = client.post("/check", json={"text": sample, "draft": draft, "fail_on": ["fatal"]})
    assert_problem(r, 422, "/check")


def test_check_with_a_null_draft_is_refused_and_without_one_is_the_report(
    offline_client: TestClient[Any], sample: str
) -> None:
    # A null draft is a client's bug (a draft field it failed to fill), not a request for
    # the report: refused, pointing at the field.
    r = offline_client.post("/check", json={"text": sample, "draft": None})
    problem = assert_problem(r, 422, "/check")
    assert problem.errors and problem.errors[0]["pointer"] == "#/draft"
    r = offline_client.post("/check", json={"text": sample})
    assert r.status_code == 200, r.text
    out = ReportOut.model_validate_json(r.text)
    assert out.engine.engine == "offline" and len(out.quotes) == 4
    # The article's quotations are listed as its own, not as statements checked.
    assert out.statements == []


@pytest.mark.parametrize("path", ["/summarize", "/claims"])
def test_llm_routes_read_bodies_like_quotes(offline_client: TestClient[Any], path: str) -> None:
    r = offline_client.post(path, content=PAGE.encode(), headers={"content-type": "text/html"})
    assert r.status_code == 200, r.text
    assert r.json()["article"]["source_format"] == "html"
    assert_problem(offline_client.post(path, json={"text": " "}), 422, path)
    assert_problem(
        offline_client.post(path, content=b"x", headers={"content-type": "application/pdf"}),
        415,
        path,
    )


# -- provider failures: 502/503/504 problems, no traceback, no secret -------------------


@pytest.mark.parametrize(
    ("reply", "status", "title", "needle"),
    [
        (fake_error(429, "Rate limit reached"), 503, "Model provider unavailable", "rate-limiting"),
        (
            fake_error(500, f"upstream broke for key {FAKE_API_KEY}"),
            502,
            "Model provider error",
            "HTTP 500",
        ),
        (fake_error(503, "overloaded"), 503, "Model provider unavailable", "HTTP 503"),
        (
            fake_error(401, f"Incorrect API key provided: {FAKE_API_KEY}"),
            502,
            "Model provider error",
            "API key",
        ),
        (fake_timeout, 504, "Model provider timed out", "did not answer"),
        (
            fake_answer(NATO_ANALYSIS, finish_reason="length"),
            502,
            "Invalid model output",
            "cut off",
        ),
        (
            fake_completion('{"summary": "not the schema"'),
            502,
            "Invalid model output",
            "invalid JSON twice",
        ),
    ],
    ids=["429", "500", "503", "401", "timeout", "length", "invalid-json"],
)
@pytest.mark.parametrize("path", ["/summarize", "/claims", "/check"])
def test_provider_failures_are_problems(
    fake_client: TestClient[Any],
    fake_provider: FakeProvider,
    caplog: pytest.LogCaptureFixture,
    sample: str,
    path: str,
    reply: Reply,
    status: int,
    title: str,
    needle: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_provider.reply(reply)
    r = fake_client.post(path, json={"text": sample})
    problem = assert_problem(r, status, path)
    assert problem.title == title
    assert problem.type.startswith("urn:factcheck:problem:")
    assert needle in (problem.detail or ""), problem.detail
    if needle == "cut off":
        assert "finish_reason 'length'" in (problem.detail or "")
    # The key reaches the provider, and nowhere else: not the response, not the log.
    assert fake_provider.requests[0].headers["authorization"] == f"Bearer {FAKE_API_KEY}"
    assert FAKE_API_KEY not in r.text
    assert FAKE_API_KEY not in caplog.text
    assert all(FAKE_API_KEY not in rec.getMessage() for rec in caplog.records)
    # The log says what failed, in one line and without a traceback.
    failures = [rec for rec in caplog.records if rec.name == "factcheck.api"]
    assert [rec.levelno for rec in failures] == [logging.WARNING]
    assert failures[0].exc_info is None and title in failures[0].getMessage()


# -- the app's analyzer and the OpenAPI schema of the LLM routes ---------------------------


def test_the_app_owns_its_analyzer() -> None:
    # Built from the settings on startup, closed on shutdown (no request is made).
    app = create_app(fake_settings())
    with TestClient(app=app) as c:
        assert c.get("/health").status_code == 200
        analyzer = app.state.analyzer
        assert isinstance(analyzer, Analyzer) and analyzer.model is not None
        assert analyzer.settings.model == FAKE_MODEL
        assert not analyzer.model._client.is_closed()
    assert analyzer.model._client.is_closed()


def test_an_injected_analyzer_is_left_open(fake_provider: FakeProvider) -> None:
    analyzer = fake_provider.analyzer()
    with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)):
        pass
    assert analyzer.model is not None and not analyzer.model._client.is_closed()
    asyncio.run(analyzer.close())


def test_openapi_schema_of_the_llm_routes(client: TestClient[Any]) -> None:
    schema = client.get("/schema/openapi.json").json()
    components = schema["components"]["schemas"]
    for path, out in (("/summarize", "SummarizeOut"), ("/claims", "ClaimsOut")):
        op = schema["paths"][path]["post"]
        body = op["requestBody"]["content"]
        assert body["application/json"]["schema"]["$ref"] == "#/components/schemas/ArticleIn"
        assert {"text/plain", "text/html"} <= set(body)
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["$ref"] == f"#/components/schemas/{out}"
    for path in ("/summarize", "/claims", "/check"):
        responses = schema["paths"][path]["post"]["responses"]
        for status in ("502", "503", "504"):
            problem = responses[status]["content"][PROBLEM_JSON]["schema"]
            assert problem["$ref"] == "#/components/schemas/Problem"
    assert "502" not in schema["paths"]["/quotes"]["post"]["responses"]  # no model there

    # Every reference resolves: the schema is whole.
    def refs(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = set(refs(schema))
    assert found
    for ref in found:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components


def test_long_article_is_read_and_checked_off_the_event_loop(
    offline_client: TestClient[Any], sample: str
) -> None:
    # Over the inline threshold and the pipeline's offload threshold: same kind of answer.
    text = "\n\n".join([sample] * (service.pipeline.OFFLOAD_CHARS // len(sample) + 2))
    assert len(text) > service.pipeline.OFFLOAD_CHARS
    r = offline_client.post("/check", json={"text": text})
    assert r.status_code == 200, r.text
    out = ReportOut.model_validate_json(r.text)
    assert len(out.quotes) >= 4 * 30 and out.claims
    for f in out.claims + out.summary_quotes:
        assert f.evidence and all(text[e.start : e.end] == e.text for e in f.evidence)
