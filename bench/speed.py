"""Speed of factcheck vs textacy + spaCy on ~1,000-word news articles, in one process.

Run from the repository root::

    python -m bench.speed                 # markdown summary
    python -m bench.speed --reps 50 --json

Articles: the PolNeAR dev articles of 900-1,100 words (``--min-words``/``--max-words``;
``--data`` as in ``bench.polnear``). If fewer than ``--min-articles`` qualify, articles
are concatenated (paragraph-joined, in sorted order) into ~1,000-word texts instead.

Draft for the check: for each article, a short draft that quotes up to six of its
annotated quotations (from the PolNeAR gold, not from our extractor) as
``{Source} said “{quote}”.`` (quotes of 5+ words, named Sources first), every second
quote with one word changed, so that the checker sees both supported and altered quotes.

Timed operations (each one call, ``time.perf_counter``):

* ``factcheck quotes``: ``service.quotes.extract_quotes(text)``; compare with
* ``textacy``: ``direct_quotations(nlp(text))`` with en_core_web_sm (model loaded once,
  before timing; the parse is included, as our extractor has no separate parse).
* ``factcheck pipeline``: ingest + quotes + check, i.e. ``read_article(text)`` then
  ``check_draft(article, draft)``, which extracts the article's and the draft's quotes
  and judges each draft quote. Repeated calls on the same articles find the memo caches
  (``functools.lru_cache``: the names in each capitalised word run, surname keys) full,
  so ``factcheck pipeline, cold caches`` empties them before each call: the cost of an
  article that shares no name with any article before it. All calls into ``service`` go
  through ``load_factcheck()`` below: adjust that one function when the API moves.

Each operation is warmed up (``--warmup`` calls per article), then the operations are
run round-robin (article by article, operation by operation) ``--reps`` times so
that drift in machine load hits all of them alike. Reported: the median of all calls
of an operation (and the 10th/90th percentiles), and the ratio of medians.
textacy failures (``ValueError`` on unbalanced quote tokens) are timed all the same:
the parse is done before textacy bails out.

OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE are set on this machine for older OpenBLAS builds
and may slow numpy; spaCy's small model runs its matrix maths in thinc/blis, not
OpenBLAS, but to be sure run ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
python -m bench.speed`` and compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.polnear import DEFAULT_DATA, Article, load_articles, load_spacy_model, names_someone


@dataclass
class Text:
    name: str
    text: str
    draft: str
    words: int


def load_factcheck() -> dict[str, Callable[[Text], object]]:
    """The one place that calls factcheck: name -> callable(Text)."""
    from service.quotes import extract_quotes

    ops: dict[str, Callable[[Text], object]] = {
        "factcheck quotes": lambda t: extract_quotes(t.text),
    }
    try:
        from service.ingest import read_article
        from service.pipeline import check_draft
    except ImportError as exc:  # pipeline not there: time the quotes only
        print(f"note: factcheck pipeline not timed ({exc})", file=sys.stderr)
    else:
        ops["factcheck pipeline"] = lambda t: check_draft(read_article(t.text), t.draft)

        def cold(t: Text) -> object:
            clear_caches()
            return check_draft(read_article(t.text), t.draft)

        ops["factcheck pipeline, cold caches"] = cold
    return ops


def clear_caches() -> None:
    """Empty the name memo caches (the names in each capitalised region, surname keys), so
    that a timed call pays for everything as if the article were new."""
    from service.quotes import names

    for obj in vars(names).values():
        if hasattr(obj, "cache_clear"):
            obj.cache_clear()


def load_textacy() -> Callable[[Text], object]:
    from textacy.extract.triples import direct_quotations

    nlp = load_spacy_model()

    def run(t: Text) -> object:
        doc = nlp(t.text)
        try:
            return list(direct_quotations(doc))
        except ValueError:
            return []

    return run


_SWAP = {
    "the": "a",
    "a": "the",
    "is": "was",
    "was": "is",
    "not": "never",
    "will": "would",
    "would": "will",
    "we": "they",
    "they": "we",
    "I": "we",
    "have": "had",
    "has": "had",
}


def _alter(quote: str) -> str:
    words = quote.split()
    for i, w in enumerate(words):
        if w in _SWAP:
            words[i] = _SWAP[w]
            return " ".join(words)
    if len(words) > 3:
        del words[len(words) // 2]
    return " ".join(words)


def build_texts(data: Path, min_words: int, max_words: int, min_articles: int) -> list[Text]:
    arts = load_articles(data)

    def draft_for(art_list: list[Article]) -> str:
        cands: list[tuple[bool, int, str, str]] = []  # (no named source, order, speaker, quote)
        for art in art_list:
            for g in art.gold:
                q = art.text[g.start : g.end].strip().rstrip(",;:")
                if len(q.split()) >= 5:
                    named = names_someone(g.source)
                    cands.append(
                        (not named, len(cands), (g.source or "") if named else "A spokesman", q)
                    )
        lines = []
        for k, (_, _, speaker, q) in enumerate(sorted(cands)[:6]):
            lines.append(f"{speaker} said “{_alter(q) if k % 2 else q}”.")
        return "\n\n".join(lines) or "Nobody said “anything at all here today”."

    picked = [a for a in arts if min_words <= len(a.text.split()) <= max_words]
    if len(picked) >= min_articles:
        return [Text(a.name, a.text, draft_for([a]), len(a.text.split())) for a in picked]
    # concatenate consecutive articles into ~1,000-word texts
    target = (min_words + max_words) // 2
    out, group = [], []
    for a in arts:
        group.append(a)
        words = sum(len(x.text.split()) for x in group)
        if words >= target:
            if words <= max_words * 1.5:
                out.append(
                    Text(
                        "+".join(x.name[:20] for x in group),
                        "\n\n".join(x.text for x in group),
                        draft_for(group),
                        words,
                    )
                )
            group = []
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--reps", type=int, default=20, help="timed calls per article and operation")
    ap.add_argument("--warmup", type=int, default=3, help="untimed calls per article and operation")
    ap.add_argument("--min-words", type=int, default=900)
    ap.add_argument("--max-words", type=int, default=1100)
    ap.add_argument("--min-articles", type=int, default=5)
    ap.add_argument("--no-textacy", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    texts = build_texts(args.data, args.min_words, args.max_words, args.min_articles)
    if not texts:
        raise SystemExit("no articles of the requested length")
    ops = dict(load_factcheck())
    if not args.no_textacy:
        t0 = time.perf_counter()
        ops["textacy"] = load_textacy()
        print(
            f"spaCy model load: {time.perf_counter() - t0:.2f}s (not timed below)", file=sys.stderr
        )

    for fn in ops.values():
        for t in texts:
            for _ in range(args.warmup):
                fn(t)
    times: dict[str, list[float]] = {name: [] for name in ops}
    gc.collect()
    for _ in range(args.reps):
        for t in texts:
            for name, fn in ops.items():
                t0 = time.perf_counter()
                fn(t)
                times[name].append(time.perf_counter() - t0)

    summary = {
        name: {
            "median_ms": statistics.median(xs) * 1e3,
            "p10_ms": pct(xs, 0.1) * 1e3,
            "p90_ms": pct(xs, 0.9) * 1e3,
            "calls": len(xs),
        }
        for name, xs in times.items()
    }
    ratios = {}
    if "textacy" in summary:
        for name in summary:
            if name != "textacy":
                ratios[f"textacy / {name}"] = (
                    summary["textacy"]["median_ms"] / summary[name]["median_ms"]
                )
    words = [t.words for t in texts]
    if args.json:
        json.dump(
            {
                "articles": [{"name": t.name, "words": t.words} for t in texts],
                "reps": args.reps,
                "warmup": args.warmup,
                "summary": summary,
                "ratios": ratios,
            },
            sys.stdout,
            indent=1,
        )
        print()
        return 0
    print(
        f"# Speed: {len(texts)} articles of {min(words)}-{max(words)} words "
        f"(median {statistics.median(words):.0f}), {args.reps} reps after {args.warmup} warm-up\n"
    )
    print("| operation | median ms | p10 ms | p90 ms | calls |")
    print("|---|---:|---:|---:|---:|")
    for name, s in summary.items():
        print(
            f"| {name} | {s['median_ms']:.2f} | {s['p10_ms']:.2f} | {s['p90_ms']:.2f} "
            f"| {s['calls']} |"
        )
    print()
    for k, v in ratios.items():
        print(f"- {k} (ratio of medians): {v:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
