"""Output of the CLI: ``text`` for people, ``json`` (the API's models), and ``gcc``
(``FILE:LINE:COL: severity: message``, one line per finding, which vim, Emacs and VS Code
read). Every function returns the whole output as a string: empty, or ending in a newline."""

from __future__ import annotations

import re
import textwrap
from enum import StrEnum
from typing import get_args

from .models import CheckOut, DiffOp, Finding, Quote, QuotesOut, Verdict

__all__ = ["Format", "diff_markup", "line_col", "render_check", "render_quotes"]


class Format(StrEnum):
    text = "text"
    json = "json"
    gcc = "gcc"


VERDICTS: tuple[str, ...] = get_args(Verdict)
SEVERITY = {"verified": "note", "paraphrase": "warning"}
"""gcc severity per verdict; every other verdict is an ``error``."""

_SPACE = re.compile(r"\s+")
_WIDTH = 88


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def diff_markup(diff: list[DiffOp]) -> str:
    """A word diff as one line, the draft's changes marked ``[-article-]{+draft+}``."""
    parts: list[str] = []
    for d in diff:
        if d.op == "equal":
            parts.append(d.article)
        elif d.op == "delete":
            parts.append(f"[-{d.article}-]")
        elif d.op == "insert":
            parts.append(f"{{+{d.draft}+}}")
        else:
            parts.append(f"[-{d.article}-]{{+{d.draft}+}}")
    return " ".join(p for p in parts if p)


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _quoted(text: str) -> str:
    return f"“{_one_line(text)}”"


def _straight(text: str) -> str:
    return f'"{_one_line(text)}"'


def _wrap(text: str, indent: str = "    ") -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=indent, subsequent_indent=indent)


# -- factcheck quotes ------------------------------------------------------------------


def render_quotes(out: QuotesOut, fmt: Format, *, text: str, name: str) -> str:
    """``text`` is the article text that the offsets index (for HTML, the extracted text);
    ``name`` the file it came from (``-`` for stdin)."""
    if fmt is Format.json:
        return out.model_dump_json(indent=2) + "\n"
    if fmt is Format.gcc:
        return "".join(_quote_gcc(q, name, text) for q in out.quotes)
    return _quotes_text(out, name)


def _quote_gcc(q: Quote, name: str, text: str) -> str:
    line, col = line_col(text, q.start)
    who = f"quote by {q.speaker}" if q.speaker else "quote, speaker unknown"
    return f"{name}:{line}:{col}: note: {who}: {_straight(q.text)}\n"


def _quotes_text(out: QuotesOut, name: str) -> str:
    n = len(out.quotes)
    lines = [f"{name}: {n} quotation{'s' if n != 1 else ''}"]
    if out.article.text is not None:
        lines[0] += " (offsets index the text extracted from the HTML; see --format json)"
    for q in out.quotes:
        who = q.speaker or "speaker unknown"
        if q.speaker and q.speaker_title:
            who += f", {q.speaker_title}"
        cue = f" ({q.cue.text})" if q.cue is not None else ""
        cont = ", continues in the next paragraph" if q.continued else ""
        lines += ["", f"{q.start}-{q.end}  {q.kind}{cont}  {who}{cue}", _wrap(_quoted(q.text))]
    return "\n".join(lines) + "\n"


# -- factcheck check -------------------------------------------------------------------


def render_check(
    out: CheckOut,
    fmt: Format,
    *,
    draft: str,
    draft_name: str,
    article_name: str,
    show_all: bool = False,
) -> str:
    """``draft`` is the draft's text, which ``draft_start`` indexes; ``show_all`` adds the
    verified findings to the ``gcc`` output as notes."""
    if fmt is Format.json:
        return out.model_dump_json(indent=2) + "\n"
    if fmt is Format.gcc:
        return "".join(
            _finding_gcc(f, draft, draft_name)
            for f in out.findings
            if show_all or f.verdict != "verified"
        )
    return _check_text(out, draft, draft_name, article_name)


def _where(f: Finding, draft: str, draft_name: str) -> str:
    if f.draft_start is None:
        return draft_name
    line, col = line_col(draft, f.draft_start)
    return f"{draft_name}:{line}:{col}"


def _finding_gcc(f: Finding, draft: str, draft_name: str) -> str:
    severity = SEVERITY.get(f.verdict, "error")
    evidence = " … ".join(_straight(e.text) for e in f.evidence)
    if f.verdict == "misquoted":
        said = f" ({f.article_speaker})" if f.article_speaker else ""
        message = f"article has {evidence}{said}"
    elif f.verdict == "misattributed":
        message = f"article has it said by {f.article_speaker}, not {f.speaker}"
    else:
        message = _one_line(f.message)
    where = _where(f, draft, draft_name)
    return f"{where}: {severity}: {f.verdict}: {_straight(f.text)} — {message}\n"


def _summary(out: CheckOut) -> str:
    n = len(out.findings)
    counts = ", ".join(f"{out.counts[v]} {v}" for v in VERDICTS if out.counts.get(v))
    return f"{n} quotation{'s' if n != 1 else ''} checked" + (f": {counts}" if counts else "")


def _check_text(out: CheckOut, draft: str, draft_name: str, article_name: str) -> str:
    lines = [f"{draft_name} against {article_name}: {_summary(out)}"]
    for f in out.findings:
        speaker = f" — {f.speaker}" if f.speaker else " — no speaker named"
        lines += ["", f"{_where(f, draft, draft_name)}  {f.verdict}  {_quoted(f.text)}{speaker}"]
        lines.append(_wrap(_one_line(f.message)))
        said = f" ({f.article_speaker})" if f.article_speaker else ""
        for e in f.evidence:
            lines.append(_wrap(f"article {e.start}-{e.end}{said}: {_quoted(e.text)}"))
        if f.diff and f.verdict == "misquoted":
            lines.append(_wrap("diff: " + diff_markup(f.diff)))
    return "\n".join(lines) + "\n"
