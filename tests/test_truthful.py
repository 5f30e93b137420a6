"""Truthful reports (issue 18): the model named is the one that answered, beside the one
asked for; a declared charset is honoured or refused by name; a null draft is refused."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from service.analysis import Analyzer
from service.api import create_app
from service.llm import ChatModel
from service.models import QuotesOut, SummarizeOut
from service.render import engine_line
from service.settings import Settings
from service.state import LocalState

from .conftest import SAMPLE
from .fakes import NATO_ANALYSIS, FakeProvider, fake_completion, fake_settings

ARTICLE = SAMPLE.read_text(encoding="utf-8")
ANSWERED = "gemma-3-270m-q4_k_m"


# -- the model that answered ------------------------------------------------------------


def test_the_report_names_the_model_that_answered_and_the_one_asked_for() -> None:
    provider = FakeProvider()
    provider.reply(fake_completion(NATO_ANALYSIS.model_dump_json(), model=ANSWERED))
    settings = fake_settings(model="gpt-4o-mini")
    state = LocalState(settings)

    replicas = [  # two replicas sharing one answer cache
        Analyzer(settings, model=provider.analyzer(settings).model, state=state) for _ in "ab"
    ]
    outs = []
    for replica in replicas:
        with TestClient(app=create_app(settings, analyzer=replica)) as c:
            r = c.post("/summarize", json={"text": ARTICLE})
        assert r.status_code == 200, r.text
        outs.append(SummarizeOut.model_validate_json(r.text))
    for replica in replicas:
        asyncio.run(replica.close())
    first, cached = outs
    assert [body["model"] for body in provider.bodies()] == ["gpt-4o-mini"]
    assert (first.engine.model, first.engine.requested_model, first.engine.cached) == (
        ANSWERED,
        "gpt-4o-mini",
        False,
    )
    # The cache keeps who answered: an answer from it names the same model.
    assert (cached.engine.model, cached.engine.requested_model, cached.engine.cached) == (
        ANSWERED,
        "gpt-4o-mini",
        True,
    )
    assert f"model {ANSWERED} (asked for gpt-4o-mini)" in engine_line(first.engine)


def test_the_same_model_is_named_once() -> None:
    provider = FakeProvider()
    provider.reply(fake_completion(NATO_ANALYSIS.model_dump_json(), model="fake-model"))
    analyzer = provider.analyzer()
    assert isinstance(analyzer.model, ChatModel)
    with TestClient(app=create_app(analyzer.settings, analyzer=analyzer)) as c:
        out = SummarizeOut.model_validate_json(c.post("/summarize", json={"text": ARTICLE}).text)
    asyncio.run(analyzer.close())
    assert (out.engine.model, out.engine.requested_model) == ("fake-model", "fake-model")
    assert "asked for" not in engine_line(out.engine)


# -- declared charsets --------------------------------------------------------------------

NEWS = "Le maire a déclaré : “Le café coûte 2 € de plus.” Personne n'a répondu."


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Any]]:
    with TestClient(app=create_app(Settings(engine="offline"))) as c:
        yield c


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        ("cp1252", NEWS.encode("cp1252")),
        ("windows-1252", NEWS.encode("cp1252")),
        ("utf-16", NEWS.encode("utf-16")),  # Python writes the byte order mark
        ("UTF-16", b"\xfe\xff" + NEWS.encode("utf-16-be")),
        ("utf-8", NEWS.encode("utf-8")),
        ('"utf-8"', NEWS.encode("utf-8")),
    ],
)
def test_a_declared_charset_is_honoured(client: TestClient[Any], charset: str, body: bytes) -> None:
    r = client.post(
        "/quotes", content=body, headers={"content-type": f"text/plain; charset={charset}"}
    )
    assert r.status_code == 200, r.text
    [quote] = QuotesOut.model_validate_json(r.text).quotes
    # Offsets index the decoded text: characters, whatever bytes carried them.
    assert NEWS[quote.start : quote.end] == quote.text == "Le café coûte 2 € de plus."


def test_latin1_is_read_as_latin1(client: TestClient[Any]) -> None:
    text = 'Le maire a déclaré : "Ça suffit." Personne n\'a répondu.'
    for charset in ("latin-1", "ISO-8859-1"):
        r = client.post(
            "/quotes",
            content=text.encode("latin-1"),
            headers={"content-type": f"text/plain; charset={charset}"},
        )
        assert r.status_code == 200, r.text
        assert [q.text for q in QuotesOut.model_validate_json(r.text).quotes] == ["Ça suffit."]
    # The same bytes undeclared are not UTF-8, and the message says no charset was declared.
    r = client.post(
        "/quotes", content=text.encode("latin-1"), headers={"content-type": "text/plain"}
    )
    assert r.status_code == 400
    assert "no charset declared" in r.json()["detail"]


def test_a_json_body_in_a_declared_charset(client: TestClient[Any]) -> None:
    body = (
        '{"text": "'
        + NEWS.replace('"', '\\"')
        + '", "draft": "Il a dit : “Le café coûte 2 € de plus.”"}'
    )
    r = client.post(
        "/check",
        content=body.encode("cp1252"),
        headers={"content-type": "application/json; charset=windows-1252"},
    )
    assert r.status_code == 200, r.text
    [finding] = [f for f in r.json()["findings"] if f["kind"] == "quotation"]
    # The words are found exactly (who said them, the draft's "Il", is another question).
    assert finding["method"] == "exact"
    assert [e["text"] for e in finding["evidence"]] == ["Le café coûte 2 € de plus"]


@pytest.mark.parametrize(
    ("content_type", "body", "status", "title", "named"),
    [
        (
            "text/plain; charset=koi8-r",
            "Привет".encode("koi8-r"),
            415,
            "Unsupported charset",
            "koi8-r",
        ),
        (
            "application/json; charset=shift_jis",
            b'{"text": "x"}',
            415,
            "Unsupported charset",
            "shift_jis",
        ),
        (
            "text/plain; charset=utf-16",
            NEWS.encode("utf-16-le"),
            400,
            "Undecodable input",
            "utf-16",
        ),
        ("text/plain; charset=utf-8", NEWS.encode("cp1252"), 400, "Undecodable input", "utf-8"),
        ("text/plain; charset=cp1252", b"caf\x81", 400, "Undecodable input", "cp1252"),
    ],
)
def test_a_charset_that_cannot_be_read_is_refused_by_name(
    client: TestClient[Any], content_type: str, body: bytes, status: int, title: str, named: str
) -> None:
    r = client.post("/quotes", content=body, headers={"content-type": content_type})
    assert r.status_code == status, r.text
    problem = r.json()
    assert problem["title"] == title
    assert f"declared charset '{named}'" in problem["detail"]
