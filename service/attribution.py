"""Who said each quotation: speech cues ("said", "told", "according to", "Name:"), their
subjects, pronouns resolved to earlier speakers, surnames to full names, titles apart."""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .marks import RawQuote
from .models import Quote, Span
from .names import (
    HONORIFICS,
    NOT_NAME,
    ORG_WORDS,
    TITLE_WORDS,
    NameIndex,
    PersonName,
    Token,
    capitalised_runs,
    last_token,
    runs_in,
    split_title,
    tokens,
)
from .sentences import sentence_spans
from .wordregex import alternation

_VERBS = """
    said says say saying told tells tell added adds stressed stresses noted notes explained
    explains argued argues asked asks wrote writes stated states declared declares insisted
    insists claimed claims warned warns continued continues replied replies responded
    responds answered answers recalled recalls emphasized emphasised emphasizes emphasises
    acknowledged acknowledges admitted admits suggested suggests announced announces tweeted
    tweets posted reported reports concluded concludes remarked remarks commented comments
    observed observes conceded concedes predicted predicts promised promises vowed vows
    urged urges cautioned cautions complained complains joked jokes quipped quips boasted
    boasts shouted shouts yelled yells whispered whispers testified testifies confirmed
    confirms denied denies countered counters charged charges contended contends maintained
    maintains mused muses lamented laments agreed agrees disagreed wondered wonders
    recounted recounts described describes told explained assured assures pleaded pleads
    reiterated reiterates underlined underlines highlighted highlights opined opines
    conceded cried cries exclaimed exclaims sighed demanded demands proclaimed proclaims
    advised advises called calls calling dubbed dubs labeled labelled branded describing
    accused accuses accusing accuse claiming promising denouncing denounced referred sings
    sang asking telling adding noting saying insisting arguing warning writing tweeting
    explaining stressing asserting asserted asserts reads likened likens dismissed blasted
    mocked hailed slammed revealing revealed reveals admitting conceding suggesting recalling
    confirming denying acknowledging announcing stating declaring complaining joking vowing
    urging responding replying answering
    interjected interjects interjecting chanted chanting retweeted retweeting retorted
    retorts scolded scolds bragged brags bragging boasting quipping wondering scoffed
    scoffs griped grumbled
    call argue warn claim insist describe characterized characterised characterizes
    characterises characterizing characterising
    déclaré dit ajouté observé rappelé insisté martelé poursuivi conclu annoncé averti jugé
    noté relevé reconnu affirmé expliqué estimé souligné indiqué
    précisé assuré confié répondu sagte sagt erklärte erklärt betonte betont meinte dijo
    afirmó explicó aseguró señaló añadió declaró
    """.split()
_PHRASES = [
    "put it",
    "puts it",
    "pointed out",
    "points out",
    "went on",
    "goes on",
    "according to",
    "spelled out",
    "shot back",
    "fired back",
    "selon",
    "según",
    "laut",
]
_PLURAL_PRESENT = frozenset("call argue warn claim insist describe".split())
"""Speech verbs whose plain form is also a noun: a verb only after a plural subject."""
_ACCORDING = frozenset({"according to", "selon", "según", "laut"})
_CUE = re.compile(
    # Case matters: "States" in "United States" is no verb. Only "According to" and its
    # kin open sentences (and participles, ``_OPENING_PARTICIPLE``).
    r"(?<![\w’'-])"
    + alternation([*_PHRASES, *(p.capitalize() for p in _PHRASES), *_VERBS])
    + r"(?![\w’'-])",
)
_OPENING_PARTICIPLE = re.compile(
    alternation(v.capitalize() for v in _VERBS if v.endswith("ing")) + r"(?![\w’'-])"
)
"""A participle opening a sentence: "Calling the plan “reckless,” Smith …". Only matched
at a sentence's start: in a headline's capitals it is no opening."""
_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
_OTHER_PRONOUNS = frozenset({"they", "i", "we", "it", "you", "who", "which", "that"})
_AUXILIARIES = ("a", "ont", "hat", "ha", "han")
"""French, German and Spanish auxiliaries between a quotation and its inverted cue:
"», a déclaré X", "», a-t-il ajouté"."""
_SKIP_BEFORE_CUE = frozenset(
    """
        also later has had have was were is are then further again once recently previously
        repeatedly reportedly publicly privately quickly simply just would will could might
        may not never already still often frequently earlier even first last on monday
        tuesday wednesday thursday friday saturday sunday yesterday today tonight herself
        himself themselves subsequently finally ultimately separately
        """.split()
) | set(_AUXILIARIES)
_DETERMINERS = frozenset(
    {
        "the",
        "my",
        "your",
        "a",
        "an",
        "this",
        "that",
        "one",
        "another",
        "his",
        "her",
        "their",
        "its",
        "our",
        "some",
        "two",
        "three",
        "several",
        "many",
        "other",
        "le",
        "la",
        "les",
        "l’",
        "un",
        "une",
        "der",
        "die",
        "das",
        "ein",
        "eine",
        "el",
        "los",
        "las",
    }
)
_OBJECT_OF = frozenset(
    [
        "to",
        "at",
        "with",
        "for",
        "by",
        "of",
        "from",
        "about",
        "against",
        "on",
        "in",
        "into",
        "than",
        "over",
        "like",
        "toward",
        "towards",
        "told",
        "asked",
        "tell",
        "ask",
        "called",
        "call",
        "accused",
        "accuse",
        "urged",
        "urge",
        "thanked",
        "praised",
        "criticised",
        "criticized",
        "blamed",
    ]
)
_FUNCTION = frozenset(
    [
        "and",
        "or",
        "but",
        "then",
        "to",
        "of",
        "in",
        "on",
        "over",
        "up",
        "out",
        "at",
        "by",
        "for",
        "with",
        "from",
        "into",
        "as",
        "than",
        "so",
        "who",
        "which",
        "that",
    ]
)
_PAPERS = tuple(
    """
    Times Post Journal Herald Guardian Telegraph Gazette Tribune News Daily Mail Mirror
    Observer Independent Chronicle Globe Star Sun Express Pravda Inquirer Examiner
    """.split()
)
_BROADCASTERS = tuple("BBC CNN NBC CBS ABC Fox MSNBC Radio TV Television Network".split())
# "the newspaper" names the last paper the article mentioned, and so on.
_ORG_NOUNS = {
    "newspaper": _PAPERS,
    "paper": _PAPERS,
    "agency": tuple("Agency Reuters Press AFP ANSA Interfax TASS Xinhua Bloomberg".split()),
    "network": _BROADCASTERS,
    "broadcaster": _BROADCASTERS,
    "magazine": tuple("Magazine Atlantic Economist Time Newsweek Politico".split()),
    "outlet": (*_PAPERS, *_BROADCASTERS, "Politico", "Axios", "Breitbart"),
}
_QUOTE_CHAR = "\ue000"
_AFTER_QUOTE = re.compile(_QUOTE_CHAR + r"[\s,]*(?:" + "|".join(_AUXILIARIES) + r")?\s*$")
_REACH = 300
"""How far before a speech verb its subject is looked for, in characters."""
_QUOTE_RUN = re.compile(_QUOTE_CHAR + "+")
_PASSIVE = re.compile(
    r"\b(?:was|were|been|being|be|is|are|get|got)\s+(?:\w+ly\s+)?$", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(
    # A quotation is one break, not one per character: only the last break is wanted.
    r"\ue000+|[:;—–(]|\s-\s"
    # One word boundary for all the conjunctions, not one per conjunction at every position.
    r"|\b(?:that\b|while\b|when\b|because\b|but\b|and\b(?=\s+(?:he|she|they|[a-z]+ed)\b))"
)


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
    sentences = [_sentences(text, masked, lo, hi) for lo, hi in paragraphs]
    events: dict[int, list[Event]] = defaultdict(list)
    for found in _events(text, masked, paragraphs, sentences, names):
        events[found.paragraph].append(found)
    raw_by_para: dict[int, list[RawQuote]] = defaultdict(list)
    for q in raw:
        raw_by_para[q.paragraph].append(q)

    out: list[Quote] = []
    by_para: dict[int, list[Quote]] = defaultdict(list)
    previous_para_speaker: tuple[int, Quote] | None = None
    for q in raw:
        sentence = _sentence_of(sentences[q.paragraph], q.open_pos)
        event = None if q.nested else _event_for(q, sentence, events[q.paragraph], masked)
        quote = _make_quote(text, q, event)
        if q.nested:
            quote = _nested_speaker(text, q, quote, raw_by_para[q.paragraph], names)
        elif event is None:
            nearby = by_para[q.paragraph - 1] + by_para[q.paragraph]
            quote = _inherit(text, q, quote, nearby, previous_para_speaker, events, paragraphs)
            if (
                quote.speaker is None
                and quote.kind == "partial"
                and not _looks_like_title(quote.text)
            ):
                quote = _sentence_subject_says(text, masked, sentence, q, quote, names)
            if quote.speaker is None:
                quote = _claim_of(text, masked, sentence, q, quote, names)
            if quote.speaker is None and quote.kind == "full":
                quote = _colon_intro(text, masked, sentences, q, quote, names, paragraphs)
            if (
                quote.speaker is None
                and quote.kind == "full"
                and not events[q.paragraph]
                and not _looks_like_title(quote.text.rstrip(",."))
            ):
                quote = _beat_after(text, masked, q, quote, names, paragraphs[q.paragraph][1])
            if quote.speaker is None and quote.kind == "full" and not events[q.paragraph]:
                quote = _beat_before(text, masked, sentences[q.paragraph], q, quote, names)
            if quote.speaker is None and q.paragraph == 0 and len(paragraphs) > 1:
                # A headline drops abbreviations' full stops: "Donald Trump Jr: …".
                quoted = {
                    ev.speaker.rstrip(".") for evs in events.values() for ev in evs if ev.speaker
                }
                quote = _headline_speaker(text, masked, q, quote, names, paragraphs[0], quoted)
        if quote.speaker and (
            _names_a_work(text, q, quote, paragraphs[q.paragraph])
            or _nickname(text, q, paragraphs[q.paragraph])
            or _KNOWN_AS.search(text, max(0, q.open_pos - 40), q.open_pos) is not None
        ):
            quote = _make_quote(text, q, None)
        out.append(quote)
        by_para[q.paragraph].append(quote)
        if not q.nested and quote.speaker:
            previous_para_speaker = (q.paragraph, quote)
    return out


def _mask(text: str, raw: list[RawQuote]) -> str:
    """The text with every top-level quotation, marks included, blanked out, so that words
    inside quotations are never taken for cues or speakers."""
    spans = sorted(
        (q.open_pos, (q.close_pos + 1) if q.close_pos is not None else q.end)
        for q in raw
        if not q.nested
    )
    pieces: list[str] = []
    done = 0
    for lo, hi in spans:
        lo, hi = max(lo, done), min(hi, len(text))
        if hi > lo:
            pieces += (text[done:lo], _QUOTE_CHAR * (hi - lo))
            done = hi
    pieces.append(text[done:])
    return "".join(pieces)


def _sentences(text: str, masked: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = sentence_spans(masked, lo, hi)
    # A quotation ending a sentence: "… win." He then …
    refined: list[tuple[int, int]] = []
    for s, e in out:
        cursor = s
        for m in re.finditer(_QUOTE_CHAR + r"+", masked[s:e]):
            qe = s + m.end()
            follow = masked[qe:e]
            if re.match(r"\s+[A-Z]", follow):
                inside = masked[s + m.start() : qe]
                if inside and _ends_sentence_inside(text, s + m.start(), qe):
                    refined.append((cursor, qe))
                    cursor = qe + (len(follow) - len(follow.lstrip()))
        refined.append((cursor, e))
    return refined


def _ends_sentence_inside(text: str, qs: int, qe: int) -> bool:
    """Whether the quotation blanked out at ``[qs:qe]`` ended its sentence with a full stop.
    A question or exclamation mark does not: “Why?” Graham asked."""
    inner = text[qs:qe].rstrip("\"”’'»“ ")
    return inner[-1:] in (".", "…")


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= pos < e:
            return s, e
    return sentences[-1] if sentences else (pos, pos)


@dataclass(slots=True)
class _Referents:
    """People a pronoun may point back to: named speakers and named sentence subjects, in
    text order, with the gender the text has shown for them. A sentence's subject is only
    worked out when a pronoun looks back that far."""

    names: NameIndex
    text: str
    masked: str
    people: list[tuple[int, str | None, str | None, int]]
    """``(offset, name, title, sentence end)``; a sentence not yet looked at has no name
    and its end; once looked at, the end is -1."""
    genders: dict[str, str]

    def add(self, pos: int, name: str, title: str | None) -> None:
        self.people.append((pos, name, title, -1))

    def add_sentence(self, start: int, end: int) -> None:
        self.people.append((start, None, None, end))

    def _entry(self, i: int) -> tuple[int, str | None, str | None, int]:
        pos, name, title, end = self.people[i]
        if end >= 0:
            # "In a statement on Tuesday, Jane Smith was more careful": past the lead-in.
            lead_in = _LEAD_IN.match(self.masked, pos, end)
            start = lead_in.end() if lead_in else pos
            subject = _sentence_subject(self.text, self.masked, start, end, self.names)
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
            for i in range(len(self.people) - 1, -1, -1):
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
            return _organisation(mention, self.names) or mention.name, None
        return None, None


_SIGN_OFF = re.compile(
    _QUOTE_CHAR
    + r"\s*([―—–-]+)\s*([^\W\d_](?:[^\ue000\n,.;:]|(?<=\s[A-Z])\.){1,60}?)"
    + r"(?=[.,;]?\s*(?:$|\n|\ue000))"
)
"""A quotation signed with a dash and a name, as readers' comments and epigraphs are:
"… ― Jane Smith", "… ― Julie A. Diaz" (an initial's full stop is part of the name)."""
_LEADING_WORDS = re.compile(
    r"(?:(?:" + alternation(w.capitalize() for w in NOT_NAME) + r")\b[\s,]*)*"
)
_COLON_INTRO = re.compile(r"\s*(?:From\s+)?([^\ue000:\n]{2,80}?):\s*" + _QUOTE_CHAR)


def _events(
    text: str,
    masked: str,
    paragraphs: Sequence[tuple[int, int]],
    sentences: list[list[tuple[int, int]]],
    names: NameIndex,
) -> list[Event]:
    """Every speech cue outside quotations, with its speaker resolved, in text order."""
    events: list[Event] = []
    referents = _Referents(names, text, masked, [], dict(names.genders))
    for index in range(len(paragraphs)):
        for s, e in sentences[index]:
            referents.add_sentence(s, e)
            found: list[tuple[int, int, Mention]] = []
            heard: list[tuple[int, str | None, str | None, int]] = []
            intro = _COLON_INTRO.match(masked, s, e)
            if intro:
                person = _whole_name(text, intro.start(1), intro.end(1))
                if person is not None:
                    found.append((intro.end(1), intro.end(1) + 1, person))
            for m in _SIGN_OFF.finditer(masked, s, e):
                person = _whole_name(text, m.start(2), m.end(2))
                if person is not None:
                    found.append((m.start(1), m.end(1), person))
            cues: Iterable[re.Match[str]] = _CUE.finditer(masked, s, e)
            if "ing" in masked[s : s + 14]:
                opening = _OPENING_PARTICIPLE.match(masked, s, e)
                cues = itertools.chain((opening,) if opening else (), cues)
            for m in cues:
                mention = _speaker_of_cue(
                    text, masked, s, e, m.start(), m.end(), m.group().lower(), names
                ) or _it_or_they(text, masked, sentences, index, s, m.start())
                if mention is not None:
                    found.append((m.start(), m.end(), mention))
            for cs, ce, mention in found:
                speaker, title = referents.resolve(mention)
                if mention.title and not title:
                    title = mention.title
                if speaker and mention.kind == "name":
                    referents.add(mention.start, speaker, title)
                events.append(Event(cs, ce, mention, speaker, title, index, (s, e)))
                hearer = _hearer(text, ce, e) if masked[cs:ce] in _TELLING else None
                if hearer is not None:
                    heard.append((hearer.start, names.expand(hearer.name, hearer.start), None, -1))
                    referents.people.append(heard[-1])
            for entry in heard:
                # Past its sentence, "he" or "she" is more likely the one who spoke.
                referents.people.remove(entry)
    return events


_TELLING = frozenset("told tells tell telling asked asks ask asking".split())


def _hearer(text: str, ce: int, e: int) -> PersonName | None:
    """The person named right after "told" or "asked" (ending at ``ce``): someone "he" or
    "she" later in the sentence may stand for ("Warren told Stumpf, after he admitted …")."""
    runs = runs_in(text, ce, min(e, ce + 40))
    if not runs or not text[ce : runs[0][0].start].isspace():
        return None
    person = split_title(runs[0], text)
    return None if person is None or person.organisation else person


def _it_or_they(
    text: str, masked: str, sentences: list[list[tuple[int, int]]], index: int, s: int, cs: int
) -> Mention | None:
    """ "The Security Council … pledged sanctions over what it called “…”", "Donald Trump’s
    campaign is defending his tweets. It’s denouncing what it calls “…”": "it" or "they"
    before a cue stands for the organisation that opens its sentence or the one before."""
    if _IT_OR_THEY.search(masked, max(s, cs - 40), cs) is None:
        return None
    toks = tokens(text, max(s, cs - 40), cs)
    while toks and (toks[-1].word in _SKIP_BEFORE_CUE or toks[-1].word.endswith("ly")):
        toks.pop()
    if not toks or toks[-1].word not in ("it", "they") or toks[-1].possessive:
        return None
    spans = [(s, toks[-1].start)]
    here = bisect.bisect_right(sentences[index], s, key=lambda x: x[1])
    if here > 0:
        spans.append(sentences[index][here - 1])
    elif index > 0 and sentences[index - 1]:
        spans.append(sentences[index - 1][-1])
    for lo, hi in spans:
        found = _organisation_opening(text, masked, lo, hi) if hi > lo else None
        if found is not None:
            return found
    return None


_IT_OR_THEY = re.compile(r"\b(?:[Ii]t|[Tt]hey)\b")
_THING_NOUNS = ORG_WORDS | frozenset(
    "company firm agency report study letter statement complaint lawsuit ruling website article "
    "piece story editorial newspaper paper magazine broadcaster outlet".split()
)


def _organisation_opening(text: str, masked: str, lo: int, hi: int) -> Mention | None:
    """The organisation a sentence opens with: "The United Nations Security Council", "the
    IMF", "Donald Trump’s campaign", "The company" (past an introductory phrase)."""
    lead_in = _LEAD_IN.match(masked, lo, hi)
    start = lead_in.end() if lead_in else lo
    toks = tokens(text, start, min(hi, start + 100))
    while toks and toks[0].capitalised and toks[0].word in NOT_NAME and toks[0].word != "the":
        toks = toks[1:]  # "Although", "But"
    if len(toks) < 2:
        return None
    start = toks[0].start
    if toks[0].word == "the":
        toks = toks[1:]
    runs = capitalised_runs(toks, text)
    if runs and runs[0][0] is toks[0]:
        run = runs[0]
        after = toks[len(run)] if len(toks) > len(run) else None
        if run[-1].possessive and after is not None and after.word in _THING_NOUNS:
            return Mention("nominal", run[0].start, after.end, text[run[0].start : after.end])
        person = split_title(run, text)
        if person is not None and person.organisation:
            return Mention("name", person.start, person.end, person.name)
        if len(run) == 1 and run[0].text.isupper() and len(run[0].text) > 1:
            return Mention("name", run[0].start, run[0].end, run[0].text)
        return None
    if start == toks[0].start:
        return None  # no determiner: "Officials said" are no organisation
    for tok in toks[:3]:  # "the health ministry"
        if tok.word in _THING_NOUNS:
            return Mention("nominal", start, tok.end, text[start : tok.end])
        if tok.capitalised or tok.word in _FUNCTION or not tok.text.isalpha():
            break
    return None


def _whole_name(text: str, start: int, end: int) -> Mention | None:
    """A span that is nothing but a (titled) name: "NATO chief Jens Stoltenberg"."""
    runs = capitalised_runs(tokens(text, start, end), text)
    if len(runs) != 1 or runs[0][0].start != start or runs[0][-1].end != end:
        return None
    person = split_title(runs[0], text)
    if person is None:
        return None
    return Mention("name", person.start, person.end, person.name, person.title, person.gender)


def _sentence_subject(text: str, masked: str, s: int, e: int, names: NameIndex) -> Mention | None:
    """A sentence opening with a known person's name: "Wiig smiles when …"."""
    lead = _LEADING_WORDS.match(text, s, e)
    start = lead.end() if lead else s
    first = _WORD.match(text, start, e)
    if first is not None and first.group().lower() in TITLE_WORDS:
        start = _past_lower_case_titles(text, start, e)
    runs = runs_in(text, start, min(e, start + 80))
    if not runs or runs[0][0].start != start or runs[0][-1].possessive:
        return None
    person = split_title(runs[0], text)
    if person is None or person.organisation:
        return None
    parts = person.name.split()
    if len(parts) > 4 or (
        len(parts) < 2
        and names.expand(person.name, person.start) == person.name
        and not _addressed(person.title)
    ):
        return None
    return Mention("name", person.start, person.end, person.name, person.title, person.gender)


_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def _past_lower_case_titles(text: str, start: int, e: int) -> int:
    """Where the name starts in "(Presidential) nominee Hillary Clinton was …": past title
    words, some in lower case, which a run of capitals alone does not reach."""
    described = tokens(text, start, min(e, start + 60))[:4]
    k = 0
    while (
        k < len(described)
        and described[k].word in TITLE_WORDS
        and (k == 0 or not described[k].capitalised)
    ):
        k += 1
    lower_case = any(not t.capitalised for t in described[:k])
    if lower_case and k < len(described) and described[k].capitalised:
        return described[k].start
    return start


_ADDRESS_TITLES = HONORIFICS | frozenset(
    "president senator sen rep gov governor mayor judge gen minister chancellor speaker".split()
)


def _addressed(title: str | None) -> bool:
    """A title that makes a lone surname a person: "President Obama", "Mr. Reed"."""
    return title is not None and title.split()[-1].lower().rstrip(".") in _ADDRESS_TITLES


def _speaker_of_cue(
    text: str, masked: str, s: int, e: int, cs: int, ce: int, cue: str, names: NameIndex
) -> Mention | None:
    if cs - s > _REACH:
        # A subject stands near its verb: looking further back in a very long sentence
        # only makes the work grow with the square of its length.
        s = cs - _REACH
        if masked[s] != _QUOTE_CHAR:  # inside a quotation the cut may fall anywhere
            cut = masked.find(" ", s, cs)
            s = cut + 1 if cut >= 0 else s
    before = masked[s:cs]
    after_start = ce
    if cue in _ACCORDING:
        return _subject_after(text, masked, after_start, e)
    word_before = last_token(text, max(s, cs - 40), cs)
    if (
        cue.endswith("s")
        and word_before
        and (word_before.word in _DETERMINERS or word_before.possessive)
    ):
        return None  # "his claims", "the demands": a noun, not a speech verb
    if cue in _PLURAL_PRESENT and not (
        word_before
        and not word_before.possessive
        and word_before.word not in _DETERMINERS
        and (
            word_before.capitalised
            or word_before.word in ("they", "we", "i", "you")
            or word_before.word.endswith("s")
        )
    ):
        return None  # "a renewed call for": a noun; "critics call it", "they argue": a verb
    inverted = re.search(r"-t-(il|elle)\s*$|-(il|elle)\s*$", before)
    if inverted:
        pos = cs - len(before) + inverted.start()
        return Mention(
            "pronoun",
            pos,
            pos + len(inverted.group().strip()),
            None,
            gender="m" if "il" in inverted.group() else "f",
        )
    if cue.endswith("ing"):
        if word_before and word_before.word in ("is", "was", "are", "were", "been", "he", "she"):
            return _subject_before(text, masked, s, cs)  # "Trump is promising", "He’s claiming"
        # "The newspaper took note of her shortcomings, writing: …": with no person
        # before or after the participle, an organisation opening the sentence.
        return (
            _participle_subject(text, masked, s, cs, names)
            or _main_clause_subject(text, masked, s, cs, ce, e, names)
            or _organisation_opening(text, masked, s, cs)
        )
    if _PASSIVE.search(before):
        # "she was warned that …": the subject heard it; "by X" names who said it.
        by = re.match(r"\s+by\s+", masked[ce:e])
        return _subject_after(text, masked, ce + by.end(), e) if by else None
    # "…,” said Smith" / "…,” says the minister" / "», a déclaré X": the subject follows.
    if not before.strip() or _AFTER_QUOTE.search(before):
        mention = _subject_after(text, masked, after_start, e)
        if mention is not None:
            return mention
    elif before.rstrip().endswith(",") and cue not in _OBJECT_OF:
        # "…, members could push to replace White, said Bart Naylor, an advocate.": a
        # paraphrase ended by an inverted cue whose name ends the clause ("…, told NBC."
        # names whom the subject told).
        mention = _subject_after(text, masked, after_start, e)
        if (
            mention is not None
            and mention.kind == "name"
            and _INVERTED_END.match(masked, mention.end, e) is not None
        ):
            return mention
    return (
        _subject_before(text, masked, s, cs)
        or _coordinated_subject(text, masked, s, cs, names)
        or _participle_subject(text, masked, s, cs, names)
    )


_INVERTED_END = re.compile(r"\s*(?:[,.;]|$)")


_OPENING_SUBORDINATORS = frozenset("after before while by upon when since in".split())
_CLAUSE_END = re.compile(r",\s*|\ue000+\s*")


def _main_clause_subject(
    text: str, masked: str, s: int, cs: int, ce: int, e: int, names: NameIndex
) -> Mention | None:
    """ "Calling his challenger “a rubber stamp,” Mrs. Clinton upbraided him", "After
    saying her foot was “so swollen,” she was taken to hospital": a participle opening the
    sentence has the main clause's subject, the first he, she or named person that opens a
    clause after it and is followed by a verb."""
    lead = masked[s:cs].strip()
    if lead and lead.lower() not in _OPENING_SUBORDINATORS:
        return None
    for k, m in enumerate(_CLAUSE_END.finditer(masked, ce, e)):
        if k == 4:
            break
        start = m.end()
        first = last_token(text, start, min(e, start + 4))
        if first is not None and first.start == start and first.word in ("he", "she"):
            return Mention("pronoun", first.start, first.end, None, gender=_PRONOUNS[first.word])
        person = _sentence_subject(text, masked, start, e, names)
        if person is not None and re.match(r"\s+[a-z]", text[person.end : person.end + 3]):
            return person
    return None


def _coordinated_subject(
    text: str, masked: str, s: int, cs: int, names: NameIndex
) -> Mention | None:
    """ "Clinton, the former secretary, stressed her record and said …", "The mayor
    outlined his plan and vowed to “…”": a verb right after "and" shares the subject that
    opens the sentence, not the last name before it."""
    # "… and has referred to her as", "… and repeatedly called": auxiliaries and adverbs
    # may stand between "and" and the verb.
    between = _AND_BEFORE_CUE.search(masked, s, cs)
    if between is None or not all(
        w in _SKIP_BEFORE_CUE or w.endswith("ly") for w in between.group(1).split()
    ):
        return None
    lead_in = _LEAD_IN.match(masked, s, cs)
    start = lead_in.end() if lead_in else s
    person = _sentence_subject(text, masked, start, cs, names)
    if person is not None:
        return person
    toks = tokens(text, start, cs)[:6]
    if not toks or toks[0].word not in _DETERMINERS or toks[0].word in ("that", "this"):
        return None
    phrase = toks[:1]
    for tok in toks[1:]:
        if tok.word in _SKIP_BEFORE_CUE or tok.word in _FUNCTION or tok.word.endswith("ed"):
            break
        phrase.append(tok)
    return _nominal(text, phrase) if len(phrase) > 1 else None


_AND_BEFORE_CUE = re.compile(r"\band((?:\s+[a-z]+){0,3})\s+$")


def _participle_subject(
    text: str, masked: str, s: int, cs: int, names: NameIndex
) -> Mention | None:
    """ "Jenny apologised, telling Zelah: …", "Mrs Thatcher warned …, and asked": the person
    who last acted before the cue (a name the article uses for a person, or he/she)."""
    toks = tokens(text, s, cs)
    absolute = _with_subject(text, toks, cs)
    if absolute is not None:
        return absolute
    for run in reversed(capitalised_runs(toks, text)):
        after = [t for t in toks if t.start >= run[-1].end][:1]
        if not after and text[run[-1].end : cs].isspace():
            # "footage of Hillary Clinton asking": the name right before the participle.
            person = split_title(run, text)
            if person is not None:
                return Mention(
                    "name", person.start, person.end, person.name, person.title, person.gender
                )
        if (
            run[-1].possessive
            or not after
            or not after[0].text[0].islower()
            or after[0].word in _FUNCTION
        ):
            continue
        lead = [t for t in toks if t.end <= run[0].start][-2:]
        before = lead[-1:]
        if len(lead) == 2 and lead[1].word == "the":
            lead = lead[:1]  # "towards the United States": still the preposition's object
        if (
            lead
            and lead[-1].word in _OBJECT_OF
            and _OBJECT_GAP.fullmatch(text, lead[-1].end, run[0].start)
        ):
            continue
        if (
            _QUOTE_CHAR in masked[run[0].start : run[-1].end]
            or text[run[0].start - 1 : run[0].start] == "("
        ):
            continue
        person = split_title(run, text)
        # Opening its clause, any name will do; after "before", "to", "that" only a name
        # the article uses for a person ("… before GCSEs replaced O-levels, and asked").
        opens_clause = not before or not text[before[0].end : run[0].start].isspace()
        if before and before[0].word in ("a", "an") and not opens_clause:
            continue  # "a Gold Star mother": a description, not a name
        if person is not None and (
            opens_clause or person.organisation or _known_person(person, names)
        ):
            return Mention(
                "name", person.start, person.end, person.name, person.title, person.gender
            )
    for tok in reversed(toks):
        if tok.word in ("he", "she") and _QUOTE_CHAR not in masked[tok.start : tok.end]:
            return Mention("pronoun", tok.start, tok.end, None, gender=_PRONOUNS[tok.word])
    return None


def _with_subject(text: str, toks: list[Token], cs: int) -> Mention | None:
    """ "…, with the former secretary of state calling the move “…”": a noun phrase after
    "with" right before the participle is its subject."""
    with_at = [i for i, t in enumerate(toks[-8:]) if t.word == "with"]
    if not with_at:
        return None
    phrase = toks[-8:][with_at[-1] + 1 :]
    if (
        len(phrase) < 2
        or phrase[0].word not in _DETERMINERS
        or not text[phrase[-1].end : cs].isspace()
    ):
        return None
    found = _nominal_with_complement(text, phrase)
    return found if found is not None and found.end == phrase[-1].end else None


_OBJECT_GAP = re.compile(r"\s+(?:the\s+)?", re.IGNORECASE)


def _known_person(person: PersonName, names: NameIndex) -> bool:
    """A name the article uses for a person: a full name, a titled one, or a surname that a
    full name in the article expands ("GCSEs" is none)."""
    if len(person.name.split()) > 4:
        return False  # "Veto Power Impedes Peace Efforts" is a headline, not a name
    return (
        " " in person.name
        or person.title is not None
        or names.expand(person.name, person.start) != person.name
    )


def _subject_before(text: str, masked: str, s: int, cs: int) -> Mention | None:
    # "Rep. Gwen Moore (D-Wis.) said": a parenthesis between subject and verb.
    paren = re.search(r"\([^()\ue000]{1,40}\)\s*$", masked[s:cs])
    if paren:
        cs = s + paren.start()
    region_start = s
    for m in _CLAUSE_BREAK.finditer(masked, s, cs):
        region_start = m.end()
    toks = tokens(text, region_start, cs)
    while toks and (
        toks[-1].word in _SKIP_BEFORE_CUE
        or (toks[-1].word.endswith("ly") and toks[-1].text.islower() and not _noun_after(toks))
    ):
        toks.pop()  # "Gingrich cynically dismissed"
    if not toks:
        return None
    last = toks[-1]
    # An appositive: "Jens Stoltenberg, NATO’s secretary general, said".
    if text[last.end : cs].strip().lstrip(").").startswith(","):
        head = _appositive_head(text, masked, s, cs)
        if head is not None:
            return head
        relative = _RELATIVE_BETWEEN.search(masked, s, cs)
        if relative:
            return _subject_before(text, masked, s, relative.start())
    if last.word in ("he", "she"):
        return Mention("pronoun", last.start, last.end, None, gender=_PRONOUNS[last.word])
    if last.word in ("who", "which"):
        # "the study -- which notes …": an organisation opening the sentence when the
        # relative pronoun follows no name or noun phrase of its own.
        return _relative_antecedent(text, masked, s, last.start) or _organisation_opening(
            text, masked, s, last.start
        )
    if last.word in _OTHER_PRONOUNS:
        return None
    runs = capitalised_runs(toks, text)
    if runs and runs[-1][-1] is last:
        person = split_title(runs[-1], text)
        if person is not None:
            return _head_of(text, toks, runs[-1]) or Mention(
                "name", person.start, person.end, person.name, person.title, person.gender
            )
    return _nominal_with_complement(text, toks) or _bare_plural(text, toks)


_COLLECTIVES = frozenset("police people staff personnel".split())


def _bare_plural(text: str, toks: list[Token]) -> Mention | None:
    """ "“We are investigating,” police said", "Officials said", "Sources said": a plural
    noun alone as the subject, which the rules for names and determined noun phrases leave
    out."""
    if len(toks) != 1 or not toks[0].text.isalpha():
        return None
    word = toks[0].word
    # Opening a sentence, "Officials" reads as a title and "Sources" as no name; other
    # capitalised plurals ("Critics") already pass as names.
    if word in _COLLECTIVES or (toks[0].capitalised and word in ("officials", "sources")):
        return Mention("nominal", toks[0].start, toks[0].end, toks[0].text)
    return None


def _head_of(text: str, toks: list[Token], run: list[Token]) -> Mention | None:
    """The noun phrase whose complement a name is: "members of the Freedom Caucus", "a
    spokeswoman for Mayor Reed", "the head of the LCWR" (not "most of the Democrats")."""
    lead = [t for t in toks if t.end <= run[0].start]
    while lead and lead[-1].word in ("the", "a", "an"):
        lead.pop()
    if len(lead) < 2 or lead[-1].word not in ("of", "for") or lead[-2].word in _QUANTITIES:
        return None
    head = _nominal(text, lead[:-1])
    start = head.start if head else _plural_head(lead[:-1])
    if start is None:
        return None
    return Mention("nominal", start, run[-1].end, text[start : run[-1].end])


def _nominal_with_complement(text: str, toks: list[Token]) -> Mention | None:
    """ "A spokeswoman for the mayor", "the head of the agency", "the former secretary of
    state": the speaker is the noun phrase before "of" or "for", never its complement."""
    for j in range(len(toks) - 2, max(0, len(toks) - 6), -1):
        if toks[j].word in ("of", "for"):
            tail = toks[j + 1 :]
            # A capitalised modifier may stand inside the complement ("the finance
            # ministers of the G20 leading economies"), not at its end.
            if (
                not tail[-1].text.isalpha()
                or tail[-1].capitalised
                or any(t.word in _FUNCTION or t.possessive for t in tail)
                or toks[j - 1].word in _QUANTITIES  # "52 percent of voters": the voters
            ):
                break
            head = _nominal(text, toks[:j])
            start = head.start if head else _plural_head(toks[:j])
            if start is None:
                return None
            return Mention("nominal", start, tail[-1].end, text[start : tail[-1].end])
    found = _nominal(text, toks)
    if found is not None:
        k = next((i for i, t in enumerate(toks) if t.start >= found.start), 0)
        if k > 0 and toks[k - 1].word in _PREPOSITIONS:
            # "A narrator in the Clinton ad asks": the object of a preposition is never the
            # subject; the noun phrase before the preposition is.
            head = _nominal(text, toks[: k - 1])
            if head is None:
                return None
            return Mention("nominal", head.start, found.end, text[head.start : found.end])
    return found


_PREPOSITIONS = frozenset(
    "to at with by from about against on in into over through across around near under".split()
)
_QUANTITIES = frozenset(
    "percent most many some half majority minority number dozens hundreds thousands millions "
    "all none several few each both rest".split()
)


def _plural_head(toks: list[Token]) -> int | None:
    """Where a bare plural opening a sentence starts: "Small groups", "Supporters"."""
    words = toks[-3:]
    if not words or not words[-1].word.endswith("s") or words[0] is not toks[0]:
        return None
    if any(not t.text.isalpha() or t.word in _FUNCTION or t.word in NOT_NAME for t in words):
        return None
    return words[0].start


def _appositive_head(text: str, masked: str, s: int, cs: int) -> Mention | None:
    """The name that an appositive describes: the first name in the sentence (outside
    quotations and past an introductory phrase) followed directly by a comma."""
    lo = s
    for m in _QUOTE_RUN.finditer(masked, s, cs):
        lo = m.end()
    # "In Texas, the journalist Jane Smith, writing in …": a place set off by an
    # introductory phrase is not the name described.
    lead_in = _LEAD_IN.match(masked, lo, cs)
    toks = tokens(text, lead_in.end() if lead_in else lo, cs)
    for run in capitalised_runs(toks, text):
        if text[run[0].start - 1 : run[0].start] == "(":
            continue
        follow = re.match(r"(?:\s*\([^()]{1,40}\))?,", text[run[-1].end : run[-1].end + 45])
        if follow is None:
            continue
        person = split_title(run, text)
        if person is None or run[-1].end != person.end:
            continue
        apposition = text[person.end + follow.end() : cs].strip(" ,")
        title = person.title
        if apposition and not apposition.isdigit() and not title:
            title = apposition if len(apposition) <= 120 else None
        return Mention("name", person.start, person.end, person.name, title, person.gender)
    return None


_RELATIVE_BETWEEN = re.compile(r",\s*(?:who|which)\b[^,;:\ue000]{1,100},\s*$")
"""A relative clause between subject and verb: "The prime minister, who faces a
rebellion over his bill, said"."""


def _noun_after(toks: list[Token]) -> bool:
    """Whether the last token follows a determiner or possessive, and so is a noun even when
    it ends like an adverb: "Scott’s family", "the assembly"."""
    return len(toks) > 1 and (toks[-2].word in _DETERMINERS or toks[-2].possessive)


def _relative_antecedent(text: str, masked: str, s: int, at: int) -> Mention | None:
    """ "Mayor Tom Reed, who called it …", "the agency, which reported …": the name or noun
    phrase set off before a relative pronoun is the one who spoke; a name needs no comma
    ("the Chicago Police Department which reported"). Without the comma a noun phrase is
    only picked out ("a woman who suggested …") and the main verb's subject speaks. After
    "of" the whole noun phrase is (``_head_of``); after a place ("Democrats on Capitol
    Hill, who …") the name is not the antecedent."""
    toks = tokens(text, max(s, at - 120), at)
    if not toks:
        return None
    gap = text[toks[-1].end : at].strip()
    if gap not in ("", ",") or _QUOTE_CHAR in masked[toks[-1].start : at]:
        return None
    runs = capitalised_runs(toks, text)
    if runs and runs[-1][-1] is toks[-1]:
        head = _head_of(text, toks, runs[-1])
        if head is not None:
            return head
        lead = [t for t in toks if t.end <= runs[-1][0].start]
        while lead and lead[-1].word in ("the", "a", "an"):
            lead.pop()
        person = split_title(runs[-1], text)
        if person is None or (lead and lead[-1].word in _PLACE_PREPOSITIONS):
            return None
        return Mention("name", person.start, person.end, person.name, person.title, person.gender)
    return _nominal(text, toks) if gap else None


_PLACE_PREPOSITIONS = frozenset("on in at from near across inside outside around".split())


def _nominal(text: str, toks: list[Token]) -> Mention | None:
    """ "the source", "a campaign spokesman", "Trump’s lawyer", "officials"."""
    if (
        not toks
        or toks[-1].capitalised
        or not toks[-1].text.isalpha()
        or toks[-1].word in _FUNCTION
    ):
        return None
    i = len(toks) - 1
    while i > 0 and len(toks) - i < 6:
        prev = toks[i - 1]
        if prev.word in _DETERMINERS or prev.possessive:
            i -= 1
            break
        if (
            not _modifier_shape(prev.text)
            or prev.word in _FUNCTION
            or prev.word in _SKIP_BEFORE_CUE
            or (prev.word in NOT_NAME and not prev.capitalised)
        ):
            break
        i -= 1
    first = toks[i]
    if re.search(r"(?:ful|ous|ive|less|able|ible)$", toks[-1].word):
        return None  # "Trump’s disrespectful comments": an adjective, then a noun, no speaker
    if first.capitalised and first.word not in _DETERMINERS and not first.possessive:
        return None  # "Obama's former strategist" is a description; "New York businessman" is not
    if first.word not in _DETERMINERS and not first.possessive and not toks[-1].word.endswith("s"):
        return None
    if first is toks[-1] and (first.word in _DETERMINERS or first.word in NOT_NAME):
        return None
    return Mention("nominal", first.start, toks[-1].end, text[first.start : toks[-1].end])


def _modifier_shape(word: str) -> bool:
    """A word that may modify a noun: letters, or a hyphenated compound that may hold a
    number ("the 63-year-old senator", "a 12-member panel")."""
    return word.replace("-", "").isalpha() or ("-" in word and word.replace("-", "").isalnum())


def _subject_after(text: str, masked: str, start: int, e: int) -> Mention | None:
    m = re.match(r"[\s,]*([^,;:!?\ue000]{1,80})", masked[start:e])
    if m is None:
        return None
    seg_start = start + m.start(1)
    toks = tokens(text, seg_start, start + m.end(1))
    for i in range(1, len(toks)):
        if "." in text[toks[i - 1].end : toks[i].start]:
            toks = toks[:i]  # a sentence ended
            break
    seg_end = toks[-1].end if toks else seg_start
    if not toks:
        return None
    handle = re.match(r"@?[A-Za-z][\w.]*\d[\w.]*|@\w+", text[seg_start:seg_end])
    if handle and (handle.end() == seg_end - seg_start or text[seg_start + handle.end()].isspace()):
        # "wrote slinehan1 on X": a user name, as social media posts are signed.
        return Mention("name", seg_start, seg_start + handle.end(), handle.group())
    if toks[0].word in ("he", "she") and len(toks) <= 2:
        return Mention("pronoun", toks[0].start, toks[0].end, None, gender=_PRONOUNS[toks[0].word])
    # "said Stoltenberg", "said the Rev. Peter Wherry", "said council leader Anna Berg":
    # the first person named after nothing but titles, determiners and proper nouns.
    for run in capitalised_runs(toks, text):
        lead = [t for t in toks if t.end <= run[0].start]
        described = bool(lead) and lead[-1].word in TITLE_WORDS and len(lead) <= 4
        loose = not described and not all(
            t.capitalised or t.word in ("the", "a", "an") for t in lead
        )
        if loose and not _descriptor(lead):
            break
        person = split_title(run, text)
        if person is None:
            continue
        if loose and " " not in person.name:
            break
        follow = [t for t in toks if t.start >= run[-1].end][:1]
        if person.organisation and follow and _modifies(follow[0]):
            continue  # "Council leader Anna Berg", "CNN anchor Jane Doe": part of a title
        title = re.sub(
            r"^(?:the|a|an)\b\s*", "", text[seg_start : person.name_start].strip(" ,"), flags=re.I
        )
        return Mention("name", person.start, person.end, person.name, title or None, person.gender)
    if toks[0].word in _DETERMINERS and toks[0].word not in ("that", "this"):
        # "said the minister, Jane Doe" -> the name after the comma.
        after = re.match(r"\s*,\s*([^,.;:!?\ue000]{1,60})", masked[seg_end:e])
        if after:
            inner = tokens(text, seg_end + after.start(1), seg_end + after.end(1))
            runs = capitalised_runs(inner, text)
            if runs and runs[0][0] is inner[0]:
                person = split_title(runs[0], text)
                if person is not None:
                    return Mention(
                        "name",
                        person.start,
                        person.end,
                        person.name,
                        text[seg_start:seg_end].strip(),
                    )
        author = _document_author(text, toks)
        if author is not None:
            return author
        words = toks[:1]
        for tok in toks[1:6]:
            if tok.word in _FUNCTION or tok.word in _SKIP_BEFORE_CUE:
                break
            words.append(tok)
        if len(words) < 2:
            return None
        return Mention(
            "nominal", words[0].start, words[-1].end, text[words[0].start : words[-1].end]
        )
    return None


_DOCUMENTS = frozenset(
    "statement letter email memo report release post tweet video filing complaint note".split()
)


def _document_author(text: str, toks: list[Token]) -> Mention | None:
    """ "according to a statement from Jane Smith", "said a report by the Audit Office",
    "according to a complaint filed by the state Audit Office": a document's words
    are its author's."""
    for i in range(1, min(4, len(toks) - 2)):
        if toks[i].word not in _DOCUMENTS:
            continue
        k = i + 1
        if toks[k].word.endswith("ed") and k + 2 < len(toks):
            k += 1  # "a complaint filed by", "a report released by"
        if toks[k].word in ("from", "by"):
            rest = toks[k + 1 :]
            if rest[0].word == "the":
                rest = rest[1:]
            if len(rest) > 1 and not rest[0].capitalised and rest[0].word not in _FUNCTION:
                rest = rest[1:]  # "the federal Securities and Exchange Commission"
            runs = capitalised_runs(rest, text)
            person = split_title(runs[0], text) if runs and runs[0][0] is rest[0] else None
            if person is None:
                return None
            return Mention(
                "name", person.start, person.end, person.name, person.title, person.gender
            )
    return None


def _modifies(tok: Token) -> bool:
    """Whether an organisation's name before ``tok`` only qualifies it: a title or another
    noun ("Council leader", "CNN anchor"), not a preposition ("NATO in a statement")."""
    return tok.word in TITLE_WORDS or (
        not tok.capitalised and tok.word not in NOT_NAME and tok.word not in _FUNCTION
    )


def _descriptor(lead: list[Token]) -> bool:
    """ "said MSNBC host", "said 9/11 widow": a short noun phrase describing the full name
    after it, with no verb, pronoun or preposition that would make the name an object."""
    return 0 < len(lead) <= 5 and all(
        t.word not in _FUNCTION
        and t.word not in _SKIP_BEFORE_CUE
        and (t.word not in NOT_NAME or (i == 0 and t.word in ("the", "a", "an")))
        and not t.word.endswith(("ed", "ing"))
        for i, t in enumerate(lead)
    )


def _organisation(mention: Mention, names: NameIndex) -> str | None:
    """ "the newspaper" -> the paper the article named last before it."""
    assert mention.name is not None
    words = mention.name.lower().split()
    if len(words) != 2 or words[0] != "the" or words[1] not in _ORG_NOUNS:
        return None
    keys = _ORG_NOUNS[words[1]]
    for _, full in reversed([(p, n) for p, n in names.full_names if p < mention.start]):
        if any(k in full.split() for k in keys):
            return full
    return None


def _event_for(
    q: RawQuote, sentence: tuple[int, int], para_events: list[Event], masked: str
) -> Event | None:
    s, e = sentence
    close = q.close_pos if q.close_pos is not None else q.end
    in_sentence = [ev for ev in para_events if s <= ev.cue_start < e and ev.speaker is not None]
    after = [ev for ev in in_sentence if ev.cue_start > close]
    if after and after[0].mention.start > close:
        # "…,” Smith said" / "…,” said Smith": the cue or its subject follows the mark.
        first = after[0]
        between = masked[close + 1 : min(first.cue_start, first.mention.start)]
        # Only punctuation, or an auxiliary ("», a-t-il ajouté"), between mark and cue.
        if between.strip(" ,.;:!?)–—―-") in ("", *_AUXILIARIES) or not [
            ev for ev in in_sentence if ev.cue_start < q.open_pos
        ]:
            return first
    before = [ev for ev in in_sentence if ev.cue_start < q.open_pos]
    if before:
        return before[-1]
    if after:
        return after[0]
    # "“… Katy.” Trump said to cheers.": a full stop where a comma belongs; the next
    # sentence opening with its subject and cue still attributes a quotation that is a
    # sentence of its own, unless an earlier cue in the paragraph may be continuing.
    alone = q.open_pos == s and not any(ev.cue_start < q.open_pos for ev in para_events)
    for ev in para_events if alone else ():
        if ev.sentence[0] > close and ev.speaker is not None:
            opens = ev.mention.start == ev.sentence[0] < ev.cue_start
            if (
                opens
                and not masked[close + 1 : ev.sentence[0]].strip(" \"”’'")
                and not masked[ev.mention.end : ev.cue_start].strip()
            ):
                return ev
            break
    return None


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
        mention = Span(
            start=event.mention.start,
            end=event.mention.end,
            text=text[event.mention.start : event.mention.end],
        )
        cue = Span(
            start=event.cue_start, end=event.cue_end, text=text[event.cue_start : event.cue_end]
        )
    return Quote(
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


def _inherit(
    text: str,
    q: RawQuote,
    quote: Quote,
    out: list[Quote],
    previous: tuple[int, Quote] | None,
    events: dict[int, list[Event]],
    paragraphs: Sequence[tuple[int, int]],
) -> Quote:
    """A quotation with no cue in its sentence: the piece of a running quotation (opening
    the next paragraph; a later quotation there is a new one) takes its speaker; a fragment takes the speaker of the paragraph's last cue before it; a
    paragraph introduced by "X said:" at the end of the previous one is X's; a full
    quotation opening a paragraph continues the previous paragraph's speaker."""
    para_events = events[q.paragraph]
    lo = paragraphs[q.paragraph][0]
    if q.paragraph > 0 and q.open_pos == lo:
        prev_lo, prev_hi = paragraphs[q.paragraph - 1]
        intro = [e for e in events[q.paragraph - 1] if e.speaker]
        if intro and text[prev_lo:prev_hi].rstrip().endswith(":"):
            return _with_event(text, quote, intro[-1])
    running = [x for x in out if x.continued and x.open_mark == q.open_mark and x.end <= q.start]
    if (
        running
        and running[-1].speaker
        and q.open_pos == lo
        and _follows_running(running[-1], q, paragraphs)
    ):
        return _said_by(quote, running[-1])
    earlier = [ev for ev in para_events if ev.cue_start < q.open_pos and ev.speaker]
    if earlier:
        return _with_event(text, quote, earlier[-1])
    if _looks_like_title(quote.text):
        return quote
    same_para = [
        x for x in out if x.speaker and x.start >= paragraphs[q.paragraph][0] and x.kind != "nested"
    ]
    if same_para and not para_events:
        return _said_by(quote, same_para[-1])
    if previous is not None and quote.kind == "full" and not para_events:
        para_index, src = previous
        if para_index == q.paragraph - 1 and q.open_pos == lo:
            return _said_by(quote, src)
    return quote


def _beat_after(
    text: str, masked: str, q: RawQuote, quote: Quote, names: NameIndex, end: int
) -> Quote:
    """Interview style, no speech verb: “I mean. Yes, no…” Wiig, who is slight, looks
    mortified. A quotation followed at once by what a named person did is that person's."""
    if q.close_pos is None:
        return quote
    start = q.close_pos + 1
    while start < end and text[start].isspace():
        start += 1
    subject = _sentence_subject(text, masked, start, min(end, start + 120), names)
    if subject is None or subject.name is None or subject.start != start:
        return quote
    return _said_by_subject(text, quote, subject, names)


_LEAD_IN = re.compile(
    r"(?:[A-Z][A-Z.' -]+(?:,[^\n—–―\ue000]{1,40}?)?\s*(?:\([^()]{1,20}\))?\s*(?:—|–|―|--)\s*)?"
    r"(?:(?:In|On|At|During|After|Before|Since|Earlier|Later|Last|Meanwhile|With|Amid|Despite"
    r"|Following|Ahead)\b[^,\ue000]{0,120}(?:,|\ue000+,?(?=\s))(?:\s*\d{4},)?\s*)*"
)
"""A dateline ("FLINT, Mich. (UPI) — ") and introductory phrases set off by a comma ("In
recent weeks, ", "On July 6, 2015, ", "On “Face the Nation,” ") before a sentence's
subject."""


def _beat_before(
    text: str,
    masked: str,
    sentences: list[tuple[int, int]],
    q: RawQuote,
    quote: Quote,
    names: NameIndex,
) -> Quote:
    """A quotation opening a sentence right after one about what a named person did, in a
    paragraph with no speech verb: "Sanders named bigotry as a reason to vote. “The
    younger people are sick and tired of it.”" is Sanders's."""
    i = bisect.bisect_right(sentences, q.open_pos, key=lambda x: x[0]) - 1
    if i < 1 or sentences[i][0] != q.open_pos:
        return quote
    lo, hi = sentences[i - 1]
    lead_in = _LEAD_IN.match(masked, lo, hi)
    subject = _sentence_subject(text, masked, lead_in.end() if lead_in else lo, hi, names)
    if subject is None or subject.name is None:
        return quote
    return _said_by_subject(text, quote, subject, names)


def _sentence_subject_says(
    text: str, masked: str, sentence: tuple[int, int], q: RawQuote, quote: Quote, names: NameIndex
) -> Quote:
    """A fragment quoted in a sentence about what a named person did ("Reid has gone after
    Trump as a “human leech”"): the words are that person's."""
    lead_in = _LEAD_IN.match(masked, sentence[0], q.open_pos)
    start = lead_in.end() if lead_in else sentence[0]
    subject = _sentence_subject(text, masked, start, q.open_pos, names)
    if subject is None or subject.name is None or subject.end > q.open_pos:
        return quote
    return _said_by_subject(text, quote, subject, names)


_CLAIM = re.compile(
    r"(?:\b([Hh]is|[Hh]er)|([^\W\d_][\w.’'-]*(?:’s|'s|s’|s')))\s+(?:[a-z-]+\s+)?"
    r"(?:claims?|statements?|assertions?|remarks?|comments?|words|arguments?|promises?|pledges?"
    r"|vows?|warnings?|accusations?|allegations?|insistence|contention|descriptions?"
    r"|predictions?|boasts?|tweets?|suggestions?|complaints?|characterizations?|responses?"
    r"|reply|replies|answers?|message)\b"
)


def _claim_of(
    text: str, masked: str, sentence: tuple[int, int], q: RawQuote, quote: Quote, names: NameIndex
) -> Quote:
    """ "Trump’s claim that there were “thousands of shootings”", "his promise to “…”": the
    words are the possessor's. Only the nearest such phrase before the quotation counts."""
    lo = max(sentence[0], q.open_pos - 150)
    claims = list(_CLAIM.finditer(masked, lo, q.open_pos))
    if not claims:
        return quote
    found = claims[-1]
    # The quotation gives the claim's content ("claim that", "promise to", "words: “…”"),
    # not a verdict on it ("Trump’s statement was “true”").
    content = masked[found.end() : q.open_pos]
    if _QUOTE_CHAR in content or not re.match(r"\s*(?:[:,]|that\b|to\b|about\b|of\b)", content):
        return quote
    owner = _claim_owner(text, found, lo, names)
    return quote if owner is None else _said_by_subject(text, quote, owner, names)


def _claim_owner(text: str, found: re.Match[str], lo: int, names: NameIndex) -> Mention | None:
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
    runs = runs_in(text, max(lo, owner_end - 60), owner_end)
    if not runs or runs[-1][-1].end != owner_end:
        return None
    person = _whole_name(text, runs[-1][0].start, owner_end)
    return None if person is None or person.name is None else person


def _colon_intro(
    text: str,
    masked: str,
    sentences: list[list[tuple[int, int]]],
    q: RawQuote,
    quote: Quote,
    names: NameIndex,
    paragraphs: Sequence[tuple[int, int]],
) -> Quote:
    """A sentence about a named person ending in a colon introduces the quotation after it,
    in the same paragraph or opening the next: "Sanders made the following comment:",
    "In Ohio, Jane Smith issued a statement: “…”"; so does one about an organisation."""
    lo = paragraphs[q.paragraph][0]
    if masked[lo : q.open_pos].strip():
        intro = _sentence_of(sentences[q.paragraph], q.open_pos)
        end = q.open_pos
    elif q.paragraph > 0 and sentences[q.paragraph - 1]:
        intro = sentences[q.paragraph - 1][-1]
        end = paragraphs[q.paragraph - 1][1]
    else:
        return quote
    if not masked[intro[0] : end].rstrip().endswith(":"):
        return quote
    lead_in = _LEAD_IN.match(masked, intro[0], end)
    start = lead_in.end() if lead_in else intro[0]
    subject = _sentence_subject(text, masked, start, end, names)
    if subject is None:
        # "Jane Smith’s response was blunt:"
        claim = _CLAIM.search(masked, start, end)
        subject = _claim_owner(text, claim, start, names) if claim else None
        if subject is not None and subject.start != start:
            subject = None
    # "The White House released a statement:"
    subject = subject or _organisation_opening(text, masked, start, end)
    if subject is None or subject.name is None:
        return quote
    return _said_by_subject(text, quote, subject, names)


_HEADLINE_SAYS = re.compile(
    r"[,\ue000]\s+([^,\ue000]{2,60}?)\s+(?:Says|Said|Tells|Warns|Claims|Insists|Argues)\W*$"
)


def _headline_speaker(
    text: str,
    masked: str,
    q: RawQuote,
    quote: Quote,
    names: NameIndex,
    para: tuple[int, int],
    quoted: set[str],
) -> Quote:
    """A headline quotes without a speech verb of its own: "Name: … ‘…’", "…, Name Says",
    and, capitalised throughout, "Chris Christie Calls Hillary Clinton ‘A Disgrace’": the
    person it opens with. Only someone the article quotes counts, so that "Poll: …" or
    "Gold Star Mom Corners …" name nobody."""
    lo, hi = para
    if hi - lo > 160:
        return quote
    colon = re.match(r"([^:\ue000]{2,60}):\s", masked[lo:hi])
    says = _HEADLINE_SAYS.search(masked, lo, hi)
    candidates = []
    if colon and q.open_pos > lo + colon.end(1):
        candidates.append(_whole_name(text, lo, lo + colon.end(1)))
    if says and q.close_pos is not None and q.close_pos < says.start(1):
        candidates.append(_whole_name(text, says.start(1), says.end(1)))
    for mention in candidates:
        if mention and mention.name and names.expand(mention.name, hi).rstrip(".") in quoted:
            return _said_by_subject(text, quote, mention, names)
    if not _title_case(text, para):
        return quote
    runs = runs_in(text, lo, q.open_pos)
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
            subject = Mention("name", person.start, person.end, person.name, person.title)
            return _said_by_subject(text, quote, subject, names)
    return quote


def _said_by(quote: Quote, src: Quote) -> Quote:
    """``quote`` with the attribution of ``src`` (the same speaker, mention and cue)."""
    return quote.model_copy(
        update={
            "speaker": src.speaker,
            "speaker_title": src.speaker_title,
            "speaker_mention": src.speaker_mention,
            "cue": src.cue,
        }
    )


def _said_by_subject(text: str, quote: Quote, subject: Mention, names: NameIndex) -> Quote:
    """``quote`` said by the person a sentence is about (no cue to show)."""
    assert subject.name is not None
    full = names.expand(subject.name, subject.start)
    return quote.model_copy(
        update={
            "speaker": full,
            "speaker_title": subject.title or names.titles.get(full),
            "speaker_mention": Span(
                start=subject.start, end=subject.end, text=text[subject.start : subject.end]
            ),
        }
    )


def _with_event(text: str, quote: Quote, ev: Event) -> Quote:
    return quote.model_copy(
        update={
            "speaker": ev.speaker,
            "speaker_title": ev.title,
            "speaker_mention": Span(
                start=ev.mention.start,
                end=ev.mention.end,
                text=text[ev.mention.start : ev.mention.end],
            ),
            "cue": Span(start=ev.cue_start, end=ev.cue_end, text=text[ev.cue_start : ev.cue_end]),
        }
    )


def _follows_running(prev: Quote, q: RawQuote, paragraphs: Sequence[tuple[int, int]]) -> bool:
    return any(
        lo <= prev.start < hi for lo, hi in paragraphs[max(0, q.paragraph - 1) : q.paragraph]
    )


def _looks_like_title(words: str) -> bool:
    """“Titanic”, “The Art of the Deal”: short, every main word capitalised."""
    parts = words.split()
    if not parts or len(parts) > 8 or words.rstrip()[-1:] in ".,!?":
        return False
    main = [
        p
        for p in parts
        if p.lower() not in ("of", "the", "a", "an", "and", "in", "on", "to", "for", "at")
    ]
    return bool(main) and all(p[:1].isupper() for p in main)


_WORKS = frozenset(
    """
    book song film movie show series program programme episode album anthem novel memoir
    play documentary column essay poem podcast titled entitled
    """.split()
)
"""Nouns that introduce the title of a work: "his 2002 book, “…”"."""


def _names_a_work(text: str, q: RawQuote, quote: Quote, para: tuple[int, int]) -> bool:
    """A title-cased quotation naming a show, event or work rather than reporting speech:
    after a possessive (MSNBC’s “Morning Joe”, its “Vision Pro” headset), a preposition
    (on “Face the Nation”, during a “Commander-in-Chief Forum”) or a noun for a work (the
    anthem “…”); or alone in its paragraph, as a section heading. Headlines, capitalised
    throughout, are not judged by their capitals."""
    if not _looks_like_title(quote.text.strip("'‘’\" ,.")):
        return False
    close = q.close_pos if q.close_pos is not None else q.end
    if q.open_pos == para[0] and not text[close + 1 : para[1]].strip() and " " in quote.text:
        return True
    if _title_case(text, para):
        return False
    before = tokens(text, max(para[0], q.open_pos - 60), q.open_pos)
    if not before or text[before[-1].end : q.open_pos].strip(" ,"):
        return False
    while len(before) > 1 and before[-1].word in ("a", "an", "the"):
        before.pop()
    last = before[-1]
    return (
        last.possessive
        or last.word in ("of", "on", "in", "during", "at", "its", "his", "her", "their", "our")
        or last.word in _WORKS
    )


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
    text: str, q: RawQuote, quote: Quote, raw: list[RawQuote], names: NameIndex
) -> Quote:
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
    runs = capitalised_runs(toks, text)
    if runs and toks and runs[-1][-1] is toks[-1]:
        person = split_title(runs[-1], text)
        if person is not None and person.name.split()[0].lower() not in NOT_NAME:
            full = names.expand(person.name, person.start)
            return quote.model_copy(
                update={
                    "speaker": full,
                    "speaker_title": person.title,
                    "speaker_mention": Span(
                        start=person.start, end=person.end, text=text[person.start : person.end]
                    ),
                    "cue": Span(
                        start=o.start + cue.start(), end=o.start + cue.end(), text=cue.group()
                    ),
                }
            )
    return quote
