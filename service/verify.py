"""Judge quoted words against an article: exact, then normalized, then fuzzy alignment,
and the speaker against the article's own attribution.

Only typographic differences are forgiven (quote marks, dashes, whitespace, case, the
punctuation at either end, an ellipsis standing for omitted words). A changed, added or
removed word makes a quotation ``misquoted``, never ``verified``."""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz

from .ingest import Article
from .models import Attribution, DiffOp, Finding, Method, Quote, Span, Verdict
from .normalize import SpaceCollapsed, content_words, fold
from .quotes.model import speaker_model
from .sentences import sentence_spans

_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){2,}\]|\(\s*(?:\.\s*){2,}\)|\.\s*\.\s*\.+|…)\s*")
_EDGE = " \t\n\"'“”‘’«»„‚‹›.,;:!?-–—…()[]"
_WORD = re.compile(r"\S+")

MISQUOTE_MIN_SCORE = 70.0
"""Below this similarity a draft quotation is not a variant of an article passage but a
different statement: ``unsupported``."""


@dataclass(slots=True)
class _Hit:
    start: int
    end: int
    quote: Quote | None
    method: Method


@dataclass
class ArticleIndex:
    """An article and its quotations, prepared for repeated look-ups."""

    article: Article
    quotes: list[Quote]
    _quote_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.quotes = sorted((q for q in self.quotes if q.kind != "nested"), key=lambda q: q.start)
        self._quote_starts = [q.start for q in self.quotes]
        self._paragraph_starts = [lo for lo, _ in self.article.paragraphs]

    @cached_property
    def folded(self) -> str:
        return fold(self.article.text)

    @cached_property
    def space_collapsed(self) -> SpaceCollapsed:
        return SpaceCollapsed(self.folded)

    def quote_at(self, start: int, end: int) -> Quote | None:
        """The article quotation containing ``[start:end]``, if any."""
        i = bisect.bisect_right(self._quote_starts, start) - 1
        if i >= 0 and self.quotes[i].end >= end:
            return self.quotes[i]
        return None

    @cached_property
    def sentences(self) -> list[tuple[int, int]]:
        """The body's sentences, never cut inside a quotation."""
        inside = [(q.start, q.end) for q in self.quotes]
        out: list[tuple[int, int]] = []
        for lo, hi in self.article.paragraphs:
            for s, e in sentence_spans(self.article.text, lo, hi):
                if out and out[-1][1] >= lo and any(a < s <= b for a, b in inside):
                    out[-1] = (out[-1][0], e)
                else:
                    out.append((s, e))
        return out

    @cached_property
    def sentence_words(self) -> dict[tuple[int, int], list[str]]:
        """Each body sentence's content words, worked out once for every claim checked."""
        return {(s, e): content_words(self.article.text[s:e]) for s, e in self.sentences}

    def in_body(self, start: int) -> bool:
        i = bisect.bisect_right(self._paragraph_starts, start) - 1
        return i >= 0 and start < self.article.paragraphs[i][1]

    # -- look-ups -------------------------------------------------------------------

    def find(self, words: str) -> list[_Hit]:
        """Every occurrence of ``words`` in the article body: exact first, else normalized."""
        text = self.article.text
        hits: list[_Hit] = []
        pos = text.find(words)
        while pos >= 0:
            if self.in_body(pos) and _on_word_boundaries(text, pos, pos + len(words)):
                hits.append(
                    _Hit(pos, pos + len(words), self.quote_at(pos, pos + len(words)), "exact")
                )
            pos = text.find(words, pos + 1)
        if hits:
            return hits
        for start, end in self.space_collapsed.find_words(words):
            if self.in_body(start):
                hits.append(_Hit(start, end, self.quote_at(start, end), "normalized"))
        return hits

    def closest(self, words: str) -> tuple[float, int, int, Quote | None] | None:
        """The article passage most like ``words``: quotations first, then the body."""
        needle = " ".join(fold(words).split())
        if not needle:
            return None
        best = self._closest_in(needle, [(q.start, q.end, q) for q in self.quotes])
        if best is None or best[0] < MISQUOTE_MIN_SCORE:
            in_body = self._closest_in(
                needle, [(lo, hi, None) for lo, hi in self.article.paragraphs]
            )
            if in_body is not None and (best is None or in_body[0] > best[0]):
                best = in_body
        return best

    def _closest_in(
        self, needle: str, regions: list[tuple[int, int, Quote | None]]
    ) -> tuple[float, int, int, Quote | None] | None:
        best: tuple[float, int, int, Quote | None] | None = None
        for lo, hi, quote in regions:
            region = self.folded[lo:hi]
            align = fuzz.partial_ratio_alignment(needle, region)
            if align is None:
                continue
            s, e = _widen_to_words(region, align.dest_start, align.dest_end)
            score = fuzz.ratio(needle, " ".join(region[s:e].split()))
            if best is None or score > best[0]:
                best = (
                    score,
                    lo + s,
                    lo + e,
                    quote if quote is not None else self.quote_at(lo + s, lo + e),
                )
        return best

    # -- judging --------------------------------------------------------------------

    def judge(self, words: str, speaker: str | None) -> Finding:
        """Judge quoted ``words`` said by ``speaker`` (None: the draft names nobody)."""
        parts = [p.strip(_EDGE) for p in _ELLIPSIS.split(words)]
        parts = [p for p in parts if p]
        if not parts:
            return _finding(
                words,
                speaker,
                "unsupported",
                "none",
                0.0,
                [],
                None,
                "unknown",
                None,
                "no words to check",
            )
        located = self._locate_in_order(parts, speaker)
        if located is not None and all(h.quote is not None for h in located):
            return self._judge_found(words, speaker, located)
        return self._judge_unfound(words, speaker, located)

    def _locate_in_order(self, parts: list[str], speaker: str | None) -> list[_Hit] | None:
        """One hit per part, in article order, preferring hits inside quotations by
        ``speaker``; None if a part is not in the article at all."""
        chosen: list[_Hit] = []
        after = -1
        for part in parts:
            hits = [h for h in self.find(part) if h.start > after]
            if not hits:
                return None
            hits.sort(key=lambda h: (h.quote is None, _speaker_rank(speaker, h.quote), h.start))
            chosen.append(hits[0])
            after = hits[0].start
        return chosen

    def _judge_found(self, words: str, speaker: str | None, hits: list[_Hit]) -> Finding:
        evidence = [Span.of(self.article.text, h.start, h.end) for h in hits]
        method: Method = "exact" if all(h.method == "exact" for h in hits) else "normalized"
        article_speakers = {h.quote.speaker for h in hits if h.quote is not None}
        article_speaker = next(iter(article_speakers)) if len(article_speakers) == 1 else None
        confidence = min(
            (h.quote.speaker_confidence for h in hits if h.quote and h.quote.speaker_confidence),
            default=1.0,
        )
        attribution = _attribution(speaker, article_speaker)
        if attribution == "mismatch" and confidence >= speaker_model().threshold:
            return _finding(
                words,
                speaker,
                "misattributed",
                method,
                100.0,
                evidence,
                article_speaker,
                attribution,
                None,
                f"these words are in the article, said by {article_speaker}, not {speaker}",
            )
        if speaker and attribution != "match":
            # The words stand, but the article does not establish who said them firmly
            # enough to confirm the draft's speaker or to contradict it.
            why = (
                "the article does not say who said them"
                if article_speaker is None
                else f"the article's speaker, {article_speaker}, is uncertain "
                f"(confidence {confidence:.2f})"
            )
            return _finding(
                words,
                speaker,
                "unconfirmed",
                method,
                100.0,
                evidence,
                article_speaker,
                attribution,
                None,
                f"quotation found in the article, but {why}: {speaker} is not confirmed",
            )
        note = "quotation found in the article"
        if speaker:
            note += f", said by {article_speaker}"
        return _finding(
            words,
            speaker,
            "verified",
            method,
            100.0,
            evidence,
            article_speaker,
            attribution,
            None,
            note,
        )

    def _judge_unfound(
        self, words: str, speaker: str | None, located: list[_Hit] | None
    ) -> Finding:
        if located is not None:
            # Every word is there, but as the article's own narration.
            evidence = [Span.of(self.article.text, h.start, h.end) for h in located]
            method: Method = "exact" if all(h.method == "exact" for h in located) else "normalized"
            return _finding(
                words,
                speaker,
                "unsupported",
                method,
                100.0,
                evidence,
                None,
                "unknown",
                None,
                "the article says this in its own words, not as a quotation",
            )
        closest = self.closest(" ".join(p.strip(_EDGE) for p in _ELLIPSIS.split(words)))
        if closest is None or closest[0] < MISQUOTE_MIN_SCORE:
            return _finding(
                words,
                speaker,
                "unsupported",
                "none",
                closest[0] if closest else 0.0,
                [],
                None,
                "unknown",
                None,
                "no such quotation or close passage in the article",
            )
        score, start, end, quote = closest
        article_speaker = quote.speaker if quote is not None else None
        attribution = _attribution(speaker, article_speaker)
        passage = self.article.text[start:end]
        diff = word_diff(passage, words)
        changes = [d for d in diff if d.op != "equal"]
        where = "a quotation" if quote is not None else "the article's narration"
        message = f"differs from {where}: " + "; ".join(_describe(d) for d in changes[:3])
        if attribution == "mismatch":
            message += f" (and the article attributes it to {article_speaker})"
        return _finding(
            words,
            speaker,
            "misquoted",
            "fuzzy",
            round(score, 1),
            [Span.of(self.article.text, start, end)],
            article_speaker,
            attribution,
            diff,
            message,
        )


def _speaker_rank(speaker: str | None, quote: Quote | None) -> int:
    if quote is None or speaker is None:
        return 1
    return 0 if _attribution(speaker, quote.speaker) == "match" else 1


def same_person(a: str, b: str) -> bool:
    """Whether two speaker strings name the same person: equal, one within the other, or
    the same surname ("Stoltenberg" and "Jens Stoltenberg")."""
    x, y = " ".join(fold(a).split()).strip(_EDGE), " ".join(fold(b).split()).strip(_EDGE)
    if not x or not y:
        return False
    if x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} ":
        return True
    return x.split()[-1] == y.split()[-1]


def _attribution(speaker: str | None, article_speaker: str | None) -> Attribution:
    if not speaker or not article_speaker:
        return "unknown"
    return "match" if same_person(speaker, article_speaker) else "mismatch"


def _on_word_boundaries(text: str, start: int, end: int) -> bool:
    left = start == 0 or not (text[start - 1].isalnum() and text[start].isalnum())
    right = end >= len(text) or not (text[end - 1].isalnum() and text[end].isalnum())
    return left and right


def _widen_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and text[start] == " ":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


def word_diff(article_passage: str, draft: str) -> list[DiffOp]:
    """Word-level difference, compared on normalized words, shown in original words."""
    a = _WORD.findall(article_passage)
    b = _WORD.findall(draft)
    key_a = [fold(w).strip(_EDGE) for w in a]
    key_b = [fold(w).strip(_EDGE) for w in b]
    ops: list[DiffOp] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, key_a, key_b, autojunk=False
    ).get_opcodes():
        ops.append(DiffOp(op=op, article=" ".join(a[i1:i2]), draft=" ".join(b[j1:j2])))
    return ops


def _describe(d: DiffOp) -> str:
    if d.op == "replace":
        return f"“{d.article}” became “{d.draft}”"
    if d.op == "delete":
        return f"“{d.article}” left out"
    return f"“{d.draft}” added"


def _finding(
    text: str,
    speaker: str | None,
    verdict: Verdict,
    method: Method,
    score: float,
    evidence: list[Span],
    article_speaker: str | None,
    attribution: Attribution,
    diff: list[DiffOp] | None,
    message: str,
) -> Finding:
    return Finding(
        text=text,
        speaker=speaker,
        verdict=verdict,
        method=method,
        score=max(0.0, min(100.0, score)),
        evidence=evidence,
        article_speaker=article_speaker,
        attribution=attribution,
        diff=diff,
        message=message,
    )


def count_verdicts(findings: list[Finding]) -> dict[str, int]:
    return dict(Counter(f.verdict for f in findings))
