"""The signals a speaker candidate is scored on, as feature names: where it stands (same
sentence, before or after the quotation, how far), what surrounds it (a speech verb after
it, "said" or "according to" before it, a preposition or "told" before it, a colon after
it), what the rule passes made of it (the subject of a cue, their pick), and a few crosses
of these with the quotation's own shape. A candidate's score is the sum of its features'
weights (``model``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribution import Event
from .candidates import Mention, MentionIndex
from .context import QuoteContext
from .lexicon import PREPOSITIONS, TELLING
from .marks import RawQuote
from .quotation import Quotation
from .speakers import CUE, QUOTE_CHAR, past_lead_in

_WORD_AND_SPACE = re.compile(r"\w+\s+")
_PASSIVE = re.compile(r"[\s,]*(?:has\s+|have\s+|had\s+)?(?:was|were|is|are|been|being|be)\s+")
"""The auxiliaries of a passive ("was", "had been") before a speech verb: "she was warned
that", "Smith was told": the one a mention before them names heard the words."""


def _cue_within(masked: str, at: int, end: int, words: int) -> bool:
    """Whether a speech cue stands at ``at``, or after at most ``words`` words (each
    followed by spaces), before ``end``: the speech cue regex reused, not compiled again
    into longer ones."""
    for _ in range(words + 1):
        if CUE.match(masked, at, end):
            return True
        word = _WORD_AND_SPACE.match(masked, at, end)
        if word is None:
            return False
        at = word.end()
    return False


def _past_gap(masked: str, at: int, end: int) -> int:
    """``at`` moved past spaces and commas."""
    while at < end and (masked[at].isspace() or masked[at] == ","):
        at += 1
    return at


def _cue_ends_before(masked: str, lo: int, at: int) -> bool:
    """Whether a speech cue ends right before ``at`` (spaces and commas aside)."""
    return any(
        not masked[m.end() : at].replace(",", " ").strip() for m in CUE.finditer(masked, lo, at)
    )


_WORD = re.compile(r"[^\W\d_]+")
_VERB_AFTER = re.compile(
    r"[\s,]*(?:also\s+|then\s+|later\s+|had\s+|has\s+|have\s+|is\s+|was\s+|were\s+|are\s+)?"
    r"(?:[a-z]+ed|[a-z]+[^s\W]s|is|was|has|had|will|would|can|could|did|does)\b"
)
"""A lower-case verb-like word after a mention ("Cruz pledged", "Trump is questioning"):
without a parser, the best sign that the mention is a clause's subject."""


@dataclass(slots=True)
class QuoteView:
    """What the features read about one quotation, worked out once for all its
    candidates."""

    raw: RawQuote
    rule: Quotation
    sentence: int
    shape: tuple[str, ...]
    """Features of the quotation itself, crossed with some of each candidate's."""
    previous_speaker: str | None
    events: dict[int, Event]
    """The rule passes' cue subjects near the quotation, by mention offset."""


def view(
    ctx: QuoteContext,
    index: MentionIndex,
    q: RawQuote,
    rule: Quotation,
    given: str,
    events: dict[int, Event],
    previous_speaker: str | None,
) -> QuoteView:
    sentence = index.sentence_at(q.open_pos)
    lo = index.sentence_starts[sentence]
    hi = min(index.sentence_end(sentence, len(ctx.text)), ctx.paragraphs[q.paragraph][1])
    para_lo = ctx.paragraphs[q.paragraph][0]
    cue_in_sentence = index.has_cue(lo, hi)
    words = _WORD.findall(rule.text)
    shape = [
        f"kind={rule.kind}",
        "rule=" + given,
        "opens_paragraph" if q.open_pos == para_lo else "inside_paragraph",
        "cue_in_sentence" if cue_in_sentence else "no_cue_in_sentence",
    ]
    if q.paragraph == 0 and len(ctx.paragraphs) > 1:
        shape.append("headline")
    if len(words) <= 3:
        shape.append("short")
    if words and all(w[0].isupper() for w in words):
        shape.append("title_case")
    return QuoteView(
        q,
        rule,
        sentence,
        tuple(shape),
        previous_speaker,
        events,
    )


def none_features(v: QuoteView) -> list[str]:
    """Features of the choice "nobody": a scare quote, a title, a quotation the article
    does not attribute."""
    return ["none", *("none|" + s for s in v.shape)]


@dataclass(frozen=True, slots=True)
class Traits:
    """What a mention's own surroundings say, whichever quotation it is a candidate for:
    read once per mention (``traits``), not once per quotation."""

    cue_after: bool
    headline_cue_after: bool
    """A capitalised speech verb after it, which counts in a headline only."""
    passive_after: bool
    cue_before: bool
    preceded_by: str
    """"hearer", "after_by", "after_preposition" or nothing."""
    after_possessive: bool
    possessive: bool
    colon_after: bool
    opens: str
    """"opens_sentence", "opens_sentence_after_lead_in" or nothing."""
    verb_after: bool
    lone_word: str | None
    """For a lone capitalised word never given as a full name's surname: whether it opens
    its sentence ("True"/"False")."""


def traits(ctx: QuoteContext, index: MentionIndex, m: Mention) -> Traits:
    key = (m.start, m.end, m.kind)
    found = index.traits.get(key)
    if found is None:
        found = index.traits[key] = _read_traits(ctx, index, m)
    return found


def _read_traits(ctx: QuoteContext, index: MentionIndex, m: Mention) -> Traits:
    masked = ctx.masked
    end = len(masked)
    cue_before = _cue_ends_before(masked, max(0, m.start - 30), m.start)
    following_word = _WORD.match(masked, m.end + 1)
    preceded_by, after_possessive = "", False
    prev_tok = ctx.last_unquoted(max(0, m.start - 40), m.start)
    if prev_tok is not None and not masked[prev_tok.end : m.start].strip():
        if prev_tok.word in TELLING:
            preceded_by = "hearer"
        elif prev_tok.word == "by":
            preceded_by = "after_by"
        elif prev_tok.word in PREPOSITIONS and not cue_before:  # "according to X" is a cue
            preceded_by = "after_preposition"
        after_possessive = prev_tok.possessive
    sentence_start = index.sentence_starts[m.sentence]
    opens = ""
    if m.start == sentence_start:
        opens = "opens_sentence"
    elif m.start == past_lead_in(masked, sentence_start, m.start + 1):
        opens = "opens_sentence_after_lead_in"
    lone = None
    if (
        m.kind == "person"
        and m.name
        and " " not in m.name
        and not m.title
        and ctx.names.expand(m.name, m.start) == m.name
    ):
        # "Viewers", "Six", "GCSEs" opening a sentence: one capitalised word that the
        # article never gives as the surname of a full name is seldom a person.
        lone = str(m.start == sentence_start)
    return Traits(
        cue_after=_cue_within(masked, _past_gap(masked, m.end, end), min(end, m.end + 40), 2),
        # A headline capitalises its verb: "…, Engineer Jane Smith Says".
        headline_cue_after=following_word is not None
        and bool(CUE.fullmatch(following_word.group().lower())),
        passive_after=(aux := _PASSIVE.match(masked, m.end, min(end, m.end + 50))) is not None
        and _cue_within(masked, aux.end(), min(end, m.end + 50), 1),
        cue_before=cue_before,
        preceded_by=preceded_by,
        after_possessive=after_possessive,
        possessive=masked[m.end - 2 : m.end] in ("’s", "'s"),
        colon_after=masked[m.end : m.end + 3].lstrip().startswith(":"),
        opens=opens,
        verb_after=_VERB_AFTER.match(masked, m.end, min(end, m.end + 40)) is not None,
        lone_word=lone,
    )


def candidate_features(
    ctx: QuoteContext,
    index: MentionIndex,
    v: QuoteView,
    m: Mention,
    rank: int,
    salience: int,
) -> list[str]:
    kind = m.kind if m.kind != "pronoun" else "pronoun:" + m.word
    before = m.end <= v.raw.open_pos
    side = "before" if before else "after"
    d = v.sentence - m.sentence
    dsent = f"s{min(d, 3)}" if d >= 0 else "s-1"
    gap = v.raw.open_pos - m.end if before else m.start - v.raw.close
    dist = (
        "d0"
        if gap <= 3
        else "d15"
        if gap <= 15
        else "d40"
        if gap <= 40
        else "d100"
        if gap <= 100
        else "dfar"
    )
    t = traits(ctx, index, m)
    cue_after = t.cue_after or (t.headline_cue_after and "headline" in v.shape)
    event = v.events.get(m.start)
    rule_pick = v.rule.speaker_mention is not None and (
        v.rule.speaker_mention.start < m.end and m.start < v.rule.speaker_mention.end
    )
    feats = [
        "kind=" + kind,
        f"{kind}|{dsent}",
        f"{kind}|{side}",
        f"{dsent}|{side}",
        f"{dsent}|{side}|{dist}",
        f"{kind}|{dsent}|{side}",
        f"rank={min(rank, 3)}|{side}",
        f"{kind}|rank={min(rank, 3)}|{side}",
        f"salience={min(salience, 4)}",
        f"{kind}|salience={min(salience, 4)}",
    ]
    if m.paragraph == v.raw.paragraph:
        feats.append("same_paragraph")
    if cue_after:
        feats += ["cue_after", f"cue_after|{dsent}", f"{kind}|cue_after|{dsent}|{side}"]
        if t.passive_after:
            feats += ["passive_after", f"passive_after|{dsent}"]
    if t.cue_before:
        feats += ["cue_before", f"cue_before|{dsent}", f"{kind}|cue_before|{dsent}|{side}"]
    if t.preceded_by:
        feats.append(t.preceded_by)
        if t.preceded_by == "after_preposition":
            feats.append(f"{kind}|after_preposition")
    if t.after_possessive:
        feats.append("after_possessive")
    if t.possessive:
        feats += ["possessive", f"possessive|{dsent}|{side}"]
    if t.colon_after:
        feats += ["colon_after", f"colon_after|{dsent}"]
    if t.opens:
        feats.append(f"{t.opens}|{kind}")
    if t.verb_after:
        feats += ["verb_after", f"verb_after|{dsent}|{side}", f"{kind}|verb_after|{dsent}"]
    if event is not None:
        same = "same_sentence" if m.sentence == v.sentence else "other_sentence"
        feats += ["cue_subject", f"cue_subject|{same}|{side}", f"{kind}|cue_subject|{same}"]
    if rule_pick:
        feats += ["rule_pick", f"rule_pick|{kind}", f"rule_pick|{dsent}"]
        feats += ["rule_pick|" + s for s in v.shape]
    if m.title:
        feats.append("titled")
    if t.lone_word is not None:
        feats += ["lone_word", f"lone_word|{t.lone_word}"]
    if before and QUOTE_CHAR in ctx.masked[m.end : v.raw.open_pos]:
        feats.append("another_quote_between")
    if (
        v.previous_speaker
        and m.name
        and m.name.split()[-1].lower() == v.previous_speaker.split()[-1].lower()
    ):
        feats += ["previous_speaker", f"previous_speaker|{dsent}"]
        feats += ["previous_speaker|" + s for s in v.shape]
    feats += [f"{kind}|{s}" for s in v.shape[:3]]
    if "headline" in v.shape:
        feats += [f"headline|{kind}|{side}", f"headline|{dsent}"]
    return feats
