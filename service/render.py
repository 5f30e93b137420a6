"""Output of the CLI: ``text`` for people, ``json`` (the API's models), and ``gcc``
(``FILE:LINE:COL: severity: message``, one line per finding, which vim, Emacs and VS Code
read). Every function returns the whole output as a string: empty, or ending in a newline.

``check`` with a draft points gcc lines at the draft; ``summarize``, ``claims`` and the
report point them at the evidence in the article (line 1, column 1 when there is none)."""

from __future__ import annotations

import json
import re
import textwrap
from collections import Counter
from enum import StrEnum
from typing import get_args

from pydantic import BaseModel

from .models import (
    CheckOut,
    ClaimsOut,
    DiffOp,
    EngineInfo,
    Finding,
    Quote,
    QuotesOut,
    ReportOut,
    SummarizeOut,
    Verdict,
)

__all__ = [
    "Format",
    "diff_markup",
    "engine_line",
    "line_col",
    "render_check",
    "render_claims",
    "render_quotes",
    "render_report",
    "render_summary",
]


class Format(StrEnum):
    text = "text"
    json = "json"
    gcc = "gcc"


VERDICTS: tuple[str, ...] = get_args(Verdict)
QUIET = ("verified", "paraphrase")
"""Verdicts that need nothing from an editor: listed one line each, with the article's
offsets, not as a block to act on."""
HIDDEN = ("verified",)
"""Verdicts listed only with ``--all``: a paraphrase is always listed, since the editor may
want to see which article sentence a draft sentence leans on."""
DIFFED = ("misquoted", "contradicted")

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
        return _json(out)
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
        cont = ", continues in the next paragraph" if q.continued else ""
        lines += [
            "",
            f"{q.start}-{q.end}  {q.kind}{cont}  {who}{_notes(q)}",
            _wrap(_quoted(q.text)),
        ]
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
    """``draft`` is the draft's text, which ``draft_start`` indexes; ``show_all`` lists the
    verified findings too (one line each in text, as notes in gcc)."""
    if fmt is Format.json:
        return _json(out)
    if fmt is Format.gcc:
        return "".join(
            _finding_gcc(f, draft, draft_name) for f in out.findings if _listed(f, show_all)
        )
    return _check_text(out, draft, draft_name, article_name, show_all)


def _listed(f: Finding, show_all: bool) -> bool:
    return show_all or f.verdict not in HIDDEN


def _spans(f: Finding) -> str:
    """The article offsets of a finding's evidence: ``223-363``, or ``223-363, 900-950``."""
    return ", ".join(f"{e.start}-{e.end}" for e in f.evidence)


def _where(f: Finding, draft: str, draft_name: str) -> str:
    if f.draft_start is None:
        return draft_name
    line, col = line_col(draft, f.draft_start)
    return f"{draft_name}:{line}:{col}"


def _gcc_message(f: Finding) -> str:
    if f.verdict == "misquoted":
        evidence = " … ".join(_straight(e.text) for e in f.evidence)
        said = f" ({f.article_speaker})" if f.article_speaker else ""
        return f"article has {evidence}{said}"
    if f.verdict == "misattributed":
        return f"article has it said by {f.article_speaker}, not {f.speaker}"
    if f.verdict in QUIET and f.evidence:
        return f"{_one_line(f.message)} (at {_spans(f)})"
    return _one_line(f.message)


def _finding_gcc(f: Finding, draft: str, draft_name: str) -> str:
    where = _where(f, draft, draft_name)
    return f"{where}: {f.severity}: {f.verdict}: {_straight(f.text)} — {_gcc_message(f)}\n"


def _summary(out: CheckOut) -> str:
    n = sum(f.kind != "sentence" for f in out.findings)
    checked = f"{n} quotation{'s' if n != 1 else ''}"
    if len(out.findings) > n:
        m = len(out.findings) - n
        checked += f" and {m} sentence{'s' if m != 1 else ''}"
    counts = ", ".join(f"{out.counts[v]} {v}" for v in VERDICTS if out.counts.get(v))
    return f"{checked} checked" + (f": {counts}" if counts else "")


def _check_text(
    out: CheckOut, draft: str, draft_name: str, article_name: str, show_all: bool
) -> str:
    lines = [f"{draft_name} against {article_name}: {_summary(out)}"]
    hidden = 0
    for f in out.findings:
        if not _listed(f, show_all):
            hidden += 1
            continue
        speaker = ""
        if f.kind != "sentence":
            speaker = f" — {f.speaker}" if f.speaker else " — no speaker named"
        head = f"{_where(f, draft, draft_name)}  {f.verdict}  {_quoted(f.text)}{speaker}"
        if f.verdict in QUIET:  # nothing to act on: one line, where the article has it
            said = f" ({f.article_speaker})" if f.article_speaker else ""
            lines += ["", f"{head} — article {_spans(f) or 'no offsets'}{said}"]
            continue
        lines += ["", head]
        lines.append(_wrap(_one_line(f.message)))
        said = f" ({f.article_speaker})" if f.article_speaker else ""
        for e in f.evidence:
            lines.append(_wrap(f"article {e.start}-{e.end}{said}: {_quoted(e.text)}"))
        if f.diff and f.verdict in DIFFED:
            lines.append(_wrap("diff: " + diff_markup(f.diff)))
    if hidden:
        lines += ["", _not_listed(hidden)]
    return "\n".join(lines) + "\n"


def _not_listed(n: int) -> str:
    return f"{n} verified not listed (--all lists {'them' if n != 1 else 'it'})"


# -- factcheck summarize / claims / check without a draft ------------------------------

_Kinded = list[tuple[str, Finding]]
"""Findings about an article with what each one is: quote, claim, statement."""


def engine_line(engine: EngineInfo) -> str:
    """Who answered, with what, at what cost: one line."""
    if engine.engine == "offline":
        return "engine: offline (no language model)"
    model = f"model {engine.model}"
    if engine.requested_model and engine.requested_model != engine.model:
        model += f" (asked for {engine.requested_model})"
    parts = [f"engine: llm, {model}", f"prompt {engine.prompt}"]
    if engine.chunks > 1:
        parts.append(f"{engine.chunks} parts")
    usage = engine.usage
    if engine.cached:
        parts.append("answer from the cache")
    else:
        parts.append(f"{usage.calls} call{'s' if usage.calls != 1 else ''}")
        parts.append(
            f"{usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion tokens"
        )
    if usage.cost_usd is not None:
        parts.append(f"about ${usage.cost_usd:.6f}")
    return ", ".join(parts)


def _counted(findings: list[Finding]) -> str:
    counts: Counter[str] = Counter(f.verdict for f in findings)
    listed = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v])
    return f"({len(findings)})" + (f": {listed}" if listed else "")


def _article_finding(f: Finding, kind: str) -> list[str]:
    speaker = f" — {f.speaker}" if f.speaker else ""
    lines = ["", f"{f.verdict} {kind}  {_quoted(f.text)}{speaker}", _wrap(_one_line(f.message))]
    said = f" ({f.article_speaker})" if f.article_speaker else ""
    for e in f.evidence:
        similar = f", {f.score:.0f}% similar" if f.method == "fuzzy" else ""
        lines.append(_wrap(f"article {e.start}-{e.end}{said}{similar}: {_quoted(e.text)}"))
    if f.diff and f.verdict in DIFFED:
        lines.append(_wrap("diff: " + diff_markup(f.diff)))
    return lines


def _point(text: str) -> str:
    """A key point without a bullet of its own (the offline engine copies list items)."""
    return _one_line(text).lstrip("•·▪◦‣ ")


def _header(name: str, engine: EngineInfo) -> list[str]:
    lines = [name, engine_line(engine)]
    if engine.notice:
        lines.append(_wrap(engine.notice, indent=""))
    return lines


def _summary_lines(summary: str, key_points: list[str]) -> list[str]:
    lines = ["", "Summary", _wrap(_one_line(summary) or "(none)")]
    if key_points:
        lines += ["", "Key points"]
        lines += [
            textwrap.fill(_point(k), _WIDTH, initial_indent="  - ", subsequent_indent="    ")
            for k in key_points
        ]
    return lines


def _article_gcc(kinded: _Kinded, name: str, text: str, show_all: bool) -> str:
    out: list[str] = []
    for kind, f in kinded:
        if not _listed(f, show_all):
            continue
        line, col = line_col(text, f.evidence[0].start) if f.evidence else (1, 1)
        who = f" by {f.speaker}" if f.speaker else ""
        out.append(
            f"{name}:{line}:{col}: {f.severity}: {f.verdict}: {kind}{who} "
            f"{_straight(f.text)} — {_gcc_message(f)}\n"
        )
    return "".join(out)


def render_summary(
    out: SummarizeOut, fmt: Format, *, text: str, name: str, show_all: bool = False
) -> str:
    """``text`` is the article text that evidence offsets index; ``name`` its file."""
    if fmt is Format.json:
        return _json(out)
    # The offline engine's summary and its quotations are the article's own: checking them
    # against the article proves nothing.
    kinded: _Kinded = []
    if out.engine.engine != "offline":
        kinded = [("quote", f) for f in out.quotes] + _summary_kinded(out)
    if fmt is Format.gcc:
        return _article_gcc(kinded, name, text, show_all)
    lines = _header(name, out.engine)
    if kinded:
        lines += _findings(kinded, out.engine, show_all)
    lines += _summary_lines(out.summary, out.key_points)
    return "\n".join(lines) + "\n"


SUMMARY_KINDS = ("summary sentence", "key point")


def _summary_kinded(out: SummarizeOut | ReportOut) -> _Kinded:
    sentence, point = SUMMARY_KINDS
    return [(sentence, f) for f in out.summary_findings] + [
        (point, f) for f in out.key_point_findings
    ]


def _claims_kinded(claims: list[Finding], statements: list[Finding]) -> _Kinded:
    return [("claim", f) for f in claims] + [("statement", f) for f in statements]


def render_claims(
    out: ClaimsOut, fmt: Format, *, text: str, name: str, show_all: bool = False
) -> str:
    if fmt is Format.json:
        return _json(out)
    offline = out.engine.engine == "offline"
    kinded = [] if offline else _claims_kinded(out.claims, out.statements)
    if fmt is Format.gcc:
        return _article_gcc(kinded, name, text, show_all)
    lines = _header(name, out.engine)
    lines += _claims_to_check(out.claims) if offline else _findings(kinded, out.engine, show_all)
    return "\n".join(lines) + "\n"


_LAST = ("article",)
"""Fields the JSON output puts last: the article's paragraphs, long and rarely read first."""


def _json(out: BaseModel) -> str:
    """The response as JSON, full precision, what an editor reads first on top: the
    article's own paragraphs (which can be the whole body) go last."""
    data = out.model_dump(mode="json")
    ordered = {k: v for k, v in data.items() if k not in _LAST}
    ordered.update((k, data[k]) for k in _LAST if k in data)
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def render_report(
    out: ReportOut, fmt: Format, *, text: str, name: str, show_all: bool = False
) -> str:
    if fmt is Format.json:
        return _json(out)
    checked = _checked(out)
    if fmt is Format.gcc:
        return _article_gcc(checked, name, text, show_all)
    lines = _header(name, out.engine)
    lines += _findings(checked, out.engine, show_all)
    lines += _summary_lines(out.summary, out.key_points)
    lines += _who_said_what(out.quotes)
    if out.engine.engine == "offline":
        lines += _claims_to_check(out.claims)
    return "\n".join(lines) + "\n"


def _checked(out: ReportOut) -> _Kinded:
    """What was checked against something independent of the article: the model's
    quotations, summary sentences, key points, claims and statements. The offline engine's
    are the article's own."""
    if out.engine.engine == "offline":
        return []
    kinded = [("quote", f) for f in out.summary_quotes] + _summary_kinded(out)
    return kinded + _claims_kinded(out.claims, out.statements)


_SEVERITY_ORDER = {"error": 0, "warning": 1, "note": 2}
_ORDER = {"misquoted": 0, "misattributed": 0, "contradicted": 0, "unsupported": 1}
"""What to check first, within a severity: words or speakers the article contradicts, then
what it lacks, then the rest (a speaker it cannot confirm)."""


def _findings(kinded: _Kinded, engine: EngineInfo, show_all: bool) -> list[str]:
    """What an editor acts on first (anything not verified, errors first), then what was
    found in the article, one line each (the verified ones with ``--all``)."""
    if not kinded:
        why = (
            "the offline engine's summary, quotations and claims are the article's own, "
            "so there is nothing independent to check"
            if engine.engine == "offline"
            else "the model gave nothing to check"
        )
        return ["", _wrap(f"Nothing checked: {why}. To check a draft: --draft FILE.", "")]
    to_act = [kf for kf in kinded if kf[1].verdict not in QUIET]
    to_act.sort(key=lambda kf: (_SEVERITY_ORDER[kf[1].severity], _ORDER.get(kf[1].verdict, 2)))
    found = [kf for kf in kinded if kf[1].verdict in QUIET]
    lines = ["", f"To check {_counted([f for _, f in to_act])}"]
    if not to_act:
        lines.append("    nothing: everything checked was found in the article")
    for kind, f in to_act:
        lines += _article_finding(f, kind)
    if found:
        lines += ["", f"Found in the article {_counted([f for _, f in found])}"]
    for kind, f in found:
        if not _listed(f, show_all):
            continue
        said = f" ({f.article_speaker})" if f.article_speaker else ""
        speaker = f" — {f.speaker}" if f.speaker else ""
        lines.append(
            _wrap(f"{f.verdict} {kind}{speaker}: {_quoted(f.text)} at {_spans(f)}{said}", "  ")
        )
    hidden = sum(not _listed(f, show_all) for _, f in found)
    if hidden:
        lines.append("  " + _not_listed(hidden))
    return lines


def _who_said_what(quotes: list[Quote]) -> list[str]:
    """Each quotation of the article once, grouped by speaker in order of first quotation,
    with its cue and the speaker model's confidence, rounded."""
    listed = [q for q in quotes if q.kind != "nested"]
    n = len(listed)
    lines = ["", f"Who said what: {n} quotation{'s' if n != 1 else ''} in the article"]
    by_speaker: dict[str | None, list[Quote]] = {}
    for q in listed:
        by_speaker.setdefault(q.speaker, []).append(q)
    for speaker, said in by_speaker.items():
        first = said[0]
        who = speaker or "speaker unknown"
        if speaker and first.speaker_title:
            who += f", {first.speaker_title}"
        lines += ["", f"  {who}"]
        for q in said:
            lines.append(_wrap(f"{q.start}-{q.end}{_notes(q)} {_quoted(q.text)}", indent="    "))
    return lines


def _notes(q: Quote) -> str:
    """`` (cue, confidence NN%)`` for a quotation, or nothing."""
    notes = [q.cue.text] if q.cue is not None else []
    if q.speaker_confidence is not None:
        notes.append(f"confidence {q.speaker_confidence:.0%}")
    return f" ({', '.join(notes)})" if notes else ""


def _claims_to_check(claims: list[Finding]) -> list[str]:
    n = len(claims)
    lines = [
        "",
        f"Claims to check ({n})",
        _wrap(
            "The article's own sentences with numbers, dates, amounts, comparisons or named "
            "sources, for checking against other sources; not checked here.",
            indent="",
        ),
    ]
    for f in claims:
        where = ", ".join(f"{e.start}-{e.end}" for e in f.evidence)
        lines.append(
            textwrap.fill(
                f"{where}  {_point(f.text)}",
                _WIDTH,
                initial_indent="  - ",
                subsequent_indent="    ",
            )
        )
    return lines
