"""Judge quoted words against an article: exact, then normalized, then fuzzy alignment,
and the speaker against the article's own attribution.

Only typographic differences are forgiven (quote marks, dashes, whitespace, case, the
punctuation at either end, an ellipsis standing for omitted words). A changed, added or
removed word makes a quotation ``misquoted``, never ``verified``."""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from .ingest import Article
from .models import Attribution, DiffOp, Finding, Method, Quote, Span, Verdict
from .normalize import SpaceCollapsed, _is_word, content_words, fold
from .quotes.lexicon import HONORIFICS, SUFFIXES, TITLE_WORDS
from .quotes.model import speaker_model
from .quotes.names import NameIndex, same_given_name
from .sentences import sentence_spans

if TYPE_CHECKING:
    from .grounding.facts import ArticleFacts

_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:\.\s*){2,}\]|\(\s*(?:\.\s*){2,}\)|\.\s*\.\s*\.+|…)\s*")
_EDGE = " \t\n\"'“”‘’«»„‚‹›.,;:!?-–—…()[]"
_WORD = re.compile(r"\S+")

MISQUOTE_MIN_SCORE = 70.0
"""Below this similarity a draft quotation is not a variant of an article passage but a
different statement: ``unsupported``."""

MAX_OCCURRENCES = 2_000
"""Places where a quoted phrase may be, looked at per phrase: a phrase that occurs more often
than this (in an article made of one sentence repeated) is looked for in the first ones only.
It bounds the work per draft quotation, so that a draft's size times the article's does not
multiply into minutes."""

CLOSE_PLACES = 8
"""The passages (in quotations, then in the body) compared word by word with a quotation that
is not in the article: those sharing the most word pairs with it."""

CLOSE_VOTES = 256
"""Occurrences of its word pairs looked at to place a quotation that is not in the article,
its rarest pairs first. News text has pairs that occur once or twice; in a text of a few words
repeated, the first occurrences only."""

WHOLE_REGION_CHARS = 2_000
"""A quotation or paragraph up to this long is compared whole with a quotation not found;
a longer one only around the place the quotation's words point to."""

MAX_FUZZY_CHARS = 5_000
"""A quotation longer than this (ten times a long one) is looked for as it is, never compared
word by word: alignment costs the square of its length."""

_TOKEN = re.compile(r"[^\W_]+")
"""Runs of letters and digits: every one in a quoted phrase is a whole run in the article
wherever the phrase is (a boundary check or a mark beside it says so), the key to the index."""


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
    names: NameIndex
    """The names the article mentions, as the quotation extractor read them."""
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
        out: list[tuple[int, int]] = []
        for lo, hi in self.article.paragraphs:
            for s, e in sentence_spans(self.article.text, lo, hi):
                if out and out[-1][1] >= lo and self._inside_quote(s):
                    out[-1] = (out[-1][0], e)
                else:
                    out.append((s, e))
        return out

    @cached_property
    def _quote_reach(self) -> list[int]:
        """For each quotation in start order, the furthest end of it and those before it."""
        return list(itertools.accumulate((q.end for q in self.quotes), max))

    def _inside_quote(self, pos: int) -> bool:
        """Whether some quotation has ``start < pos <= end``."""
        i = bisect.bisect_left(self._quote_starts, pos) - 1
        return i >= 0 and self._quote_reach[i] >= pos

    @cached_property
    def _postings(self) -> tuple[dict[str, list[int]], dict[int, list[int]]]:
        """Where each word, and each pair of neighbouring words, starts in the space-collapsed
        text: the word pairs narrow a phrase down to few places even in a text of few words."""
        words: dict[str, list[int]] = defaultdict(list)
        pairs: dict[int, list[int]] = defaultdict(list)
        previous = ""
        for m in _TOKEN.finditer(self.space_collapsed.text):
            word, start = m.group(), m.start()
            words[word].append(start)
            if previous:
                pairs[hash((previous, word))].append(start)
            previous = word
        return words, pairs

    def _keyed(self, needle: str, *, pairs: bool) -> list[tuple[list[int], int]]:
        """For each word pair of ``needle`` (folded, space-collapsed), or each word when
        ``pairs`` is false or it has one word: where the pair (word) occurs in the
        space-collapsed text, and its offset in ``needle``."""
        tokens = [(m.group(), m.start()) for m in _TOKEN.finditer(needle)]
        words, pair_postings = self._postings
        if pairs and len(tokens) > 1:
            return [
                (pair_postings.get(hash((a, b)), []), offset)
                for (a, _), (b, offset) in itertools.pairwise(tokens)
            ]
        return [(words.get(word, []), offset) for word, offset in tokens]

    def _places(self, needle: str) -> list[int]:
        """Where ``needle`` may start in the space-collapsed text: its rarest word pair (or
        word) placed at each of its occurrences, ``MAX_OCCURRENCES`` at most."""
        keyed = self._keyed(needle, pairs=True)
        if not keyed:
            return []
        postings, offset = min(keyed, key=lambda k: len(k[0]))
        return [p - offset for p in postings[:MAX_OCCURRENCES] if p >= offset]

    @cached_property
    def sentence_words(self) -> dict[tuple[int, int], list[str]]:
        """Each body sentence's content words, worked out once for every claim checked."""
        return {(s, e): content_words(self.article.text[s:e]) for s, e in self.sentences}

    @cached_property
    def facts(self) -> ArticleFacts:
        """Each body sentence's names, amounts, dates and negations, for judging claims;
        built on first use, so a check of quotations alone never pays for it."""
        from .grounding.facts import ArticleFacts  # grounding builds on this module

        return ArticleFacts.build(
            self.names.doc,
            self.sentences,
            self.sentence_words,
            self.folded,
            self.names,
        )

    def in_body(self, start: int) -> bool:
        i = bisect.bisect_right(self._paragraph_starts, start) - 1
        return i >= 0 and start < self.article.paragraphs[i][1]

    # -- look-ups -------------------------------------------------------------------

    def find(self, words: str) -> list[_Hit]:
        """Every occurrence of ``words`` in the article body (up to ``MAX_OCCURRENCES``): exact
        first, else normalized (whatever the whitespace, case, quote marks and dashes)."""
        found = self._found.get(words)
        if found is None:
            found = self._found[words] = self._find(words)
        return found

    @cached_property
    def _found(self) -> dict[str, list[_Hit]]:
        """What ``find`` found, by phrase: a draft may quote the same words many times."""
        return {}

    def _find(self, words: str) -> list[_Hit]:
        needle = " ".join(fold(words).split())
        if not _TOKEN.search(needle):  # no word to look up: look through the text
            return [
                _Hit(start, end, self.quote_at(start, end), "normalized")
                for start, end in self.space_collapsed.find_words(words)
                if self.in_body(start)
            ]
        collapsed = self.space_collapsed
        ctext, n = collapsed.text, len(needle)
        places = sorted({c for c in self._places(needle) if ctext.startswith(needle, c)})
        text = self.article.text
        exact: list[_Hit] = []
        for c in places:  # every exact occurrence is one of these; overlapping ones count
            start = collapsed.original(c)
            end = start + len(words)
            if (
                text.startswith(words, start)
                and self.in_body(start)
                and _on_word_boundaries(text, start, end)
            ):
                exact.append(_Hit(start, end, self.quote_at(start, end), "exact"))
        if exact:
            return exact
        # As SpaceCollapsed.find_words: left to right, not overlapping, on word boundaries
        # where the words begin or end with a letter or digit.
        check_before, check_after = needle[0].isalnum(), needle[-1].isalnum()
        normalized: list[_Hit] = []
        done = 0
        for c in places:
            end = c + n
            if c < done:
                continue
            if (not check_before or c == 0 or not _is_word(ctext[c - 1])) and (
                not check_after or end == len(ctext) or not _is_word(ctext[end])
            ):
                done = end
                start, stop = collapsed.original(c), collapsed.original(end - 1) + 1
                if self.in_body(start):
                    normalized.append(_Hit(start, stop, self.quote_at(start, stop), "normalized"))
        return normalized

    def closest(self, words: str) -> tuple[float, int, int, Quote | None] | None:
        """The article passage most like ``words``: quotations first, then the body. Only the
        places sharing the most word pairs with ``words`` are compared (``CLOSE_PLACES``)."""
        needle = " ".join(fold(words).split())
        if not needle or len(needle) > MAX_FUZZY_CHARS:
            return None
        quotes: dict[tuple[int, int], Quote | None] = {}
        body: dict[tuple[int, int], Quote | None] = {}
        n = len(needle)
        for place in self._close_places(needle):
            start = self.space_collapsed.original(place)
            for quote in self._quotes_near(start, start + 2 * n):
                if len(quotes) < CLOSE_PLACES:
                    quotes[_window(quote.start, quote.end, start, n)] = quote
            i = bisect.bisect_right(self._paragraph_starts, start) - 1
            if i >= 0 and len(body) < CLOSE_PLACES:
                lo, hi = self.article.paragraphs[i]
                body[_window(lo, hi, start, n)] = None
        best = self._closest_in(needle, [(*k, q) for k, q in sorted(quotes.items(), key=_first)])
        if best is None or best[0] < MISQUOTE_MIN_SCORE:
            in_body = self._closest_in(
                needle, [(*k, q) for k, q in sorted(body.items(), key=_first)]
            )
            if in_body is not None and (best is None or in_body[0] > best[0]):
                best = in_body
        return best

    def _close_places(self, needle: str) -> list[int]:
        """Where in the space-collapsed text ``needle`` most likely starts: each occurrence of
        one of its word pairs (or words) votes for the start it implies, the pairs rarest in
        the article first, ``CLOSE_VOTES`` votes at most."""
        keyed = self._keyed(needle, pairs=True)
        if not any(postings for postings, _ in keyed):  # no pair in common: words, then
            keyed = self._keyed(needle, pairs=False)
        # Nearby starts are one place: a changed word shifts the rest by a few characters.
        width = max(16, len(needle) // 4)
        votes: Counter[int] = Counter()
        budget = CLOSE_VOTES
        for postings, offset in sorted(keyed, key=lambda k: len(k[0])):
            if budget <= 0:
                break
            votes.update(max(0, p - offset) // width for p in postings[:budget])
            budget -= len(postings)
        return [bucket * width for bucket, _ in votes.most_common(CLOSE_PLACES)]

    def _quotes_near(self, lo: int, hi: int) -> list[Quote]:
        """The quotation around ``lo``, if any, and those starting in ``(lo, hi)``."""
        first = bisect.bisect_right(self._quote_starts, lo) - 1
        last = bisect.bisect_left(self._quote_starts, hi)
        if first >= 0 and self.quotes[first].end <= lo:
            first += 1
        return self.quotes[max(first, 0) : min(last, first + CLOSE_PLACES)]

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
        said = SpeakerEvidence.of([h.quote for h in hits if h.quote is not None], speaker)
        article_speaker = said.article_speaker
        attribution = _attribution(speaker, article_speaker)
        verdict: Verdict
        if attribution == "mismatch" and said.contradicts():
            verdict = "misattributed"
            message = f"these words are in the article, said by {article_speaker}, not {speaker}"
        elif speaker and attribution != "match":
            # The words stand, but the article does not establish who said them firmly
            # enough to confirm the draft's speaker or to contradict it.
            verdict = "unconfirmed"
            message = f"quotation found in the article, but {said.why_unsure(speaker)}"
        else:
            verdict = "verified"
            message = "quotation found in the article"
            if speaker:
                message += f", said by {article_speaker}"
        return _finding(
            words,
            speaker,
            verdict,
            method,
            100.0,
            evidence,
            article_speaker,
            attribution,
            None,
            message,
        ).model_copy(
            update={
                "article_speaker_confidence": said.confidence if article_speaker else None,
                "draft_speaker_confidence": said.draft_confidence,
            }
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


@dataclass(frozen=True, slots=True)
class SpeakerEvidence:
    """What the article's quotations holding some words say of who said them, and of the
    speaker a draft gives them."""

    article_speaker: str | None
    """The model's pick, when every quotation has the same one."""
    confidence: float
    """The model's least confidence in its picks (``least_confidence``)."""
    draft_confidence: float | None
    """The model's probability of the draft's person, its mentions pooled (the highest of
    the quotations'); None when the draft names nobody or no quotation was scored."""
    explicit: bool
    """Whether each quotation's own sentence names its speaker with a cue."""

    @classmethod
    def of(cls, quotes: list[Quote], speaker: str | None) -> SpeakerEvidence:
        speakers = {q.speaker for q in quotes}
        scored = [q for q in quotes if q._speakers]
        draft = None
        if speaker and scored:
            draft = round(max(_probability_of(speaker, q) for q in scored), 4)
        return cls(
            next(iter(speakers)) if len(speakers) == 1 else None,
            least_confidence(quotes),
            draft,
            bool(quotes) and all(q._explicit for q in quotes),
        )

    def contradicts(self) -> bool:
        """Whether the article says firmly enough that someone else said the words: it
        names its speaker with a cue, the model is sure of that speaker, and the draft's
        person is none of the plausible candidates."""
        return (
            self.explicit
            and confident(self.confidence)
            and self.draft_confidence is not None
            and self.draft_confidence < speaker_model().draft_threshold
        )

    def why_unsure(self, speaker: str) -> str:
        """Why ``speaker`` is neither confirmed nor contradicted, for people."""
        who = self.article_speaker
        if who is None:
            return f"the article does not say who said them: {speaker} is not confirmed"
        if not self.explicit:
            why = f"the article does not name {who} with a cue in the quotation's sentence"
        elif not confident(self.confidence):
            why = f"the article's speaker, {who}, is uncertain (confidence {self.confidence:.2f})"
        else:
            why = (
                f"{speaker} may have said them too (probability {self.draft_confidence or 0:.2f}"
                f" against {self.confidence:.2f} for {who})"
            )
        return f"{why}: {speaker} is not confirmed"


def _probability_of(speaker: str, quote: Quote) -> float:
    """The speaker model's probability that ``speaker`` said ``quote``: the candidates
    that are that person pooled."""
    return sum(p for who, p in quote._speakers if who and same_person(speaker, who))


def least_confidence(quotes: Iterable[Quote]) -> float:
    """The speaker model's lowest confidence in these quotations' speakers (1 for none,
    and for nested quotations, which the model does not score)."""
    return min((q.speaker_confidence or 1.0 for q in quotes), default=1.0)


def confident(confidence: float) -> bool:
    """Whether the article's speaker is sure enough to call another speaker wrong."""
    return confidence >= speaker_model().threshold


def same_person(a: str, b: str) -> bool:
    """Whether two speaker strings name the same person: equal, one within the other, or
    the same surname ("Stoltenberg" and "Jens Stoltenberg", "Mr. Biden" and "Joseph R.
    Biden Jr."), unless both give first names and those differ ("Bill Clinton" is not
    "Hillary Clinton"; "Joe" and "Joseph" agree)."""
    x, y = " ".join(fold(a).split()).strip(_EDGE), " ".join(fold(b).split()).strip(_EDGE)
    if not x or not y:
        return False
    if x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} ":
        return True
    xs, ys = _name_words(x), _name_words(y)
    if not xs or not ys or xs[-1] != ys[-1]:
        return False
    return len(xs) < 2 or len(ys) < 2 or same_given_name(xs[0], ys[0])


def _name_words(name: str) -> list[str]:
    """A name's words without titles before it and suffixes after it."""
    words = [w.strip(".,") for w in name.split()]
    while words and (words[0] in TITLE_WORDS or words[0] in HONORIFICS or words[0] == "the"):
        words = words[1:]
    while words and words[-1] in SUFFIXES:
        words = words[:-1]
    return [w for w in words if w]


def _attribution(speaker: str | None, article_speaker: str | None) -> Attribution:
    if not speaker or not article_speaker:
        return "unknown"
    return "match" if same_person(speaker, article_speaker) else "mismatch"


def _window(lo: int, hi: int, start: int, length: int) -> tuple[int, int]:
    """The part of region ``[lo, hi)`` where a passage of about ``length`` characters that
    starts near ``start`` can be: a region of a paragraph's size whole, a longer one around
    ``start`` (the alignment costs its length times the passage's)."""
    if hi - lo <= max(WHOLE_REGION_CHARS, 4 * length):
        return lo, hi
    return max(lo, start - length), min(hi, start + 2 * length)


def _first(item: tuple[tuple[int, int], Quote | None]) -> tuple[int, int]:
    return item[0]


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
