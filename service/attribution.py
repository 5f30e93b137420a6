"""Who said each quotation: speech cues ("said", "told", "according to", "Name:"), their
subjects, pronouns resolved to earlier speakers, surnames to full names, titles apart."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .models import Quote, Span
from .names import (
    NOT_NAME,
    NameIndex,
    Token,
    capitalised_runs,
    split_title,
    tokens,
)
from .marks import RawQuote

_VERBS = """
said says say saying told tells tell added adds stressed stresses noted notes explained explains
argued argues asked asks wrote writes stated states declared declares insisted insists claimed
claims warned warns continued continues replied replies responded responds answered answers
recalled recalls emphasized emphasised emphasizes emphasises acknowledged acknowledges admitted
admits suggested suggests announced announces tweeted tweets posted reported reports concluded
concludes remarked remarks commented comments observed observes conceded concedes predicted
predicts promised promises vowed vows urged urges cautioned cautions complained complains joked
jokes quipped quips boasted boasts shouted shouts yelled yells whispered whispers testified
testifies confirmed confirms denied denies countered counters charged charges contended contends
maintained maintains mused muses lamented laments agreed agrees disagreed wondered wonders
recounted recounts described describes told explained assured assures pleaded pleads
reiterated reiterates underlined underlines highlighted highlights opined opines conceded
cried cries exclaimed exclaims sighed demanded demands proclaimed proclaims
""".split()
_PHRASES = ["pointed out", "points out", "went on", "goes on", "according to", "spelled out"]
_CUE = re.compile(
    r"(?<![\w’'-])(?:" + "|".join(re.escape(p) for p in _PHRASES) + "|" + "|".join(sorted(set(_VERBS), key=len, reverse=True)) + r")(?![\w’'-])",
    re.IGNORECASE,
)
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
_OTHER_PRONOUNS = frozenset({"they", "i", "we", "it", "you", "who", "which", "that"})
_SKIP_BEFORE_CUE = frozenset(
    """also later has had have was were is are then further again once recently previously
    repeatedly reportedly publicly privately quickly simply just would will could might may
    not never already still often frequently earlier even first last on monday tuesday
    wednesday thursday friday saturday sunday yesterday today tonight herself himself
    themselves subsequently finally ultimately separately""".split()
)
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "one", "another", "his", "her", "their", "its", "our", "some", "two", "three", "several", "many", "other"})
_ORG_NOUNS = {
    "newspaper": ("Times", "Post", "Journal", "Herald", "Guardian", "Telegraph", "Gazette", "Tribune", "News", "Daily", "Mail", "Mirror", "Observer", "Independent", "Chronicle", "Globe", "Star", "Sun", "Express", "Pravda", "Inquirer", "Examiner"),
    "paper": ("Times", "Post", "Journal", "Herald", "Guardian", "Telegraph", "Gazette", "Tribune", "News", "Daily", "Mail", "Mirror", "Observer", "Independent", "Chronicle", "Globe"),
    "agency": ("Agency", "Reuters", "Press", "AFP", "ANSA", "Interfax", "TASS", "Xinhua", "Bloomberg"),
    "network": ("News", "CNN", "BBC", "NBC", "CBS", "ABC", "Fox", "MSNBC", "Network"),
    "broadcaster": ("BBC", "CNN", "NBC", "CBS", "ABC", "Fox", "Radio", "TV", "Television"),
    "magazine": ("Magazine", "Atlantic", "Economist", "Time", "Newsweek", "Politico"),
    "outlet": ("Times", "Post", "Journal", "News", "CNN", "BBC", "Politico", "Axios", "Breitbart"),
}
_QUOTE_CHAR = "\ue000"
_SENTENCE_BREAK = re.compile(r"[.!?…]['\"’”»)\]]*\s+(?=[\"“‘'«„\ue000(\[]?[^\W_])")
_CLAUSE_BREAK = re.compile(r"[:;—–(\ue000]|\s-\s|\bthat\b|\bwhile\b|\bwhen\b|\bbecause\b|\bbut\b|\band\b(?=\s+(?:he|she|they|[a-z]+ed)\b)")


@dataclass(slots=True)
class Mention:
    kind: str
    """name, pronoun or nominal."""
    start: int
    end: int
    name: str | None
    title: str | None = None
    gender: str | None = None


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


def attribute(
    text: str,
    paragraphs: Sequence[tuple[int, int]],
    raw: list[RawQuote],
) -> list[Quote]:
    """Speakers for quotations found by ``marks.find_quotes``, as ``Quote`` models."""
    names = NameIndex.build(text, paragraphs)
    masked = _mask(text, raw)
    events = _events(text, masked, paragraphs, names)
    sentences = [_sentences(text, masked, lo, hi) for lo, hi in paragraphs]

    out: list[Quote] = []
    by_open: dict[int, Quote] = {}
    previous_para_speaker: tuple[int, Quote] | None = None
    for q in raw:
        sentence = _sentence_of(sentences[q.paragraph], q.open_pos)
        para_events = [e for e in events if e.paragraph == q.paragraph]
        event = None if q.nested else _event_for(q, sentence, para_events, masked)
        quote = _make_quote(text, q, event)
        if q.nested:
            quote = _nested_speaker(text, q, quote, raw, names)
        elif event is None:
            quote = _inherit(text, q, quote, by_open, out, previous_para_speaker, para_events, paragraphs)
        out.append(quote)
        by_open[q.open_pos] = quote
        if not q.nested and quote.speaker:
            previous_para_speaker = (q.paragraph, quote)
    return out


def _mask(text: str, raw: list[RawQuote]) -> str:
    """The text with every top-level quotation, marks included, blanked out, so that words
    inside quotations are never taken for cues or speakers."""
    chars = list(text)
    for q in raw:
        if q.nested:
            continue
        end = (q.close_pos + 1) if q.close_pos is not None else q.end
        for i in range(q.open_pos, min(end, len(chars))):
            chars[i] = _QUOTE_CHAR
    return "".join(chars)


def _sentences(text: str, masked: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = lo
    for m in _SENTENCE_BREAK.finditer(masked, lo, hi):
        word = masked[max(lo, m.start() - 6) : m.start() + 1].split()[-1:]
        if word and word[0].rstrip(".").lower().split("’")[0] in _SENTENCE_ABBR:
            continue
        out.append((start, m.start() + 1))
        start = m.end()
    # A quotation ending a sentence: "… win." He then …
    refined: list[tuple[int, int]] = []
    for s, e in [*out, (start, hi)]:
        cursor = s
        for m in re.finditer(_QUOTE_CHAR + r"+", masked[s:e]):
            qe = s + m.end()
            follow = masked[qe:e]
            if re.match(r"\s+[A-Z]", follow) and not re.match(r"\s+[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*\s+" + _CUE.pattern, follow):
                inside = masked[s + m.start() : qe]
                if inside and _ends_sentence_inside(text, s + m.start(), qe):
                    refined.append((cursor, qe))
                    cursor = qe + (len(follow) - len(follow.lstrip()))
        refined.append((cursor, e))
    return refined


_SENTENCE_ABBR = frozenset("mr mrs ms dr prof sen rep gov gen col lt sgt capt st jr sr u.s u.k no vs jan feb mar apr jun jul aug sep sept oct nov dec inc corp co ltd".split())


def _ends_sentence_inside(text: str, qs: int, qe: int) -> bool:
    """Whether the quotation blanked out at ``[qs:qe]`` ended with . ! or ?."""
    inner = text[qs:qe].rstrip("\"”’'»“ ")
    return inner[-1:] in (".", "!", "?", "…")


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= pos < e:
            return s, e
    return sentences[-1] if sentences else (pos, pos)


def _events(text: str, masked: str, paragraphs: Sequence[tuple[int, int]], names: NameIndex) -> list[Event]:
    """Every speech cue outside quotations, with its speaker resolved, in text order."""
    events: list[Event] = []
    genders: dict[str, str] = dict(names.genders)
    for index, (lo, hi) in enumerate(paragraphs):
        for s, e in _sentences(text, masked, lo, hi):
            for m in _CUE.finditer(masked, s, e):
                mention = _speaker_of_cue(text, masked, s, e, m.start(), m.end(), m.group().lower())
                if mention is None:
                    continue
                speaker, title = _resolve(mention, names, events, genders)
                if mention.title and not title:
                    title = mention.title
                events.append(Event(m.start(), m.end(), mention, speaker, title, index, (s, e)))
    # Colon introductions: "Stoltenberg: “…”" and "From Smith:".
    for index, (lo, hi) in enumerate(paragraphs):
        for m in re.finditer(r"(?:^|(?<=[.!?]\s))(?:From\s+)?([^\ue000:\n]{2,80}?):\s*" + _QUOTE_CHAR, masked[lo:hi]):
            start = lo + m.start(1)
            end = lo + m.end(1)
            run = capitalised_runs(tokens(text, start, end))
            person = split_title(run[-1], text) if run else None
            if person is None or run[-1][-1].end != end:
                continue
            mention = Mention("name", person.start, person.end, person.name, person.title, person.gender)
            speaker, title = _resolve(mention, names, events, genders)
            events.append(Event(end, end + 1, mention, speaker, title or person.title, index, (start, hi)))
    events.sort(key=lambda e: e.cue_start)
    return events


def _speaker_of_cue(text: str, masked: str, s: int, e: int, cs: int, ce: int, cue: str) -> Mention | None:
    before = masked[s:cs]
    after_start = ce
    if cue == "according to":
        return _subject_after(text, masked, after_start, e)
    # "…,” said Smith" / "…,” says the minister": the subject follows the cue.
    if before.rstrip().endswith(_QUOTE_CHAR) or not before.strip() or re.search(_QUOTE_CHAR + r"[\s,]*$", before):
        mention = _subject_after(text, masked, after_start, e)
        if mention is not None:
            return mention
    return _subject_before(text, masked, s, cs)


def _subject_before(text: str, masked: str, s: int, cs: int) -> Mention | None:
    region_start = s
    for m in _CLAUSE_BREAK.finditer(masked, s, cs):
        region_start = m.end()
    toks = tokens(text, region_start, cs)
    while toks and toks[-1].word in _SKIP_BEFORE_CUE:
        toks.pop()
    if not toks:
        return None
    last = toks[-1]
    # An appositive: "Jens Stoltenberg, NATO’s secretary general, said".
    if text[last.end : cs].strip().startswith(","):
        comma = _previous_comma(masked, region_start, last.start)
        if comma is not None:
            head = _subject_before(text, masked, region_start, comma)
            if head is not None and head.kind == "name":
                apposition = text[comma + 1 : last.end].strip(" ,")
                if apposition and not apposition.isdigit():
                    head.title = head.title or apposition
                return head
    if last.word in _PRONOUNS and last.text[0].islower() or last.text.lower() in ("he", "she"):
        return Mention("pronoun", last.start, last.end, None, gender=_PRONOUNS[last.word]) if last.word in ("he", "she") else None
    if last.word in _OTHER_PRONOUNS:
        return None
    runs = capitalised_runs(toks)
    if runs and runs[-1][-1] is last:
        person = split_title(runs[-1], text)
        if person is not None:
            return Mention("name", person.start, person.end, person.name, person.title, person.gender)
    return _nominal(text, toks)


def _previous_comma(masked: str, lo: int, hi: int) -> int | None:
    i = masked.rfind(",", lo, hi)
    return i if i >= 0 else None


def _nominal(text: str, toks: list[Token]) -> Mention | None:
    """"the source", "a campaign spokesman", "Trump’s lawyer", "officials"."""
    if not toks or toks[-1].capitalised or not toks[-1].text.isalpha():
        return None
    i = len(toks) - 1
    while i > 0 and len(toks) - i < 6:
        prev = toks[i - 1]
        if prev.word in _DETERMINERS or prev.possessive:
            i -= 1
            break
        if prev.capitalised or not prev.text.replace("-", "").isalpha():
            break
        i -= 1
    first = toks[i]
    if first.word not in _DETERMINERS and not first.possessive and not toks[-1].word.endswith("s"):
        return None
    if first is toks[-1] and (first.word in _DETERMINERS or first.word in NOT_NAME):
        return None
    return Mention("nominal", first.start, toks[-1].end, text[first.start : toks[-1].end])


def _subject_after(text: str, masked: str, start: int, e: int) -> Mention | None:
    m = re.match(r"[\s,]*([^,.;:!?\ue000]{1,80})", masked[start:e])
    if m is None:
        return None
    seg_start = start + m.start(1)
    seg_end = start + m.end(1)
    toks = tokens(text, seg_start, seg_end)
    if not toks:
        return None
    if toks[0].word in ("he", "she") and len(toks) <= 2:
        return Mention("pronoun", toks[0].start, toks[0].end, None, gender=_PRONOUNS[toks[0].word])
    runs = capitalised_runs(toks)
    if runs and runs[0][0] is toks[0] or (runs and toks[0].word in ("the", "a", "an") and all(t.capitalised or t.word in ("the", "a", "an") for t in toks[: toks.index(runs[0][0])])):
        person = split_title(runs[0], text)
        if person is not None:
            return Mention("name", person.start, person.end, person.name, person.title, person.gender)
    if toks[0].word in _DETERMINERS:
        # "said the minister, Jane Doe" -> the name after the comma.
        after = re.match(r"\s*,\s*([^,.;:!?\ue000]{1,60})", masked[seg_end:e])
        if after:
            inner = tokens(text, seg_end + after.start(1), seg_end + after.end(1))
            runs = capitalised_runs(inner)
            if runs and runs[0][0] is inner[0]:
                person = split_title(runs[0], text)
                if person is not None:
                    return Mention("name", person.start, person.end, person.name, text[seg_start:seg_end].strip())
        words = toks[: min(len(toks), 6)]
        return Mention("nominal", words[0].start, words[-1].end, text[words[0].start : words[-1].end])
    return None


def _resolve(mention: Mention, names: NameIndex, events: list[Event], genders: dict[str, str]) -> tuple[str | None, str | None]:
    if mention.kind == "name" and mention.name:
        full = names.expand(mention.name, mention.start)
        if mention.gender:
            genders.setdefault(full, mention.gender)
        return full, mention.title or names.titles.get(full)
    if mention.kind == "pronoun":
        for event in reversed(events):
            if event.speaker is None or event.mention.kind == "nominal":
                continue
            known = genders.get(event.speaker)
            if known is None or known == mention.gender:
                if mention.gender:
                    genders.setdefault(event.speaker, mention.gender)
                return event.speaker, event.title
        latest = names.latest_before(mention.start)
        return latest, None
    if mention.kind == "nominal" and mention.name:
        return _organisation(mention, names) or mention.name, None
    return None, None


def _organisation(mention: Mention, names: NameIndex) -> str | None:
    """"the newspaper" -> the paper the article named last before it."""
    assert mention.name is not None
    words = mention.name.lower().split()
    if len(words) != 2 or words[0] != "the" or words[1] not in _ORG_NOUNS:
        return None
    keys = _ORG_NOUNS[words[1]]
    for _, full in reversed([(p, n) for p, n in names.full_names if p < mention.start]):
        if any(k in full.split() for k in keys):
            return full
    return None


def _event_for(q: RawQuote, sentence: tuple[int, int], para_events: list[Event], masked: str) -> Event | None:
    s, e = sentence
    close = q.close_pos if q.close_pos is not None else q.end
    in_sentence = [ev for ev in para_events if s <= ev.cue_start < e and ev.speaker is not None]
    after = [ev for ev in in_sentence if ev.cue_start > close]
    if after:
        first = after[0]
        between = masked[close + 1 : first.cue_start]
        if _QUOTE_CHAR not in between or not [ev for ev in in_sentence if ev.cue_start < q.open_pos]:
            return first
    before = [ev for ev in in_sentence if ev.cue_start < q.open_pos]
    if before:
        return before[-1]
    return after[0] if after else None


def _make_quote(text: str, q: RawQuote, event: Event | None) -> Quote:
    words = text[q.start : q.end]
    first_alpha = next((c for c in words if c.isalpha()), "")
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
        mention = Span(start=event.mention.start, end=event.mention.end, text=text[event.mention.start : event.mention.end])
        cue = Span(start=event.cue_start, end=event.cue_end, text=text[event.cue_start : event.cue_end])
    return Quote(
        text=words, start=q.start, end=q.end, speaker=speaker, speaker_title=title,
        speaker_mention=mention, cue=cue, kind=kind, open_mark=q.open_mark, continued=q.continued,
    )


def _inherit(
    text: str,
    q: RawQuote,
    quote: Quote,
    by_open: dict[int, Quote],
    out: list[Quote],
    previous: tuple[int, Quote] | None,
    para_events: list[Event],
    paragraphs: Sequence[tuple[int, int]],
) -> Quote:
    """A quotation with no cue in its sentence: the piece of a running quotation takes its
    speaker; a fragment takes the speaker of the paragraph's last cue before it; a full
    quotation opening a paragraph continues the previous paragraph's speaker."""
    running = [x for x in out if x.continued and x.open_mark == q.open_mark and x.end <= q.start]
    if running and running[-1].speaker and _follows_running(running[-1], q, paragraphs):
        src = running[-1]
        return quote.model_copy(update={"speaker": src.speaker, "speaker_title": src.speaker_title, "speaker_mention": src.speaker_mention, "cue": src.cue})
    earlier = [ev for ev in para_events if ev.cue_start < q.open_pos and ev.speaker]
    if earlier:
        ev = earlier[-1]
        return quote.model_copy(update={
            "speaker": ev.speaker, "speaker_title": ev.title,
            "speaker_mention": Span(start=ev.mention.start, end=ev.mention.end, text=text[ev.mention.start : ev.mention.end]),
            "cue": Span(start=ev.cue_start, end=ev.cue_end, text=text[ev.cue_start : ev.cue_end]),
        })
    if _looks_like_title(quote.text):
        return quote
    same_para = [x for x in out if x.speaker and x.start >= paragraphs[q.paragraph][0] and x.kind != "nested"]
    if same_para and not para_events:
        src = same_para[-1]
        return quote.model_copy(update={"speaker": src.speaker, "speaker_title": src.speaker_title, "speaker_mention": src.speaker_mention, "cue": src.cue})
    if previous is not None and quote.kind == "full" and not para_events:
        para_index, src = previous
        lo = paragraphs[q.paragraph][0]
        if para_index == q.paragraph - 1 and q.open_pos == lo:
            return quote.model_copy(update={"speaker": src.speaker, "speaker_title": src.speaker_title, "speaker_mention": src.speaker_mention, "cue": src.cue})
    return quote


def _follows_running(prev: Quote, q: RawQuote, paragraphs: Sequence[tuple[int, int]]) -> bool:
    return any(lo <= prev.start < hi for lo, hi in paragraphs[max(0, q.paragraph - 1) : q.paragraph])


def _looks_like_title(words: str) -> bool:
    """“Titanic”, “The Art of the Deal”: short, every main word capitalised."""
    parts = words.split()
    if not parts or len(parts) > 8 or words.rstrip()[-1:] in ".,!?":
        return False
    main = [p for p in parts if p.lower() not in ("of", "the", "a", "an", "and", "in", "on", "to", "for", "at")]
    return bool(main) and all(p[:1].isupper() for p in main)


def _nested_speaker(text: str, q: RawQuote, quote: Quote, raw: list[RawQuote], names: NameIndex) -> Quote:
    """A quotation inside a quotation: said by whoever the outer speaker names before it
    ("Smith told me ‘go home’"), when that is a name; otherwise unknown."""
    outer = [r for r in raw if not r.nested and r.start <= q.open_pos and q.end <= r.end]
    if not outer:
        return quote
    o = outer[-1]
    region = text[o.start : q.open_pos]
    cues = list(_CUE.finditer(region))
    if not cues:
        return quote
    cue = cues[-1]
    toks = tokens(text, o.start, o.start + cue.start())
    runs = capitalised_runs(toks)
    if runs and toks and runs[-1][-1] is toks[-1]:
        person = split_title(runs[-1], text)
        if person is not None and person.name.split()[0].lower() not in NOT_NAME:
            full = names.expand(person.name, person.start)
            return quote.model_copy(update={
                "speaker": full, "speaker_title": person.title,
                "speaker_mention": Span(start=person.start, end=person.end, text=text[person.start : person.end]),
                "cue": Span(start=o.start + cue.start(), end=o.start + cue.end(), text=cue.group()),
            })
    return quote

