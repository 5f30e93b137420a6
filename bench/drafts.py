"""The draft check on drafts made of an article's own quotations, on annotated news.

    python -m bench.drafts                       # PolNeAR dev
    python -m bench.drafts --data DIR [--fold K/N] [--model FILE | --by-publisher DIR]

For every annotated quotation whose source is a name (as a draft names people: "Kenneth
Baer", not the annotation's "Kenneth Baer, a former Obama administration official who runs
…"; descriptions such as "Scott's niece" or "the California congressman" are left out,
since a draft that names the person would be judged against another string), two draft
quotations are judged against the article (``ArticleIndex.judge``, what ``POST /check`` does for each
quotation of a draft):

* the quotation with its annotated speaker: a correct draft, which should come back
  ``verified`` (target: at most 8% not verified, at most 2% an error, ``misattributed``
  or worse);
* the same words given to another person the article quotes (the next annotated source
  that is not the same person): a misattribution, which must come back
  ``misattributed`` or ``unconfirmed``, never ``verified`` (target: none).

Both rates are printed with the verdicts behind them."""

from __future__ import annotations

import argparse
import os
import re
from collections import Counter
from pathlib import Path

from bench.polnear import DEFAULT_DATA, load_articles, names_someone, publisher
from service.ingest import read_article
from service.models import SEVERITY
from service.pipeline import index_article
from service.quotes.lexicon import NAME_PARTICLES
from service.quotes.model import MODEL_ENV, speaker_model
from service.verify import same_person


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--fold", metavar="K/N", help="only fold K of N, as bench.polnear")
    ap.add_argument("--model", type=Path, help="a speaker model file instead of the shipped one")
    ap.add_argument(
        "--by-publisher",
        type=Path,
        metavar="DIR",
        help="judge each publisher's articles with the model trained without it, "
        "DIR/PUBLISHER.json (`python -m service.quotes.train --by-publisher --fold-models "
        "DIR`): measured out of domain",
    )
    args = ap.parse_args(argv)
    if args.model:
        os.environ[MODEL_ENV] = str(args.model.resolve())
    articles = load_articles(args.data)
    if args.fold:
        k, n = (int(x) for x in args.fold.split("/"))
        articles = articles[k::n]
    right: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for art in articles:
        if args.by_publisher:
            os.environ[MODEL_ENV] = str(
                (args.by_publisher / f"{publisher(art.name)}.json").resolve()
            )
            speaker_model.cache_clear()
        index = index_article(read_article(art.text, source_format="text"))
        named = [(g, who) for g in art.gold if (who := draft_name(g.source)) is not None]
        for i, (g, who) in enumerate(named):
            words = art.text[g.start : g.end]
            right[index.judge(words, who).verdict] += 1
            other = next(
                (them for _, them in named[i + 1 :] + named[:i] if not same_person(them, who)),
                None,
            )
            if other is not None:
                wrong[index.judge(words, other).verdict] += 1
    n_right, n_wrong = sum(right.values()), sum(wrong.values())
    errors = sum(n for v, n in right.items() if SEVERITY.get(v) == "error" or v == "unsupported")
    where = f"{args.data}" + (
        ", each publisher by the model trained without it" if args.by_publisher else ""
    )
    print(f"# Draft check on {len(articles)} articles of {where}")
    print()
    print("| draft quotation | n | target | result | verdicts |")
    print("|---|---:|---|---:|---|")
    print(
        f"| its annotated speaker | {n_right} | at most 8% not verified | "
        f"{_share(n_right - right['verified'], n_right)} not verified | {_verdicts(right)} |"
    )
    print(
        f"| its annotated speaker | {n_right} | at most 2% an error | "
        f"{_share(errors, n_right)} an error | |"
    )
    print(
        f"| another person the article quotes | {n_wrong} | none verified | "
        f"{_share(wrong['verified'], n_wrong)} verified ({wrong['verified']}) | "
        f"{_verdicts(wrong)} |"
    )
    return 0


def _share(n: int, total: int) -> str:
    return f"{100 * n / max(total, 1):.1f}%"


_APPOSITION = re.compile(r"\s*(?:[,;(]|\s[—–-]\s|\bwho\b).*", re.DOTALL)


def _as_a_draft_names(source: str | None) -> str:
    """The source as a draft names it: "Kenneth Baer, a former Obama administration
    official who runs …" is "Kenneth Baer"; "Rep. Jim Clyburn (D-S.C.)" is "Rep. Jim
    Clyburn"; "Trump’s" is "Trump"."""
    name = _APPOSITION.sub("", source or "").strip()
    return re.sub(r"[’']s?$", "", name)


def draft_name(source: str | None) -> str | None:
    """The annotated source as a draft names it, or None when it is a description."""
    who = _as_a_draft_names(source)
    return who if _a_name(who) else None


def _a_name(words: str) -> bool:
    """A person's or an organisation's name, as a draft gives one ("Jim Clyburn", "Yahoo
    News"), not a description the annotation holds ("Scott's niece", "the California
    congressman", "Obama and Clinton")."""
    parts = words.split()
    return (
        names_someone(words)
        and bool(parts)
        and all(p[0].isupper() or p in NAME_PARTICLES for p in parts)
    )


def _verdicts(counts: Counter[str]) -> str:
    return ", ".join(f"{v} {n}" for v, n in counts.most_common())


if __name__ == "__main__":
    raise SystemExit(main())
