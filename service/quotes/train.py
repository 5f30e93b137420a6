"""Train the speaker model on PolNeAR and write ``speaker_model.json``.

    python -m service.quotes.train                  # train on all of train, score dev
    python -m service.quotes.train --folds 5        # also: 5-fold cross-validation on train

Needs the ``[train]`` extra (numpy, scipy) and the repository's ``bench`` package (the
PolNeAR reader and scorer). The model is a conditional logit: for each quotation, a
softmax over its candidates' scores (``choose.choice_sets``), fitted by L-BFGS with an
L2 penalty to the log-probability of the annotated source. Same data, same file: no
randomness is involved, and the weights are written rounded and sorted.

Labels: a candidate is right when it overlaps the annotated Source span, or when the
Source names someone and the candidate resolves to that person; "nobody" is right for a
quotation the annotators gave no source or did not annotate. Articles where fewer than
half the quotation regions are annotated are left out (annotation there is not
exhaustive, so an unannotated quotation says nothing)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, sparse

from bench.drafts import draft_name
from bench.polnear import (
    Article,
    ExtractorRun,
    GoldQuote,
    Pred,
    iou,
    load_articles,
    names_someone,
    publisher,
    score,
    speaker_correct,
    speakers_by_kind,
    trim,
)

from ..ingest import read_article
from ..verify import SpeakerEvidence, same_person
from . import speakers_chosen
from .attribution import Sieve, attribute
from .choose import ChoiceSet, add_syntax, choice_sets, choose, resolve, resolved_quote
from .context import QuoteContext
from .model import MODEL_FILE, SpeakerModel
from .quotation import Quotation

ROOT = Path(__file__).resolve().parents[2]
TRAIN = ROOT.parent / "shared/data/polnear-train"
DEV = ROOT.parent / "shared/data/polnear-dev"
OUT = Path(__file__).with_name(MODEL_FILE)
VERSION = "speakers-1"
L2 = 3.0
MIN_FEATURE_COUNT = 3
TARGET_PRECISION = 0.97
"""The threshold is the lowest confidence above which the model's speakers are right this
often (on dev, or on held-out publishers): below it a draft check answers ``unconfirmed``
rather than ``misattributed``."""
TARGET_FALSE_ALARMS = 0.01
"""The share of correct drafts, on held-out publishers, that the draft threshold may let
be answered ``misattributed``: half of issue 15's 2%, for news further afield."""


@dataclass(slots=True)
class Example:
    """A quotation's choice set, with which choices are right (empty: none of them)."""

    article: Article
    ctx: QuoteContext
    choices: ChoiceSet
    positives: list[int]
    gold: GoldQuote | None


def _pronoun_kind(source: str) -> str:
    words = source.lower().split()
    if len(words) == 1 and words[0] in {"he", "she", "they", "it", "i", "we", "you"}:
        return "pronoun"
    if names_someone(source):
        return "name"
    return "noun phrase"


@dataclass(slots=True)
class Reading:
    """What reading one article gives, worked out once per run and shared by every fold:
    its quotation context, the rule passes' verdicts and its quotations' choice sets, each
    with the annotated quotation it matches (or None)."""

    article: Article
    ctx: QuoteContext
    sieve: Sieve
    sets: list[ChoiceSet]
    golds: list[GoldQuote | None]


def read(articles: Sequence[Article]) -> list[Reading]:
    out = []
    for art in articles:
        ctx = QuoteContext.build(read_article(art.text, source_format="text"))
        sieve = attribute(ctx)
        sets = list(choice_sets(ctx, sieve))
        add_syntax(ctx, sets)
        golds = {(g.start, g.end): g for g in art.gold}
        trimmed = {k: trim(art.text, *k) for k in golds}
        matched: list[GoldQuote | None] = []
        for cs in sets:
            span = trim(art.text, cs.raw.start, cs.raw.end)
            gold = None
            best = 0.5
            for key, g_span in trimmed.items():
                v = iou(span, g_span)
                if v >= best:
                    gold, best = golds[key], v
            matched.append(gold)
        out.append(Reading(art, ctx, sieve, sets, matched))
    return out


def examples(readings: Sequence[Reading]) -> tuple[list[Example], Counter[str]]:
    stats: Counter[str] = Counter()
    out: list[Example] = []
    for r in readings:
        art = r.article
        if art.regions and len(art.gold) < len(art.regions) / 2:
            stats["articles left out: sparse annotation"] += 1
            continue
        for cs, gold in zip(r.sets, r.golds, strict=True):
            if gold is None and cs.rule.cue is not None:
                # Quoted, a speech cue beside it, yet not annotated: more likely an
                # annotator's omission than a scare quote, so it teaches nothing.
                stats["quotations left out: not annotated but cued"] += 1
                continue
            out.append(Example(art, r.ctx, cs, _positives(r.ctx, cs, gold), gold))
            stats["quotations"] += 1
            if not out[-1].positives:
                stats["quotations whose source is no candidate"] += 1
    return out, stats


def _positives(ctx: QuoteContext, cs: ChoiceSet, gold: GoldQuote | None) -> list[int]:
    if gold is None or not gold.source:
        return [len(cs.mentions) - 1]
    named = names_someone(gold.source)
    out = []
    for i, m in enumerate(cs.mentions):
        if m is None:
            continue
        if any(m.start < e and s < m.end for s, e in gold.source_ranges):
            out.append(i)
        elif named and m.kind in ("person", "organisation", "rule"):
            speaker = cs.rule.speaker if m.kind == "rule" else resolve(ctx, cs, m, None)[0]
            if speaker_correct(speaker, gold.source):
                out.append(i)
    return out


@dataclass(slots=True)
class Design:
    """Choice sets as a sparse matrix: a row per choice, groups of rows per quotation."""

    vocabulary: list[str]
    x: sparse.csr_matrix
    group: np.ndarray
    positive: np.ndarray
    groups: int


def design(train: list[Example], vocabulary: list[str] | None = None) -> Design:
    usable = [ex for ex in train if ex.positives]
    if vocabulary is None:
        counts = Counter(f for ex in usable for fs in ex.choices.features for f in set(fs))
        vocabulary = sorted(f for f, n in counts.items() if n >= MIN_FEATURE_COUNT)
    column = {f: i for i, f in enumerate(vocabulary)}
    rows, cols, group, positive = [], [], [], []
    r = 0
    for g, ex in enumerate(usable):
        pos = set(ex.positives)
        for i, fs in enumerate(ex.choices.features):
            for f in set(fs):
                if f in column:
                    rows.append(r)
                    cols.append(column[f])
            group.append(g)
            positive.append(i in pos)
            r += 1
    x = sparse.csr_matrix(
        (np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(r, len(vocabulary))
    )
    return Design(vocabulary, x, np.array(group), np.array(positive), len(usable))


def fit(d: Design, l2: float = L2) -> np.ndarray:
    starts = np.flatnonzero(np.r_[True, d.group[1:] != d.group[:-1]])

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = d.x @ w
        top = np.maximum.reduceat(s, starts)[d.group]
        e = np.exp(s - top)
        all_sum = np.add.reduceat(e, starts)
        pos_sum = np.add.reduceat(np.where(d.positive, e, 0.0), starts)
        nll = float(np.sum(np.log(all_sum) - np.log(pos_sum)))
        p = e / all_sum[d.group]
        q = np.where(d.positive, e, 0.0) / pos_sum[d.group]
        grad = d.x.T @ (p - q)
        return nll + l2 * float(w @ w) / 2, grad + l2 * w

    result = optimize.minimize(
        loss, np.zeros(d.x.shape[1]), jac=True, method="L-BFGS-B", options={"maxiter": 2000}
    )
    return np.asarray(result.x)


def to_model(vocabulary: list[str], w: np.ndarray, temperature: float = 1.0) -> SpeakerModel:
    weights = {f: round(float(v), 5) for f, v in zip(vocabulary, w, strict=True) if abs(v) > 1e-6}
    return SpeakerModel(VERSION, weights, temperature)


def calibrate(folds: Sequence[tuple[SpeakerModel, list[Example]]]) -> float:
    """The temperature that makes the chosen candidate's probability the rate at which
    it is right on each model's held-out examples, pooled (minimum negative
    log-likelihood of the right choices)."""
    usable = [(model, [ex for ex in exs if ex.positives]) for model, exs in folds]

    def nll(t: float) -> float:
        total = 0.0
        for model, exs in usable:
            m = SpeakerModel(model.version, model.weights, t)
            for ex in exs:
                probs = m.probabilities(ex.choices.features)
                total -= float(np.log(max(sum(probs[i] for i in ex.positives), 1e-12)))
        return total

    grid = [round(0.5 + 0.05 * k, 2) for k in range(31)]
    return min(grid, key=nll)


@dataclass(slots=True)
class Scores:
    """Strict speaker accuracy: of the quotations whose annotated source names someone,
    the share given that person (no speaker counts as wrong); and by the kind of source
    mention, the share whose speaker mention is the annotated one or names that person."""

    named: int = 0
    named_right: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    kinds_right: Counter[str] = field(default_factory=Counter)

    def add(self, other: Scores) -> None:
        self.named += other.named
        self.named_right += other.named_right
        self.kinds.update(other.kinds)
        self.kinds_right.update(other.kinds_right)

    @property
    def strict(self) -> float:
        return self.named_right / self.named if self.named else 0.0


def evaluate(exs: list[Example], model: SpeakerModel | None) -> Scores:
    """Scores of the model's speakers, or with no model of the rule passes' own."""
    sc = Scores()
    last_spoken: dict[str, Quotation] = {}
    for ex in exs:
        if model is None:
            quote = ex.choices.rule
        else:
            before = last_spoken.get(ex.article.name)
            quote = resolved_quote(ex.ctx, ex.choices, choose(ex.ctx, model, ex.choices, before))
            if quote.speaker:
                last_spoken[ex.article.name] = quote
        g = ex.gold
        if g is None or not g.source:
            continue
        kind = _pronoun_kind(g.source)
        mention = quote.speaker_mention
        hit = mention is not None and any(
            mention.start < e and s < mention.end for s, e in g.source_ranges
        )
        right_name = speaker_correct(quote.speaker, g.source) if names_someone(g.source) else False
        sc.kinds[kind] += 1
        sc.kinds_right[kind] += bool(quote.speaker) and (hit or right_name)
        if names_someone(g.source):
            sc.named += 1
            sc.named_right += right_name
    return sc


def _confidences(model: SpeakerModel, exs: list[Example]) -> list[tuple[float, bool]]:
    """For each quotation whose source names someone and that the model gives a speaker:
    the confidence, and whether the speaker is that person."""
    scored: list[tuple[float, bool]] = []
    for ex in exs:
        g = ex.gold
        if g is None or not g.source or not names_someone(g.source):
            continue
        choice = choose(ex.ctx, model, ex.choices, None)
        if choice.mention is not None:
            scored.append((choice.confidence, speaker_correct(choice.speaker, g.source)))
    return scored


def threshold(scored: list[tuple[float, bool]]) -> float:
    """The lowest confidence at or above which the model's named speakers (``scored``, as
    ``_confidences`` gives them) are right at least ``TARGET_PRECISION`` of the time."""
    best = 1.0
    right = 0
    for n, (conf, ok) in enumerate(sorted(scored, reverse=True), 1):
        right += ok
        if right / n >= TARGET_PRECISION:
            best = conf
    return round(best, 3)


@dataclass(frozen=True, slots=True)
class Bin:
    lo: float
    hi: float
    n: int
    confidence: float
    right: float


def bins(scored: list[tuple[float, bool]], k: int = 5) -> list[Bin]:
    """Confidence against the share right, in ``k`` equal bins of confidence (a confidence
    of 1 in the last); empty bins left out."""
    out = []
    for b in range(k):
        lo, hi = b / k, (b + 1) / k
        inside = [(c, ok) for c, ok in scored if lo <= c < hi or (b == k - 1 and c == 1.0)]
        if inside:
            conf = sum(c for c, _ in inside) / len(inside)
            right = sum(ok for _, ok in inside) / len(inside)
            out.append(Bin(lo, hi, len(inside), conf, right))
    return out


def expected_calibration_error(scored: list[tuple[float, bool]], k: int = 5) -> float:
    """The bins' gaps between confidence and share right, weighted by their size."""
    gap = sum(abs(b.confidence - b.right) * b.n for b in bins(scored, k))
    return gap / max(len(scored), 1)


def calibration(scored: list[tuple[float, bool]], k: int = 5) -> str:
    """Confidence against the share right (``_confidences``), in bins of confidence, and
    the expected calibration error."""
    rows = [
        f"{b.lo:.1f}-{b.hi:.1f}: confidence {b.confidence:.2f}, right {b.right:.2f} ({b.n})"
        for b in bins(scored, k)
    ]
    ece = expected_calibration_error(scored, k)
    return f"calibration error {ece:.3f}; " + "; ".join(rows)


def report(label: str, sc: Scores) -> str:
    kinds = ", ".join(
        f"{k} {sc.kinds_right[k] / sc.kinds[k]:.3f} ({sc.kinds[k]})" for k in sorted(sc.kinds)
    )
    return f"{label}: strict speaker accuracy {sc.strict:.3f} ({sc.named}); by source: {kinds}"


def publisher_split(names: Sequence[str]) -> dict[str, tuple[set[str], set[str]]]:
    """For each publisher, the articles held out (its own) and those trained on (every
    other publisher's). An article is one name whatever the number of its annotation
    files, so it is never on both sides."""
    pubs = sorted({publisher(n) for n in names})
    return {
        pub: ({n for n in names if publisher(n) == pub}, {n for n in names if publisher(n) != pub})
        for pub in pubs
    }


@dataclass(slots=True)
class Fold:
    """A model trained without one publisher (temperature 1), and that publisher's
    articles."""

    publisher: str
    model: SpeakerModel
    held: list[Reading]
    held_examples: list[Example]


def publisher_folds(readings: list[Reading], train: list[Example]) -> list[Fold]:
    folds = []
    split = publisher_split([r.article.name for r in readings])
    for pub, (held_names, train_names) in split.items():
        d = design([ex for ex in train if ex.article.name in train_names])
        folds.append(
            Fold(
                pub,
                to_model(d.vocabulary, fit(d)),
                [r for r in readings if r.article.name in held_names],
                [ex for ex in train if ex.article.name in held_names],
            )
        )
    return folds


def with_temperature(model: SpeakerModel, t: float) -> SpeakerModel:
    return SpeakerModel(model.version, model.weights, t, model.threshold, model.draft_threshold)


Said = list[tuple[Quotation, GoldQuote | None]]
"""An article's quotations as a model attributes them, with their annotations."""


def attributed(r: Reading, model: SpeakerModel | None) -> Said:
    """Each quotation of ``r`` as ``model`` attributes it (None: the rule passes), as
    the service does, with the annotated quotation its choice set matched."""
    quotes = r.sieve.quotes if model is None else speakers_chosen(r.ctx, r.sieve, r.sets, model)
    gold = {cs.raw.open_pos: g for cs, g in zip(r.sets, r.golds, strict=True)}
    return [(q, gold.get(raw.open_pos)) for q, raw in zip(quotes, r.ctx.raw, strict=True)]


def scored(articles: Iterable[Said]) -> list[tuple[float, bool]]:
    """Confidence and rightness of each speaker given to a quotation whose annotated
    source names someone."""
    return [
        (q.speaker_confidence, speaker_correct(q.speaker, g.source))
        for said in articles
        for q, g in said
        if g is not None
        and g.source
        and names_someone(g.source)
        and q.speaker
        and q.speaker_confidence is not None
    ]


@dataclass(frozen=True, slots=True)
class DraftRisk:
    """A draft quotation given to a person, as the checker would see it: ``right`` when
    that is the annotated source (a correct draft), else another person the article
    quotes (a planted wrong speaker); ``probability`` is that person's when the checker
    would contradict the draft below the draft threshold (the model's speaker is someone
    else, named with a cue in the sentence, sure enough), else None."""

    right: bool
    probability: float | None


def draft_risks(articles: Iterable[Said], confident: float) -> list[DraftRisk]:
    """For each quotation whose annotated source has a name: a correct draft, and (as
    ``bench.drafts`` plants them) the same words given to the next person the article
    quotes who is someone else."""
    out = []
    for said in articles:
        named = [
            (q, who)
            for q, g in said
            if g is not None and q.kind != "nested" and (who := draft_name(g.source))
        ]
        for i, (q, who) in enumerate(named):
            others = [them for _, them in named[i + 1 :] + named[:i] if not same_person(them, who)]
            for person, right in ((who, True), *((o, False) for o in others[:1])):
                evidence = SpeakerEvidence.of([q.model()], person)
                at_risk = (
                    q.speaker is not None
                    and not same_person(person, q.speaker)
                    and evidence.explicit
                    and evidence.confidence >= confident
                )
                out.append(DraftRisk(right, evidence.draft_confidence if at_risk else None))
    return out


FALSE_ALARM_COST = 10
"""How many wrong speakers answered ``misattributed`` (rather than ``unconfirmed``) one
correct draft answered ``misattributed`` costs, in fitting the draft threshold."""


def misattributed(risks: list[DraftRisk], right: bool, draft_threshold: float) -> int:
    """How many of the correct drafts (``right``) or of the planted wrong speakers would
    be answered ``misattributed`` at ``draft_threshold``."""
    return sum(
        r.right == right and r.probability is not None and r.probability < draft_threshold
        for r in risks
    )


def draft_threshold(risks: list[DraftRisk]) -> float:
    """The draft threshold, up to 0.5, that catches the most planted wrong speakers as
    ``misattributed`` against ``FALSE_ALARM_COST`` times the correct drafts it would
    contradict; the smallest such."""
    grid = [0.005, *(k / 100 for k in range(1, 51))]
    return max(
        grid,
        key=lambda t: (
            misattributed(risks, False, t) - FALSE_ALARM_COST * misattributed(risks, True, t),
            -t,
        ),
    )


@dataclass(slots=True)
class Fitted:
    """A fold's (or all folds') temperature and thresholds, fitted on out-of-fold
    attributions."""

    temperature: float
    threshold: float
    draft_threshold: float


def fit_across(folds: list[Fold], said: Callable[[Fold, float], list[Said]]) -> Fitted:
    """The temperature, then the thresholds, that fit these folds' held-out
    publishers, each attributed by the model that did not see it."""
    t = calibrate([(f.model, f.held_examples) for f in folds])
    held = [article for f in folds for article in said(f, t)]
    confident = threshold(scored(held))
    return Fitted(t, confident, draft_threshold(draft_risks(held, confident)))


def by_publisher(
    readings: list[Reading],
    train: list[Example],
    dev: list[Example],
    shipped: SpeakerModel,
    fold_dir: Path | None,
) -> Fitted:
    """Leave one publisher out: a model per publisher trained on the six others, each
    calibrated on the other folds' held-out publishers (never its own), the report per
    held-out publisher, and the temperature and thresholds fitted across all seven folds,
    for the model trained on all of train."""
    folds = publisher_folds(readings, train)
    cache: dict[tuple[str, float], list[Said]] = {}

    def said(f: Fold, t: float) -> list[Said]:
        if (f.publisher, t) not in cache:
            m = with_temperature(f.model, t)
            cache[f.publisher, t] = [attributed(r, m) for r in f.held]
        return cache[f.publisher, t]

    print("train split, leave one publisher out (each publisher's articles attributed by")
    print("a model trained on the six others, its temperature and thresholds fitted on them):")
    print()
    print(
        "| held out | speakers | strict: rules | shipped | LOPO | F1: rules | shipped | LOPO "
        "| ECE, T from dev | ECE, T from LOPO | temperature | threshold | draft threshold "
        "| correct drafts misattributed | wrong speakers misattributed |"
    )
    print("|---|" + "---:|" * 14)
    runs = {k: ExtractorRun(k) for k in ("rules", "shipped", "lopo")}
    pooled: dict[str, list[tuple[float, bool]]] = {"dev": [], "lopo": []}
    alarms = [0, 0, 0, 0]
    rows_bins: list[str] = []
    for f in folds:
        fitted = fit_across([o for o in folds if o is not f], said)
        model = SpeakerModel(
            f.model.version,
            f.model.weights,
            fitted.temperature,
            fitted.threshold,
            fitted.draft_threshold,
        )
        if fold_dir is not None:
            write_model(model, fold_dir / f"{f.publisher}.json")
        held = said(f, fitted.temperature)
        dev_t = with_temperature(f.model, calibrate([(f.model, dev)]))
        on_dev_t = [attributed(r, dev_t) for r in f.held]
        risks = draft_risks(held, fitted.threshold)
        counts = [
            misattributed(risks, True, fitted.draft_threshold),
            sum(r.right for r in risks),
            misattributed(risks, False, fitted.draft_threshold),
            sum(not r.right for r in risks),
        ]
        alarms = [x + y for x, y in zip(alarms, counts, strict=True)]
        pooled["dev"] += scored(on_dev_t)
        pooled["lopo"] += scored(held)
        fold_runs = {
            "rules": _run("rules", f.held, [attributed(r, None) for r in f.held]),
            "shipped": _run("shipped", f.held, [attributed(r, shipped) for r in f.held]),
            "lopo": _run("lopo", f.held, held),
        }
        for name, run in fold_runs.items():
            runs[name].preds.update(run.preds)
        print(
            _row(
                f.publisher, [r.article for r in f.held], fold_runs, scored(on_dev_t), scored(held)
            )
            + f" {fitted.temperature} | {fitted.threshold} | {fitted.draft_threshold} | "
            f"{counts[0]}/{counts[1]} | {counts[2]}/{counts[3]} |"
        )
        rows_bins.append(f"- {f.publisher}: " + calibration(scored(held)))
    print(
        _row("all", [r.article for r in readings], runs, pooled["dev"], pooled["lopo"])
        + f" | | | {alarms[0]}/{alarms[1]} | {alarms[2]}/{alarms[3]} |"
    )
    print()
    print("Accuracy by confidence bin on each held-out publisher (T from LOPO):")
    print("\n".join(rows_bins))
    fitted = fit_across(folds, said)
    print(
        f"\nFitted across all seven folds, for the model trained on all of train: temperature "
        f"{fitted.temperature}, threshold {fitted.threshold}, draft threshold "
        f"{fitted.draft_threshold}"
    )
    print(
        "(speakers: quotations whose annotated source names someone and that the model "
        "gives a speaker. shipped: the model file as it was before this run, trained on "
        "every publisher, so not out of domain. F1: quotations with a speaker against "
        "annotated ones with a source, overlapping. Drafts: each such quotation given to "
        "its source, and to the next other person the article quotes, as bench.drafts.)"
    )
    return fitted


def _row(
    label: str,
    articles: list[Article],
    runs: dict[str, ExtractorRun],
    dev_t: list[tuple[float, bool]],
    lopo_t: list[tuple[float, bool]],
) -> str:
    stricts = [_strict(articles, run) for run in runs.values()]
    f1s = [score(articles, run)["attributed"].prf("overlap")[2] for run in runs.values()]
    return (
        f"| {label} | {len(lopo_t)} | "
        + " | ".join(f"{x:.3f}" for x in [*stricts, *f1s])
        + f" | {expected_calibration_error(dev_t):.3f} | {expected_calibration_error(lopo_t):.3f} |"
    )


def _run(name: str, readings: list[Reading], said: list[Said]) -> ExtractorRun:
    """Attributions as bench.polnear scores an extractor's output."""
    run = ExtractorRun(name)
    for r, quotes in zip(readings, said, strict=True):
        run.preds[r.article.name] = [
            Pred(
                q.start,
                q.end,
                q.speaker or None,
                q.kind,
                (q.speaker_mention.start, q.speaker_mention.end) if q.speaker_mention else None,
            )
            for q, _ in quotes
        ]
    return run


def _strict(articles: list[Article], run: ExtractorRun) -> float:
    right, n = speakers_by_kind(articles, run).get("strict", (0, 0))
    return right / n if n else 0.0


def write_model(model: SpeakerModel, out: Path) -> str:
    """``model`` as its file: weights rounded and sorted, a version holding their hash,
    so that the same model is the same bytes. Returns the version."""
    payload: dict[str, Any] = {
        "version": "",
        "temperature": model.temperature,
        "threshold": model.threshold,
        "draft_threshold": model.draft_threshold,
        "weights": dict(sorted(model.weights.items())),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:8]
    payload["version"] = f"{VERSION}+{digest}"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    return str(payload["version"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", type=Path, default=TRAIN)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument(
        "--folds",
        type=int,
        default=0,
        metavar="K",
        help="also score rules and model by K-fold cross-validation over the train articles "
        "(in name order, fold k holding every K-th article from the k-th)",
    )
    ap.add_argument(
        "--leave-out",
        metavar="K/N",
        help="train on all but fold K of N (as --folds N cuts them), to measure that fold "
        "with `python -m bench.polnear --data TRAIN --fold K/N --model OUT`",
    )
    ap.add_argument(
        "--by-publisher",
        action="store_true",
        help="leave one publisher out (of train's seven): a model per held-out publisher, the "
        "report per publisher (strict speaker accuracy, quotation F1, calibration), and the "
        "temperature and thresholds fitted across the folds for the model written; without "
        "it they are fitted on dev",
    )
    ap.add_argument(
        "--fold-models",
        type=Path,
        metavar="DIR",
        help="with --by-publisher: write each fold's model as DIR/PUBLISHER.json, for "
        "`python -m bench.drafts --data TRAIN --by-publisher DIR`",
    )
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    shipped = SpeakerModel.from_dict(json.loads(OUT.read_text(encoding="utf-8")))
    train_articles = load_articles(args.train)
    dev_articles = load_articles(args.dev)
    train_read = read(train_articles)
    train, stats = examples(train_read)
    dev, _ = examples(read(dev_articles))
    print(
        f"read {len(train_articles)} train and {len(dev_articles)} dev articles in "
        f"{time.perf_counter() - t0:.1f}s; " + "; ".join(f"{k}: {v}" for k, v in stats.items()),
        file=sys.stderr,
    )
    if args.folds:
        # Every article is held out once: fold k is every K-th article from the k-th.
        pooled = {"rules": Scores(), "model": Scores()}
        held_out_confidences: list[tuple[float, bool]] = []
        for k in range(args.folds):
            held_names = {a.name for a in train_articles[k :: args.folds]}
            held = [ex for ex in train if ex.article.name in held_names]
            d = design([ex for ex in train if ex.article.name not in held_names])
            fold_model = to_model(d.vocabulary, fit(d))
            pooled["rules"].add(evaluate(held, None))
            pooled["model"].add(evaluate(held, fold_model))
            fold_model = with_temperature(fold_model, calibrate([(fold_model, dev)]))
            held_out_confidences += _confidences(fold_model, held)
        print(
            f"train split, {args.folds}-fold cross-validation (each article scored by a "
            "model that did not see it):"
        )
        print(report("  rules", pooled["rules"]))
        print(report("  model", pooled["model"]))
        print("  " + calibration(held_out_confidences))
    fitted = (
        by_publisher(train_read, train, dev, shipped, args.fold_models)
        if args.by_publisher
        else None
    )
    if args.leave_out:
        k, n = (int(x) for x in args.leave_out.split("/"))
        left_out = {a.name for a in train_articles[k::n]}
        train = [ex for ex in train if ex.article.name not in left_out]
    d = design(train)
    model = to_model(d.vocabulary, fit(d))
    if fitted is None:
        model = with_temperature(model, calibrate([(model, dev)]))
        model = SpeakerModel(
            model.version,
            model.weights,
            model.temperature,
            threshold(_confidences(model, dev)),
            model.draft_threshold,
        )
    else:
        model = SpeakerModel(
            model.version,
            model.weights,
            fitted.temperature,
            fitted.threshold,
            fitted.draft_threshold,
        )
    print("dev split:")
    print(report("  rules", evaluate(dev, None)))
    print(report("  model", evaluate(dev, model)))
    print("  " + calibration(_confidences(model, dev)))
    version = write_model(model, args.out)
    print(
        f"wrote {args.out} ({version}, {len(model.weights)} weights, temperature "
        f"{model.temperature}, threshold {model.threshold}, draft threshold "
        f"{model.draft_threshold})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
