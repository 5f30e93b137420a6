"""Who may have said a quotation: the people and organisations named, the pronouns and
the speaking noun phrases ("a spokesman", "the report") near it, outside quotation marks.

Mentions are found once per article, in text order, in the paragraphs a quotation may take
its speaker from; each quotation then takes those of its own paragraph and the two before
it, nearest first and at most ``_BEFORE`` before it and ``_AFTER`` after it, so the work
stays linear in the article's length whatever the number of quotations."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..document import Token
from .context import QuoteContext
from .lexicon import DETERMINERS, NEGATING, PERSONAL_PRONOUNS, SPEAKING_NOUNS
from .marks import RawQuote
from .names import runs_in, split_title
from .speakers import CUE
from .wordregex import alternation

if TYPE_CHECKING:
    from .features import Traits

_BEFORE = 5
_AFTER = 3
PARAGRAPHS_BACK = 2


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of the article that may name a speaker."""

    kind: str
    """person, organisation, pronoun or nominal."""
    start: int
    end: int
    paragraph: int
    sentence: int
    """Index of its sentence in the whole article."""
    name: str | None = None
    """The name as written, for people and organisations."""
    title: str | None = None
    word: str = ""
    """Lower-case head: the pronoun itself, the noun of a nominal."""


@dataclass(slots=True)
class MentionIndex:
    """Every mention of the article, in text order, with the sentences they sit in."""

    mentions: list[Mention]
    starts: list[int]
    sentence_starts: list[int]
    cue_starts: list[int]
    """Where a speech verb or phrase stands outside quotation marks."""
    traits: dict[tuple[int, int, str], Traits] = field(default_factory=dict)
    """Each mention's ``features.Traits``, read when it is first a candidate."""

    @classmethod
    def build(cls, ctx: QuoteContext, paragraphs: list[int]) -> MentionIndex:
        """The mentions of the given paragraphs (in order) of ``ctx``."""
        sentence_starts = [s for sentences in ctx.sentences for s, _ in sentences]
        mentions: list[Mention] = []
        cue_starts: list[int] = []
        for index in paragraphs:
            lo, hi = ctx.paragraphs[index]
            mentions += _mentions(ctx, lo, hi, index, sentence_starts)
            cue_starts += [m.start() for m in CUE.finditer(ctx.masked, lo, hi)]
        mentions.sort(key=lambda m: m.start)
        return cls(
            mentions,
            [m.start for m in mentions],
            sentence_starts,
            cue_starts,
        )

    def sentence_at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.sentence_starts, pos) - 1)

    def sentence_end(self, sentence: int, text_end: int) -> int:
        following = sentence + 1
        return (
            self.sentence_starts[following] if following < len(self.sentence_starts) else text_end
        )

    def has_cue(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self.cue_starts, start)
        return i < len(self.cue_starts) and self.cue_starts[i] < end

    def near(self, ctx: QuoteContext, q: RawQuote) -> list[Mention]:
        """The mentions a quotation's speaker is looked for among."""
        lo = ctx.paragraphs[max(0, q.paragraph - PARAGRAPHS_BACK)][0]
        hi = ctx.paragraphs[q.paragraph][1]
        close = q.close
        i = bisect.bisect_left(self.starts, q.open_pos)
        j = bisect.bisect_left(self.starts, close)
        before = [m for m in self.mentions[max(0, i - _BEFORE) : i] if m.start >= lo]
        after = [m for m in self.mentions[j : j + _AFTER] if m.end <= hi]
        return before + after


def _mentions(
    ctx: QuoteContext, lo: int, hi: int, paragraph: int, sentence_starts: list[int]
) -> list[Mention]:
    """The mentions of one paragraph. Only the tokens of its capitalised stretches and
    near the words of ``_SPEAKING_WORD`` are read: most of the text is never made tokens."""

    def sentence(pos: int) -> int:
        return max(0, bisect.bisect_right(sentence_starts, pos) - 1)

    masked = ctx.masked
    out: list[Mention] = []
    in_names: set[int] = set()
    previous: list[Token] = []
    for run in _split_at_verbs(runs_in(ctx.doc, lo, hi, masked)):
        person = split_title(run, ctx.text)
        if person is None:
            previous = run
            continue
        in_names.update(t.start for t in run if person.start <= t.start < person.end)
        start, name = person.start, person.name
        if (
            person.organisation
            and previous
            and previous[-1].possessive
            and masked[previous[-1].end : run[0].start].isspace()
        ):
            # "the United Nations Children's Fund", "McDonald's Corp.": one organisation,
            # where a possessive otherwise ends a name ("Trump's campaign").
            lead = [t for t in previous if t.word not in DETERMINERS]
            start = lead[0].start if lead else run[0].start
            if out and out[-1].start >= previous[0].start:
                out.pop()
            name = ctx.text[start : person.end]
        out.append(
            Mention(
                "organisation" if person.organisation else "person",
                start,
                person.end,
                paragraph,
                sentence(start),
                name,
                person.title,
                name.split()[-1].lower(),
            )
        )
        previous = run
    for found in _SPEAKING_WORD.finditer(masked, lo, hi):
        start, end = found.span(1)
        if start in in_names:
            continue
        word = found.group(1).lower()
        possessive = found.group(2) is not None
        if word in PERSONAL_PRONOUNS:
            if not possessive:
                out.append(Mention("pronoun", start, end, paragraph, sentence(start), word=word))
            continue
        first = _ANY_WORD.search(masked, lo, start) is None
        if not (masked[start].islower() or first or word.endswith("s")):
            continue
        before = ctx.unquoted(max(lo, start - _LOOK_BACK), start)[-3:]
        determiner = ""
        for prev in reversed(before):
            if prev.word in DETERMINERS or prev.possessive:
                start, determiner = prev.start, prev.word
                break
            if prev.capitalised or not prev.text.isalpha():
                break
        if determiner in NEGATING:
            continue  # "there are no reports": nobody
        out.append(Mention("nominal", start, end, paragraph, sentence(start), word=word))
    return out


_SPEAKING_WORD = re.compile(
    r"(?<![\w’'-])("
    + alternation(
        form
        for word in {*PERSONAL_PRONOUNS, *SPEAKING_NOUNS}
        for form in (word, word.capitalize(), word.upper())
    )
    + r")(['’]s)?(?![\w’'-])"
)
"""A pronoun or a speaking noun, with the possessive ending that would rule a pronoun
out ("he's" is no pronoun subject here, as ``Token`` reads it)."""
_ANY_WORD = re.compile(r"[^\W_]")
_LOOK_BACK = 60


def _split_at_verbs(runs: list[list[Token]]) -> list[list[Token]]:
    """A headline capitalises its speech verb: "Engineer Jane Smith Says" is a name and a
    verb, not one name."""
    out: list[list[Token]] = []
    for run in runs:
        cut = 0
        for k, tok in enumerate(run[1:], 1):
            if CUE.fullmatch(tok.word):
                out.append(run[cut:k])
                cut = k + 1
        if run[cut:]:
            out.append(run[cut:])
    return [r for r in out if r]
