"""How well claims are judged: true clauses of news articles and one-edit false claims.

Run from the repository root::

    python -m bench.claims                          # PolNeAR dev, Python API and HTTP
    python -m bench.claims --data DIR --every 20    # every 20th article of another folder
    python -m bench.claims --articles 'tests/data/articles/*.txt'
    python -m bench.claims --cost                   # time a 1,000-word draft check
    python -m bench.claims --headlines              # each headline against its article
    python -m bench.claims --headlines --tokenized  # ... in lower case, punctuation spaced
    python -m bench.claims -v                       # print every case judged wrong

Cases, FactCC-style, built from each article's own narration: sentences of 8-40 words with
no quotation marks. A *true* claim is a sentence's first clause (the text up to the first
comma, semicolon or dash after at least six words, or the whole sentence). Each false claim
is one edit of a true one:

* ``name``: a person, organisation or place (a capitalised name the quotation side's name
  reader finds) swapped for another the article names elsewhere and the sentence does not;
* ``date``: a weekday or month swapped for another;
* ``number``: a number in digits (not a year) raised by half, at least by 3;
* ``negation``: "not" inserted after the first auxiliary verb ("has", "will", "was").

Right: a true claim judged ``paraphrase``; a false one ``contradicted`` or ``unsupported``
(caught), and the share ``contradicted`` is reported apart. Each claim is judged through the
Python API (``judge_claim``) and, unless ``--no-http``, over HTTP as the one-sentence draft
of ``POST /check`` on a local ``factcheck`` server; the two must agree.

``--headlines``: claims nobody wrote for this benchmark, each article's headline judged
against the rest of the article (it should be supported).

``--cost``: a draft of about 1,000 words (the article's sentences, every third edited)
checked against a ~1,000-word article with ``check_draft``, median of ``--reps`` runs per
article, then the same with the article doubled and with the draft doubled, in the same run:
the ratios show whether the cost is linear in each.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.loopback import running, start_uvicorn
from service.document import Document
from service.grounding import Citation, judge_claim
from service.ingest import Article, read_article
from service.models import CheckOut
from service.normalize import content_words
from service.pipeline import check_draft, index_article
from service.quotes.names import runs_in, split_title
from service.verify import ArticleIndex

DEFAULT_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "polnear-dev"
KINDS = ("true", "name", "date", "number", "negation")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
_QUOTE_MARKS = re.compile(r"[\"“”‘’«»„]|(?:^|\s)'|'(?:\s|$)")
_CLAUSE_END = re.compile(r"[,;:]\s|\s[–—-]\s")
_AUXILIARY = re.compile(
    r"\b(is|are|was|were|has|have|had|will|would|can|could|should|must|did|does|do)\b(?! not)"
)
_DIGITS = re.compile(r"(?<![\w.,$])(\d{1,3}(?:,\d{3})+|\d+)(?![\w,.]\d)")
_YEAR = re.compile(r"1[89]\d\d|20\d\d")


@dataclass(frozen=True, slots=True)
class Case:
    article: str
    kind: str
    claim: str
    source: str


def narration(index: ArticleIndex) -> Iterator[str]:
    text = index.article.text
    for s, e in index.sentences:
        sentence = " ".join(text[s:e].split())
        if 8 <= len(sentence.split()) <= 40 and not _QUOTE_MARKS.search(sentence):
            yield sentence


def first_clause(sentence: str) -> str:
    words_before = 0
    for m in _CLAUSE_END.finditer(sentence):
        words_before = len(sentence[: m.start()].split())
        if words_before >= 6:
            return sentence[: m.start()].rstrip(" ,;:") + "."
    return sentence


def article_names(article: Article) -> list[tuple[str, bool]]:
    """Every name the article mentions inside a sentence (a capitalised word opening one
    may be any word), as it mentions it, and whether it is one word."""
    found: dict[str, bool] = {}
    text = article.text
    doc = Document.build(text)
    for lo, hi in article.paragraphs:
        for run in runs_in(doc, lo, hi):
            person = split_title(run, text)
            if person is None or person.name.endswith(("’s", "'s")) or person.start == lo:
                continue
            before = text[lo : person.start].rstrip()
            if before and before[-1] not in ".!?:;\"“‘'(—–-" and person.name.isupper() is False:
                found.setdefault(person.name, " " not in person.name)
    return list(found.items())


def swap_name(claim: str, source: str, names: list[tuple[str, bool]], rng: random.Random) -> str:
    inside = [n for n, _ in names if re.search(rf"\b{re.escape(n)}\b", claim)]
    if not inside:
        return ""
    name = rng.choice(inside)
    single = " " not in name
    others = [
        n
        for n, one in names
        if one == single
        and name not in n
        and not any(w.lower() in source.lower() for w in n.split())
    ]
    if not others:
        return ""
    return re.sub(rf"\b{re.escape(name)}\b", rng.choice(others), claim, count=1)


def change_date(claim: str, rng: random.Random) -> str:
    for words in (WEEKDAYS, MONTHS):
        found = [w for w in words if re.search(rf"\b{w}\b", claim)]
        if found:
            w = rng.choice(found)
            other = rng.choice([x for x in words if x != w])
            return re.sub(rf"\b{w}\b", other, claim, count=1)
    return ""


def change_number(claim: str) -> str:
    for m in _DIGITS.finditer(claim):
        digits = m.group(1).replace(",", "")
        if _YEAR.fullmatch(digits):
            continue
        n = int(digits)
        new = n + max(3, n // 2)
        shown = f"{new:,}" if "," in m.group(1) else str(new)
        return claim[: m.start(1)] + shown + claim[m.end(1) :]
    return ""


def negate(claim: str) -> str:
    m = _AUXILIARY.search(claim)
    if m is None or re.search(r"\b(?:not|no|never)\b|n't", claim):
        return ""
    return claim[: m.end()] + " not" + claim[m.end() :]


def tokenized(text: str) -> str:
    """Text as benchmarks often give it (Penn Treebank tokens): lower case, punctuation,
    currency signs and clitics spaced, a number's own point and comma kept."""
    spaced = re.sub(r"([$;:!?()\"“”‘’]|[.,](?!\d))", r" \1 ", text.lower())
    return " ".join(re.sub(r"(\w)('s|n't)\b", r"\1 \2", spaced).split())


def build_cases(name: str, index: ArticleIndex, rng: random.Random, per_article: int) -> list[Case]:
    names = article_names(index.article)
    sentences = list(narration(index))
    rng.shuffle(sentences)
    cases: list[Case] = []
    made: Counter[str] = Counter()
    for sentence in sentences:
        claim = first_clause(sentence)
        if made["true"] < per_article:
            cases.append(Case(name, "true", claim, sentence))
            made["true"] += 1
        edits = {
            "name": swap_name(claim, sentence, names, rng),
            "date": change_date(claim, rng),
            "number": change_number(claim),
            "negation": negate(claim),
        }
        for kind, edited in edits.items():
            if edited and edited != claim and made[kind] < per_article:
                cases.append(Case(name, kind, edited, sentence))
                made[kind] += 1
    return cases


def right(kind: str, verdict: str) -> bool:
    return verdict == "paraphrase" if kind == "true" else verdict != "paraphrase"


def http_verdicts(cases: list[Case], texts: dict[str, str]) -> list[str]:
    """Each claim as the whole draft of ``POST /check``: the verdict of its sentence."""
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-claims-") as tmp, running([]) as servers:
        server = start_uvicorn(
            "factcheck",
            "service.api:create_app",
            workdir=Path(tmp),
            env={"FACTCHECK_ENGINE": "offline"},
            factory=True,
        )
        servers.append(server)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for case in cases:
                r = client.post("/check", json={"text": texts[case.article], "draft": case.claim})
                r.raise_for_status()
                found = [f["verdict"] for f in r.json()["findings"] if f["kind"] == "sentence"]
                worst = [v for v in ("contradicted", "unsupported") if v in found]
                out.append(worst[0] if worst else (found[0] if found else "none"))
    return out


def score(args: argparse.Namespace, files: list[Path]) -> None:
    rng = random.Random(args.seed)
    cases: list[Case] = []
    texts: dict[str, str] = {}
    verdicts: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        texts[path.name] = text
        index = index_article(read_article(text, source_format="text"))
        article_cases = build_cases(path.name, index, rng, args.per_article)
        cases += article_cases
        verdicts += [judge_claim(index, c.claim).verdict for c in article_cases]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for case, verdict in zip(cases, verdicts, strict=True):
        by_kind[case.kind].append(verdict)
        if args.verbose and not right(case.kind, verdict):
            print(f"{case.kind:9} {verdict:12} {case.claim}\n{'':22}article: {case.source}")
    agree = ""
    if args.http:
        over_http = http_verdicts(cases, texts)
        same = sum(a == b for a, b in zip(verdicts, over_http, strict=True))
        agree = f"; over HTTP, {same} of {len(cases)} verdicts the same as the Python API's"
    print(f"{len(cases)} claims from {len(files)} articles{agree}\n")
    print("| claims | n | judged right | contradicted | unsupported |")
    print("|---|---:|---:|---:|---:|")
    for kind in KINDS:
        got = by_kind.get(kind, [])
        if not got:
            continue
        n = len(got)
        ok = sum(right(kind, v) for v in got)
        c = Counter(got)
        print(
            f"| {kind} | {n} | {ok / n:.2f} | {c['contradicted'] / n:.2f} "
            f"| {c['unsupported'] / n:.2f} |"
        )


def citation(index: ArticleIndex, claim: str) -> Citation:
    """The simulated citation of a headline: the body paragraph sharing most of its content
    words (the paragraph that holds its facts), the first of equals, by its number."""
    words = set(content_words(claim))
    text = index.article.text
    paragraphs = index.article.paragraphs
    best = max(
        range(len(paragraphs)),
        key=lambda i: (len(words & set(content_words(text[slice(*paragraphs[i])]))), -i),
    )
    return Citation.of([best + 1], paragraphs)


def headline_cases(path: Path, rng: random.Random) -> tuple[ArticleIndex, list[Case]] | None:
    """An article's headline (its first line, when that has at most 30 words and the
    article goes on) and its one-edit false versions, with the article without that line."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.strip().partition("\n")
    head = head.strip()
    if not rest.strip() or len(head.split()) > 30:
        return None
    index = index_article(read_article(rest, source_format="text"))
    edits = {
        "true": head,
        "name": swap_name(head, head, article_names(index.article), rng),
        "date": change_date(head, rng),
        "number": change_number(head),
        "negation": negate(head),
    }
    cases = [
        Case(path.name, k, c, head) for k, c in edits.items() if c and (k == "true" or c != head)
    ]
    return index, cases


def headlines(args: argparse.Namespace, files: list[Path]) -> None:
    """Claims nobody wrote for this benchmark: each article's headline judged against the
    rest of the article, uncited and citing the paragraph that holds its facts (the false
    versions cite the same paragraph as their true headline)."""
    rng = random.Random(args.seed)
    got: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    articles = 0
    for path in files:
        built = headline_cases(path, rng)
        if built is None:
            continue
        index, cases = built
        articles += 1
        cited = citation(index, cases[0].claim)
        for case in cases:
            claim = tokenized(case.claim) if args.tokenized else case.claim
            for mode, within in (("uncited", None), ("cited", cited)):
                verdict = judge_claim(index, claim, cited=within).verdict
                got[mode, case.kind][verdict] += 1
                if args.verbose and not right(case.kind, verdict):
                    print(f"{mode:8} {case.kind:9} {verdict:12} {claim}")
    print(f"{articles} headlines judged against the rest of their article\n")
    print("| headlines | citation | n | supported | contradicted | caught |")
    print("|---|---|---:|---:|---:|---:|")
    for kind in KINDS:
        for mode in ("uncited", "cited"):
            c = got.get((mode, kind))
            if not c:
                continue
            n = sum(c.values())
            caught = "" if kind == "true" else f"{1 - c['paraphrase'] / n:.2f}"
            print(
                f"| {kind} | {mode} | {n} | {c['paraphrase'] / n:.2f} "
                f"| {c['contradicted'] / n:.3f} | {caught} |"
            )


def cost(args: argparse.Namespace, files: list[Path]) -> None:
    """Median time of ``check_draft`` for ~1,000 words against ~1,000 words, and with each
    doubled, in one run."""
    texts = [p.read_text(encoding="utf-8") for p in files]
    sized = [t for t in texts if 900 <= len(t.split()) <= 1100][: args.cost_articles]
    rng = random.Random(args.seed)

    def draft_of(text: str) -> str:
        index = index_article(read_article(text, source_format="text"))
        lines = []
        for i, s in enumerate(narration(index)):
            edited = (change_number(s) or negate(s) or change_date(s, rng)) if i % 3 == 0 else ""
            lines.append(edited or s)
        draft = " ".join(lines)
        while len(draft.split()) < 1000:
            draft += " " + draft
        return " ".join(draft.split()[:1000])

    pairs = []
    for i, text in enumerate(sized):
        other = sized[(i + 1) % len(sized)]
        draft = draft_of(text)
        pairs.append((text, draft, text + "\n\n" + other, draft + "\n\n" + draft_of(other)))
    timings: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    Pair = tuple[str, str, str, str]
    runs: dict[str, Callable[[Pair], CheckOut]] = {
        "1,000-word draft, 1,000-word article": lambda p: check_draft(read_article(p[0]), p[1]),
        "the same, quotations only": lambda p: check_draft(
            read_article(p[0]), p[1], quotes_only=True
        ),
        "article doubled": lambda p: check_draft(read_article(p[2]), p[1]),
        "draft doubled": lambda p: check_draft(read_article(p[0]), p[3]),
    }
    for p in pairs:
        for run in runs.values():
            run(p)
    for _ in range(args.reps):
        for p in pairs:
            for label, run in runs.items():
                t0, c0 = time.perf_counter(), time.process_time()
                run(p)
                timings[label].append((time.perf_counter() - t0) * 1000)
                cpu[label].append((time.process_time() - c0) * 1000)
    base = statistics.median(timings[next(iter(runs))])
    print(f"check_draft, {len(pairs)} articles of 900-1,100 words, {args.reps} runs each\n")
    print("| operation | median | ratio to the first row | CPU time, median |")
    print("|---|---:|---:|---:|")
    for label, times in timings.items():
        m = statistics.median(times)
        print(f"| {label} | {m:.2f} ms | {m / base:.2f} | {statistics.median(cpu[label]):.2f} ms |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a PolNeAR-style folder")
    ap.add_argument("--articles", help="a glob of .txt articles instead of --data")
    ap.add_argument("--every", type=int, default=1, help="every Nth article (in name order)")
    ap.add_argument("--offset", type=int, default=0, help="first article of the --every slice")
    ap.add_argument("--per-article", type=int, default=3, help="claims of each kind per article")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--no-http", dest="http", action="store_false")
    ap.add_argument("--cost", action="store_true", help="time the draft check instead")
    ap.add_argument("--headlines", action="store_true", help="judge each article's headline")
    ap.add_argument(
        "--tokenized", action="store_true", help="headlines in lower case, punctuation spaced"
    )
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--cost-articles", type=int, default=8)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.articles:
        files = sorted(Path().glob(args.articles))
    else:
        files = sorted((args.data / "text").glob("*.txt"))
    files = files[args.offset :: args.every]
    if args.cost:
        cost(args, files)
    elif args.headlines:
        headlines(args, files)
    else:
        score(args, files)


if __name__ == "__main__":
    main()
