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
from .names import last_token
from .quotation import Quotation
from .speakers import CUE, QUOTE_CHAR, past_lead_in

_CUE_NEXT = re.compile(r"[\s,]*(?:\w+\s+){0,2}?" + CUE.pattern)
_PASSIVE_CUE_NEXT = re.compile(
    r"[\s,]*(?:has\s+|have\s+|had\s+)?(?:was|were|is|are|been|being|be)\s+(?:\w+\s+)?" + CUE.pattern
)
"""A passive speech verb after a mention ("she was warned that", "Smith was told"): the one
it names heard the words."""
_CUE_JUST_BEFORE = re.compile(r"(?:" + CUE.pattern + r")[\s,]*$")
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
    close: int
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
    close = q.close_pos if q.close_pos is not None else q.end
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
        close,
        sentence,
        tuple(shape),
        previous_speaker,
        events,
    )


def none_features(v: QuoteView) -> list[str]:
    """Features of the choice "nobody": a scare quote, a title, a quotation the article
    does not attribute."""
    return ["none", *("none|" + s for s in v.shape)]


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
    gap = v.raw.open_pos - m.end if before else m.start - v.close
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
    masked = ctx.masked
    prev_tok = last_token(masked, max(0, m.start - 40), m.start)
    cue_after = bool(_CUE_NEXT.match(masked, m.end, min(len(masked), m.end + 40)))
    if not cue_after and "headline" in v.shape:
        # A headline capitalises its verb: "…, Engineer Jane Smith Says".
        following_word = _WORD.match(masked, m.end + 1)
        cue_after = following_word is not None and bool(
            CUE.fullmatch(following_word.group().lower())
        )
    cue_before = _CUE_JUST_BEFORE.search(masked, max(0, m.start - 30), m.start) is not None
    event = v.events.get(m.start)
    rule_pick = v.rule.speaker_mention is not None and (
        v.rule.speaker_mention.start < m.end and m.start < v.rule.speaker_mention.end
    )
    following = masked[m.end : m.end + 3].lstrip()
    sentence_start = index.sentence_starts[m.sentence]
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
        if _PASSIVE_CUE_NEXT.match(masked, m.end, min(len(masked), m.end + 50)):
            feats += ["passive_after", f"passive_after|{dsent}"]
    if cue_before:
        feats += ["cue_before", f"cue_before|{dsent}", f"{kind}|cue_before|{dsent}|{side}"]
    if prev_tok is not None and not masked[prev_tok.end : m.start].strip():
        if prev_tok.word in TELLING:
            feats.append("hearer")
        elif prev_tok.word == "by":
            feats.append("after_by")
        elif prev_tok.word in PREPOSITIONS and not cue_before:  # "according to X" is a cue
            feats += ["after_preposition", f"{kind}|after_preposition"]
        if prev_tok.possessive:
            feats.append("after_possessive")
    if masked[m.end - 2 : m.end] in ("’s", "'s"):
        feats += ["possessive", f"possessive|{dsent}|{side}"]
    if following.startswith(":"):
        feats += ["colon_after", f"colon_after|{dsent}"]
    if m.start == sentence_start:
        feats.append(f"opens_sentence|{kind}")
    elif m.start == past_lead_in(masked, sentence_start, m.start + 1):
        feats.append(f"opens_sentence_after_lead_in|{kind}")
    verb_after = _VERB_AFTER.match(masked, m.end, min(len(masked), m.end + 40)) is not None
    if verb_after:
        feats += ["verb_after", f"verb_after|{dsent}|{side}", f"{kind}|verb_after|{dsent}"]
    if event is not None:
        same = "same_sentence" if m.sentence == v.sentence else "other_sentence"
        feats += ["cue_subject", f"cue_subject|{same}|{side}", f"{kind}|cue_subject|{same}"]
    if rule_pick:
        feats += ["rule_pick", f"rule_pick|{kind}", f"rule_pick|{dsent}"]
        feats += ["rule_pick|" + s for s in v.shape]
    if m.title:
        feats.append("titled")
    if (
        m.kind == "person"
        and m.name
        and " " not in m.name
        and not m.title
        and ctx.names.expand(m.name, m.start) == m.name
    ):
        # "Viewers", "Six", "GCSEs" opening a sentence: one capitalised word that the
        # article never gives as the surname of a full name is seldom a person.
        feats += ["lone_word", f"lone_word|{m.start == sentence_start}"]
    if before and QUOTE_CHAR in masked[m.end : v.raw.open_pos]:
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
