"""The offline engine: what factcheck says about an article with no language model.

A summary and key points of the article's own sentences, picked for coverage (each pick
favours the frequent words the earlier picks left out, and the lead a little), none
opening on a pronoun or a connective whose referent is not in the summary; and, as claims
to check, the article's own checkable sentences (numbers, dates, amounts, named sources,
comparisons). Its quotations are the article's, listed as such by the callers: there is no
independent statement to check them against. Deterministic, nothing downloaded, nothing
leaves the machine."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from .models import ModelAnalysis, ModelCited, Quote
from .normalize import WORD, content_words
from .quotes.speakers import CUE
from .verify import ArticleIndex

_TERMINAL = frozenset('.!?…"”’»')
MIN_WORDS = 6
MIN_OWN_WORDS = 2
"""Words outside quotation marks that a summary sentence needs, to say who is speaking."""
SUMMARY_SENTENCES = 3
KEY_POINTS = 5
MAX_SENTENCE_CHARS = 400
"""Longer sentences (a key point's limit for the model too) are not taken: it keeps the
summary a summary, and the work of checking its quotations small, whatever the article."""
CLAIMS = 10
MAX_PASSED = 50
"""Dangling sentences passed over before the picking stops: it stays linear in the article
whatever its sentences."""
LEAD_WEIGHT = 0.2
"""How much the first sentences are favoured over new coverage: news puts what matters
first, but a summary of the lead alone misses the rest."""

# "Details: …", "Background: …": a section label of one or two words is no sentence's
# content. A quotation after the colon is someone's words, so the colon stays then.
_LABEL = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)?:\s+(?=[^\W\d_])")
_OPENING_MARKS = "\"“‘'«„"
_BULLETS = "•·▪◦‣-–—*  \t\n"
_PRONOUN = re.compile(
    r"(?:He|She|They|It|His|Her|Their|Its|Him|Them)\b"
    r"|(?:This|That|These|Those)\s+(?:is|was|are|were|has|have|had|will|would|could|may|"
    r"might|means|meant|comes|came|follows|followed)\b"
)
"""A sentence opening on one of these needs what came before to be understood."""
_SPEAKER_PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them"})
_CONNECTIVE = re.compile(
    r"(?:Rather|However|But|And|Also|Instead|Meanwhile|Still|Yet|Moreover|Furthermore|"
    r"Nevertheless|Nonetheless|Besides|Therefore|Thus|Then|So|Otherwise)\b"
)

_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|"
    r"dozens?|half|quarter|third|twice|double|triple)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|"
    r"Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow)\b"
    r"|\b(?:last|next|this) (?:week|month|year|decade|century)\b"
)
_AMOUNT = re.compile(
    r"[$€£¥₹]|\b(?:per ?cent|percent|percentage|dollars?|euros?|pounds?|yen|rupees?|tonnes?|"
    r"tons?|kilomet(?:er|re)s?|miles?|acres?|hectares?)\b|%",
    re.IGNORECASE,
)
_COMPARISON = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|better|worse|older|"
    r"younger|faster|slower|cheaper|costlier) than\b"
    r"|\bcompared (?:with|to)\b|\b(?:most|least|largest|biggest|highest|lowest|smallest|"
    r"fastest|slowest|record)\b"
    r"|\b(?:rose|risen|rising|fell|fallen|falling|grew|grown|dropped|doubled|tripled|halved|"
    r"increased|decreased|declined|surged|plunged|soared)\b",
    re.IGNORECASE,
)
_NAMED = re.compile(r"\b[A-Z][\w’'-]+")
_SUBJECT = re.compile(r"[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*\s+")


def offline_analysis(index: ArticleIndex) -> ModelAnalysis:
    sentences = _sentences(index)
    quotes = _Quotes(index.quotes)
    picked = _pick(sentences, quotes, SUMMARY_SENTENCES + KEY_POINTS)
    starts = [s for s, _ in index.article.paragraphs]

    def cited(s: _Sentence) -> ModelCited:
        # Its own paragraph, numbered as the prompt numbers them: what a model would cite.
        number = bisect.bisect_right(starts, s.start)
        return ModelCited.model_construct(text=_standalone(s, quotes), paragraphs=[number])

    summary = [cited(s) for s in sorted(picked[:SUMMARY_SENTENCES])]
    points = [cited(s) for s in sorted(picked[SUMMARY_SENTENCES:])]
    # Built without validation: the length bounds budget a model's output, and the
    # article's own sentences are all worth keeping. No statements: the article's
    # quotations are its own, and checking them against themselves would prove nothing.
    return ModelAnalysis.model_construct(
        summary=summary,
        key_points=points,
        claims=[s.text for s in checkable(sentences, quotes)],
        statements=[],
    )


@dataclass(frozen=True, order=True, slots=True)
class _Sentence:
    start: int
    end: int
    text: str
    position: int
    words: frozenset[str]
    source: str = field(compare=False, repr=False)

    def text_between(self, previous: _Sentence) -> str:
        return self.source[previous.end : self.start]


def _sentences(index: ArticleIndex) -> list[_Sentence]:
    """The body's whole sentences of a few words, without leading bullets or labels."""
    text = index.article.text
    out: list[_Sentence] = []
    for span in index.sentences:
        s, e = span
        while s < e and text[s] in _BULLETS:
            s += 1
        label = _LABEL.match(text, s, e)
        if (
            label is not None
            and text[label.end()] not in _OPENING_MARKS
            and not CUE.search(label[0])
        ):
            s = label.end()
        sentence = text[s:e]
        if (
            e - s > MAX_SENTENCE_CHARS
            or text[e - 1] not in _TERMINAL
            or len(WORD.findall(sentence)) < MIN_WORDS
        ):
            continue
        words = frozenset(index.sentence_words[span])
        out.append(_Sentence(s, e, sentence, len(out), words, text))
    return out


class _Quotes:
    """The article's quotations (sorted, none nested, so none overlaps another), found by
    position: every look-up reads only the quotations near a sentence, whatever their
    number."""

    def __init__(self, quotes: list[Quote]) -> None:
        self._quotes = quotes
        self._starts = [q.start for q in quotes]
        self._by_mention: dict[int, Quote] = {}
        for q in quotes:
            if q.speaker and q.speaker_mention is not None:
                self._by_mention.setdefault(q.speaker_mention.start, q)
        self._mentions = sorted(self._by_mention)

    def overlapping(self, lo: int, hi: int) -> list[Quote]:
        out: list[Quote] = []
        i = bisect.bisect_left(self._starts, hi) - 1
        while i >= 0 and self._quotes[i].end > lo:
            out.append(self._quotes[i])
            i -= 1
        return out

    def speaker_at(self, start: int) -> Quote | None:
        """The quotation whose speaker a mention at ``start`` names."""
        return self._by_mention.get(start)

    def mentioned_in(self, lo: int, hi: int) -> list[Quote]:
        """Quotations whose speaker is named between ``lo`` and ``hi``."""
        i = bisect.bisect_left(self._mentions, lo)
        j = bisect.bisect_left(self._mentions, hi)
        return [self._by_mention[m] for m in self._mentions[i:j]]


def _pick(sentences: list[_Sentence], quotes: _Quotes, n: int) -> list[_Sentence]:
    """``n`` sentences, greedily: each adds the most weight of words not yet covered, per
    word, with a bonus for coming early (ties go to the earlier sentence). A sentence that
    is a quotation alone is not taken (whose words they are is in another sentence); one
    that opens on a pronoun or a connective only when the quotations name whom its pronoun
    means, or, for the summary, when the sentence before it is in the summary."""
    freq = Counter(w for s in sentences for w in s.words)
    top = max(freq.values(), default=1)
    covered: set[str] = set()
    left = [
        s
        for s in sentences
        if len(WORD.findall(_outside_quotes(s, quotes))) >= MIN_OWN_WORDS
        and (not _dangling(s.text) or quotes.speaker_at(s.start) or s.position)
    ]
    picked: list[_Sentence] = []

    def gain(s: _Sentence) -> float:
        new = sum(freq[w] for w in s.words - covered)
        return new / (top * max(len(s.words), 1)) + LEAD_WEIGHT / (1 + s.position)

    passed = 0
    while left and len(picked) < n and passed <= MAX_PASSED:
        best = max(left, key=lambda s: (gain(s), -s.position))
        left.remove(best)
        if _dangling(best.text) and quotes.speaker_at(best.start) is None:
            previous = sentences[best.position - 1]
            in_summary = len(picked) < SUMMARY_SENTENCES
            if not (in_summary and previous in picked and _follows(previous, best)):
                passed += 1
                continue
        picked.append(best)
        covered |= best.words
    return picked


def _dangling(sentence: str) -> bool:
    return bool(_PRONOUN.match(sentence) or _CONNECTIVE.match(sentence))


def _follows(previous: _Sentence, s: _Sentence) -> bool:
    """Whether ``s`` comes right after ``previous`` in the article, nothing but space or a
    bullet between them."""
    return not s.text_between(previous).strip(_BULLETS)


def _standalone(s: _Sentence, quotes: _Quotes) -> str:
    """The sentence as it can stand alone: a pronoun that the quotations resolved to a
    speaker ("he added", "she said") is replaced by the speaker's name."""
    names: dict[tuple[int, int], str] = {}
    for q in quotes.mentioned_in(s.start, s.end):
        m = q.speaker_mention
        if q.speaker and m is not None and m.end <= s.end and m.text.lower() in _SPEAKER_PRONOUNS:
            names[m.start - s.start, m.end - s.start] = q.speaker
    text = s.text
    for (a, b), name in sorted(names.items(), reverse=True):
        text = text[:a] + name + text[b:]
    return text


def checkable(sentences: list[_Sentence], quotes: _Quotes) -> list[_Sentence]:
    """The sentences an editor can check against a source, in article order: those with a
    number, a date, an amount, a comparison or a named source, counted outside quotation
    marks (a quotation is its speaker's, listed with who said what; so is the cue beside it).
    The ``CLAIMS`` that
    carry the most kinds of these are kept."""
    scored: list[tuple[int, _Sentence]] = []
    for s in sentences:
        own = _outside_quotes(s, quotes)
        if len(WORD.findall(own)) < MIN_WORDS:
            continue
        kinds = sum(
            bool(pattern.search(own))
            for pattern in (_DIGIT, _NUMBER_WORD, _DATE, _AMOUNT, _COMPARISON)
        )
        # A quotation's own cue only says who spoke: who said what lists it already.
        kinds += own == s.text and _named_source(own)
        if kinds:
            scored.append((kinds, s))
    scored.sort(key=lambda ks: (-ks[0], ks[1].position))
    return sorted(s for _, s in scored[:CLAIMS])


def _outside_quotes(s: _Sentence, quotes: _Quotes) -> str:
    """The sentence with its quoted words blanked (same length)."""
    chars = list(s.text)
    for q in quotes.overlapping(s.start, s.end):
        lo, hi = max(q.start, s.start), min(q.end, s.end)
        for i in range(lo - s.start, hi - s.start):
            chars[i] = " "
    return "".join(chars)


def _named_source(text: str) -> bool:
    """A speech cue and a name: a capitalised word past the sentence's first, or a
    capitalised subject right before the cue ("Smith said", not "He said")."""
    if CUE.search(text) is None:
        return False
    text = text.lstrip()
    if any(m.start() > 0 for m in _NAMED.finditer(text)):
        return True
    subject = _SUBJECT.match(text)
    return bool(subject and content_words(subject[0]) and CUE.match(text, subject.end()))
