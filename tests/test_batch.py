"""``factcheck batch``: one result line per input line, per-line errors, resuming, bounded
concurrency, the progress bar, and ``--provider-batch`` end to end.

The model is a FAKE provider (tests/fakes.py) behind the real client; the Batch API is a
FAKE too (``FakeBatchAPI`` below: files, batches, polling states, output and error files on
``httpx2.MockTransport``). Nothing here is a recording and nothing reaches the network."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import openai
import pytest
from typer.testing import CliRunner, Result

import service.batch.provider
import service.cli
import service.llm
from service.analysis import Analyzer
from service.batch import CheckOptions, parse_line
from service.cli import app
from service.errors import ProviderError
from service.ingest import read_article
from service.llm import ChatModel
from service.models import (
    BatchCheckResult,
    BatchFailure,
    BatchResult,
    CheckIn,
    ClaimsOut,
    ModelAnalysis,
    ModelStatement,
    QuotesOut,
    ReportOut,
)
from service.pipeline import report
from service.readiness import NotReadyError, ReadinessProbe
from service.settings import Settings, get_settings

from .conftest import ARTICLES, SAMPLE
from .fakes import (
    FAKE_API_KEY,
    FAKE_BASE_URL,
    FAKE_MODEL,
    NATO_ANALYSIS,
    FakeProvider,
    cite,
    fake_answer,
    fake_completion,
    fake_error,
    fake_settings,
)

REAL_OPENAI_CLIENT = service.llm.openai_client

COUNCIL = (
    "The council voted on Tuesday to build protected cycle lanes along Harbour Road.\n"
    "Shop owner Peter Holm was less enthusiastic. “We will lose half of our parking spaces,” "
    "he told reporters after the vote.\n"
)
COUNCIL_ANALYSIS = ModelAnalysis(
    summary=[cite("The council voted to build cycle lanes on Harbour Road.", 1)],
    key_points=[cite("The council approved cycle lanes.", 1)],
    claims=["The council voted on Tuesday to build protected cycle lanes along Harbour Road."],
    statements=[
        ModelStatement(
            speaker="Peter Holm", text="We will lose half of our parking spaces", direct=True
        )
    ],
)


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """No provider configured unless a test says so; settings read afresh."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "FACTCHECK_PROVIDER_API_KEY",
        "FACTCHECK_BASE_URL",
        "FACTCHECK_ENGINE",
        "FACTCHECK_MODEL",
        "FACTCHECK_CONTEXT_TOKENS",
        "FACTCHECK_MAX_CONCURRENT_CALLS",
    ):
        monkeypatch.delenv(name, raising=False)
    caplog.set_level(logging.WARNING, logger="httpx2")  # httpx2 logs each request at INFO
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def provider_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment points at the fake provider."""
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", FAKE_BASE_URL)
    monkeypatch.setenv("FACTCHECK_MODEL", FAKE_MODEL)
    monkeypatch.setenv("FACTCHECK_MAX_RETRIES", "0")


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch, provider_env: None) -> FakeProvider:
    """The CLI's analyzer talks to a fake chat completions endpoint."""
    fake = FakeProvider()
    monkeypatch.setattr(service.cli, "build_analyzer", fake.analyzer)
    return fake


def write_jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text(
        "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines),
        encoding="utf-8",
    )
    return path


def run(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(app, ["batch", *args])


def records(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def by_id(path: Path) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for r in records(path):
        assert r["id"] not in out, f"two lines for {r['id']!r}"
        out[r["id"]] = r
    return out


def summary_line(result: Result) -> str:
    line = result.stderr.splitlines()[-1]
    assert line.startswith("factcheck: batch "), result.stderr
    return line


def user_message(body: dict[str, Any]) -> str:
    content = body["messages"][-1]["content"]
    assert isinstance(content, str)
    return content


# -- reading lines ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "title", "detail"),
    [
        (b"{not json", "Bad input", "invalid JSON"),
        (b"[1, 2]", "Bad input", "not a JSON object"),
        (b'{"text": "x"}', "Invalid request", 'no "id"'),
        (b'{"id": true, "text": "x"}', "Invalid request", '"id" must be'),
        (b'{"id": " ", "text": "x"}', "Invalid request", '"id" must be'),
        (b'{"id": "a"}', "Invalid request", 'no "text"'),
        (b'{"id": "a", "text": 3}', "Invalid request", '"text" must be a string'),
        (b'{"id": "a", "text": "x", "url": 3}', "Invalid request", '"url" must be'),
        (b'{"id": "a", "text": "\xff"}', "Undecodable input", "UTF-8"),
        (b'{"id": "a", "text": "' + b"x" * 200 + b'"}', "Input too large", "limit of 100"),
    ],
)
def test_parse_line_errors(raw: bytes, title: str, detail: str) -> None:
    item = parse_line(7, raw, limit=100)
    assert item.error is not None and item.payload is None
    assert item.error.title == title and detail in item.error.detail


def test_parse_line_ids_and_extra_keys() -> None:
    item = parse_line(1, b'{"id": 42, "text": "t", "title": "T", "source": "wire"}', limit=1000)
    assert item.error is None and item.id == 42 and item.key == "42"
    assert item.payload is not None and item.payload.title == "T"
    assert parse_line(2, b'{"id": "42", "text": "t"}', limit=1000).key == "42"


# -- the offline engine ----------------------------------------------------------------


def test_offline_three_articles(runner: CliRunner, tmp_path: Path) -> None:
    whales = (ARTICLES / "guardian-whale-strandings-2019.txt").read_text(encoding="utf-8")
    src = write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {"id": "nato", "text": SAMPLE.read_text(encoding="utf-8"), "title": "NATO"},
            {"id": 2, "text": COUNCIL, "url": "https://example.test/council"},
            {"id": "whales", "text": whales},
        ],
    )
    out = tmp_path / "results.jsonl"
    result = run(runner, str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    lines = by_id(out)
    assert set(lines) == {"nato", 2, "whales"}
    assert all(r["ok"] is True for r in lines.values())
    assert {r["line"] for r in lines.values()} == {1, 2, 3}
    assert {r["operation"] for r in lines.values()} == {"report"}
    nato = BatchResult.model_validate(lines["nato"])
    assert isinstance(nato.result, ReportOut)
    report = ReportOut.model_validate(lines["nato"]["result"])
    assert report.engine.engine == "offline" and report.article.title == "NATO"
    assert len(report.quotes) == 4 and {q.speaker for q in report.quotes} == {"Jens Stoltenberg"}
    council = ReportOut.model_validate(lines[2]["result"])
    assert [q.speaker for q in council.quotes] == ["Peter Holm"]
    assert "3 lines: 3 ok, 0 failed, 0 already done, 0 duplicates" in summary_line(result)
    assert result.stderr.count("\n") == 1  # not a terminal: the summary line only


@pytest.mark.parametrize("operation", ["claims", "quotes"])
def test_other_operations(runner: CliRunner, tmp_path: Path, operation: str) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "nato", "text": SAMPLE.read_text()}])
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--operation", operation, "--engine", "offline")
    assert result.exit_code == 0, result.stderr
    [line] = records(out)
    assert line["operation"] == operation
    model = ClaimsOut if operation == "claims" else QuotesOut
    assert model.model_validate(line["result"])
    if operation == "quotes":
        assert "engine" not in line["result"]


# -- drafts (--operation check) ----------------------------------------------------------

NATO_VERIFIED = 'Stoltenberg said the alliance had "no intention of sending troops to Ukraine".'
NATO_MISQUOTED = "Stoltenberg said Russia must “lose on the battlefield”."
NATO_CONTEXT = NATO_VERIFIED + " Analysts expect the debate to go on for months."


def drafts(*lines: tuple[str, str | None]) -> list[dict[str, Any] | str]:
    text = SAMPLE.read_text(encoding="utf-8")
    return [
        {"id": key, "text": text} | ({} if draft is None else {"draft": draft})
        for key, draft in lines
    ]


def test_parse_line_for_check_needs_a_draft() -> None:
    check = CheckOptions(quotes_only=True, fail_on=("error", "note"))
    item = parse_line(1, b'{"id": 1, "text": "t", "draft": "d"}', limit=1000, check=check)
    assert isinstance(item.payload, CheckIn) and item.payload.draft == "d"
    assert item.payload.quotes_only and item.payload.fail_on == ["error", "note"]
    for raw, detail in [
        (b'{"id": 1, "text": "t"}', 'no "draft"'),
        (b'{"id": 1, "text": "t", "draft": null}', 'no "draft"'),
        (b'{"id": 1, "text": "t", "draft": ["d"]}', '"draft" must be a string'),
    ]:
        refused = parse_line(1, raw, limit=1000, check=check)
        assert refused.payload is None and refused.error is not None
        assert refused.error.status == 422 and detail in refused.error.detail
    # The other operations ignore a draft, as they ignore any other key.
    assert parse_line(1, b'{"id": 1, "text": "t", "draft": 3}', limit=1000).error is None


def test_check_drafts_one_result_each_with_its_severity(
    runner: CliRunner, tmp_path: Path, fake_provider: FakeProvider
) -> None:
    src = write_jsonl(
        tmp_path / "drafts.jsonl",
        drafts(
            ("ok", NATO_VERIFIED),
            ("bad", NATO_MISQUOTED),
            ("context", NATO_CONTEXT),
            ("blank", "   "),
            ("none", None),
        ),
    )
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--operation", "check")
    assert result.exit_code == 1, result.stderr
    assert fake_provider.requests == []  # a draft's check asks no model, configured or not
    lines = by_id(out)
    assert list(lines) == ["ok", "bad", "context", "blank", "none"]  # input order
    judged = {k: BatchCheckResult.model_validate(r) for k, r in lines.items() if r["ok"]}
    assert {k: (r.failed, r.severity) for k, r in judged.items()} == {
        "ok": (False, "note"),
        "bad": (True, "error"),
        "context": (False, "note"),
    }
    assert all(r.failed == r.result.failed for r in judged.values())
    assert [f.verdict for f in judged["bad"].result.findings] == ["misquoted"]
    failures = {k: BatchFailure.model_validate(r) for k, r in lines.items() if not r["ok"]}
    assert failures["blank"].error.title == "Empty draft" and failures["blank"].error.status == 422
    assert 'no "draft"' in failures["none"].error.detail
    assert "5 lines: 3 ok, 2 failed, 1 draft failing the check, 0 already done" in summary_line(
        result
    )

    # --fail-on note: the draft with a sentence the article does not hold fails too.
    strict = tmp_path / "strict.jsonl"
    args = [str(src), "-o", str(strict), "--operation", "check", "--fail-on", "error"]
    assert run(runner, *args, "--fail-on", "note").exit_code == 1
    assert {k: r.get("failed") for k, r in by_id(strict).items() if r["ok"]} == {
        "ok": True,  # a verified quotation is a note as well
        "bad": True,
        "context": True,
    }


def test_check_clean_drafts_exit_0_and_a_resumed_run_remembers_failing_ones(
    runner: CliRunner, tmp_path: Path
) -> None:
    src = tmp_path / "drafts.jsonl"
    out = tmp_path / "r.jsonl"
    write_jsonl(src, drafts(("ok", NATO_VERIFIED), ("later", None)))
    args = [str(src), "-o", str(out), "--operation", "check", "--engine", "offline"]
    assert run(runner, *args).exit_code == 1  # "later" has no draft yet
    write_jsonl(src, drafts(("ok", NATO_VERIFIED), ("later", NATO_CONTEXT)))
    again = run(runner, *args)
    assert again.exit_code == 0, again.stderr  # the failed line retried, and it passes
    assert "2 lines: 1 ok, 0 failed, 1 already done" in summary_line(again)
    assert all(r["ok"] and not r["failed"] for r in by_id(out).values())

    # A draft that failed in an earlier run still fails the run that skips it.
    write_jsonl(
        src, drafts(("ok", NATO_VERIFIED), ("later", NATO_CONTEXT), ("bad", NATO_MISQUOTED))
    )
    third = run(runner, *args)
    assert third.exit_code == 1
    fourth = run(runner, *args)
    assert fourth.exit_code == 1
    assert "3 lines: 0 ok, 0 failed, 1 draft failing the check, 3 already done" in summary_line(
        fourth
    )


def test_bad_lines_are_recorded_and_the_run_goes_on(runner: CliRunner, tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {"id": "first", "text": COUNCIL},
            '{"id": "broken", "text": ',
            "",  # blank lines are not input lines
            {"id": "empty", "text": "  \n "},
            {"text": COUNCIL},
            {"id": "binary", "text": "a\x00b"},
            {"id": "last", "text": SAMPLE.read_text(encoding="utf-8")},
        ],
    )
    out = tmp_path / "results.jsonl"
    result = run(runner, str(src), "-o", str(out))
    assert result.exit_code == 1, result.stderr
    lines = records(out)
    assert len(lines) == 6
    by_line = {r["line"]: r for r in lines}
    assert by_line[1]["ok"] and by_line[7]["ok"]
    broken = BatchFailure.model_validate(by_line[2])
    assert broken.id is None and broken.error.status == 400
    assert broken.operation == "report"  # what would have been done with the line
    assert broken.error.detail.startswith("invalid JSON")
    assert by_line[4]["id"] == "empty"
    assert by_line[4]["error"] == {
        "title": "Empty article",
        "status": 422,
        "detail": "the article is empty",
    }
    assert by_line[5]["id"] is None and 'no "id"' in by_line[5]["error"]["detail"]
    assert by_line[6]["error"]["title"] == "Undecodable input"
    assert "6 lines: 2 ok, 4 failed" in summary_line(result)


def test_duplicate_ids_are_processed_once(
    runner: CliRunner, tmp_path: Path, fake_provider: FakeProvider
) -> None:
    fake_provider.reply(fake_answer(COUNCIL_ANALYSIS))
    src = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": 1, "text": COUNCIL},
            {"id": "1", "text": COUNCIL + "More."},  # the same id as 1
            {"id": 2, "text": COUNCIL + "Other."},
        ],
    )
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert sorted(r["id"] for r in records(out)) == [1, 2]
    assert len(fake_provider.requests) == 2
    assert f'{src}:2: duplicate id "1" (first on line 1): processed once' in result.stderr
    assert "1 duplicate;" in summary_line(result)


# -- resuming --------------------------------------------------------------------------


def test_resume_skips_done_ids_and_retries_failed_ones(
    runner: CliRunner, tmp_path: Path, fake_provider: FakeProvider
) -> None:
    texts = {f"a{i}": f"{COUNCIL}Article number {i}.\n" for i in range(4)}
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": k, "text": v} for k, v in texts.items()])
    out = tmp_path / "r.jsonl"

    def flaky(request: httpx2.Request) -> httpx2.Response:
        if "Article number 2." in request.content.decode():
            return fake_error(500, "the fake provider broke")
        return fake_answer(COUNCIL_ANALYSIS)

    fake_provider.reply(flaky)
    first = run(runner, str(src), "-o", str(out), "-j", "2")
    assert first.exit_code == 1, first.stderr
    lines = by_id(out)
    assert [k for k, r in lines.items() if not r["ok"]] == ["a2"]
    assert lines["a2"]["error"]["status"] == 502 and "HTTP 500" in lines["a2"]["error"]["detail"]
    assert len(fake_provider.requests) == 4

    fake_provider.requests.clear()
    fake_provider.reply(fake_answer(COUNCIL_ANALYSIS))
    second = run(runner, str(src), "-o", str(out))
    assert second.exit_code == 0, second.stderr
    [retried] = fake_provider.bodies()  # the done ids are not asked again
    assert "Article number 2." in user_message(retried)
    lines = by_id(out)  # the failure was replaced: one line per id
    assert set(lines) == set(texts) and all(r["ok"] for r in lines.values())
    assert "4 lines: 1 ok, 0 failed, 3 already done" in summary_line(second)

    fake_provider.requests.clear()
    third = run(runner, str(src), "-o", str(out))
    assert third.exit_code == 0 and fake_provider.requests == []
    assert len(records(out)) == 4


def test_resume_after_a_crash_mid_line(runner: CliRunner, tmp_path: Path) -> None:
    src = write_jsonl(
        tmp_path / "a.jsonl", [{"id": "x", "text": COUNCIL}, {"id": "y", "text": COUNCIL}]
    )
    out = tmp_path / "r.jsonl"
    assert run(runner, str(src), "-o", str(out), "--operation", "quotes").exit_code == 0
    [keep, cut] = out.read_text(encoding="utf-8").splitlines()
    out.write_text(keep + "\n" + cut[: len(cut) // 2], encoding="utf-8")  # no newline: cut
    result = run(runner, str(src), "-o", str(out), "--operation", "quotes")
    assert result.exit_code == 0, result.stderr
    assert "1 unreadable line dropped" in result.stderr
    assert sorted(r["id"] for r in records(out)) == ["x", "y"]
    assert "1 ok, 0 failed, 1 already done" in summary_line(result)


def test_results_of_another_operation_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": COUNCIL}])
    out = tmp_path / "r.jsonl"
    assert run(runner, str(src), "-o", str(out), "--operation", "quotes").exit_code == 0
    before = out.read_bytes()
    result = run(runner, str(src), "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"factcheck: error: {out} holds quotes results; write report results to another file"
    ]
    assert out.read_bytes() == before


# -- concurrency and progress ----------------------------------------------------------


class SlowProvider(FakeProvider):
    """A fake provider that takes a while to answer and counts the calls in flight."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay
        self.in_flight = 0
        self.peak = 0
        self.answered = 0

    async def slow(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            self.answered += 1
            return fake_answer(COUNCIL_ANALYSIS)
        finally:
            self.in_flight -= 1

    def analyzer(self, settings: Settings | None = None) -> Analyzer:
        settings = settings or fake_settings()
        client = httpx2.AsyncClient(transport=httpx2.MockTransport(self.slow))
        return Analyzer(settings, model=ChatModel(settings, http_client=client))


@pytest.mark.parametrize("limit", [1, 3])
def test_concurrency_is_bounded(
    runner: CliRunner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    provider_env: None,
    limit: int,
) -> None:
    slow = SlowProvider(delay=0.05)
    monkeypatch.setattr(service.cli, "build_analyzer", slow.analyzer)
    src = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": i, "text": f"{COUNCIL}Article number {i}.\n"} for i in range(9)],
    )
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--concurrency", str(limit))
    assert result.exit_code == 0, result.stderr
    assert slow.answered == 9 and len(records(out)) == 9
    assert slow.peak == limit  # the limit is reached, never passed


def test_progress_bar_on_a_terminal(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.cli, "_stderr_is_tty", lambda: True)
    src = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "x", "text": COUNCIL}, {"id": "y", "text": ""}, {"id": "x", "text": COUNCIL}],
    )
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out))
    assert result.exit_code == 1
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", result.stderr)
    assert "report" in plain and "2/2" in plain and "1 failed" in plain and "/s" in plain
    assert 'duplicate id "x"' in plain
    last = plain.splitlines()[-1]
    assert last.startswith("factcheck: batch done: 3 lines: 1 ok, 1 failed, 0 already done, 1 dup")


# -- usage errors ----------------------------------------------------------------------


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "x", "text": COUNCIL}])
    out = tmp_path / "r.jsonl"
    cases = [
        ([str(tmp_path / "missing.jsonl"), "-o", str(out)], "no such file"),
        ([str(src)], "Missing option '--output'"),
        ([str(src), "-o", str(out), "--operation", "translate"], "not one of report"),
        ([str(src), "-o", str(out), "--concurrency", "0"], "--concurrency"),
        ([str(src), "-o", str(src)], "cannot be the input file"),
        ([str(src), "-o", str(tmp_path / "no" / "r.jsonl")], "no such directory"),
        ([str(src), "-o", str(out), "--provider-batch"], "needs the llm engine"),
    ]
    for args, needle in cases:
        result = run(runner, *args)
        assert result.exit_code == 2, (args, result.stderr)
        [line] = result.stderr.splitlines()
        assert line.startswith("factcheck: error: ") and needle in line, line
    assert not out.exists()


# -- --provider-batch ------------------------------------------------------------------


@dataclass(frozen=True)
class Failed:
    """A request the fake batch puts in its error file."""

    code: str
    message: str


@dataclass(frozen=True)
class Refused:
    """A request the provider answered with an HTTP error status (in the error file)."""

    status: int
    message: str = "the fake provider refused"


Outcome = ModelAnalysis | str | Failed | Refused
"""An answer (valid JSON), raw content (e.g. not JSON), or an entry of the error file."""


class FakeBatchAPI:
    """A FAKE OpenAI Files and Batch API, in process. An uploaded batch goes through
    ``states`` one poll at a time; when it completes, every request is answered from
    ``outcomes`` (by custom_id; the default answer otherwise) into an output file and an
    error file. Every request it receives is kept in ``requests``."""

    def __init__(self, outcomes: dict[str, Outcome], default: Outcome = NATO_ANALYSIS) -> None:
        self.outcomes = outcomes
        self.default = default
        self.states = ["validating", "in_progress", "finalizing", "completed"]
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.requests: list[httpx2.Request] = []

    def client(self, settings: Settings) -> openai.AsyncOpenAI:
        http = httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))
        return REAL_OPENAI_CLIENT(settings, http_client=http)

    # -- what the tests look at

    def uploaded(self) -> list[dict[str, Any]]:
        [file_id] = [f for f in self.files if f.startswith("file-in")]
        return [json.loads(line) for line in self.files[file_id].decode().splitlines()]

    def routes(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]

    # -- the endpoints

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        assert request.headers["authorization"] == f"Bearer {FAKE_API_KEY}"
        path = request.url.path.removeprefix("/v1")
        if request.method == "POST" and path == "/files":
            return self._upload(request)
        if request.method == "POST" and path == "/batches":
            return self._create(json.loads(request.content))
        if m := re.fullmatch(r"/batches/([\w-]+)", path):
            return self._poll(m[1])
        if m := re.fullmatch(r"/files/([\w-]+)/content", path):
            if m[1] not in self.files:
                return fake_error(404, "no such file")
            return httpx2.Response(200, content=self.files[m[1]])
        return fake_error(404, f"the fake batch API has no {request.method} {path}")

    def add_file(self, prefix: str, content: bytes) -> str:
        file_id = f"file-{prefix}-{len(self.files) + 1}"
        self.files[file_id] = content
        return file_id

    def _upload(self, request: httpx2.Request) -> httpx2.Response:
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        fields: dict[str, bytes] = {}
        for part in request.content.split(b"--" + boundary):
            head, _, body = part.partition(b"\r\n\r\n")
            if m := re.search(rb'name="(\w+)"', head):
                fields[m[1].decode()] = body.removesuffix(b"\r\n")
        assert fields["purpose"] == b"batch"
        file_id = self.add_file("in", fields["file"])
        return httpx2.Response(
            200,
            json={
                "id": file_id,
                "object": "file",
                "bytes": len(fields["file"]),
                "created_at": 1715212800,
                "filename": "requests.jsonl",
                "purpose": "batch",
                "status": "processed",
            },
        )

    def submit(self, input_file_id: str, metadata: dict[str, str] | None = None) -> str:
        batch_id = f"batch_fake_{len(self.batches) + 1}"
        total = len(self.files[input_file_id].splitlines())
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": "/v1/chat/completions",
            "completion_window": "24h",
            "created_at": 1715212800,
            "input_file_id": input_file_id,
            "status": self.states[0],
            "metadata": metadata,
            "request_counts": {"total": total, "completed": 0, "failed": 0},
        }
        self.polls[batch_id] = 0
        return batch_id

    def _create(self, body: dict[str, Any]) -> httpx2.Response:
        assert body["endpoint"] == "/v1/chat/completions"
        assert body["completion_window"] == "24h"
        batch_id = self.submit(body["input_file_id"], body.get("metadata"))
        return httpx2.Response(200, json=self.batches[batch_id])

    def _poll(self, batch_id: str) -> httpx2.Response:
        if batch_id not in self.batches:
            return fake_error(404, f"No batch found with id '{batch_id}'.")
        batch = self.batches[batch_id]
        step = min(self.polls[batch_id], len(self.states) - 1)
        self.polls[batch_id] += 1
        batch["status"] = self.states[step]
        counts = batch["request_counts"]
        if batch["status"] == "in_progress":
            counts["completed"] = counts["total"] // 2
        if (
            batch["status"] in ("completed", "expired", "cancelled")
            and "output_file_id" not in batch
        ):
            self._finish(batch)
        return httpx2.Response(200, json=batch)

    def _finish(self, batch: dict[str, Any]) -> None:
        output: list[str] = []
        errors: list[str] = []
        for line in self.files[batch["input_file_id"]].decode().splitlines():
            request = json.loads(line)
            custom_id = request["custom_id"]
            outcome = self.outcomes.get(custom_id, self.default)
            if isinstance(outcome, Failed):
                errors.append(
                    json.dumps(
                        {
                            "id": f"batch_req_{custom_id}",
                            "custom_id": custom_id,
                            "response": None,
                            "error": {"code": outcome.code, "message": outcome.message},
                        }
                    )
                )
                continue
            if isinstance(outcome, Refused):
                body = json.loads(fake_error(outcome.status, outcome.message).content)
                response = {"status_code": outcome.status, "request_id": "req", "body": body}
                errors.append(
                    json.dumps(
                        {
                            "id": f"batch_req_{custom_id}",
                            "custom_id": custom_id,
                            "response": response,
                            "error": None,
                        }
                    )
                )
                continue
            content = outcome if isinstance(outcome, str) else outcome.model_dump_json()
            completion = json.loads(
                fake_completion(content, model=request["body"]["model"]).content
            )
            output.append(
                json.dumps(
                    {
                        "id": f"batch_req_{custom_id}",
                        "custom_id": custom_id,
                        "response": {"status_code": 200, "request_id": "req", "body": completion},
                        "error": None,
                    }
                )
            )
        counts = batch["request_counts"]
        counts["completed"], counts["failed"] = len(output), len(errors)
        batch["output_file_id"] = (
            self.add_file("out", "\n".join(output).encode()) if output else None
        )
        batch["error_file_id"] = (
            self.add_file("err", "\n".join(errors).encode()) if errors else None
        )


@pytest.fixture
def batch_api(monkeypatch: pytest.MonkeyPatch, provider_env: None) -> FakeBatchAPI:
    api = FakeBatchAPI({})
    monkeypatch.setattr(service.batch.provider, "openai_client", api.client)

    def no_live_calls(settings: Settings) -> Analyzer:
        raise AssertionError("a provider batch makes no live call")

    monkeypatch.setattr(service.cli, "build_analyzer", no_live_calls)
    return api


def live_report(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    text: str,
    answer: ModelAnalysis,
) -> tuple[dict[str, Any], ReportOut]:
    """What the live path sends for an article, and what it makes of ``answer``."""
    fake = FakeProvider()
    fake.reply(fake_answer(answer))
    with monkeypatch.context() as m:
        m.setattr(service.cli, "build_analyzer", fake.analyzer)
        src = write_jsonl(tmp_path / "live.jsonl", [{"id": "live", "text": text}])
        out = tmp_path / "live-results.jsonl"
        result = run(runner, str(src), "-o", str(out))
    [body] = fake.bodies()
    [line] = records(out)
    assert line["ok"], result.stderr
    return body, ReportOut.model_validate(line["result"])


def test_provider_batch_end_to_end(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    nato = SAMPLE.read_text(encoding="utf-8")
    batch_api.outcomes = {
        "nato": NATO_ANALYSIS,
        "7": COUNCIL_ANALYSIS,
        "garbled": '{"summary": "cut',
        "refused": Failed("server_error", "the fake batch could not answer"),
    }
    src = write_jsonl(
        tmp_path / "articles.jsonl",
        [
            {"id": "nato", "text": nato},
            {"id": 7, "text": COUNCIL},
            {"id": "garbled", "text": COUNCIL + "Garbled.\n"},
            {"id": "refused", "text": COUNCIL + "Refused.\n"},
            {"id": "empty", "text": ""},
        ],
    )
    out = tmp_path / "results.jsonl"
    result = run(runner, str(src), "-o", str(out), "--provider-batch", "--poll-interval", "0")
    assert result.exit_code == 1, result.stderr

    # One upload, one batch, polled through every state, both files downloaded.
    routes = batch_api.routes()
    assert routes[:2] == ["POST /v1/files", "POST /v1/batches"]
    assert routes.count("GET /v1/batches/batch_fake_1") == 4
    assert sorted(routes[-2:]) == [
        "GET /v1/files/file-err-3/content",
        "GET /v1/files/file-out-2/content",
    ]
    lines = result.stderr.splitlines()
    assert lines[0].startswith("factcheck: submitted batch batch_fake_1 (4 articles)")
    assert "--resume-batch batch_fake_1" in lines[0]
    for state in ("validating", "in_progress, 2/4 requests answered", "finalizing", "completed"):
        assert any(f"batch batch_fake_1: {state}" in line for line in lines), state

    # The requests are exactly what the live path sends; the empty article was not sent.
    uploaded = batch_api.uploaded()
    assert [r["custom_id"] for r in uploaded] == ["nato", "7", "garbled", "refused"]
    assert all(r["method"] == "POST" and r["url"] == "/v1/chat/completions" for r in uploaded)
    live_body, live = live_report(runner, monkeypatch, tmp_path, nato, NATO_ANALYSIS)
    assert uploaded[0]["body"] == live_body
    assert set(live_body) == {"model", "messages", "response_format", "max_tokens", "temperature"}
    meta = batch_api.batches["batch_fake_1"]["metadata"]
    assert meta["factcheck_operation"] == "report" and meta["factcheck_model"] == FAKE_MODEL

    # Every answer is grounded by the checker, exactly as the live path grounds it.
    results = by_id(out)
    assert set(results) == {"nato", 7, "garbled", "refused", "empty"}
    report = ReportOut.model_validate(results["nato"]["result"])
    assert report.model_dump(exclude={"engine"}) == live.model_dump(exclude={"engine"})
    assert [s.verdict for s in report.statements] == [
        "verified",
        "unsupported",
        "unconfirmed",
        "paraphrase",
    ]
    assert report.engine.engine == "llm" and report.engine.chunks == 1
    assert report.engine.usage.calls == 1 and report.engine.usage.prompt_tokens == 812
    assert report.engine.notice and "batch_fake_1" in report.engine.notice
    council = ReportOut.model_validate(results[7]["result"])
    assert [s.verdict for s in council.statements] == ["verified"]

    garbled = results["garbled"]["error"]
    assert garbled["title"] == "Invalid model output" and garbled["status"] == 502
    assert "invalid JSON" in garbled["detail"] and "without --provider-batch" in garbled["detail"]
    refused = results["refused"]["error"]
    assert refused["status"] == 502
    assert "server_error: the fake batch could not answer" in refused["detail"]
    assert results["empty"]["error"]["title"] == "Empty article"
    assert "5 lines: 2 ok, 3 failed" in summary_line(result)
    assert FAKE_API_KEY not in result.stderr + out.read_text(encoding="utf-8")


def test_provider_batch_resume_a_submitted_batch(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI
) -> None:
    """A run stopped while the batch was going on: --resume-batch picks it up, uploads
    nothing, and skips the ids already done."""
    src = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "nato", "text": SAMPLE.read_text(encoding="utf-8")}, {"id": 7, "text": COUNCIL}],
    )
    out = tmp_path / "r.jsonl"
    # The first run's requests, as if it had uploaded them and stopped.
    first = run(runner, str(src), "-o", str(out), "--provider-batch", "--poll-interval", "0")
    assert first.exit_code == 0, first.stderr
    submitted = batch_api.files["file-in-1"]
    out.write_text(out.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    [done] = [r["id"] for r in records(out)]

    batch_api.requests.clear()
    input_file = batch_api.add_file("in", submitted)
    batch_id = batch_api.submit(input_file)
    batch_api.states = ["in_progress", "completed"]
    result = run(
        runner, str(src), "-o", str(out), "--resume-batch", batch_id, "--poll-interval", "0"
    )
    assert result.exit_code == 0, result.stderr
    assert not any(r.method == "POST" for r in batch_api.requests)  # nothing uploaded again
    assert batch_api.routes()[0] == f"GET /v1/batches/{batch_id}"
    assert sorted((r["id"] for r in records(out)), key=str) == [7, "nato"]
    assert "2 lines: 1 ok, 0 failed, 1 already done" in summary_line(result)
    assert done in ("nato", 7)

    unknown = run(
        runner, str(src), "-o", str(tmp_path / "r2.jsonl"), "--resume-batch", "batch_nope"
    )
    assert unknown.exit_code == 3
    assert "batch batch_nope: the model provider answered HTTP 404" in unknown.stderr


def test_provider_batch_long_article_in_parts(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTCHECK_CONTEXT_TOKENS", "2600")
    text = "\n\n".join([SAMPLE.read_text(encoding="utf-8")] * 3)
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "long", "text": text}])
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--provider-batch", "--poll-interval", "0")
    assert result.exit_code == 0, result.stderr
    ids = [r["custom_id"] for r in batch_api.uploaded()]
    assert len(ids) > 1 and ids == [f"long#{i}" for i in range(1, len(ids) + 1)]
    notes = [user_message(r["body"]) for r in batch_api.uploaded()]
    assert all(f"part {i} of {len(ids)}" in n for i, n in enumerate(notes, start=1))
    [line] = records(out)
    report = ReportOut.model_validate(line["result"])
    assert report.engine.chunks == len(ids) and report.engine.usage.calls == len(ids)
    assert len(report.statements) == 4  # the same answer for every part, merged once


@pytest.mark.parametrize("status", ["failed", "expired"])
def test_provider_batch_that_does_not_complete(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, status: str
) -> None:
    batch_api.states = ["validating", status]
    batch_api.outcomes = {"b": Failed("batch_expired", "This request could not be executed")}
    src = write_jsonl(
        tmp_path / "a.jsonl", [{"id": "a", "text": COUNCIL}, {"id": "b", "text": COUNCIL + "B."}]
    )
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--provider-batch", "--poll-interval", "0")
    assert result.exit_code == 1, result.stderr
    results = by_id(out)
    if status == "failed":  # no output at all
        for r in results.values():
            assert r["error"]["status"] == 502
            assert "batch batch_fake_1 failed without answering" in r["error"]["detail"]
    else:  # what was answered before the deadline is kept
        assert results["a"]["ok"]
        assert results["b"]["error"]["status"] == 504
        assert "expired" in results["b"]["error"]["detail"]


def test_provider_batch_upload_failure_exit_3(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(settings: Settings) -> openai.AsyncOpenAI:
        def handler(request: httpx2.Request) -> httpx2.Response:
            return fake_error(401, f"Incorrect API key provided: {FAKE_API_KEY}")

        http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
        return REAL_OPENAI_CLIENT(settings, http_client=http)

    monkeypatch.setattr(service.batch.provider, "openai_client", refuse)
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": COUNCIL}])
    result = run(runner, str(src), "-o", str(tmp_path / "r.jsonl"), "--provider-batch")
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "factcheck: error: uploading the requests: the model provider rejected the API key (401)"
    )
    assert FAKE_API_KEY not in result.stderr


@pytest.mark.parametrize("operation", ["quotes", "check"])
def test_provider_batch_refuses_what_asks_no_model(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, operation: str
) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": COUNCIL}])
    result = run(
        runner,
        str(src),
        "-o",
        str(tmp_path / "r.jsonl"),
        "--provider-batch",
        "--operation",
        operation,
    )
    assert result.exit_code == 2 and f"the {operation} operation asks no model" in result.stderr


@pytest.mark.parametrize("status", [400, 401, 403, 408, 429, 500, 502, 503])
def test_a_provider_failure_has_one_status_live_in_a_batch_and_in_readiness(
    runner: CliRunner, tmp_path: Path, batch_api: FakeBatchAPI, status: int
) -> None:
    """One mapping of the provider's failures: the same HTTP status from the provider is
    the same error whether a live call, a provider batch's answer or a readiness probe
    met it."""
    fake = FakeProvider()
    fake.reply(fake_error(status, "no"))
    analyzer = fake.analyzer()
    article = read_article(COUNCIL)

    async def live_and_ready() -> tuple[ProviderError, NotReadyError]:
        try:
            with pytest.raises(ProviderError) as live:
                await report(article, analyzer)
            with pytest.raises(NotReadyError) as ready:
                await ReadinessProbe(analyzer.settings).check(analyzer)
        finally:
            await analyzer.close()
        return live.value, ready.value

    live, ready = asyncio.run(live_and_ready())

    batch_api.outcomes = {"a": Refused(status, "no")}
    src = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": COUNCIL}])
    out = tmp_path / "r.jsonl"
    result = run(runner, str(src), "-o", str(out), "--provider-batch", "--poll-interval", "0")
    assert result.exit_code == 1, result.stderr
    [line] = records(out)
    expected = {"title": live.title, "status": live.status, "detail": live.detail}
    assert line["error"] == expected
    assert ready.detail == f"{live.title}: {live.detail}"
    assert live.status == (503 if status in (429, 502, 503) else 504 if status == 408 else 502)
