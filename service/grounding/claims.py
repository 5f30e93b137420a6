"""Judge a claim (a sentence stated, not quoted) against an article: ``paraphrase`` when an
article sentence, or two adjacent ones, holds most of its words and every one of its names,
amounts and dates with the same polarity; ``contradicted`` when a sentence says nearly the
same thing with another name, amount, date or polarity; else ``unsupported``."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from ..document import Document
from ..lemmas import lemma
from ..models import DiffOp, Finding, FindingKind, Span, Verdict
from ..normalize import fold
from ..verify import ArticleIndex, word_diff
from .align import Alignment, align, in_place_of
from .citations import Citation
from .facts import ArticleFacts, Facts, Name, headline_names, read_facts, title_case

SUPPORT_MIN_OVERLAP = 0.6
"""Share of a claim's content words, its names, amounts, dates and negations aside, that a
sentence (or two adjacent ones) must hold to support it (with all of those)."""
CITED_MIN_OVERLAP = 0.4
"""The share when the claim cites the passage: the model has said where it stands, so its
own words for it pass more easily; its facts do not."""
CONTRADICT_MIN_OVERLAP = 0.7
"""Share of a claim's other words (its names, amounts, dates and negations aside) that a
sentence must hold to be saying "nearly the same thing"."""
NEAR_MIN_FRAME, NEAR_MIN_OVERLAP = 0.5, 0.6
"""Or: half of those other words, and 60% of all its words."""
CANDIDATES = 6
"""Sentences (or pairs) tried per claim, best overlap first."""
_POLARITY = ("a negation this lacks", "no negation where this has one")
_NEGATION_WORDS = frozenset({"not", "no", "never", "without", "nor", "neither"})
LOOSE = 3
"""Words that a stretch of one text may have in the place of the other's (or of nothing)
and still be what a negation in it changes: "did not", "has never been"."""
SWAP = 3
"""Content words besides a name or number that the stretch of the claim holding it and the
article's stretch in its place may have between them for the one to be put for the other."""
_LEAD_WORDS = 3
"""Words before the first shared word that may still belong to the claim's region of a
sentence ("no plans", "Macron suggested")."""


@dataclass(frozen=True, slots=True)
class _Window:
    start: int
    end: int
    facts: list[Facts]
    shared: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Claim:
    facts: Facts
    frame: frozenset[str]
    """Its content words that are not names, amounts, dates or negations: its wording."""
    hits: dict[int, set[str]]
    """For each article sentence sharing some of its content words, those words."""
    verbatim: str
    """The claim folded, its spaces collapsed and its edge punctuation off."""
    text: str
    """The claim as read (its spaced punctuation closed up): its facts' offsets index it."""


_EDGE = " \t\n\"'“”‘’«».,;:!?"

COMMON = 200
"""Sentences a word may stand in and still pick the sentences a claim is compared with."""


def judge_claim(
    index: ArticleIndex,
    claim: str,
    speaker: str | None = None,
    kind: FindingKind = "claim",
    *,
    at: tuple[int, int] | None = None,
    words: list[str] | None = None,
    cited: Citation | None = None,
) -> Finding:
    """``claim`` judged against the article (see the module's docstring); ``at`` is where
    it stands in a draft or summary (``draft_start``/``draft_end``), ``words`` its content
    words when already known. With ``cited`` (the paragraphs the model says the claim rests
    on) only the sentences inside them are read, and less of the wording must stand there,
    since the model pointed at the passage; every name, amount, date and negation still
    must: a citation never makes a claim true by itself, and one that points at nothing
    (none given, or only numbers the article has no paragraph for) leaves it unsupported."""
    read = _read(index, claim, words)
    text = index.article.text
    passages: list[list[int]] = []
    if cited is not None:
        passages = [sorted(_sentences_in(index, [span])) for span in cited.spans]
        inside = {i for p in passages for i in p}
        read = replace(read, hits={i: got for i, got in read.hits.items() if i in inside})

    def finding(
        verdict: Verdict, window: _Window | None, diff: list[DiffOp] | None, message: str
    ) -> Finding:
        score = 100 * len(window.shared) / len(read.facts.words) if window else 0.0
        evidence = [Span.of(text, window.start, window.end)] if window else []
        # Built from the checker's own values, as many as a draft has sentences: no
        # validation.
        return Finding.model_construct(
            draft_start=at[0] if at else None,
            draft_end=at[1] if at else None,
            text=claim,
            speaker=speaker,
            kind=kind,
            verdict=verdict,
            method="fuzzy" if evidence else "none",
            score=round(min(100.0, score), 1),
            evidence=evidence,
            diff=diff,
            # A passage cited beside numbers the article lacks: said, whatever the verdict.
            message="; ".join(m for m in (message, cited.outside_note if cited else "") if m)
            if cited is None or cited.spans
            else message,
            cited=[Span.of(text, s, e) for s, e in cited.spans] if cited is not None else None,
        )

    if not read.facts.words:
        return finding("unsupported", None, None, "nothing to check")
    if cited is not None and cited.problem:
        return finding("unsupported", None, None, cited.problem)
    window = _supporting(index, read, CITED_MIN_OVERLAP if cited else SUPPORT_MIN_OVERLAP, passages)
    if window is not None:
        where = f"{cited.what} it cites" if cited else "the article"
        return finding(
            "paraphrase",
            window,
            None,
            f"supported by these two sentences of {where}"
            if len(window.facts) > 1
            else f"supported by this sentence of {where}",
        )
    contradicting = _contradicting(index, read)
    if contradicting is not None:
        window, differences, (start, end) = contradicting
        return finding(
            "contradicted",
            window,
            word_diff(text[start:end], claim),
            "the article says this with " + "; ".join(d.what for d in differences),
        )
    if cited:
        return finding("unsupported", None, None, f"the {cited.what} it cites does not hold this")
    return finding("unsupported", None, None, "no sentence of the article supports this")


def _sentences_in(index: ArticleIndex, spans: Sequence[tuple[int, int]]) -> set[int]:
    """The article sentences that overlap any of ``spans``."""
    sentences = index.facts.sentences
    starts = [s for s, _ in sentences]
    inside: set[int] = set()
    for lo, hi in spans:
        i = max(0, bisect.bisect_right(starts, lo) - 1)
        while i < len(sentences) and sentences[i][0] < hi:
            if sentences[i][1] > lo:
                inside.add(i)
            i += 1
    return inside


def _read(index: ArticleIndex, claim: str, words: list[str] | None) -> _Claim:
    """The claim's facts, its names read as the article states them, and the article
    sentences that share its words."""
    text = closed_up(claim)
    if text != claim:
        words = None
    facts = read_facts(Document.build(text), words=words)
    article = index.facts
    if title_case(text):
        # A headline's capitals are no sign of names: its names are the article's.
        facts = replace(facts, names=headline_names(text, article.names))
    else:
        facts = replace(
            facts, names=tuple(n for n in facts.names if not _no_name(text, n, article))
        )
    # The sentences sharing a word with the claim, found through its less common words: a
    # word in more than COMMON sentences (of a long text) would make every claim look at
    # most of the article, and a sentence sharing only such words supports nothing.
    candidates: set[int] = set()
    for w in facts.words:
        posted = article.postings.get(w, ())
        if len(posted) <= COMMON:
            candidates.update(posted)
    hits = {i: set(facts.words & article.facts[i].words) for i in candidates}
    verbatim = " ".join(fold(text).split()).strip(_EDGE)
    return _Claim(facts, facts.words - facts.fact_words - _NEGATION_WORDS, hits, verbatim, text)


_SPACED = (
    (re.compile(r"\s+([,.;:!?%)\]])"), r"\1"),  # "Macron , who" (tokenized benchmark text)
    (re.compile(r"([(\[$£€])\s+"), r"\1"),
    (re.compile(r"\s+(['’]s|n['’]t)\b"), r"\1"),  # "Macron 's", "do n't"
    (re.compile(r"(\d),\s+(\d{3})\b"), r"\1,\2"),  # "235, 000"
    (re.compile(r"(\b[^\W\d_a-z][\w’']*) - (?=[^\W\d_a-z])"), r"\1-"),  # "Saint - Germain"
)


def closed_up(text: str) -> str:
    """``text`` with the spaces that tokenized text puts inside words and numbers taken out,
    so that it reads as the article writes it."""
    for pattern, joined in _SPACED:
        text = pattern.sub(joined, text)
    return text


def _no_name(text: str, name: Name, article: ArticleFacts) -> bool:
    """Whether one capitalised word of a claim that the article names no one by is no name:
    a description after "the" ("the Dutchman"), or a sentence's first word ("Caught",
    "Engineers disagree"), capitalised whatever it is, that the article writes in lower
    case or that is inflected as a common word is ("Leaders", "Caught")."""
    if (
        not name.single
        or name.words <= article.name_words
        or any(name.same_as(m) for m in article.names)  # "U.S." for "United States"
    ):
        return False
    if _described(text, name.start):
        return True
    if not _opens_sentence(text, name.start):
        return False
    word = name.text.lower()
    return word in article.lower_case_words or lemma(word) != word


def _described(text: str, at: int) -> bool:
    """Whether the word at ``at`` follows "the": "the Dutchman", "the Spaniard"."""
    return text[max(0, at - 4) : at].lower() == "the "


def _supporting(
    index: ArticleIndex, claim: _Claim, overlap: float, passages: list[list[int]]
) -> _Window | None:
    """The sentence, or two adjacent ones, or one of the cited ``passages`` (a paragraph's
    sentences) whole, holding the share ``overlap`` of the claim's wording and all of its
    names, amounts and dates, with its polarity."""
    article, facts, frame, hits = index.facts, claim.facts, claim.frame, claim.hits
    wording = frame or facts.words
    need = overlap * len(wording)
    # Two sentences together only where each holds some of the claim's wording that the
    # other lacks, and one of them all of its names: a name, number or negation from the
    # next sentence must not pass.
    spans = [[i] for i, got in hits.items() if len(wording & got) >= need] + [
        [i, i + 1]
        for i, got in hits.items()
        if i + 1 in hits
        and (got - hits[i + 1]) & frame
        and (hits[i + 1] - got) & frame
        and len(wording & (got | hits[i + 1])) >= need
        and any(_names_stated(facts, article.facts[j]) for j in (i, i + 1))
    ]
    # A cited paragraph whole: the model said its facts stand there, spread over its
    # sentences as a summary gathers them; every one of them still must.
    spans += [
        ids
        for ids in passages
        if len(ids) > 2 and len(wording & set().union(*(hits.get(i, set()) for i in ids))) >= need
    ]
    supported = sorted(
        (_window(index, ids, hits) for ids in spans),
        key=lambda w: (-len(w.shared), len(w.facts), w.start),
    )
    for window in supported[:CANDIDATES]:
        said = " ".join(index.folded[window.start : window.end].split()).strip(_EDGE)
        if claim.verbatim == said:
            return window  # the sentence itself, word for word: nothing in it can differ
        negated = facts.negations or any(f.negations for f in window.facts)
        region = _region(index, window) if negated else (window.start, window.end)
        # Support reads every negation of the restated stretch: a claim's "not" that the
        # alignment would call loose must still stand in the article.
        if not _conflicts(facts, window, region, None, missing_counts=True):
            return window
    return None


def _contradicting(
    index: ArticleIndex, claim: _Claim
) -> tuple[_Window, list[_Difference], tuple[int, int]] | None:
    """The sentence saying nearly what the claim says with another name, amount, date or
    polarity; what differs; and the stretch of it to show the difference in."""
    frame, n = claim.frame, len(claim.facts.words)
    near = sorted(
        (_window(index, [i], claim.hits) for i, got in claim.hits.items() if _near(frame, n, got)),
        key=lambda w: (-len(frame & w.shared), -len(w.shared), w.start),
    )
    for window in near[:CANDIDATES]:
        region = _region(index, window)
        alignment = align(claim.text, index.article.text, window.start, window.end)
        differences = _conflicts(claim.facts, window, region, alignment, missing_counts=False)
        if not differences:
            continue
        # Polarity alone is read from "not" and "no": "rules out" and "denies" escape it,
        # so it contradicts only a sentence that shares most of the wording.
        if (
            len(differences) == 1
            and differences[0].what in _POLARITY
            and len(frame & window.shared) < CONTRADICT_MIN_OVERLAP * len(frame)
        ):
            continue
        start, end = region
        for d in differences:
            if d.at is not None:
                start, end = min(start, d.at[0]), max(end, d.at[1])
        return window, differences, (start, end)
    return None


def _opens_sentence(text: str, at: int) -> bool:
    before = text[:at].rstrip(" \"“‘'(")
    return not before or before[-1] in ".!?:;"


def _names_stated(claim: Facts, sentence: Facts) -> bool:
    return all(
        n.key_words <= sentence.words or any(n.same_as(m) for m in sentence.names)
        for n in claim.names
    )


def _near(frame: frozenset[str], n: int, shared: set[str]) -> bool:
    """Whether a sentence holding the claim's words ``shared`` says nearly what the claim
    says, names, amounts and dates aside."""
    framed = len(frame & shared)
    if framed >= 2 and framed >= CONTRADICT_MIN_OVERLAP * len(frame):
        return True
    # Few words of its own ("20 European states met in Paris"): most of all its words.
    return framed >= NEAR_MIN_FRAME * len(frame) and len(shared) >= max(3, NEAR_MIN_OVERLAP * n)


def _window(index: ArticleIndex, ids: list[int], hits: dict[int, set[str]]) -> _Window:
    article = index.facts
    shared: set[str] = set()
    for i in ids:
        shared |= hits.get(i, set())
    return _Window(
        article.sentences[ids[0]][0],
        article.sentences[ids[-1]][1],
        [article.facts[i] for i in ids],
        frozenset(shared),
    )


@dataclass(frozen=True, slots=True)
class _Difference:
    what: str
    at: tuple[int, int] | None
    """Where the window states the other name, amount or date, if it does."""


def _conflicts(
    claim_facts: Facts,
    window: _Window,
    region: tuple[int, int],
    alignment: Alignment | None,
    *,
    missing_counts: bool,
) -> list[_Difference]:
    """What the window states otherwise than the claim. With ``missing_counts``, a name,
    amount or date of the claim that the window lacks counts (support needs them all);
    without, only one that the window replaces with another of its own does: for a name or
    an amount, one that takes that other's place in the claim's ``alignment`` to the
    window, and only that other is named. With an ``alignment``, a negation counts only in
    a stretch that the other text restates or replaces by a few words."""
    words = frozenset().union(*(f.words for f in window.facts))
    names = [n for f in window.facts for n in f.names]
    amounts = [a for f in window.facts for a in f.amounts]
    dates = [d for f in window.facts for d in f.dates]
    out: list[_Difference] = []

    def differ(kind: str, missing: list[tuple[str, int]], others: list[tuple[str, int]]) -> None:
        if not missing_counts and alignment is not None and kind in ("name", "number"):
            # A capitalised word is read as a name loosely, and a sentence states many
            # numbers of many things ("12 kilometres" of lanes that "cost €4 million"): only
            # one in the place of another differs from it.
            swapped = [
                (o, m)
                for o in others
                for m in missing
                if in_place_of(
                    (m[1], m[1] + len(m[0])), (o[1], o[1] + len(o[0])), alignment, most=SWAP
                )
                and not (kind == "name" and _abbreviates(alignment, m, o))
            ]
            others = list(dict.fromkeys(o for o, _ in swapped))
            missing = list(dict.fromkeys(m for _, m in swapped))
        if not missing or not (missing_counts or others):
            return
        said = ", ".join(f"“{w}”" for w, _ in dict.fromkeys(missing))
        if not others:
            out.append(_Difference(f"no mention of {said}", None))
            return
        # The one nearest to the words the claim restates is the likeliest swap.
        middle = (region[0] + region[1]) // 2
        text, at = min(others, key=lambda o: abs(o[1] - middle))
        out.append(_Difference(f"another {kind}: “{text}”, not {said}", (at, at + len(text))))

    differ(
        "name",
        [
            (n.text, n.start)
            for n in claim_facts.names
            if not (n.key_words <= words or any(n.same_as(m) for m in names))
        ],
        [
            (m.text, m.start)
            for m in names
            # A "He" read as the person named last is a guess: it supports, never differs.
            if not (
                m.by_pronoun
                or m.key_words <= claim_facts.words
                or any(m.same_as(n) for n in claim_facts.names)
            )
        ],
    )
    differ(
        "number",
        [(a.text, a.start) for a in claim_facts.amounts if not any(a.states(b) for b in amounts)],
        [(b.text, b.start) for b in amounts if not any(a.states(b) for a in claim_facts.amounts)],
    )
    stated = {(d.kind, d.value) for d in dates}
    for kind in dict.fromkeys(d.kind for d in claim_facts.dates):
        claimed = {d.value for d in claim_facts.dates if d.kind == kind}
        differ(
            "date",
            [
                (d.text, d.start)
                for d in claim_facts.dates
                if d.kind == kind and (kind, d.value) not in stated
            ],
            [(d.text, d.start) for d in dates if d.kind == kind and d.value not in claimed],
        )
    negations = [p for f in window.facts for p in f.negations if region[0] <= p < region[1]]
    claim_negations = list(claim_facts.negations)
    if alignment is not None:
        # "Clinton's pothole politics" against "Clinton turned to a subject that she hasn't
        # devoted much time to: pothole politics": the negation belongs to words the claim
        # does not restate, so it changes nothing the claim says.
        negations = [p for p in negations if not alignment.loose(p, in_claim=False, most=LOOSE)]
        claim_negations = [
            p for p in claim_negations if not alignment.loose(p, in_claim=True, most=LOOSE)
        ]
    if len(negations) != len(claim_negations):
        out.append(_Difference(_POLARITY[len(negations) < len(claim_negations)], None))
    return out


_CAPITALISED_BEFORE = re.compile(r"(?:\b[^\W\d_a-z][\w’'.-]*\s+)+$")


def _abbreviates(alignment: Alignment, claimed: tuple[str, int], other: tuple[str, int]) -> bool:
    """Whether one of a claim's name and the article's in its place is the initials of the
    other, read with the capitalised words before it: "DNC" for "Democratic National
    Convention", which the name reader takes as "National Convention" (a party's word
    before a name is a title to it)."""

    def initials(text: str, name: tuple[str, int]) -> str:
        before = _CAPITALISED_BEFORE.search(text, max(0, name[1] - 80), name[1])
        words = text[before.start() if before else name[1] : name[1] + len(name[0])].split()
        return "".join(w[0] for w in words if w[0].isupper())

    def acronym(name: str) -> str:
        letters = name.replace(".", "")
        return letters if len(letters) > 1 and letters.isalpha() and letters.isupper() else ""

    return bool(
        (acronym(claimed[0]) and acronym(claimed[0]) == initials(alignment.article, other))
        or (acronym(other[0]) and acronym(other[0]) == initials(alignment.claim, claimed))
    )


def _region(index: ArticleIndex, window: _Window) -> tuple[int, int]:
    """The part of the window that the claim restates: from a few words before the first
    of its words that the claim shares to the last."""
    folded = index.folded
    # Not its negations: where the claim's "not" stands in the sentence is what is asked.
    found = sorted(_occurrences(folded, window.start, window.end, window.shared - _NEGATION_WORDS))
    if not found:
        return window.start, window.end
    start, end = _tightest(found)
    lead = folded[window.start : start].split()[-_LEAD_WORDS:]
    if lead:
        start = folded.rfind(lead[0], window.start, start)
    while end < window.end and (folded[end].isalnum() or folded[end] in "'’"):
        end += 1
    return start, end


def _tightest(found: list[tuple[int, int, str]]) -> tuple[int, int]:
    """The shortest stretch holding one occurrence of every word found (a sliding window
    over the occurrences, in order)."""
    need = len({w for _, _, w in found})
    seen: dict[str, int] = {}
    best = (found[0][0], found[-1][1])
    lo = 0
    for _, end, word in found:
        seen[word] = seen.get(word, 0) + 1
        while len(seen) == need:
            start, _, first = found[lo]
            if end - start < best[1] - best[0]:
                best = (start, end)
            seen[first] -= 1
            if not seen[first]:
                del seen[first]
            lo += 1
    return best


def _occurrences(
    folded: str, start: int, end: int, words: frozenset[str]
) -> Iterator[tuple[int, int, str]]:
    """Where each of ``words`` begins a word of ``folded[start:end]``: content words are
    stems ("plans" -> "plan"), so they are matched as word prefixes; Snowball writes a final
    "y" as "i" ("studi"), so that letter is left off."""
    for stem in words:
        w = stem[:-1] if len(stem) > 3 and stem.endswith("i") else stem
        at = folded.find(w, start, end)
        while at >= 0:
            if at == 0 or not folded[at - 1].isalnum():
                yield at, at + len(w), w
            at = folded.find(w, at + 1, end)
