"""The ``factcheck`` command: formats, exit statuses, stdin, error messages, and gcc
positions that land on the quoted words."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import service.cli
from service.cli import app
from service.models import CheckOut, ClaimsOut, QuotesOut, ReportOut, SummarizeOut
from service.prompts import load_prompt
from service.settings import get_settings

from .conftest import ROOT, SAMPLE, fresh_python
from .fakes import (
    FAKE_API_KEY,
    FAKE_BASE_URL,
    FAKE_MODEL,
    INVENTED_CLAIM,
    NATO_ANALYSIS,
    SUPPORTED_CLAIM,
    TRUE_QUOTE,
    WRONG_SPEAKER_QUOTE,
    FakeProvider,
    Reply,
    fake_answer,
    fake_error,
    fake_timeout,
)

# Non-ASCII before a quotation on the same line, a blank line, CRLF-free multi-line text:
# columns are counted in characters.
DRAFT = (
    "Brüssel — NATO’s chief was clear. Stoltenberg said: "
    "“NATO has no intention of sending troops to Ukraine.”\n"
    "\n"
    "He added that the only way was to “prove on the battlefield that he will lose”.\n"
    "Macron said “the Ukrainians didn’t ask for NATO troops”.\n"
    "    Macron also said “we will win this war by Christmas”.\n"
)
VERIFIED_DRAFT = 'Stoltenberg said the alliance had "no intention of sending troops to Ukraine".\n'

GCC = re.compile(
    r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<severity>note|warning|error): (?P<rest>.*)$"
)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def draft_file(tmp_path: Path) -> Path:
    path = tmp_path / "draft.md"
    path.write_text(DRAFT, encoding="utf-8")
    return path


def run(runner: CliRunner, *args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(app, list(args), input=input)


def one_line_error(result: Result) -> str:
    """The single stderr line of a failed run, with no traceback."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("factcheck: error: ")
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return lines[0]


def offset_of(text: str, line: int, col: int) -> int:
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
    return starts[line - 1] + col - 1


# -- factcheck quotes ----------------------------------------------------------------


def test_quotes_text(runner: CliRunner) -> None:
    result = run(runner, "quotes", str(SAMPLE))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith(f"{SAMPLE}: 4 quotations\n")
    assert out.count("Jens Stoltenberg") == 4
    assert "763-792  partial  Jens Stoltenberg" in out
    assert "“the situation is changing now”" in out
    # Each speaker's confidence, rounded for people (JSON keeps it whole).
    assert re.search(r"\(stressed, confidence \d{1,3}%\)", out)
    assert result.stderr == ""


def test_quotes_json(runner: CliRunner) -> None:
    result = run(runner, "quotes", "--format", "json", str(SAMPLE))
    assert result.exit_code == 0
    out = QuotesOut.model_validate_json(result.stdout)
    text = SAMPLE.read_text(encoding="utf-8")
    assert len(out.quotes) == 4
    assert {q.speaker for q in out.quotes} == {"Jens Stoltenberg"}
    assert all(text[q.start : q.end] == q.text for q in out.quotes)


def test_quotes_gcc_positions_point_at_the_quotes(runner: CliRunner) -> None:
    result = run(runner, "quotes", "-f", "gcc", str(SAMPLE))
    assert result.exit_code == 0
    text = SAMPLE.read_text(encoding="utf-8")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    for line in lines:
        m = GCC.match(line)
        assert m, line
        assert m["file"] == str(SAMPLE)
        assert m["severity"] == "note"
        assert m["rest"].startswith("quote by Jens Stoltenberg: ")
        quoted = m["rest"].split(": ", 1)[1].strip('"')
        start = offset_of(text, int(m["line"]), int(m["col"]))
        assert text[start:].startswith(quoted)


def test_quotes_from_stdin(runner: CliRunner) -> None:
    result = run(runner, "quotes", "-", "-f", "json", input=SAMPLE.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert len(QuotesOut.model_validate_json(result.stdout).quotes) == 4


def test_quotes_json_and_html_files(runner: CliRunner, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    as_json = tmp_path / "article.json"
    as_json.write_text(json.dumps({"text": text, "title": "NATO"}), encoding="utf-8")
    result = run(runner, "quotes", "-f", "json", str(as_json))
    assert result.exit_code == 0, result.stderr
    out = QuotesOut.model_validate_json(result.stdout)
    assert out.article.source_format == "json" and out.article.title == "NATO"
    assert all(text[q.start : q.end] == q.text for q in out.quotes) and len(out.quotes) == 4

    page = tmp_path / "article.html"
    page.write_text(
        "<html><head><title>Vote</title></head><body><article><h1>Council vote</h1>"
        "<p>The council voted on Tuesday to build protected cycle lanes along Harbour Road.</p>"
        "<p>Shop owner Peter Holm was less enthusiastic. “We will lose half of our parking "
        "spaces,” he told reporters after the vote on Tuesday evening.</p></article></body></html>",
        encoding="utf-8",
    )
    result = run(runner, "quotes", "-f", "json", str(page))
    assert result.exit_code == 0, result.stderr
    out = QuotesOut.model_validate_json(result.stdout)
    assert out.article.source_format == "html" and out.article.text is not None
    assert [q.speaker for q in out.quotes] == ["Peter Holm"]
    assert out.article.text[out.quotes[0].start : out.quotes[0].end] == out.quotes[0].text


# -- factcheck check -----------------------------------------------------------------


def test_check_text_exit_1_and_marked_diff(runner: CliRunner, draft_file: Path) -> None:
    result = run(runner, "check", str(SAMPLE), "--draft", str(draft_file))
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    assert (
        "4 quotations and 1 sentence checked: 1 verified, 1 misquoted, 1 misattributed, "
        "2 unsupported" in out
    )
    # The draft's own sentence is judged too: the article does not say it.
    assert ":1:1  unsupported  “Brüssel — NATO’s chief was clear.”\n" in out
    assert "[-not-]{+lose+}" in out
    assert "“to prove on the battlefield that he will not”" in out  # the article's passage
    assert "said by Jens Stoltenberg, not Macron" in out
    for verdict in ("misquoted", "misattributed", "unsupported"):
        assert f"  {verdict}  " in out
    # The verified quotation is counted, and listed only with --all, on one line.
    assert "  verified  " not in out
    assert out.endswith("\n1 verified not listed (--all lists it)\n")
    listed = run(runner, "check", str(SAMPLE), "--draft", str(draft_file), "--all").stdout
    [line] = [line for line in listed.splitlines() if "  verified  " in line]
    found = CheckOut.model_validate_json(
        run(runner, "check", str(SAMPLE), "--draft", str(draft_file), "-f", "json").stdout
    )
    [verified] = [f for f in found.findings if f.verdict == "verified"]
    [span] = verified.evidence
    assert line.endswith(
        "  verified  “NATO has no intention of sending troops to Ukraine.” — Stoltenberg"
        f" — article {span.start}-{span.end} (Jens Stoltenberg)"
    ), line
    assert "not listed" not in listed


def test_check_json(runner: CliRunner, draft_file: Path) -> None:
    result = run(runner, "check", str(SAMPLE), "-d", str(draft_file), "-f", "json")
    assert result.exit_code == 1
    out = CheckOut.model_validate_json(result.stdout)
    assert [(f.kind, f.verdict, f.severity) for f in out.findings] == [
        ("sentence", "unsupported", "note"),
        ("quotation", "verified", "note"),
        ("quotation", "misquoted", "error"),
        ("quotation", "misattributed", "error"),
        ("quotation", "unsupported", "error"),
    ]
    assert out.failed
    for f in out.findings:
        assert f.draft_start is not None and f.draft_end is not None
        assert DRAFT[f.draft_start : f.draft_end] == f.text


@pytest.mark.parametrize("show_all", [False, True])
def test_check_gcc_line_and_column(runner: CliRunner, draft_file: Path, show_all: bool) -> None:
    args = ["check", str(SAMPLE), "--draft", str(draft_file), "--format", "gcc"]
    result = run(runner, *args, *(["--all"] if show_all else []))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    # An unsupported sentence of the draft's own is a note: shown, not failing.
    expected = [
        ("unsupported", "note"),
        ("misquoted", "error"),
        ("misattributed", "error"),
        ("unsupported", "error"),
    ]
    if show_all:
        expected.insert(1, ("verified", "note"))
    assert len(lines) == len(expected)
    for line, (verdict, severity) in zip(lines, expected, strict=True):
        m = GCC.match(line)
        assert m, line
        assert m["file"] == str(draft_file)
        assert m["severity"] == severity
        assert m["rest"].startswith(f'{verdict}: "')
        quoted = m["rest"].split(': "', 1)[1].split('" — ', 1)[0]
        start = offset_of(DRAFT, int(m["line"]), int(m["col"]))
        assert DRAFT[start : start + len(quoted)] == quoted
    first = GCC.match(lines[1])
    assert first is not None
    if show_all:  # after "Brüssel — NATO’s …": characters, not bytes
        assert (first["line"], first["col"]) == ("1", str(DRAFT.index("NATO has") + 1))
    else:
        assert first["line"] == "3"
        assert first["rest"] == (
            'misquoted: "prove on the battlefield that he will lose" — article has '
            '"to prove on the battlefield that he will not" (Jens Stoltenberg)'
        )


def test_check_all_verified_exits_0(runner: CliRunner, tmp_path: Path) -> None:
    draft = tmp_path / "ok.txt"
    draft.write_text(VERIFIED_DRAFT, encoding="utf-8")
    result = run(runner, "check", str(SAMPLE), "--draft", str(draft), "-f", "gcc")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stdout == ""
    result = run(runner, "check", str(SAMPLE), "--draft", str(draft))
    assert result.exit_code == 0
    assert "1 quotation checked: 1 verified" in result.stdout


def test_check_options_quotes_only_and_fail_on(runner: CliRunner, tmp_path: Path) -> None:
    """An unsupported sentence of the draft's own is a note: shown, failing only when asked."""
    draft = tmp_path / "context.txt"
    draft.write_text(VERIFIED_DRAFT + "Analysts expect the debate to go on for months.\n")
    args = ["check", str(SAMPLE), "--draft", str(draft), "-f", "gcc"]
    result = run(runner, *args)
    assert result.exit_code == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert ': note: unsupported: "Analysts expect the debate to go on for months."' in line
    assert run(runner, *args, "--fail-on", "error", "--fail-on", "note").exit_code == 1
    quotes_only = run(runner, *args[:-2], "-f", "json", "--quotes-only")
    assert quotes_only.exit_code == 0
    out = CheckOut.model_validate_json(quotes_only.stdout)
    assert [(f.kind, f.verdict) for f in out.findings] == [("quotation", "verified")]
    assert run(runner, *args, "--fail-on", "fatal").exit_code == 2


def test_contradicted_names_only_the_words_that_differ(runner: CliRunner, tmp_path: Path) -> None:
    """The article has "about 20 European states" and, later in the sentence, Emmanuel Macron:
    only the number is in the place of another; "Leaders" replaces no name of the article."""
    draft = tmp_path / "paris.txt"
    draft.write_text("Leaders of about 30 European states met in Paris at the end of February.\n")
    result = run(runner, "check", str(SAMPLE), "--draft", str(draft), "-f", "gcc")
    assert result.exit_code == 1, result.stderr
    [line] = result.stdout.splitlines()
    assert ": error: contradicted: " in line
    assert "another number: “20”, not “30”" in line
    assert "another name" not in line and "Macron" not in line


def test_check_draft_from_stdin(runner: CliRunner) -> None:
    result = run(runner, "check", str(SAMPLE), "--draft", "-", "-f", "json", input=DRAFT.encode())
    assert result.exit_code == 1, result.stderr
    assert len(CheckOut.model_validate_json(result.stdout).findings) == 5


def test_check_article_from_stdin(runner: CliRunner, draft_file: Path) -> None:
    result = run(
        runner, "check", "-", "--draft", str(draft_file), "-f", "json", input=SAMPLE.read_bytes()
    )
    assert result.exit_code == 1, result.stderr
    assert CheckOut.model_validate_json(result.stdout).counts["verified"] == 1


def test_check_contradicts_a_number_only_in_the_place_of_another(
    runner: CliRunner, tmp_path: Path
) -> None:
    """The cost and the length of the lanes are two numbers of two things: a draft giving
    the cost passes; one changing the length fails, the two numbers named."""
    article = tmp_path / "article.txt"
    article.write_text(
        "The council voted to build 12 kilometres of protected cycle lanes.\n\n"
        "Shop owners did not support the plan.\n",
        encoding="utf-8",
    )

    def check(draft: bytes) -> Result:
        return run(runner, "check", str(article), "--draft", "-", "-f", "json", input=draft)

    cost = check(b"The council voted to build cycle lanes that will cost four million euros.")
    assert cost.exit_code == 0, cost.stdout
    [finding] = CheckOut.model_validate_json(cost.stdout).findings
    assert finding.verdict == "unsupported"
    longer = check(b"The council voted to build fifteen kilometres of protected cycle lanes.")
    assert longer.exit_code == 1
    [finding] = CheckOut.model_validate_json(longer.stdout).findings
    assert finding.verdict == "contradicted"
    assert finding.message == "the article says this with another number: “12”, not “fifteen”"


# -- usage and input errors: exit 2, one line ------------------------------------------


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    line = one_line_error(run(runner, "quotes", str(missing)))
    assert line == f"factcheck: error: {missing}: no such file"
    line = one_line_error(run(runner, "check", str(SAMPLE), "--draft", str(missing)))
    assert line == f"factcheck: error: {missing}: no such file"


def test_both_stdin_is_a_usage_error(runner: CliRunner) -> None:
    line = one_line_error(run(runner, "check", "-", "--draft", "-", input=b"x"))
    assert "cannot both be '-'" in line


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["check"], "ARTICLE"),
        (["summarize"], "FILE"),
        (["claims", str(SAMPLE), "--engine", "magic"], "magic"),
        (["quotes"], "FILE"),
        (["quotes", str(SAMPLE), "--format", "xml"], "xml"),
        (["quotes", str(SAMPLE), "--bogus"], "--bogus"),
        (["frobnicate"], "frobnicate"),
        ([], "Missing command"),
    ],
)
def test_usage_errors(runner: CliRunner, args: list[str], needle: str) -> None:
    assert needle in one_line_error(run(runner, *args))


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"caf\xe9", "not valid UTF-8"),
        (b"text\x00with NUL", "NUL"),
        (b"", "empty"),
        (b"  \n\n ", "empty"),
    ],
)
def test_bad_input_files(runner: CliRunner, tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    line = one_line_error(run(runner, "quotes", str(path)))
    assert line.startswith(f"factcheck: error: {path}: ")
    assert needle in line
    line = one_line_error(run(runner, "check", str(SAMPLE), "--draft", str(path)))
    assert needle in line


def test_bad_stdin(runner: CliRunner) -> None:
    line = one_line_error(run(runner, "quotes", "-", input=b"\xff\xfe"))
    assert line.startswith("factcheck: error: <stdin>: ")


def test_bad_json_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_text('{"title": "no text"}', encoding="utf-8")
    assert "text" in one_line_error(run(runner, "quotes", str(path)))
    path.write_text('{"text": ', encoding="utf-8")
    assert "invalid JSON" in one_line_error(run(runner, "quotes", str(path)))


def test_file_over_the_limit(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTCHECK_MAX_BODY_BYTES", "1000")
    line = one_line_error(run(runner, "quotes", str(SAMPLE)))
    assert "limit of 1,000 bytes" in line
    line = one_line_error(run(runner, "quotes", "-", input=SAMPLE.read_bytes()))
    assert "limit of 1,000 bytes" in line


def test_directory_is_an_input_error(runner: CliRunner, tmp_path: Path) -> None:
    assert "is a directory" in one_line_error(run(runner, "quotes", str(tmp_path)))


def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The real process: exit statuses and a one-line stderr, through ``python -m``."""
    cmd = [sys.executable, "-m", "service.cli"]
    ok = subprocess.run(
        [*cmd, "quotes", "-"], input=SAMPLE.read_bytes(), capture_output=True, timeout=60
    )
    assert ok.returncode == 0 and ok.stdout.decode().startswith("<stdin>: 4 quotations")
    bad = subprocess.run(
        [*cmd, "quotes", str(tmp_path / "missing.txt")], capture_output=True, timeout=60
    )
    assert bad.returncode == 2
    assert bad.stderr.decode().splitlines() == [
        f"factcheck: error: {tmp_path / 'missing.txt'}: no such file"
    ]


def test_readme_example_draft(runner: CliRunner) -> None:
    """examples/nato-draft.md shows one finding of each verdict (the README runs it)."""
    draft = ROOT / "examples" / "nato-draft.md"
    result = run(runner, "check", str(SAMPLE), "--draft", str(draft), "-f", "json")
    assert result.exit_code == 1
    out = CheckOut.model_validate_json(result.stdout)
    assert [(f.kind, f.verdict) for f in out.findings] == [
        ("sentence", "unsupported"),  # the heading: "rules out" is not how the article says it
        ("quotation", "verified"),
        ("quotation", "misquoted"),
        ("quotation", "misattributed"),
        ("quotation", "unsupported"),
        ("sentence", "contradicted"),  # Berlin, where the article says Paris
    ]
    contradicted = out.findings[-1]
    assert contradicted.severity == "error" and "Paris" in contradicted.message
    assert contradicted.diff and any(
        d.article.startswith("Paris") and "Berlin" in d.draft for d in contradicted.diff
    )


def test_serve_runs_uvicorn_with_the_app(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from litestar import Litestar

    calls: list[tuple[object, str, int]] = []

    def fake_run(app: object, *, host: str, port: int, **options: object) -> None:
        calls.append((app, host, port))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    result = run(runner, "serve", "--host", "0.0.0.0", "--port", "9001")
    assert result.exit_code == 0, result.stderr
    [(app_, host, port)] = calls
    assert isinstance(app_, Litestar) and (host, port) == ("0.0.0.0", 9001)
    assert "port" in one_line_error(run(runner, "serve", "--port", "70000"))


# -- factcheck summarize / claims / check without a draft --------------------------------
#
# The offline engine needs nothing; the model is a FAKE provider (tests/fakes.py) behind
# the real client, put in through the one function the CLI builds its analyzer with.


@pytest.fixture
def no_model_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No key, no base URL, no engine or model setting: the README's default."""
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "FACTCHECK_PROVIDER_API_KEY",
        "FACTCHECK_BASE_URL",
        "FACTCHECK_ENGINE",
        "FACTCHECK_MODEL",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake_provider(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, no_model_env: None
) -> FakeProvider:
    """The environment points at the fake provider, and the CLI's analyzer talks to it."""
    # An app made by another test (serve) may have left a root log handler writing to a
    # CliRunner stream that is closed now; httpx2 logs each request at INFO.
    caplog.set_level(logging.WARNING, logger="httpx2")
    fake = FakeProvider()
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", FAKE_BASE_URL)
    monkeypatch.setenv("FACTCHECK_MODEL", FAKE_MODEL)
    monkeypatch.setenv("FACTCHECK_MAX_RETRIES", "0")
    monkeypatch.setattr(service.cli, "build_analyzer", fake.analyzer)
    return fake


def test_summarize_offline_by_default(runner: CliRunner, no_model_env: None) -> None:
    result = run(runner, "summarize", str(SAMPLE))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert result.stderr == ""
    lines = out.splitlines()
    assert lines[:2] == [str(SAMPLE), "engine: offline (no language model)"]
    assert "Offline engine:" in out and "OPENAI_API_KEY" in out
    assert "\nSummary\n" in out and "\nKey points\n" in out
    assert "NATO Secretary General Jens Stoltenberg has once again stressed" in out
    # The offline summary's quotations are the article's own: no verdict is claimed.
    assert "verified" not in out


def test_json_puts_the_findings_before_the_article(
    runner: CliRunner, fake_provider: FakeProvider
) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    result = run(runner, "check", str(SAMPLE), "-f", "json")
    data = json.loads(result.stdout)
    keys = list(data)
    assert keys[0] == "engine" and keys[-1] == "article"  # the body's paragraphs go last
    assert ReportOut.model_validate(data).article.body  # the same content
    # Full precision in JSON (the text rounds for people).
    scores = [f["score"] for f in data["claims"] + data["statements"]]
    assert any(s != round(s, 1) for s in scores), scores


def test_summarize_json_and_stdin(runner: CliRunner, no_model_env: None) -> None:
    result = run(runner, "summarize", "-", "-f", "json", input=SAMPLE.read_bytes())
    assert result.exit_code == 0, result.stderr
    out = SummarizeOut.model_validate_json(result.stdout)
    assert out.engine.engine == "offline" and out.engine.notice
    text = SAMPLE.read_text(encoding="utf-8")
    # The article's sentences; a pronoun the quotations resolved is replaced by the name.
    assert all(point in text for point in out.key_points if "Jens Stoltenberg added" not in point)
    assert "He added that Vladimir Putin" in text


def test_engine_option_overrides_the_environment(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, no_model_env: None
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", FAKE_API_KEY)  # would pick the model...
    result = run(runner, "claims", str(SAMPLE), "--engine", "offline", "-f", "json")
    assert result.exit_code == 0, result.stderr  # ... but no request is made
    out = ClaimsOut.model_validate_json(result.stdout)
    assert out.engine.engine == "offline"
    # No statements: the article's quotations checked against themselves prove nothing.
    # The claims are the article's own sentences with numbers, dates or named sources.
    assert out.statements == [] and len(out.claims) == 3


def test_llm_engine_without_a_provider_is_a_usage_error(
    runner: CliRunner, no_model_env: None
) -> None:
    line = one_line_error(run(runner, "summarize", str(SAMPLE), "--engine", "llm"))
    assert "OPENAI_API_KEY" in line and "OPENAI_BASE_URL" in line


def test_claims_with_the_model_exit_1(runner: CliRunner, fake_provider: FakeProvider) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    result = run(runner, "claims", str(SAMPLE))
    assert result.exit_code == 1, result.stderr
    out = result.stdout
    assert result.stderr == ""  # no progress line: stderr is not a terminal
    assert out.splitlines()[1] == (
        f"engine: llm, model {FAKE_MODEL}, prompt {load_prompt('analyze').ref}, 1 call, "
        "812 prompt + 164 completion tokens"
    )
    # What an editor acts on comes first, errors before the unsupported; then the rest.
    to_check = out.index("To check (3): 1 unconfirmed, 2 unsupported")
    found = out.index("Found in the article (3): 1 verified, 2 paraphrase")
    misattributed = out.index(f"unconfirmed statement  “{WRONG_SPEAKER_QUOTE}” — Emmanuel Macron")
    unsupported = out.index(f"unsupported claim  “{INVENTED_CLAIM}”")
    assert to_check < unsupported < misattributed < found  # errors before the warning
    assert "article 763-792 (Jens Stoltenberg): “the situation is changing now”" in out
    assert len(fake_provider.requests) == 1


def test_claims_gcc_points_at_the_evidence(runner: CliRunner, fake_provider: FakeProvider) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    text = SAMPLE.read_text(encoding="utf-8")
    for show_all in (False, True):
        result = run(runner, "claims", str(SAMPLE), "-f", "gcc", *(["--all"] if show_all else []))
        assert result.exit_code == 1, result.stderr
        found: dict[str, tuple[str, int]] = {}
        for line in result.stdout.splitlines():
            m = GCC.match(line)
            assert m, line
            assert m["file"] == str(SAMPLE)
            verdict = m["rest"].split(":", 1)[0]
            found[m["rest"]] = (m["severity"], offset_of(text, int(m["line"]), int(m["col"])))
            expected = {"verified": "note", "paraphrase": "note", "unconfirmed": "warning"}.get(
                verdict, "error"
            )
            assert m["severity"] == expected, line
        verdicts = sorted(rest.split(":", 1)[0] for rest in found)
        assert verdicts == sorted(
            ["paraphrase", "unsupported", "unsupported", "unconfirmed", "paraphrase"]
            + (["verified"] if show_all else [])
        )
        by_start = {rest.split(" — ")[0]: at for rest, (_, at) in found.items()}
        # No evidence: line 1, column 1. Evidence: the position of the article's words.
        assert by_start[f'unsupported: claim "{INVENTED_CLAIM}"'] == 0
        misattributed = by_start[
            f'unconfirmed: statement by Emmanuel Macron "{WRONG_SPEAKER_QUOTE}"'
        ]
        assert text[misattributed:].startswith(WRONG_SPEAKER_QUOTE)
        paraphrase = by_start[f'paraphrase: claim "{SUPPORTED_CLAIM}"']
        assert text[paraphrase:].startswith("Details: Stoltenberg pointed out")
        if show_all:
            verified = by_start[f'verified: statement by Jens Stoltenberg "{TRUE_QUOTE}"']
            assert text[verified:].startswith(TRUE_QUOTE)


def test_check_without_a_draft_prints_the_report(
    runner: CliRunner, fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    result = run(runner, "check", str(SAMPLE), "--model", "other-model", "-f", "json")
    assert result.exit_code == 1, result.stderr
    out = ReportOut.model_validate_json(result.stdout)
    # The fake provider answers as fake-model whatever it is asked for: the report names both.
    assert (out.engine.model, out.engine.requested_model) == (FAKE_MODEL, "other-model")
    assert [body["model"] for body in fake_provider.bodies()] == ["other-model"]
    assert len(out.quotes) == 4 and len(out.statements) == 4 and len(out.claims) == 2

    monkeypatch.setenv("FACTCHECK_PRICE_INPUT_PER_MTOK", "0.15")
    monkeypatch.setenv("FACTCHECK_PRICE_OUTPUT_PER_MTOK", "0.6")
    get_settings.cache_clear()
    result = run(runner, "check", str(SAMPLE))
    assert result.exit_code == 1, result.stderr
    assert result.stdout.splitlines()[1].endswith("tokens, about $0.000220")  # 812 in, 164 out
    headings = ("To check (3)", "Found in the article (7)", "Summary", "Key points")
    at = [result.stdout.index(f"\n{heading}") for heading in headings]
    assert at == sorted(at)
    # Each quotation of the article once, under its speaker, after the summary.
    who = result.stdout.index("Who said what: 4 quotations in the article")
    assert who > at[-1]
    assert result.stdout[who:].count("“the situation is changing now”") == 1
    assert "Quotations in the" not in result.stdout and "Statements" not in result.stdout
    # With its cue and, rounded for people, the speaker model's confidence.
    assert re.search(
        r"\n    763-792 \(pointed out, confidence \d{1,3}%\) “the situation is changing now”",
        result.stdout,
    )


def test_check_report_offline_exit_0(runner: CliRunner, no_model_env: None) -> None:
    result = run(runner, "check", str(SAMPLE), "-f", "gcc")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    # The offline engine's quotations and sentences are the article's: nothing was checked.
    result = run(runner, "check", str(SAMPLE), "-f", "gcc", "--all")
    assert result.stdout == ""
    text = run(runner, "check", str(SAMPLE)).stdout
    assert "Nothing checked" in text and "verified" not in text
    assert "Claims to check (3)" in text and "  - 223-363  NATO Secretary General" in text


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        (fake_error(429, "Rate limit reached"), "rate-limiting"),
        (fake_error(500, f"upstream broke for key {FAKE_API_KEY}"), "HTTP 500"),
        (fake_error(503, "overloaded"), "HTTP 503"),
        (fake_timeout, "did not answer"),
        (fake_answer(NATO_ANALYSIS, finish_reason="length"), "finish_reason 'length'"),
    ],
    ids=["429", "500", "503", "timeout", "length"],
)
@pytest.mark.parametrize("command", ["summarize", "claims", "check"])
def test_provider_failure_exit_3_one_line(
    runner: CliRunner, fake_provider: FakeProvider, command: str, reply: Reply, needle: str
) -> None:
    fake_provider.reply(reply)
    result = run(runner, command, str(SAMPLE))
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("factcheck: error: ") and needle in line
    assert FAKE_API_KEY not in result.stderr and "Traceback" not in result.stderr


def test_progress_line_on_a_terminal(
    runner: CliRunner, fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service.cli, "_stderr_is_tty", lambda: True)
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    result = run(runner, "summarize", str(SAMPLE), "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert f"asking {FAKE_MODEL} at {FAKE_BASE_URL}…" in result.stderr
    assert result.stderr.endswith("\r\x1b[K")  # cleared when the answer is in
    SummarizeOut.model_validate_json(result.stdout)


def test_progress_names_the_part_of_a_long_article(
    runner: CliRunner,
    fake_provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(service.cli, "_stderr_is_tty", lambda: True)
    monkeypatch.setenv("FACTCHECK_CONTEXT_TOKENS", "2600")
    long = tmp_path / "long.txt"
    long.write_text("\n\n".join([SAMPLE.read_text(encoding="utf-8")] * 3), encoding="utf-8")
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    result = run(runner, "claims", str(long), "-f", "json")
    assert result.exit_code == 1, result.stderr
    parts = ClaimsOut.model_validate_json(result.stdout).engine.chunks
    assert parts > 1 and len(fake_provider.requests) == parts
    for i in range(1, parts + 1):
        assert f"(part {i} of {parts})…" in result.stderr


def test_an_internal_error_is_still_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, no_model_env: None
) -> None:
    def explode(settings: object) -> object:
        raise RuntimeError("first line\nsecond line\n  third")

    monkeypatch.setattr(service.cli, "build_analyzer", explode)
    result = run(runner, "summarize", str(SAMPLE))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        "factcheck: error: internal error: RuntimeError: first line second line third"
    ]


# -- start-up, version and help ----------------------------------------------------------

HEAVY = ("openai", "httpx2", "litestar", "uvicorn", "trafilatura", "tiktoken", "rich")
"""What the commands that ask no model must not import: the model client, the HTTP
service, HTML extraction (plain-text input), token counting, the progress bar."""

PARSER = ("spacy", "thinc")
"""What reading quotations' speakers needs, and nothing else: ``--version`` and ``--help``
must not pay for it."""

READING = tuple(m for m in HEAVY if m != "rich")
"""What the commands that read an article must not import: spaCy imports rich itself."""


@pytest.mark.parametrize(
    ("args", "heavy"),
    [
        (["quotes", str(SAMPLE)], READING),
        (["check", str(SAMPLE), "--draft", str(ROOT / "examples" / "nato-draft.md")], READING),
        (["--version"], HEAVY + PARSER),
    ],
    ids=["quotes", "check-draft", "version"],
)
def test_commands_without_a_model_import_only_what_they_need(
    args: list[str], heavy: tuple[str, ...]
) -> None:
    code = (
        "import sys\n"
        "from service.cli import app\n"
        f"status = app(args={args!r}, prog_name='factcheck', standalone_mode=False)\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})\n"
        "print('imported:', heavy, status, file=sys.stderr)\n"
    )
    done = fresh_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout  # the command ran
    assert done.stderr.splitlines()[-1].startswith("imported: [] "), done.stderr


def test_the_model_commands_do_import_the_client() -> None:
    """The guard above can fail: the same check sees openai once a command needs it."""
    code = (
        "import sys\n"
        "from service.cli import build_analyzer\n"
        "from service.settings import Settings\n"
        "build_analyzer(Settings(engine='llm', base_url='http://127.0.0.1:9/v1'))\n"
        "print('openai' in sys.modules)\n"
    )
    done = fresh_python(code)
    assert done.stdout.strip() == "True", done.stderr


def test_version(runner: CliRunner) -> None:
    result = run(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout == f"factcheck {metadata.version('factcheck')}\n"


def test_help_is_wrapped_to_the_terminal(runner: CliRunner) -> None:
    narrow = runner.invoke(app, ["check", "--help"], terminal_width=60)
    wide = runner.invoke(app, ["check", "--help"], terminal_width=200)
    assert narrow.exit_code == wide.exit_code == 0
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 60
    # A paragraph fills the width of a wide terminal, whatever the source's line breaks.
    exits = next(line for line in wide.stdout.splitlines() if "Exit 0" in line)
    assert len(exits) > 120  # the source's lines are at most 100 characters


def _help(runner: CliRunner, command: str) -> str:
    result = runner.invoke(app, [command, "--help"], terminal_width=1000)
    assert result.exit_code == 0
    return " ".join(result.stdout.split())


def test_format_help_says_what_positions_index(runner: CliRunner) -> None:
    assert "where the quotation is in the article" in _help(runner, "quotes")
    for command in ("summarize", "claims"):
        text = _help(runner, command)
        assert "where the evidence is in the article" in text and "draft" not in text
    check = _help(runner, "check")
    assert "where the quotation is in the draft, with --draft" in check
    assert "without it, where the evidence is in the article" in check


# -- what --all lists ------------------------------------------------------------------

PARAPHRASE_DRAFT = (
    "Stoltenberg has once again stressed that the Alliance has no plans to deploy troops in "
    "the territory of Ukraine.\n\nNATO rules out sending troops to Ukraine.\n"
)


def test_paraphrases_are_listed_one_line_each_with_the_article_offsets(
    runner: CliRunner, tmp_path: Path
) -> None:
    draft = tmp_path / "para.md"
    draft.write_text(PARAPHRASE_DRAFT, encoding="utf-8")
    args = ["check", str(SAMPLE), "--draft", str(draft)]
    found = CheckOut.model_validate_json(run(runner, *args, "-f", "json").stdout)
    [para] = [f for f in found.findings if f.verdict == "paraphrase"]
    [span] = para.evidence
    assert para.draft_start == 0

    text = run(runner, *args).stdout
    assert "1 paraphrase, 1 unsupported" in text.splitlines()[0]
    [line] = [line for line in text.splitlines() if "  paraphrase  " in line]
    assert line == f"{draft}:1:1  paraphrase  “{para.text}” — article {span.start}-{span.end}"
    assert text.count(para.text) == 1  # one line, no block under it

    gcc = run(runner, *args, "-f", "gcc").stdout.splitlines()
    assert gcc[0] == (
        f'{draft}:1:1: note: paraphrase: "{para.text}" — supported by this sentence of the '
        f"article (at {span.start}-{span.end})"
    )
    assert gcc[1].startswith(f"{draft}:3:1: note: unsupported: ")
    # --all changes nothing here: there is nothing verified to add.
    assert run(runner, *args, "-f", "gcc", "--all").stdout.splitlines() == gcc
    assert run(runner, *args, "--all").stdout == text


def test_all_lists_the_verified_findings_in_text_and_gcc_as_its_help_says(
    runner: CliRunner, fake_provider: FakeProvider
) -> None:
    help_text = " ".join(run(runner, "claims", "--help").stdout.split())
    assert "List verified findings too" in help_text
    assert "Paraphrases are always listed" in help_text
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    fake_provider.reply(fake_answer(NATO_ANALYSIS))
    # Words only: the text output wraps at 88 columns.
    quiet = " ".join(run(runner, "claims", str(SAMPLE)).stdout.split())
    loud = " ".join(run(runner, "claims", str(SAMPLE), "--all").stdout.split())
    verified = f"verified statement — Jens Stoltenberg: “{TRUE_QUOTE}” at "
    for out in (quiet, loud):
        assert "Found in the article (3): 1 verified, 2 paraphrase" in out
        assert out.count(" paraphrase claim: ") + out.count(" paraphrase statement") == 2
    assert verified not in quiet and " 1 verified not listed (--all lists it)" in quiet
    assert verified in loud and "not listed" not in loud
