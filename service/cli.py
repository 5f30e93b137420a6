"""The ``factcheck`` command: the operations of :mod:`service.pipeline` on files or stdin.

Exit status: 0 clean (nothing misquoted, misattributed, contradicted or unsupported; with a
draft, no finding of a --fail-on severity; or the quotes listed), 1 findings (something
is), 2 usage or input error, 3 the model provider failed or an unexpected internal error; every error is one line on stderr
(``factcheck: error: ...``), never a traceback."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

from . import version
from .errors import (
    ConfigurationError,
    FactcheckError,
    InputError,
    InputTooLargeError,
    ProviderError,
)
from .ingest import Article, decode
from .models import DEFAULT_FAIL_ON, ClaimsOut, ReportOut, Severity, SummarizeOut
from .pipeline import check_draft, claims, quotes, read_body, report, summarize
from .render import (
    Format,
    render_check,
    render_claims,
    render_quotes,
    render_report,
    render_summary,
)
from .settings import Settings, get_settings

if TYPE_CHECKING:  # the model's side (openai, tiktoken) is imported by the commands that ask it
    from .analysis import Analyzer

__all__ = ["app", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
STDIN = "-"
FAILING = ("misquoted", "misattributed", "contradicted", "unsupported")
"""Verdicts of what the model said that make the exit status 1."""

T = TypeVar("T")
Out = TypeVar("Out", SummarizeOut, ClaimsOut, ReportOut)

_CONTENT_TYPES = {
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "text/html",
    ".txt": "text/plain",
    ".md": "text/plain",
}
"""The content type an article file is read as, by extension; other files and stdin are
sniffed (JSON object, HTML page, else plain text)."""


class _Group(TyperGroup):
    """Every way the command can fail ends here: one line on stderr and an exit status. The
    mapping from errors to exit statuses lives in this method and nowhere else."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            status = super().main(
                args,
                prog_name or "factcheck",
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            status = status if isinstance(status, int) else EXIT_OK
        except FactcheckError as exc:
            status = _fail(exc.detail, exc.exit_code)
        except typer.TyperException as exc:  # usage: unknown option, missing argument, ...
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            status = _fail(exc.format_message() + hint, EXIT_USAGE)
        except (typer.Abort, KeyboardInterrupt):
            status = 130
        except BrokenPipeError:
            sys.stderr.close()  # the reader went away (| head): nothing more to say
            status = EXIT_FINDINGS
        except Exception as exc:  # a bug: still one line, never a traceback
            status = _fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)
        if standalone_mode:
            sys.exit(status)
        return status


def _fail(message: str, status: int) -> int:
    one_line = " ".join(message.split())  # e.g. a pydantic ValidationError spans lines
    print(f"factcheck: error: {one_line}", file=sys.stderr)
    return status


app = typer.Typer(
    cls=_Group,
    name="factcheck",
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help, each paragraph wrapped to the terminal's width (rich's help keeps the
    # line breaks of the source), and no rich to import for it.
    rich_markup_mode=None,
    context_settings={"max_content_width": 1_000},
)


def _show_version(value: bool) -> None:
    if value:
        print(f"factcheck {version()}")
        raise typer.Exit()


@app.callback()
def _options(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Check every quote and attribution against the article's own text."""


def _format_option(positions: str) -> Any:
    return typer.Option(
        "--format",
        "-f",
        case_sensitive=False,
        help="text for people; json, the API's response; gcc, one line a finding, "
        f"FILE:LINE:COL: severity: message, where LINE:COL is {positions}.",
    )


_IN_ARTICLE = "in the article (for HTML, in the extracted text; for JSON, in its 'text')"

QuotesFormatOption = Annotated[Format, _format_option(f"where the quotation is {_IN_ARTICLE}")]
ArticleFormatOption = Annotated[
    Format,
    _format_option(f"where the evidence is {_IN_ARTICLE}, 1:1 when there is none"),
]
CheckFormatOption = Annotated[
    Format,
    _format_option(
        "where the quotation is in the draft, with --draft; without it, where the evidence "
        f"is {_IN_ARTICLE}, 1:1 when there is none"
    ),
]


class Engine(StrEnum):
    auto = "auto"
    llm = "llm"
    offline = "offline"


EngineOption = Annotated[
    Engine | None,
    typer.Option(
        "--engine",
        help="auto: the language model when OPENAI_API_KEY or OPENAI_BASE_URL is set, else the "
        "offline engine; llm; offline. Default: FACTCHECK_ENGINE, else auto.",
        case_sensitive=False,
        show_default=False,
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        metavar="NAME",
        help="The model name sent to the provider. Default: FACTCHECK_MODEL, else gpt-4o-mini.",
        show_default=False,
    ),
]


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    note = "note"


def _severities(fail_on: list[FailOn] | None) -> tuple[Severity, ...]:
    """--fail-on as given, or the default when it was not."""
    return tuple(f.value for f in fail_on) if fail_on else DEFAULT_FAIL_ON


AllOption = Annotated[
    bool,
    typer.Option(
        "--all",
        help="List verified findings too (text: one line each, with the article's offsets; "
        "gcc: as notes). Paraphrases are always listed that way; errors, warnings and "
        "unsupported findings always in full.",
    ),
]


# -- reading input ---------------------------------------------------------------------


def _read_bytes(path: str, limit: int) -> bytes:
    """A file's bytes, or stdin's for ``-``; at most ``limit`` bytes are accepted."""
    try:
        if path == STDIN:
            raw = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as f:
                raw = f.read(limit + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise InputTooLargeError(
            f"{_name(path)}: larger than the limit of {limit:,} bytes (FACTCHECK_MAX_BODY_BYTES)"
        )
    return raw


def _name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def read_article_file(path: str) -> Article:
    """An article from a file or stdin: plain text, HTML (detected, extracted) or JSON
    ``{"text", "title"?, "url"?}``."""
    limit = get_settings().max_body_bytes
    raw = _read_bytes(path, limit)
    content_type = "" if path == STDIN else _CONTENT_TYPES.get(Path(path).suffix.lower(), "")
    try:
        return read_body(raw, content_type, limit=limit)
    except FactcheckError as exc:
        raise type(exc)(f"{_name(path)}: {exc.detail}") from None


def read_text_file(path: str) -> str:
    limit = get_settings().max_body_bytes
    raw = _read_bytes(path, limit)
    try:
        return decode(raw, limit=limit)
    except FactcheckError as exc:
        raise type(exc)(f"{_name(path)}: {exc.detail}") from None


def _emit(output: str) -> None:
    sys.stdout.write(output)
    sys.stdout.flush()


# -- the model ---------------------------------------------------------------------------


def model_settings(engine: Engine | None, model: str | None) -> Settings:
    """The environment's settings with ``--engine`` and ``--model`` applied."""
    settings = get_settings()
    update: dict[str, str] = {}
    if engine is not None:
        update["engine"] = engine.value
    if model is not None:
        if not model.strip():
            raise typer.BadParameter("the model name is empty", param_hint="'--model'")
        update["model"] = model
    if update:
        settings = settings.model_copy(update=update)
    if settings.engine == "llm" and settings.api_key is None and settings.base_url is None:
        raise ConfigurationError(
            "the llm engine needs OPENAI_API_KEY, or OPENAI_BASE_URL for a local server"
        )
    return settings


def build_analyzer(settings: Settings) -> Analyzer:
    """The analyzer every command uses (tests replace this function)."""
    from .analysis import Analyzer

    return Analyzer(settings)


def _status(line: str) -> None:
    sys.stderr.write(f"\r{line}\x1b[K" if line else "\r\x1b[K")
    sys.stderr.flush()


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def run_model_step(
    step: Callable[[Article, Analyzer], Awaitable[T]], article: Article, settings: Settings
) -> T:
    """One async pipeline step on an analyzer made for it, closed afterwards. Provider errors
    leave here with secrets masked (exit status 3)."""

    async def run() -> T:
        analyzer = build_analyzer(settings)
        announcing = analyzer.model is not None and _stderr_is_tty()
        if announcing:
            where = settings.redact(settings.base_url or "https://api.openai.com/v1")

            def announce(part: int, parts: int) -> None:
                of = f" (part {part + 1} of {parts})" if parts > 1 else ""
                _status(f"asking {settings.model} at {where}{of}…")

            analyzer.on_ask = announce
        try:
            return await step(article, analyzer)
        finally:
            if announcing:
                _status("")
            await analyzer.close()

    try:
        return asyncio.run(run())
    except ProviderError as exc:
        raise type(exc)(settings.redact(exc.detail)) from None


def _exit_status(counts: dict[str, int]) -> int:
    return EXIT_FINDINGS if any(counts.get(v) for v in FAILING) else EXIT_OK


def _model_command(
    step: Callable[[Article, Analyzer], Awaitable[Out]],
    render: Callable[..., str],
    article: str,
    fmt: Format,
    *,
    show_all: bool,
    engine: Engine | None,
    model: str | None,
) -> int:
    settings = model_settings(engine, model)
    art = read_article_file(article)
    out = run_model_step(step, art, settings)
    _emit(render(out, fmt, text=art.text, name=_name(article), show_all=show_all))
    if isinstance(out, SummarizeOut | ReportOut) and not out.grounded:
        return EXIT_FINDINGS  # a summary with nothing checked has no failing verdict
    return _exit_status(out.counts)


# -- commands --------------------------------------------------------------------------


@app.command("quotes")
def quotes_command(
    article: Annotated[str, typer.Argument(metavar="FILE", help="The article, or - for stdin.")],
    fmt: QuotesFormatOption = Format.text,
) -> int:
    """List every direct quotation in an article, with its speaker and offsets."""
    art = read_article_file(article)
    _emit(render_quotes(quotes(art), fmt, text=art.text, name=_name(article)))
    return EXIT_OK


@app.command("summarize")
def summarize_command(
    article: Annotated[str, typer.Argument(metavar="FILE", help="The article, or - for stdin.")],
    fmt: ArticleFormatOption = Format.text,
    engine: EngineOption = None,
    model: ModelOption = None,
    show_all: AllOption = False,
) -> int:
    """Summarize an article: summary and key points, each sentence and quotation checked.

    Exit 0 when the summary is grounded (every sentence and key point supported, no
    quotation misquoted, misattributed or unsupported), 1 when it is not, 3 when the model
    provider fails."""
    return _model_command(
        summarize, render_summary, article, fmt, show_all=show_all, engine=engine, model=model
    )


@app.command("claims")
def claims_command(
    article: Annotated[str, typer.Argument(metavar="FILE", help="The article, or - for stdin.")],
    fmt: ArticleFormatOption = Format.text,
    engine: EngineOption = None,
    model: ModelOption = None,
    show_all: AllOption = False,
) -> int:
    """List an article's claims and who said what, each checked against the article.

    Exit 0 when nothing is misquoted, misattributed or unsupported, 1 when something is, 3
    when the model provider fails."""
    return _model_command(
        claims, render_claims, article, fmt, show_all=show_all, engine=engine, model=model
    )


@app.command("check")
def check_command(
    article: Annotated[str, typer.Argument(metavar="ARTICLE", help="The article, or - for stdin.")],
    draft: Annotated[
        str | None,
        typer.Option(
            "--draft",
            "-d",
            metavar="DRAFT",
            help="The draft whose quotations are checked, or -. Without it: the full report on "
            "the article (summary, claims, statements, quotations).",
            show_default=False,
        ),
    ] = None,
    fmt: CheckFormatOption = Format.text,
    show_all: AllOption = False,
    engine: EngineOption = None,
    model: ModelOption = None,
    quotes_only: Annotated[
        bool,
        typer.Option("--quotes-only", help="With --draft: check its quotations only."),
    ] = False,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option(
            "--fail-on",
            help="With --draft: a severity that makes the exit status 1 (repeat for more); "
            "default: error.",
            show_default=False,
        ),
    ] = None,
) -> int:
    """Check a draft against the article: every quotation, and every other sentence;
    without --draft, report on the article (the model's summary, claims and statements,
    all checked).

    Exit 0 when nothing fails, 1 when something does (with a draft: a finding of a
    --fail-on severity, by default an error: misquoted, misattributed, contradicted, an
    unsupported quotation; an unsupported sentence is a note), 3 when the model provider
    fails (the report only: a draft is checked without a model)."""
    if draft is None:
        return _model_command(
            report, render_report, article, fmt, show_all=show_all, engine=engine, model=model
        )
    if article == STDIN and draft == STDIN:
        raise typer.BadParameter(
            "ARTICLE and DRAFT cannot both be '-' (stdin)", param_hint="'--draft'"
        )
    art = read_article_file(article)
    draft_text = read_text_file(draft)
    try:
        out = check_draft(
            art,
            draft_text,
            quotes_only=quotes_only,
            fail_on=_severities(fail_on),
        )
    except FactcheckError as exc:
        raise type(exc)(f"{_name(draft)}: {exc.detail}") from None
    _emit(
        render_check(
            out,
            fmt,
            draft=draft_text,
            draft_name=_name(draft),
            article_name=_name(article),
            show_all=show_all,
        )
    )
    return EXIT_FINDINGS if out.failed else EXIT_OK


@app.command("batch")
def batch_command(
    articles: Annotated[
        Path,
        typer.Argument(
            metavar="ARTICLES",
            help='JSONL: one {"id", "text", "title"?, "url"?} a line (and "draft" for check); '
            "id a string or a number.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="RESULTS",
            help="JSONL results, one line per input line, appended. Re-running with the same "
            "file skips the ids it holds as ok and retries the failed ones.",
            show_default=False,
        ),
    ],
    operation: Annotated[
        str,
        typer.Option(
            "--operation",
            metavar="report|summarize|claims|quotes|check",
            help="What each line's result is: report (check without a draft), summarize, "
            "claims, quotes, or check (the line's draft against its text; asks no model).",
        ),
    ] = "report",
    quotes_only: Annotated[
        bool,
        typer.Option("--quotes-only", help="check: judge each draft's quotations only."),
    ] = False,
    fail_on: Annotated[
        list[FailOn] | None,
        typer.Option(
            "--fail-on",
            help='check: a severity that makes a draft fail (its line\'s "failed") and the '
            "exit status 1 (repeat for more); default: error.",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            "-j",
            min=1,
            metavar="N",
            help="Articles in flight at once, which is also this run's limit of model calls. "
            "Default: FACTCHECK_MAX_CONCURRENT_CALLS, else 16.",
            show_default=False,
        ),
    ] = None,
    processes: Annotated[
        int | None,
        typer.Option(
            "--processes",
            "-p",
            min=1,
            metavar="N",
            help="Processes for the operations that ask no model (quotes, and every operation "
            "with the offline engine); the results are those of one process, in input order. "
            "Default: the number of cores.",
            show_default=False,
        ),
    ] = None,
    cluster: Annotated[
        str | None,
        typer.Option(
            "--cluster",
            metavar="tcp://HOST:8786",
            help="Run on a Dask cluster, given its scheduler's address "
            "(FACTCHECK_DASK_SCHEDULER without the option). Needs the cluster extra.",
            show_default=False,
        ),
    ] = None,
    engine: EngineOption = None,
    model: ModelOption = None,
    provider_batch: Annotated[
        bool,
        typer.Option(
            "--provider-batch",
            help="Send the model's work through OpenAI's Batch API (upload, poll, download), "
            "then check every answer here. Cheaper and slower (up to 24 h).",
        ),
    ] = False,
    resume_batch: Annotated[
        str | None,
        typer.Option(
            "--resume-batch",
            metavar="BATCH_ID",
            help="Pick up a batch submitted by an earlier --provider-batch run (same input and "
            "settings); implies --provider-batch.",
            show_default=False,
        ),
    ] = None,
    poll_interval: Annotated[
        float,
        typer.Option(
            "--poll-interval",
            min=0.0,
            metavar="SECONDS",
            help="--provider-batch: how often to ask how the batch is doing.",
        ),
    ] = 30.0,
) -> int:
    """Run an operation on every article of a JSONL file: a progress bar on a terminal,
    per-line errors recorded without stopping, resumable.

    Exit 0 when every line is ok, 1 when any failed or (check) any draft fails its check,
    2 for a usage error, 3 when the provider fails as a whole (--provider-batch)."""
    from .batch import OPERATIONS, BatchOptions, CheckOptions, run_batch

    op = next((o for o in OPERATIONS if o == operation.strip().lower()), None)
    if op is None:
        raise typer.BadParameter(
            f"{operation!r} is not one of {', '.join(OPERATIONS)}", param_hint="'--operation'"
        )
    settings = model_settings(engine, model)
    limit = concurrency or settings.max_concurrent_calls
    settings = settings.model_copy(update={"max_concurrent_calls": limit})
    options = BatchOptions(
        articles=articles,
        output=output,
        operation=op,
        check=CheckOptions(
            quotes_only=quotes_only,
            fail_on=_severities(fail_on),
        ),
        concurrency=limit,
        processes=processes or len(os.sched_getaffinity(0)),
        cluster=cluster or settings.dask_scheduler,
        provider_batch=provider_batch or resume_batch is not None,
        resume_batch=resume_batch,
        poll_interval=poll_interval,
    )
    return run_batch(options, settings, build_analyzer, live_progress=_stderr_is_tty())


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Worker processes (each with its own model client and cache; /metrics "
            "reports the sum over all of them); the service is stateless, so replicas behind "
            "a load balancer work the same way.",
            min=1,
        ),
    ] = 1,
    graceful_timeout: Annotated[
        float,
        typer.Option(
            "--graceful-timeout",
            metavar="SECONDS",
            help="On SIGTERM or Ctrl-C: stop accepting connections, let requests in flight "
            "finish for at most this long, then stop.",
            min=0,
        ),
    ] = 30.0,
) -> int:
    """Serve the HTTP API (OpenAPI schema at /schema; /health, /ready, /metrics).

    Logs are JSON lines on stderr, one per request with its request id; the level is
    FACTCHECK_LOG_LEVEL."""
    import uvicorn

    from .observability import log_config

    settings = get_settings()
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "timeout_graceful_shutdown": graceful_timeout,
        "log_config": log_config(settings.log_level),
        "access_log": False,  # the service logs each request itself, with its request id
        "server_header": False,
    }
    if workers > 1:  # each worker process imports the app, configured from the environment
        from .multiproc import shared_metrics_dir

        with shared_metrics_dir():
            uvicorn.run("service.api:app", workers=workers, **options)
    else:
        from .api import create_app

        uvicorn.run(create_app(settings), **options)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script ``factcheck``."""
    app(args=argv, prog_name="factcheck")
    raise AssertionError("unreachable: the command group always exits")


if __name__ == "__main__":
    main()
