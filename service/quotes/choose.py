"""Speaker choice: each quotation's candidates described by their features, the trained
model's pick among them, and the pick resolved to a full name. Training
(``service.quotes.train``) reads the same choice sets, so what is learnt is what runs."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from .attribution import Sieve
from .candidates import PARAGRAPHS_BACK, Mention, MentionIndex
from .context import QuoteContext
from .features import QuoteView, candidate_features, none_features, view
from .lexicon import COLLECTIVES, DOCUMENTS, ORGANISATION_HEADS, THING_NOUNS
from .marks import RawQuote
from .model import SpeakerModel
from .quotation import Quotation, Stretch
from .speakers import QUOTE_CHAR, organisation
from .speakers import Mention as CueSubject
from .syntax import Parse, parsed_stretches, stands_for

_GENDERED = {"he": "m", "she": "f"}


@dataclass(slots=True)
class ChoiceSet:
    """One quotation and what may be said of its speaker: ``mentions[i]`` is described
    by ``features[i]``; the last choice, ``None``, is "nobody"."""

    raw: RawQuote
    rule: Quotation
    view: QuoteView
    mentions: list[Mention | None]
    features: list[list[str]]
    stretch: tuple[int, int] | None
    """The stretch of the quotation's sentence worth a parse (``_worth_a_parse``), if any."""
    index: MentionIndex
    part_of: dict[int, int] | None = None
    """Found by the parse (``add_syntax``): ``mentions[i]`` that only belong to or stand
    for ``mentions[j]`` (``syntax.stands_for``: a modifier of a person's noun phrase, a
    description in apposition to a name, a document and its author), as ``i: j``: their
    probability is that one's."""


def choice_sets(ctx: QuoteContext, sieve: Sieve) -> Iterator[ChoiceSet]:
    """A choice set for every quotation that is not nested in another and does not name a
    work, an event, a term or a nickname (those keep no speaker: nobody says them). No
    stretch is parsed yet: ``add_syntax`` parses those of the sets it is given."""
    asked = [
        (q, rule, given)
        for q, rule, given in zip(ctx.raw, sieve.quotes, sieve.passes, strict=True)
        if not q.nested and q.open_pos not in sieve.names_a_thing
    ]
    # Only the paragraphs a candidate may come from are read for mentions.
    reach = {
        p
        for q, _, _ in asked
        for p in range(max(0, q.paragraph - PARAGRAPHS_BACK), q.paragraph + 1)
    }
    index = MentionIndex.build(ctx, sorted(reach))
    names = ctx.names
    salience = Counter(full for _, full in names.people)
    by_mention = {ev.mention.start: ev for evs in sieve.events.values() for ev in evs}
    previous: str | None = None
    for q, rule, given in asked:
        v = view(ctx, index, q, rule, given, by_mention, previous)
        mentions: list[Mention | None] = []
        features: list[list[str]] = []
        near = index.near(ctx, q)
        before = [m for m in near if m.end <= q.open_pos]
        # Nearest first on each side, so that a rank counts outwards from the quotation.
        for side in (before[::-1], near[len(before) :]):
            for rank, m in enumerate(side):
                mentions.append(m)
                known = (
                    salience[names.expand(m.name, m.start)] if m.kind == "person" and m.name else 0
                )
                features.append(candidate_features(ctx, index, v, m, rank, known))
        picked = rule.speaker_mention
        if (
            rule.speaker
            and picked is not None
            and not any(
                m is not None and m.start < picked.end and picked.start < m.end for m in mentions
            )
        ):
            # The rule passes reach further (a running quotation's first speaker, a
            # headline's subject): their pick stays a candidate.
            far = Mention(
                "rule", picked.start, picked.end, q.paragraph, index.sentence_at(picked.start)
            )
            mentions.append(far)
            features.append(candidate_features(ctx, index, v, far, 0, 0))
        mentions.append(None)
        features.append(none_features(v))
        yield ChoiceSet(q, rule, v, mentions, features, _worth_a_parse(ctx, index, v), index)
        if rule.speaker:
            previous = rule.speaker


def add_syntax(ctx: QuoteContext, sets: list[ChoiceSet]) -> None:
    """Parse the stretches of ``sets`` worth a parse, in one batch, and find in each set
    what belongs to whom (``part_of``)."""
    parses = parsed_stretches(
        ctx.text, ctx.masked, sorted({cs.stretch for cs in sets if cs.stretch is not None})
    )
    for cs in sets:
        if cs.stretch is not None and cs.stretch[0] in parses:
            cs.part_of = _stand_ins(parses[cs.stretch[0]], cs.stretch, cs.mentions)


def _stand_ins(
    parse: Parse, window: tuple[int, int], mentions: list[Mention | None]
) -> dict[int, int]:
    """What belongs to whom among the mentions inside the parsed ``window``."""
    out: dict[int, int] = {}
    lo, hi = window
    for i, m in enumerate(mentions):
        if m is None or m.kind == "pronoun" or not (lo <= m.start and m.end <= hi):
            continue
        found = stands_for(parse, m.start, m.end, m.kind == "nominal")
        if found is None:
            continue
        at, person = found
        for j, other in enumerate(mentions):
            if (
                other is not None
                and other is not m
                and other.kind in (("person",) if person else ("person", "organisation"))
                and other.start <= at < other.end
            ):
                out[i] = j
                break
    return out


def _worth_a_parse(ctx: QuoteContext, index: MentionIndex, v: QuoteView) -> tuple[int, int] | None:
    """Where in the quotation's sentence the parse may tell what belongs to whom: around
    two of its mentions at most four words apart, commas aside, the first of which may
    belong to the second (``_may_stand_for``) ("said Oilers head coach Ken
    Hitchcock", "the witness, Mary Jones", "a statement from Jane Smith", "a complaint
    filed by the Audit Office"), from two words before the first to one after the second.
    Most sentences that quote hold one name, or names far apart, and are not parsed; nor is
    a headline, whose capitals mislead the parse."""
    if "headline" in v.shape:
        return None
    lo = index.sentence_starts[v.sentence]
    hi = min(index.sentence_end(v.sentence, len(ctx.text)), ctx.paragraphs[v.raw.paragraph][1])
    i = bisect.bisect_left(index.starts, lo)
    mentions = index.mentions
    while i + 1 < len(mentions) and mentions[i + 1].start < hi:
        first, second = mentions[i], mentions[i + 1]
        gap = ctx.masked[first.end : second.start]
        if (
            _may_stand_for(first.kind, second.kind)
            and QUOTE_CHAR not in gap
            and len(gap.replace(",", " ").split()) <= 4
        ):
            before = ctx.doc.between(max(lo, first.start - _REACH), first.start)[-2:]
            after = ctx.doc.between(second.end, min(hi, second.end + _REACH))[:1]
            return (
                before[0].start if before else max(lo, first.start),
                after[0].end if after else min(hi, second.end),
            )
        i += 1
    return None


def _may_stand_for(first: str, second: str) -> bool:
    """Whether a mention of kind ``first`` may belong to the one after it (``stands_for``):
    a name before a person's ("Oilers head coach Ken Hitchcock"), or a noun phrase before
    a name ("the witness, Mary Jones", "a statement from the ministry")."""
    if first in ("person", "organisation"):
        return second == "person"
    return first == "nominal" and second in ("person", "organisation")


_REACH = 40
"""Characters looked through for the words around a pair of mentions."""


@dataclass(slots=True)
class Choice:
    mention: Mention | None
    confidence: float
    speaker: str | None = None
    title: str | None = None
    totals: dict[str | None, float] = field(default_factory=dict)
    """Each person's probability, their mentions pooled (``None``: nobody or unknown)."""


def choose(
    ctx: QuoteContext, model: SpeakerModel, choices: ChoiceSet, last_spoken: Quotation | None
) -> Choice:
    """The speaker with the most probability: a person named three times near a quotation
    gathers the probability of all three mentions, so that "nobody" does not win because
    the mass was split among mentions of one person."""
    probs = model.probabilities(choices.features)
    part_of = choices.part_of or {}
    totals: dict[str | None, float] = {}
    best: dict[str | None, tuple[float, Mention | None, str | None]] = {}
    for i, p in enumerate(probs):
        m = choices.mentions[part_of.get(i, i)]
        if m is None:
            speaker, title = None, None
        elif m.kind == "rule":
            speaker, title = choices.rule.speaker, choices.rule.speaker_title
            described = _described(ctx, choices, m, last_spoken)
            if described is not None:
                speaker, title = described
        else:
            # A mention that cannot be resolved ("he" with nobody before it) still says
            # who spoke: someone unknown, which counts with "nobody" against the others.
            speaker, title = resolve(ctx, choices, m, last_spoken)
        totals[speaker] = totals.get(speaker, 0.0) + p
        if speaker not in best or p > best[speaker][0]:
            best[speaker] = (p, m, title)
    winner = max(totals, key=lambda k: totals[k])
    _, mention, title = best[winner]
    return Choice(mention, totals[winner], winner, title, totals)


def resolved_quote(ctx: QuoteContext, choices: ChoiceSet, choice: Choice) -> Quotation:
    """The quotation with the chosen speaker: the rule passes' own quotation where they
    point at the same mention, so their cue and title come with it."""
    m = choice.mention
    speakers = tuple(
        (who, round(p, 4))
        for who, p in sorted(choice.totals.items(), key=lambda kv: (-kv[1], kv[0] or ""))
    )
    rule = replace(choices.rule, speakers=speakers)
    confidence = round(choice.confidence, 4)
    if m is None:
        return replace(
            rule,
            speaker_confidence=confidence,
            speaker=None,
            speaker_title=None,
            speaker_mention=None,
            explicit=False,
        )
    mention = rule.speaker_mention
    if rule.speaker and mention is not None and mention.start < m.end and m.start < mention.end:
        if (
            choice.speaker
            and choice.speaker != rule.speaker
            and (
                (m.word in ORGANISATION_HEADS and rule.speaker == mention.text)
                or (m.kind == "person" and _better_name(choice.speaker, rule.speaker))
                or choice.title == rule.speaker
            )
        ):
            # The rule passes left "the agency" as it stands (it names an organisation),
            # or a name short of the article's full one ("G.K." for "G.K. Butterfield"),
            # or one with a word glued on ("Ukraine Kurt Volker"), or a description of
            # the person it names ("the rookie defenceman", kept as the title).
            return replace(
                rule,
                speaker_confidence=confidence,
                speaker=choice.speaker,
                speaker_title=choice.title,
            )
        return replace(rule, speaker_confidence=confidence)
    cue = rule.cue
    event = choices.view.events.get(m.start)
    if event is not None:
        cue = Stretch.of(ctx.text, event.cue_start, event.cue_end)
    raw = choices.raw
    return replace(
        rule,
        speaker_confidence=confidence,
        speaker=choice.speaker,
        speaker_title=choice.title,
        speaker_mention=Stretch.of(ctx.text, m.start, m.end),
        cue=cue,
        # Another mention than the rule passes' is explicit only as the named subject of
        # a cue in the quotation's own sentence.
        explicit=event is not None
        and event.mention.kind == "name"
        and event.sentence[0] <= raw.close
        and raw.open_pos < event.sentence[1],
    )


def _better_name(candidate: str, rule: str) -> bool:
    ours, theirs = candidate.split(), rule.split()
    if len(ours) > len(theirs):
        return f" {rule} " in f" {candidate} "
    return len(ours) >= 2 and len(ours) < len(theirs) and theirs[-len(ours) :] == ours


def resolve(
    ctx: QuoteContext, choices: ChoiceSet, m: Mention, last_spoken: Quotation | None
) -> tuple[str | None, str | None]:
    """Who a mention stands for, as ``(name, title)``: what the rule passes resolved it
    to when they looked at it; else a name expanded to the article's full form of it, a
    "he" or "she" to the person last quoted (``last_spoken``) when of that gender or of
    none known, else to the person named last before it; a noun phrase to the
    organisation it names, or itself."""
    names = ctx.names
    rule, event = choices.rule, choices.view.events.get(m.start)
    said: tuple[str | None, str | None] = (None, None)
    if rule.speaker and rule.speaker_mention and rule.speaker_mention.start == m.start:
        said = rule.speaker, rule.speaker_title
    elif event is not None and event.speaker:
        said = event.speaker, event.title
    described = ctx.text[m.start : m.end]
    if m.kind == "person" and m.name:
        full = names.expand(m.name, m.start)
        if full == m.name and " " not in full:
            full = names.given_first_name(full)
        if said[0] is None or _better_name(full, said[0]):
            return full, m.title or names.titles.get(full)
        return said
    if said[0] and said[0] != described:
        return said
    if (m.kind == "pronoun" and m.word in ("it", "they")) or (
        m.kind == "nominal"
        and described.lower().startswith("the ")
        and m.word in ORGANISATION_HEADS
    ):
        # "The ministry said … It added", "… the agency said": the organisation named
        # last before it.
        for other in choices.mentions:  # nearest first
            if other is None or other.end > m.start:
                continue
            if other.kind == "organisation":
                return other.name, None
            if other.kind == "nominal" and other.word in ORGANISATION_HEADS:
                return ctx.text[other.start : other.end], None
    if said[0]:
        return said
    if m.kind == "organisation":
        return m.name, None
    if m.kind == "pronoun" and m.word in _GENDERED:
        gender = _GENDERED[m.word]
        if (
            last_spoken
            and last_spoken.speaker
            and last_spoken.end <= m.start
            and names.genders.get(last_spoken.speaker) in (None, gender)
        ):
            return last_spoken.speaker, last_spoken.speaker_title
        return names.person_before(m.start), None
    if m.kind == "pronoun":
        return None, None
    if m.kind == "nominal":
        subject = CueSubject("nominal", m.start, m.end, ctx.text[m.start : m.end])
        found = organisation(subject, names)
        if found:
            return found, None
        return _described(ctx, choices, m, last_spoken) or (subject.name, None)
    return None, None


_DEFINITE = re.compile(
    r"(?i:the)\s+((?:[\w’'-]+\s+){0,4}?)([a-z][\w-]*)(?:\s+(?:of|to|for|at|with|in)\s.*)?",
    re.DOTALL,
)
"""A definite description and its head noun, before any complement: "the former top aide
to President George W. Bush" is an aide."""

_NEW_PEOPLE = frozenset(
    "source sources man woman person people resident residents witness witnesses".split()
)
"""Heads of descriptions that bring in someone the article does not name: "the man said"."""


def _described(
    ctx: QuoteContext, choices: ChoiceSet, m: Mention, last_spoken: Quotation | None
) -> tuple[str, str] | None:
    """The person a definite description of one ("the rookie defenceman", "the Florida
    senator") stands for, with the description as their title: the person last quoted,
    when quoted within the paragraphs a speaker is looked for in, else the person named
    last before it there. None for what is not such a description: an organisation or a
    document ("the company", "the report"), a plural, someone new ("the man")."""
    written = ctx.text[m.start : m.end]
    found = _DEFINITE.fullmatch(written)
    if found is None:
        return None
    head = found.group(2).lower()
    if (
        head in THING_NOUNS
        or head in DOCUMENTS
        or head in COLLECTIVES
        or head in _NEW_PEOPLE
        or (head.endswith("s") and not head.endswith("ss"))
    ):
        return None
    reach = ctx.paragraphs[max(0, choices.raw.paragraph - PARAGRAPHS_BACK)][0]
    names = ctx.names
    if (
        last_spoken is not None
        and last_spoken.speaker
        and reach <= last_spoken.start
        and last_spoken.end <= m.start
        and last_spoken.speaker in names.persons
    ):
        return last_spoken.speaker, written
    named = names.person_mention_before(m.start)
    return (named[1], written) if named and named[0] >= reach else None
