"""The ``factcheck`` command: the operations of :mod:`service.pipeline` on files or stdin.

Exit status: 0 clean (every quotation verified, or the quotes listed), 1 findings (a
quotation not verified), 2 usage or input error, reported as one line on stderr
(``factcheck: error: ...``), never a traceback; 3 an unexpected internal error."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from .errors import FactcheckError, InputError, InputTooLargeError
from .ingest import Article, decode
from .pipeline import check_draft, quotes, read_body
from .render import Format, render_check, render_quotes
from .settings import get_settings

__all__ = ["app", "main"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
STDIN = "-"

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
    print(f"factcheck: error: {message}", file=sys.stderr)
    return status


app = typer.Typer(
    cls=_Group,
    name="factcheck",
    help="Check every quote and attribution against the article's own text.",
    add_completion=False,
    pretty_exceptions_enable=False,
)

FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="text for people; json (the API's response); gcc: FILE:LINE:COL: severity: "
        "message. gcc positions index the article text (for HTML, the extracted text; for "
        "JSON, its 'text').",
        case_sensitive=False,
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


# -- commands --------------------------------------------------------------------------


@app.command("quotes")
def quotes_command(
    article: Annotated[str, typer.Argument(metavar="FILE", help="The article, or - for stdin.")],
    fmt: FormatOption = Format.text,
) -> int:
    """List every direct quotation in an article, with its speaker and offsets."""
    art = read_article_file(article)
    _emit(render_quotes(quotes(art), fmt, text=art.text, name=_name(article)))
    return EXIT_OK


@app.command("check")
def check_command(
    article: Annotated[str, typer.Argument(metavar="ARTICLE", help="The article, or - for stdin.")],
    draft: Annotated[
        str,
        typer.Option(
            "--draft", "-d", metavar="DRAFT", help="The draft whose quotations are checked, or -."
        ),
    ],
    fmt: FormatOption = Format.text,
    show_all: Annotated[
        bool, typer.Option("--all", help="gcc format: report verified quotations too, as notes.")
    ] = False,
) -> int:
    """Check every quotation in a draft against the article.

    Exit 0 when every quotation is verified, 1 when any is not."""
    if article == STDIN and draft == STDIN:
        raise typer.BadParameter(
            "ARTICLE and DRAFT cannot both be '-' (stdin)", param_hint="'--draft'"
        )
    art = read_article_file(article)
    draft_text = read_text_file(draft)
    try:
        out = check_draft(art, draft_text)
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
    return EXIT_OK if all(f.verdict == "verified" for f in out.findings) else EXIT_FINDINGS


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = 8000,
) -> int:
    """Serve the HTTP API (OpenAPI schema at /schema)."""
    import uvicorn

    from .api import create_app

    uvicorn.run(create_app(get_settings()), host=host, port=port)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """The console script ``factcheck``."""
    app(args=argv, prog_name="factcheck")
    raise AssertionError("unreachable: the command group always exits")


if __name__ == "__main__":
    main()
