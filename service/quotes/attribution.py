"""Which speaker each quotation gets: the speech cue of its sentence, a running quotation's
speaker, a pronoun resolved to an earlier speaker, a surname to the full name, and the
conventions of news writing that give a speaker without a cue (claims, colon introductions,
headlines, sign-offs); titles and names of works keep none."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..document import Document
from ..models import QuoteKind
from .context import QuoteContext, sentence_of
from .lexicon import (
    AUXILIARIES,
    BEFORE_A_WORK,
    CLAIM_NOUNS,
    HEADLINE_CUES,
    NOT_NAME,
    TELLING,
    TITLE_MINOR_WORDS,
    WORKS,
)
from .marks import RawQuote
from .names import (
    NameIndex,
    capitalised_runs,
    runs_in,
    split_title,
)
from .quotation import Quotation, Stretch
from .speakers import (
    COLON_INTRO,
    CUE,
    OPENING_PARTICIPLE,
    QUOTE_CHAR,
    SIGN_OFF,
    Mention,
    hearer_of,
    it_or_they,
    organisation,
    organisation_opening,
    past_lead_in,
    sentence_subject,
    speaker_of_cue,
    whole_name,
)
from .wordregex import alternation


@dataclass(slots=True)
class Event:
    """A speech cue and its resolved speaker."""

    cue_start: int
    cue_end: int
    mention: Mention
    speaker: str | None
    title: str | None
    paragraph: int
    sentence: tuple[int, int]


@dataclass(slots=True)
class Sieve:
    """What the rule passes made of an article's quotations, read by the speaker model's
    candidates and features."""

    quotes: list[Quotation]
    """Their speakers for each quotation of ``ctx.raw``, in the same order."""
    passes: list[str]
    """For each quotation, the pass that gave its speaker, or "none"."""
    events: dict[int, list[Event]]
    """Every speech cue found with its subject, paragraph by paragraph."""
    names_a_thing: set[int]
    """``open_pos`` of the quotations that name a work, an event, a term or a nickname:
    nobody says them, whatever stands near."""


def attribute(ctx: QuoteContext) -> Sieve:
    """The rule passes, in order, over the quotations of ``ctx``."""
    text, paragraphs, raw = ctx.text, ctx.paragraphs, ctx.raw
    names, masked, sentences = ctx.names, ctx.masked, ctx.sentences
    events: dict[int, list[Event]] = defaultdict(list)
    for found in _events(ctx.doc, masked, paragraphs, sentences, names):
        events[found.paragraph].append(found)
    raw_by_para: dict[int, list[RawQuote]] = defaultdict(list)
    for q in raw:
        raw_by_para[q.paragraph].append(q)

    state = _State(events, {p: _Spoken.of(evs) for p, evs in events.items()})
    outers: dict[int, _Outers] = {}
    out: list[Quotation] = []
    passes: list[str] = []
    things: set[int] = set()
    for q in raw:
        sentence = sentence_of(sentences[q.paragraph], q.open_pos)
        event = None if q.nested else _event_for(q, sentence, state.cues(q.paragraph), masked)
        quote = _make_quote(text, q, event)
        given = "cue" if event is not None else "none"
        if event is not None and event.mention.kind == "name":
            quote = replace(quote, explicit=True)
        if q.nested:
            if q.paragraph not in outers:
                outers[q.paragraph] = _Outers.of(raw_by_para[q.paragraph])
            quote = _nested_speaker(ctx.doc, q, quote, outers[q.paragraph], names)
            given = "nested" if quote.speaker else "none"
        elif event is None:
            step = _Step(ctx, q, quote, sentence, state)
            for name, attribute_by in PASSES:
                attributed = attribute_by(step)
                if attributed.speaker:
                    quote, given = attributed, name
                    break
        if not q.nested and (
            _names_a_work(ctx.doc, q, quote, paragraphs[q.paragraph])
            or _nickname(text, q, paragraphs[q.paragraph])
            or _KNOWN_AS.search(text, max(0, q.open_pos - 40), q.open_pos) is not None
        ):
            things.add(q.open_pos)
            quote, given = _make_quote(text, q, None), "none"
        out.append(quote)
        passes.append(given)
        state.recent.add(q.paragraph, quote)
        if not q.nested and quote.speaker:
            state.previous = (q.paragraph, quote)
    return Sieve(out, passes, events, things)


@dataclass(slots=True)
class _State:
    """What the passes carry from one quotation to the next."""

    events: dict[int, list[Event]]
    spoken: dict[int, _Spoken]
    recent: _Recent = field(default_factory=lambda: _Recent({}, {}))
    previous: tuple[int, Quotation] | None = None
    """The last quotation given a speaker, with its paragraph."""
    _quoted: set[str] | None = None

    def cues(self, paragraph: int) -> _Spoken:
        return self.spoken.get(paragraph) or _NO_CUES

    def quoted(self) -> set[str]:
        """Everyone a cue gives a speech to (a headline drops abbreviations' full stops:
        "Donald Trump Jr: …")."""
        if self._quoted is None:
            self._quoted = {
                ev.speaker.rstrip(".") for evs in self.events.values() for ev in evs if ev.speaker
            }
        return self._quoted


@dataclass(slots=True)
class _Step:
    """A quotation with no speech cue of its own, as the passes see it."""

    ctx: QuoteContext
    q: RawQuote
    quote: Quotation
    sentence: tuple[int, int]
    state: _State

    @property
    def cueless_paragraph(self) -> bool:
        return not self.state.events[self.q.paragraph]


_PRONOUN_REACH = 60
"""Entries (sentences and named people) a pronoun looks back over."""


@dataclass(slots=True)
class _Referents:
    """People a pronoun may point back to: named speakers and named sentence subjects, in
    text order, with the gender the text has shown for them. A sentence's subject is only
    worked out when a pronoun looks back that far."""

    names: NameIndex
    doc: Document
    masked: str
    people: list[tuple[int, str | None, str | None, int]]
    """``(offset, name, title, sentence end)``; a sentence not yet looked at has no name
    and its end; once looked at, the end is -1."""
    genders: dict[str, str]

    def add(self, pos: int, name: str, title: str | None) -> tuple[int, str, str | None, int]:
        entry = (pos, name, title, -1)
        self.people.append(entry)
        return entry

    def add_sentence(self, start: int, end: int) -> None:
        self.people.append((start, None, None, end))

    def _entry(self, i: int) -> tuple[int, str | None, str | None, int]:
        pos, name, title, end = self.people[i]
        if end >= 0:
            # "In a statement on Tuesday, Jane Smith was more careful": past the lead-in.
            start = past_lead_in(self.masked, pos, end)
            subject = sentence_subject(self.doc, self.masked, start, end, self.names)
            if subject is not None:
                pos = subject.start
                name, title = self.resolve(subject)
            self.people[i] = (pos, name, title, -1)
        return self.people[i]

    def resolve(self, mention: Mention) -> tuple[str | None, str | None]:
        if mention.kind == "name" and mention.name:
            full = self.names.expand(mention.name, mention.start)
            if mention.gender:
                self.genders.setdefault(full, mention.gender)
            return full, mention.title or self.names.titles.get(full)
        if mention.kind == "pronoun":
            # A pronoun reaches back a few paragraphs at most; bounded, a text with no one
            # it could stand for costs the same per pronoun however long it runs.
            for i in range(
                len(self.people) - 1, max(-1, len(self.people) - 1 - _PRONOUN_REACH), -1
            ):
                pos, name, title, _ = self._entry(i)
                if name is None or pos >= mention.start:
                    continue
                known = self.genders.get(name)
                if known is None or known == mention.gender:
                    if mention.gender:
                        self.genders.setdefault(name, mention.gender)
                    return name, title
            return self.names.person_before(mention.start), None
        if mention.kind == "nominal" and mention.name:
            return organisation(mention, self.names) or mention.name, None
        return None, None


def _events(
    doc: Document,
    masked: str,
    paragraphs: Sequence[tuple[int, int]],
    sentences: list[list[tuple[int, int]]],
    names: NameIndex,
) -> list[Event]:
    """Every speech cue outside quotations, with its speaker resolved, in text order."""
    events: list[Event] = []
    referents = _Referents(names, doc, masked, [], dict(names.genders))
    for index in range(len(paragraphs)):
        for s, e in sentences[index]:
            referents.add_sentence(s, e)
            found: list[tuple[int, int, Mention]] = []
            heard: list[tuple[int, str | None, str | None, int]] = []
            intro = COLON_INTRO.match(masked, s, e)
            if intro:
                person = whole_name(doc, intro.start(1), intro.end(1))
                if person is not None:
                    found.append((intro.end(1), intro.end(1) + 1, person))
            for m in SIGN_OFF.finditer(masked, s, e):
                person = whole_name(doc, m.start(2), m.end(2))
                if person is not None:
                    found.append((m.start(1), m.end(1), person))
            cues: Iterable[re.Match[str]] = CUE.finditer(masked, s, e)
            if "ing" in masked[s : s + 14]:
                opening = OPENING_PARTICIPLE.match(masked, s, e)
                cues = itertools.chain((opening,) if opening else (), cues)
            for m in cues:
                mention = speaker_of_cue(
                    doc, masked, s, e, m.start(), m.end(), m.group().lower(), names
                ) or it_or_they(doc, masked, sentences, index, s, m.start())
                if mention is not None:
                    found.append((m.start(), m.end(), mention))
            for cs, ce, mention in found:
                speaker, title = referents.resolve(mention)
                if mention.title and not title:
                    title = mention.title
                if speaker and mention.kind == "name":
                    referents.add(mention.start, speaker, title)
                events.append(Event(cs, ce, mention, speaker, title, index, (s, e)))
                hearer = hearer_of(doc, ce, e) if masked[cs:ce] in TELLING else None
                if hearer is not None:
                    heard.append(
                        referents.add(hearer.start, names.expand(hearer.name, hearer.start), None)
                    )
            for entry in heard:
                # Past its sentence, "he" or "she" is more likely the one who spoke. The
                # entry is among the last: looked for from the end.
                people = referents.people
                for k in range(len(people) - 1, -1, -1):
                    if people[k] is entry:
                        del people[k]
                        break
    return events


def _event_for(q: RawQuote, sentence: tuple[int, int], para: _Spoken, masked: str) -> Event | None:
    s, e = sentence
    close = q.close
    starts, spoken = para.starts, para.events
    lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
    first_after = bisect.bisect_right(starts, close, lo, hi)
    last_before = bisect.bisect_left(starts, q.open_pos, lo, hi) - 1
    after = spoken[first_after] if first_after < hi else None
    before = spoken[last_before] if last_before >= lo else None
    if after is not None and after.mention.start > close:
        # "…,” Smith said" / "…,” said Smith": the cue or its subject follows the mark.
        between = masked[close + 1 : min(after.cue_start, after.mention.start)]
        # Only punctuation, or an auxiliary ("», a-t-il ajouté"), between mark and cue.
        if between.strip(" ,.;:!?)–—―-") in ("", *AUXILIARIES) or before is None:
            return after
    if before is not None:
        return before
    if after is not None:
        return after
    # "“… Katy.” Trump said to cheers.": a full stop where a comma belongs; the next
    # sentence opening with its subject and cue still attributes a quotation that is a
    # sentence of its own, unless an earlier cue in the paragraph may be continuing.
    alone = q.open_pos == s and not (para.all_starts and para.all_starts[0] < q.open_pos)
    for ev in spoken[bisect.bisect_right(starts, close) :] if alone else ():
        if ev.sentence[0] > close:
            opens = ev.mention.start == ev.sentence[0] < ev.cue_start
            if (
                opens
                and not masked[close + 1 : ev.sentence[0]].strip(" \"”’'")
                and not masked[ev.mention.end : ev.cue_start].strip()
            ):
                return ev
            break
    return None


def _make_quote(text: str, q: RawQuote, event: Event | None) -> Quotation:
    words = text[q.start : q.end]
    first_alpha = next((c for c in words if c.isalpha()), "")
    kind: QuoteKind
    if q.nested:
        kind = "nested"
    elif first_alpha.isupper() and (q.continued or words.rstrip("\"'”’")[-1:] in ".,!?;:…—–-"):
        kind = "full"
    else:
        kind = "partial"
    mention = cue = None
    speaker = title = None
    if event is not None:
        speaker, title = event.speaker, event.title
        mention = Stretch.of(text, event.mention.start, event.mention.end)
        cue = Stretch.of(text, event.cue_start, event.cue_end)
    return Quotation(
        text=words,
        start=q.start,
        end=q.end,
        speaker=speaker,
        speaker_title=title,
        speaker_mention=mention,
        cue=cue,
        kind=kind,
        open_mark=q.open_mark,
        continued=q.continued,
    )


@dataclass(slots=True)
class _Spoken:
    """A paragraph's speech cues in text order: those whose speaker is known with their
    offsets, and the offsets of all, for bisection."""

    events: list[Event]
    starts: list[int]
    all_starts: list[int]

    @classmethod
    def of(cls, events: list[Event]) -> _Spoken:
        ordered = sorted(events, key=lambda ev: ev.cue_start)
        known = [ev for ev in ordered if ev.speaker]
        return cls(known, [ev.cue_start for ev in known], [ev.cue_start for ev in ordered])

    def last_before(self, pos: int) -> Event | None:
        i = bisect.bisect_left(self.starts, pos)
        return self.events[i - 1] if i else None


_NO_CUES = _Spoken([], [], [])


@dataclass(slots=True)
class _Recent:
    """The latest quotations ``_inherit`` looks back at, kept up as quotations are
    attributed, so that a look-back costs the same however many came before."""

    running: dict[str, Quotation]
    """Per opening mark, the latest quotation running on into the next paragraph."""
    spoken: dict[int, Quotation]
    """Per paragraph, its latest quotation with a speaker (nested ones aside)."""

    def add(self, paragraph: int, quote: Quotation) -> None:
        if quote.continued:
            self.running[quote.open_mark] = quote
        if quote.speaker and quote.kind != "nested":
            self.spoken[paragraph] = quote


def _inherit(step: _Step) -> Quotation:
    """A quotation with no cue in its sentence: the piece of a running quotation (opening
    the next paragraph; a later quotation there is a new one) takes its speaker; a fragment
    takes the speaker of the paragraph's last cue before it; a paragraph introduced by "X
    said:" at the end of the previous one is X's; a full quotation opening a paragraph
    continues the previous paragraph's speaker."""
    text, paragraphs = step.ctx.text, step.ctx.paragraphs
    q, quote, state = step.q, step.quote, step.state
    para_events = state.events[q.paragraph]
    lo = paragraphs[q.paragraph][0]
    recent, previous = state.recent, state.previous
    if q.paragraph > 0 and q.open_pos == lo:
        prev_lo, prev_hi = paragraphs[q.paragraph - 1]
        intro = state.cues(q.paragraph - 1).events
        if intro and text[prev_lo:prev_hi].rstrip().endswith(":"):
            # "Smith said:" ending the paragraph before: the cue introduces this one.
            named = intro[-1].mention.kind == "name"
            return replace(_with_event(text, quote, intro[-1]), explicit=named)
    running = recent.running.get(q.open_mark)
    if (
        running is not None
        and running.speaker
        and running.end <= q.start
        and q.open_pos == lo
        and _follows_running(running, q, paragraphs)
    ):
        return replace(_said_by(quote, running), explicit=running.explicit)
    earlier = state.cues(q.paragraph).last_before(q.open_pos)
    if earlier is not None:
        return _with_event(text, quote, earlier)
    if _looks_like_title(quote.text):
        return quote
    same_para = recent.spoken.get(q.paragraph)
    if same_para is not None and not para_events:
        return _said_by(quote, same_para)
    if previous is not None and quote.kind == "full" and not para_events:
        para_index, src = previous
        if para_index == q.paragraph - 1 and q.open_pos == lo:
            return _said_by(quote, src)
    return quote


def _beat_after(step: _Step) -> Quotation:
    """Interview style, no speech verb: “I mean. Yes, no…” Wiig, who is slight, looks
    mortified. A full quotation in a paragraph with no cue, followed at once by what a
    named person did, is that person's."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    q, quote = step.q, step.quote
    end = step.ctx.paragraphs[q.paragraph][1]
    if (
        quote.kind != "full"
        or not step.cueless_paragraph
        or _looks_like_title(quote.text.rstrip(",."))
        or q.close_pos is None
    ):
        return quote
    start = q.close_pos + 1
    while start < end and text[start].isspace():
        start += 1
    subject = sentence_subject(doc, masked, start, min(end, start + 120), names)
    if subject is None or subject.name is None or subject.start != start:
        return quote
    return _said_by_subject(text, quote, subject, names)


def _beat_before(step: _Step) -> Quotation:
    """A full quotation opening a sentence right after one about what a named person did,
    in a paragraph with no speech verb: "Sanders named bigotry as a reason to vote. “The
    younger people are sick and tired of it.”" is Sanders's."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    q, quote = step.q, step.quote
    if quote.kind != "full" or not step.cueless_paragraph:
        return quote
    sentences = step.ctx.sentences[q.paragraph]
    i = bisect.bisect_right(sentences, q.open_pos, key=lambda x: x[0]) - 1
    if i < 1 or sentences[i][0] != q.open_pos:
        return quote
    lo, hi = sentences[i - 1]
    subject = sentence_subject(doc, masked, past_lead_in(masked, lo, hi), hi, names)
    if subject is None or subject.name is None:
        return quote
    return _said_by_subject(text, quote, subject, names)


def _sentence_subject_says(step: _Step) -> Quotation:
    """A fragment quoted in a sentence about what a named person did ("Reid has gone after
    Trump as a “human leech”"): the words are that person's."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    q, quote = step.q, step.quote
    if quote.kind != "partial" or _looks_like_title(quote.text):
        return quote
    start = past_lead_in(masked, step.sentence[0], q.open_pos)
    subject = sentence_subject(doc, masked, start, q.open_pos, names)
    if subject is None or subject.name is None or subject.end > q.open_pos:
        return quote
    return _said_by_subject(text, quote, subject, names)


_CLAIM = re.compile(
    r"(?:\b([Hh]is|[Hh]er)|([^\W\d_][\w.’'-]*(?:’s|'s|s’|s')))\s+(?:[a-z-]+\s+)?"
    r"(?:" + alternation(CLAIM_NOUNS) + r")\b"
)


_CLAIM_HINT = re.compile("’s|'s|s’|s'|his|His|her|Her")


def _claim_of(step: _Step) -> Quotation:
    """ "Trump’s claim that there were “thousands of shootings”", "his promise to “…”": the
    words are the possessor's. Only the nearest such phrase before the quotation counts."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    q, quote = step.q, step.quote
    lo = max(step.sentence[0], q.open_pos - 150)
    if _CLAIM_HINT.search(masked, lo, q.open_pos) is None:
        return quote  # no possessive before it: the regex below is the costly part
    claims = list(_CLAIM.finditer(masked, lo, q.open_pos))
    if not claims:
        return quote
    found = claims[-1]
    # The quotation gives the claim's content ("claim that", "promise to", "words: “…”"),
    # not a verdict on it ("Trump’s statement was “true”").
    content = masked[found.end() : q.open_pos]
    if QUOTE_CHAR in content or not re.match(r"\s*(?:[:,]|that\b|to\b|about\b|of\b)", content):
        return quote
    owner = _claim_owner(doc, found, lo, names)
    return quote if owner is None else _said_by_subject(text, quote, owner, names)


def _claim_owner(doc: Document, found: re.Match[str], lo: int, names: NameIndex) -> Mention | None:
    """Whose claim ``found`` (a ``_CLAIM`` match) is: the named possessor, or the last
    person mentioned whom "his" or "her" may stand for."""
    if found.group(1):
        gender = "m" if found.group(1).lower() == "his" else "f"
        i = bisect.bisect_left(names.people, (found.start(), ""))
        for _, name in reversed(names.people[max(0, i - 5) : i]):
            if names.genders.get(name, gender) == gender:
                return Mention("pronoun", found.start(1), found.end(1), name)
        return None
    owner_end = found.end(2) - (1 if found.group(2)[-1] in "’'" else 2)
    runs = runs_in(doc, max(lo, owner_end - 60), owner_end)
    if not runs or runs[-1][-1].end != owner_end:
        return None
    person = whole_name(doc, runs[-1][0].start, owner_end)
    return None if person is None or person.name is None else person


def _colon_intro(step: _Step) -> Quotation:
    """A sentence about a named person ending in a colon introduces the full quotation
    after it, in the same paragraph or opening the next: "Sanders made the following
    comment:", "In Ohio, Jane Smith issued a statement: “…”"; so does one about an
    organisation."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    sentences, paragraphs = step.ctx.sentences, step.ctx.paragraphs
    q, quote = step.q, step.quote
    if quote.kind != "full":
        return quote
    lo = paragraphs[q.paragraph][0]
    if masked[lo : q.open_pos].strip():
        intro = sentence_of(sentences[q.paragraph], q.open_pos)
        end = q.open_pos
    elif q.paragraph > 0 and sentences[q.paragraph - 1]:
        intro = sentences[q.paragraph - 1][-1]
        end = paragraphs[q.paragraph - 1][1]
    else:
        return quote
    if not masked[intro[0] : end].rstrip().endswith(":"):
        return quote
    start = past_lead_in(masked, intro[0], end)
    subject = sentence_subject(doc, masked, start, end, names)
    if subject is None:
        # "Jane Smith’s response was blunt:"
        claim = _CLAIM.search(masked, start, end)
        subject = _claim_owner(doc, claim, start, names) if claim else None
        if subject is not None and subject.start != start:
            subject = None
    # "The White House released a statement:"
    subject = subject or organisation_opening(doc, masked, start, end)
    if subject is None or subject.name is None:
        return quote
    return _said_by_subject(text, quote, subject, names)


_HEADLINE_SAYS = re.compile(
    r"[,\ue000]\s+([^,\ue000]{2,60}?)\s+(?:" + "|".join(HEADLINE_CUES) + r")\W*$"
)


def _headline_speaker(step: _Step) -> Quotation:
    """A headline quotes without a speech verb of its own: "Name: … ‘…’", "…, Name Says",
    and, capitalised throughout, "Chris Christie Calls Hillary Clinton ‘A Disgrace’": the
    person it opens with. Only someone the article quotes counts, so that "Poll: …" or
    "Gold Star Mom Corners …" name nobody."""
    text, masked, names = step.ctx.text, step.ctx.masked, step.ctx.names
    doc = step.ctx.doc
    q, quote = step.q, step.quote
    if q.paragraph != 0 or len(step.ctx.paragraphs) < 2:
        return quote
    para = step.ctx.paragraphs[0]
    quoted = step.state.quoted()
    lo, hi = para
    if hi - lo > 160:
        return quote
    colon = re.match(r"([^:\ue000]{2,60}):\s", masked[lo:hi])
    says = _HEADLINE_SAYS.search(masked, lo, hi)
    candidates = []
    if colon and q.open_pos > lo + colon.end(1):
        candidates.append(whole_name(doc, lo, lo + colon.end(1)))
    if says and q.close_pos is not None and q.close_pos < says.start(1):
        candidates.append(whole_name(doc, says.start(1), says.end(1)))
    for mention in candidates:
        if mention and mention.name and names.expand(mention.name, hi).rstrip(".") in quoted:
            return _said_by_subject(text, quote, mention, names)
    if not _title_case(text, para):
        return quote
    runs = runs_in(doc, lo, q.open_pos)
    if not runs or runs[0][0].start != lo:
        return quote
    for k in range(len(runs[0]), 0, -1):
        run = runs[0][:k]
        person = split_title(run, text)
        if person is None or run[-1].possessive or person.organisation:
            continue
        full = names.expand(person.name, hi)
        # A longer run only expands by its last word: "… Rip Donald Trump" is not Trump.
        if (
            (full == person.name or " " not in person.name)
            and full.rstrip(".") in quoted
            and masked[run[-1].end : q.open_pos].strip()
        ):
            subject = Mention.named(person)
            return _said_by_subject(text, quote, subject, names)
    return quote


PASSES: tuple[tuple[str, Callable[[_Step], Quotation]], ...] = (
    ("inherited", _inherit),
    ("sentence subject", _sentence_subject_says),
    ("claim", _claim_of),
    ("colon", _colon_intro),
    ("beat after", _beat_after),
    ("beat before", _beat_before),
    ("headline", _headline_speaker),
)
"""The passes for a quotation with no speech cue of its own, in order; the first to give a
speaker gives it, and its name is what the speaker model reads of it:

- inherited: a running quotation's speaker, the paragraph's last cue before it, "X said:"
  ending the previous paragraph, the previous paragraph's speaker for a full quotation
  opening a paragraph (``_inherit``);
- sentence subject: a fragment in a sentence about someone ("Smith called it “a farce”");
- claim: the owner of a claim, a statement, a tweet ("X's claim that “…”");
- colon: an introduction ending with a colon ("From Jane Smith: “…”");
- beat after / beat before: interview style, a name and no speech verb right after or
  before a full quotation in a paragraph with no cue;
- headline: a headline's subject ("Smith Slams ‘…’")."""


def _attributed(
    quote: Quotation,
    speaker: str | None,
    title: str | None,
    mention: Stretch | None,
    cue: Stretch | None,
) -> Quotation:
    return replace(quote, speaker=speaker, speaker_title=title, speaker_mention=mention, cue=cue)


def _said_by(quote: Quotation, src: Quotation) -> Quotation:
    """``quote`` with the attribution of ``src`` (the same speaker, mention and cue)."""
    return _attributed(quote, src.speaker, src.speaker_title, src.speaker_mention, src.cue)


def _said_by_subject(text: str, quote: Quotation, subject: Mention, names: NameIndex) -> Quotation:
    """``quote`` said by the person a sentence is about (no cue to show)."""
    assert subject.name is not None
    full = names.expand(subject.name, subject.start)
    title = subject.title or names.titles.get(full)
    return _attributed(quote, full, title, Stretch.of(text, subject.start, subject.end), quote.cue)


def _with_event(text: str, quote: Quotation, ev: Event) -> Quotation:
    mention = Stretch.of(text, ev.mention.start, ev.mention.end)
    return _attributed(
        quote, ev.speaker, ev.title, mention, Stretch.of(text, ev.cue_start, ev.cue_end)
    )


def _follows_running(prev: Quotation, q: RawQuote, paragraphs: Sequence[tuple[int, int]]) -> bool:
    return any(
        lo <= prev.start < hi for lo, hi in paragraphs[max(0, q.paragraph - 1) : q.paragraph]
    )


@lru_cache(maxsize=4096)
def _looks_like_title(words: str) -> bool:
    """“Titanic”, “The Art of the Deal”: short, every main word capitalised."""
    parts = words.split()
    if not parts or len(parts) > 8 or words.rstrip()[-1:] in ".,!?":
        return False
    main = [p for p in parts if p.lower() not in TITLE_MINOR_WORDS]
    return bool(main) and all(p[:1].isupper() for p in main)


def _names_a_work(doc: Document, q: RawQuote, quote: Quotation, para: tuple[int, int]) -> bool:
    """A title-cased quotation naming a show, event or work rather than reporting speech:
    after a possessive (MSNBC’s “Morning Joe”, its “Vision Pro” headset), a preposition
    (on “Face the Nation”, during a “Commander-in-Chief Forum”) or a noun for a work (the
    anthem “…”); or alone in its paragraph, as a section heading. Headlines, capitalised
    throughout, are not judged by their capitals."""
    text = doc.text
    if not _looks_like_title(quote.text.strip("'‘’\" ,.")):
        return False
    close = q.close
    if q.open_pos == para[0] and not text[close + 1 : para[1]].strip() and " " in quote.text:
        return True
    if _title_case(text, para):
        return False
    before = doc.between(max(para[0], q.open_pos - 60), q.open_pos)
    if not before or text[before[-1].end : q.open_pos].strip(" ,"):
        return False
    while len(before) > 1 and before[-1].word in ("a", "an", "the"):
        before.pop()
    last = before[-1]
    return last.possessive or last.word in BEFORE_A_WORK or last.word in WORKS


_KNOWN_AS = re.compile(r"\bknown as\s+(?:the\s+|an?\s+)?$", re.IGNORECASE)
"""A term the text names rather than anyone's words: what became known as the “Buffett
rule”. ("So-called" is not enough: the term is often the subject's own.)"""


def _nickname(text: str, q: RawQuote, para: tuple[int, int]) -> bool:
    """Marcia “Cia” Price: one capitalised word quoted between a given name and a surname
    (in a headline every word is capitalised)."""
    if (
        q.close_pos is None
        or not re.fullmatch(r"[A-Z][\w.’'-]*", text[q.start : q.end])
        or _title_case(text, para)
    ):
        return False
    before = re.search(r"\b[A-Z][\w’'-]* $", text[max(0, q.open_pos - 30) : q.open_pos])
    return before is not None and re.match(r" [A-Z]", text[q.close_pos + 1 :]) is not None


def _title_case(text: str, para: tuple[int, int]) -> bool:
    """A headline's capitals: short, and nearly every longer word capitalised."""
    if para[1] - para[0] > 160:
        return False
    words = [w for w in text[para[0] : para[1]].split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _nested_speaker(
    doc: Document, q: RawQuote, quote: Quotation, outers: _Outers, names: NameIndex
) -> Quotation:
    """A quotation inside a quotation: said by whoever the outer speaker names right
    before it ("Smith told me ‘go home’"), when that is a name; otherwise unknown."""
    text = doc.text
    o = outers.around(q)
    if o is None:
        return quote
    # The cue and its subject stand just before the inner quotation: looking a short way
    # back keeps deeply nested quotations linear.
    lo = max(o.start, q.open_pos - _NESTED_REACH)
    cues = list(CUE.finditer(text, lo, q.open_pos))
    if not cues:
        return quote
    cue = cues[-1]
    toks = doc.between(max(lo, cue.start() - _NESTED_REACH), cue.start())
    runs = capitalised_runs(toks, text)
    if runs and toks and runs[-1][-1] is toks[-1]:
        person = split_title(runs[-1], text)
        if person is not None and person.name.split()[0].lower() not in NOT_NAME:
            full = names.expand(person.name, person.start)
            mention = Stretch.of(text, person.start, person.end)
            cue_span = Stretch.of(text, cue.start(), cue.end())
            return _attributed(quote, full, person.title, mention, cue_span)
    return quote


_NESTED_REACH = 200


@dataclass(slots=True)
class _Outers:
    """A paragraph's top-level quotations (disjoint, in order), to find the one around a
    nested quotation by bisection."""

    quotes: list[RawQuote]
    starts: list[int]

    @classmethod
    def of(cls, raw: list[RawQuote]) -> _Outers:
        top = sorted((r for r in raw if not r.nested), key=lambda r: r.start)
        return cls(top, [r.start for r in top])

    def around(self, q: RawQuote) -> RawQuote | None:
        i = bisect.bisect_right(self.starts, q.open_pos) - 1
        if i >= 0 and q.end <= self.quotes[i].end:
            return self.quotes[i]
        return None
