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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import optimize, sparse

from bench.polnear import (
    Article,
    GoldQuote,
    iou,
    load_articles,
    names_someone,
    speaker_correct,
    trim,
)

from ..ingest import read_article
from .attribution import attribute
from .choose import ChoiceSet, choice_sets, choose, resolve, resolved_quote
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
"""The threshold is the lowest confidence above which speakers on dev are right this
often: below it a draft check answers ``unconfirmed`` rather than ``misattributed``."""


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


def examples(articles: Sequence[Article]) -> tuple[list[Example], Counter[str]]:
    stats: Counter[str] = Counter()
    out: list[Example] = []
    for art in articles:
        if art.regions and len(art.gold) < len(art.regions) / 2:
            stats["articles left out: sparse annotation"] += 1
            continue
        ctx = QuoteContext.build(read_article(art.text, source_format="text"))
        sieve = attribute(ctx)
        golds = {(g.start, g.end): g for g in art.gold}
        trimmed = {k: trim(art.text, *k) for k in golds}
        for cs in choice_sets(ctx, sieve):
            span = trim(art.text, cs.raw.start, cs.raw.end)
            gold = None
            best = 0.5
            for key, g_span in trimmed.items():
                v = iou(span, g_span)
                if v >= best:
                    gold, best = golds[key], v
            if gold is None and cs.rule.cue is not None:
                # Quoted, a speech cue beside it, yet not annotated: more likely an
                # annotator's omission than a scare quote, so it teaches nothing.
                stats["quotations left out: not annotated but cued"] += 1
                continue
            out.append(Example(art, ctx, cs, _positives(ctx, cs, gold), gold))
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


def calibrate(model: SpeakerModel, dev: list[Example]) -> float:
    """The temperature that makes the chosen candidate's probability the rate at which
    it is right on ``dev`` (minimum negative log-likelihood of the right choices)."""
    usable = [ex for ex in dev if ex.positives]

    def nll(t: float) -> float:
        m = SpeakerModel(model.version, model.weights, t)
        total = 0.0
        for ex in usable:
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


def threshold(model: SpeakerModel, dev: list[Example]) -> float:
    """The lowest confidence at or above which the model's named speakers on ``dev`` are
    right at least ``TARGET_PRECISION`` of the time."""
    scored = sorted(_confidences(model, dev), reverse=True)
    best = 1.0
    right = 0
    for n, (conf, ok) in enumerate(scored, 1):
        right += ok
        if right / n >= TARGET_PRECISION:
            best = conf
    return round(best, 3)


def calibration(scored: list[tuple[float, bool]], bins: int = 5) -> str:
    """Confidence against the share right (``_confidences``), in bins of confidence, and
    the expected calibration error (the bins' gaps weighted by their size)."""
    rows, gap = [], 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in scored if lo <= c < hi or (b == bins - 1 and c == 1.0)]
        if not inside:
            continue
        conf = sum(c for c, _ in inside) / len(inside)
        right = sum(ok for _, ok in inside) / len(inside)
        gap += abs(conf - right) * len(inside)
        rows.append(f"{lo:.1f}-{hi:.1f}: confidence {conf:.2f}, right {right:.2f} ({len(inside)})")
    ece = gap / max(len(scored), 1)
    return f"calibration error {ece:.3f}; " + "; ".join(rows)


def report(label: str, sc: Scores) -> str:
    kinds = ", ".join(
        f"{k} {sc.kinds_right[k] / sc.kinds[k]:.3f} ({sc.kinds[k]})" for k in sorted(sc.kinds)
    )
    return f"{label}: strict speaker accuracy {sc.strict:.3f} ({sc.named}); by source: {kinds}"


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
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    train_articles = load_articles(args.train)
    dev_articles = load_articles(args.dev)
    train, stats = examples(train_articles)
    dev, _ = examples(dev_articles)
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
            fold_model = SpeakerModel(
                fold_model.version, fold_model.weights, calibrate(fold_model, dev)
            )
            held_out_confidences += _confidences(fold_model, held)
        print(
            f"train split, {args.folds}-fold cross-validation (each article scored by a "
            "model that did not see it):"
        )
        print(report("  rules", pooled["rules"]))
        print(report("  model", pooled["model"]))
        print("  " + calibration(held_out_confidences))
    if args.leave_out:
        k, n = (int(x) for x in args.leave_out.split("/"))
        left_out = {a.name for a in train_articles[k::n]}
        train = [ex for ex in train if ex.article.name not in left_out]
    d = design(train)
    w = fit(d)
    model = to_model(d.vocabulary, w)
    model = SpeakerModel(model.version, model.weights, calibrate(model, dev))
    model = SpeakerModel(model.version, model.weights, model.temperature, threshold(model, dev))
    print("dev split:")
    print(report("  rules", evaluate(dev, None)))
    print(report("  model", evaluate(dev, model)))
    print("  " + calibration(_confidences(model, dev)))
    payload: dict[str, Any] = {
        "version": "",
        "temperature": model.temperature,
        "threshold": model.threshold,
        "weights": dict(sorted(model.weights.items())),
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:8]
    payload["version"] = f"{VERSION}+{digest}"
    args.out.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"wrote {args.out} ({payload['version']}, {len(model.weights)} weights, "
        f"temperature {model.temperature}, threshold {model.threshold})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
