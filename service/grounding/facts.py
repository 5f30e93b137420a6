"""What a sentence commits to beyond its wording: the names, amounts and dates it states
and its negations. Read once per article sentence (``ArticleFacts``) and once per claim,
then compared as sets: a claim is supported only where all of its facts stand."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..document import Document, Token
from ..normalize import content_words, fold
from ..quotes.names import (
    NameIndex,
    PersonName,
    runs_in,
    split_title,
)

# fmt: off
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)
_MONTH_ABBREVIATIONS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
RELATIVE_DAYS = ("yesterday", "today", "tonight", "tomorrow")
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "dozen": 12,
}
"""Numbers in words ("one" is left out: "one of them", "no one" state no amount)."""
SCALES = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6,
    "mn": 1e6, "bn": 1e9, "tn": 1e12,
}
UNITS = {
    "%": "%", "percent": "%", "per cent": "%", "percentage points": "%", "$": "$",
    "dollars": "$", "usd": "$", "£": "£", "pounds": "£", "€": "€", "euros": "€", "¥": "¥",
    "yen": "¥",
}
HEDGES = (
    "about", "around", "some", "nearly", "almost", "roughly", "approximately", "over",
    "under", "more than", "less than", "fewer than", "up to", "at least", "at most",
    "close to", "an estimated", "estimated", "just over", "just under", "upwards of",
)
NEGATIONS = (
    "not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
    "cannot", "n't", "no longer",
)
# fmt: on

HEDGE_TOLERANCE = 0.1
"""A hedged amount ("about 20", "nearly 2 million") stands for values within 10% of it."""

_NUMBER_WORD = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
ONE_OF_A_SCALE = {"a": 1.0, "one": 1.0, "half a": 0.5}
"""What stands for a number only before a scale word: "a million", "half a billion"."""
_BIG_SCALE = r"\s(?:thousand|million|billion|trillion)\b"
_AMOUNT = re.compile(
    r"(?<![\w.,])(?:(?P<currency>[$£€¥])\s?)?"
    r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
    rf"|(?:half a|one|a)(?={_BIG_SCALE})"
    rf"|(?:{_NUMBER_WORD})(?:[- ](?:{_NUMBER_WORD}))?)(?P<ordinal>st|nd|rd|th)?"
    rf"(?:\s?(?P<scale>{'|'.join(s for s in SCALES if len(s) > 2)})\b|(?P<abbr>bn|mn|tn|m|k)\b)?"
    r"(?:\s?(?P<unit>%|percent\b|per cent\b|percentage points\b|dollars\b|usd\b|pounds\b"
    r"|euros\b|yen\b))?"
    r"(?![\w])",
)
_HEDGE = re.compile(r"\b(?:" + "|".join(HEDGES) + r")\s+$")
_NEGATION = re.compile(r"\b(?:" + "|".join(n for n in NEGATIONS if n != "n't") + r")\b|n't\b")
_WEEKDAY = r"\b(?P<weekday>" + "|".join(w.capitalize() for w in WEEKDAYS) + r")s?\b"
_MONTH = (
    r"\b(?P<month>"
    + "|".join(m.capitalize() for m in MONTHS)
    + "|"
    + "|".join(a.capitalize() for a in _MONTH_ABBREVIATIONS)
    + r"\.?)(?:\s+(?P<day_after>\d{1,2})(?:st|nd|rd|th)?\b)?"
)
_YEAR_PATTERN = r"(?<![\w$£€¥.,])(?:1[89]\d\d|20\d\d)(?![\w%]|[.,]\d)"
_YEAR = re.compile(_YEAR_PATTERN)
_RELATIVE = r"\b(?P<relative>(?i:" + "|".join(RELATIVE_DAYS) + r"))\b"
_DATE = re.compile(
    # Every date begins with a capital, a digit or a relative day's first letter: positions
    # where none does are passed over at once.
    f"(?=[A-Z12yYtT])(?:{_WEEKDAY}|{_MONTH}|(?P<year>{_YEAR_PATTERN})|{_RELATIVE})"
)
"""Every kind of date in one pass: most sentences hold none."""
_DAY_BEFORE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+$")
_MAY_CONTEXT = re.compile(
    r"(?:\b(?:in|on|since|until|by|last|next|early|late|mid|of|from|through|this|each|between"
    r"|and|to|during|before|after)|\d)[\s-]+$"
)
_PRONOUN_SUBJECT = re.compile(r"[\"“‘'«(]?(?:He|She)\b")


@dataclass(frozen=True, slots=True)
class Name:
    """A name as a text states it: a person, organisation or place."""

    text: str
    start: int
    words: frozenset[str]
    """Its words, lower case, without possessives, full stops or connectors."""
    key_words: frozenset[str]
    """Its words as ``content_words`` gives them, to find it in a sentence's words."""
    acronym: str
    """Its initials ("us" for United States), or for one word that word ("us" for U.S.)."""
    single: bool
    forms: frozenset[str]
    """For one word, the words it names in another form: the capitalised part of a compound
    ("trump" of "Anti-Trump", "spanish" of "Spanish-language"), or itself as the short form
    of a longer word ("calif" of "California", "dem" of "Democrats")."""
    by_pronoun: bool = False
    """Read from a "He" or "She" as the person named last: a guess, good for support."""

    def same_as(self, other: Name) -> bool:
        """One names the other: "Stoltenberg" and "Jens Stoltenberg", "U.S." and "United
        States", "NATO" and "North Atlantic Treaty Organization"; and this (a claim's) names
        the other (the article's) in another form, not the other way round, since a longer
        word says more: "Calif." names "California", "Anti-Trump" names "Donald Trump"."""
        if self.words and other.words and (self.words <= other.words or other.words <= self.words):
            return True
        if self.single != other.single and len(self.acronym) > 1 and self.acronym == other.acronym:
            return True
        return _in_another_form(self, other)


@dataclass(frozen=True, slots=True)
class Amount:
    """A number as stated, with its scale and unit folded into a value."""

    text: str
    start: int
    value: float
    precision: float
    """Half of the smallest step its digits state: "1.5 million" is 1,450,000-1,550,000."""
    hedged: bool
    unit: str | None

    def states(self, stated: Amount) -> bool:
        """Whether ``stated`` (the article's) is this amount (a claim's), to the precision
        the claim gives it: "$5 million" for "5 million", not "5%" for "5 percent" of
        something else."""
        if self.unit is not None and self.unit != stated.unit:
            return False
        tolerance = self.precision
        if self.hedged or stated.hedged:
            tolerance = max(tolerance, HEDGE_TOLERANCE * max(abs(self.value), abs(stated.value)))
        return abs(self.value - stated.value) <= tolerance + 1e-9 * abs(self.value)


@dataclass(frozen=True, slots=True)
class Date:
    """A weekday, a month, a day of the month, a year or a relative day ("yesterday")."""

    text: str
    start: int
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What one stretch of text states; offsets index the text it was read from."""

    words: frozenset[str]
    names: tuple[Name, ...]
    amounts: tuple[Amount, ...]
    dates: tuple[Date, ...]
    negations: tuple[int, ...]
    """Offsets of negation cues ("not", "no", "n't")."""

    @property
    def fact_words(self) -> frozenset[str]:
        """The content words that belong to its names, amounts and dates."""
        out: set[str] = set()
        for n in self.names:
            out |= n.key_words
        for stated in [a.text for a in self.amounts] + [d.text for d in self.dates]:
            out.update(content_words(stated))
        return frozenset(out)


def read_facts(
    doc: Document,
    start: int = 0,
    end: int | None = None,
    *,
    words: Iterable[str] | None = None,
    folded: str | None = None,
    names: NameIndex | None = None,
) -> Facts:
    """The facts of ``doc.text[start:end]``. ``words`` are its content words and ``folded``
    the whole text folded (``fold``), when already known. With the article's ``names``, a
    sentence opening with "He" or "She" also names the person mentioned last."""
    text = doc.text
    end = len(text) if end is None else end
    folded = fold(text[start:end]) if folded is None else folded[start:end]
    dates = _dates(text, start, end)
    taken = [(d.start, d.start + len(d.text)) for d in dates]
    found = [n for n in _names(doc, start, end) if not _inside(n.start, taken)]
    if names is not None and _PRONOUN_SUBJECT.match(text, start):
        before = names.person_before(start)
        if before is not None:
            found.append(replace(_name(before, start), by_pronoun=True))
    return Facts(
        words=frozenset(content_words(text[start:end]) if words is None else words),
        names=tuple(found),
        amounts=tuple(a for a in _amounts(folded, start) if not _inside(a.start, taken)),
        dates=tuple(dates),
        negations=tuple(start + m.start() for m in _NEGATION.finditer(folded)),
    )


_WORD_SHAPE = re.compile(r"[^\W\d_][\w’'-]{3,}")


def title_case(text: str) -> bool:
    """A headline's capitals ("Wealthy Voters Abandon Republican Party"), every word of four
    letters or more capitalised: its capitalised words are no sign of names."""
    words = _WORD_SHAPE.findall(text)
    return len(words) >= 3 and all(w[0].isupper() for w in words)


_CAPITALISED = re.compile(r"\b[^\W\d_a-z][\w’'.-]*")


def headline_names(text: str, known: Sequence[Name]) -> tuple[Name, ...]:
    """The names of a text in title case: each capitalised word that is a name the article
    states alone or the last word of one ("Putin" of "Vladimir Putin"), one by one."""
    words = {w for n in known for w in (n.words if n.single else _name_keys(n.text.split()[-1])[0])}
    found = (_name(m.group(), m.start()) for m in _CAPITALISED.finditer(text))
    return tuple(n for n in found if n.words and n.words <= words)


SHORT_FORM = 3
"""Letters a word must have to be read as the short form of a longer one ("Dem", "Calif")."""


def _in_another_form(short: Name, other: Name) -> bool:
    """Whether the one word ``short`` names in another form stands among ``other``'s words:
    a part of its compound, or a word it is the beginning of, two letters or more short."""
    if not short.single:
        return False
    return any(
        f in other.words
        or (
            len(f) >= SHORT_FORM
            and any(len(w) > len(f) + 1 and w.startswith(f) for w in other.words)
        )
        for f in short.forms
    )


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s <= pos < e for s, e in spans)


def _names(doc: Document, start: int, end: int) -> list[Name]:
    """Its names as it states them ("Stoltenberg" matches "Jens Stoltenberg" by its words,
    see ``Name.same_as``)."""
    found = []
    for run in runs_in(doc, start, end):
        last = run[-1]
        if last.possessive:
            # "Trump's plan", "North Korea's test": the name reader takes a possessive for
            # a title ("NATO's chief"); here it is a name.
            run = [*run[:-1], Token(last.text[:-2], last.start, last.end - 2)]
        person: PersonName | None = split_title(run, doc.text)
        if person is not None:
            found.append(_name(person.name, person.name_start))
    return found


_CONNECTORS = frozenset({"of", "for", "the", "and", "de", "la", "le", "du", "y"})


def _name(name: str, start: int) -> Name:
    return Name(name, start, *_name_keys(name))


_AFFIXES = frozenset({"anti", "pro", "ex", "non", "post", "pre", "neo", "pan", "mid", "all"})
"""The first part of a compound that makes an adjective of a name: "anti-Trump", "pro-EU"."""


@lru_cache(maxsize=16384)
def _name_keys(name: str) -> tuple[frozenset[str], frozenset[str], str, bool, frozenset[str]]:
    """A name's words, content words, acronym, whether it is one word, and that word's other
    forms (``Name.forms``): news names the same people again and again, so each is worked
    out once."""
    parts = []
    for raw in name.split():
        w = raw.lower().replace("’", "'")
        if w.endswith("'s"):
            w = w[:-2]
        w = w.replace(".", "").strip("'")
        if w and w not in _CONNECTORS:
            parts.append(w)
    single = len(parts) == 1
    acronym = parts[0] if single else "".join(p[0] for p in parts)
    forms: set[str] = set()
    if single:
        word = parts[0]
        pieces = name.strip(".'’").split("-")
        named = [
            p.lower()
            for i, p in enumerate(pieces)
            if p[:1].isupper() and not (i == 0 and p.lower() in _AFFIXES)
        ]
        if len(pieces) > 1 and len(named) == 1:
            forms.add(named[0])
        elif len(pieces) == 1:
            # A clipped plural ("Dems") is the beginning of the full one's stem.
            forms.add(word[:-1] if word.endswith("s") and len(word) > SHORT_FORM else word)
    return frozenset(parts), frozenset(content_words(name)), acronym, single, frozenset(forms)


def _amounts(folded: str, offset: int) -> list[Amount]:
    out: list[Amount] = []
    for m in _AMOUNT.finditer(folded):
        number = m["number"]
        scale_word = m["scale"] or m["abbr"]
        if _YEAR.fullmatch(number) and not (m["currency"] or scale_word or m["unit"]):
            continue  # a year: read as a date
        value, step = _number_value(number)
        scale = SCALES.get(scale_word or "", 1.0)
        unit = m["currency"] or (UNITS.get(m["unit"]) if m["unit"] else None)
        hedged = _HEDGE.search(folded, max(0, m.start() - 20), m.start()) is not None
        out.append(
            Amount(
                text=m.group().strip(),
                start=offset + m.start(),
                value=value * scale,
                precision=step * scale / 2,
                hedged=hedged,
                unit=unit,
            )
        )
    return out


def _number_value(number: str) -> tuple[float, float]:
    """The value of a number in digits or words, and the step its last digit stands for."""
    if number[0].isdigit():
        digits = number.replace(",", "")
        decimals = len(digits.partition(".")[2])
        return float(digits), 10.0**-decimals
    if number in ONE_OF_A_SCALE:
        return ONE_OF_A_SCALE[number], ONE_OF_A_SCALE[number]
    total = 0.0
    for word in re.split(r"[- ]", number):
        n = NUMBER_WORDS[word]
        total = total * n if n == 100 and total else total + n
    return total, 1.0


def _dates(text: str, start: int, end: int) -> list[Date]:
    out: list[Date] = []
    for m in _DATE.finditer(text, start, end):
        if m["weekday"]:
            out.append(Date(m.group(), m.start(), "weekday", m["weekday"].lower()))
        elif m["year"]:
            out.append(Date(m.group(), m.start(), "year", m.group()))
        elif m["relative"]:
            out.append(Date(m.group(), m.start(), "relative", m.group().lower()))
        else:
            out += _month(text, start, m)
    return out


def _month(text: str, start: int, m: re.Match[str]) -> list[Date]:
    """A month, and the day of the month stated before or after it."""
    word = m["month"].rstrip(".").lower()
    month = MONTHS.index(word) + 1 if word in MONTHS else _MONTH_ABBREVIATIONS[word]
    if word == "may" and not m["day_after"]:
        before = text[max(start, m.start() - 12) : m.start()]
        if not _MAY_CONTEXT.search(before):
            return []  # "May" is also a name and a modal verb
    out = [Date(m["month"], m.start(), "month", str(month))]
    day, day_at = m["day_after"], m.start("day_after")
    if day is None:
        before_match = _DAY_BEFORE.search(text, max(start, m.start() - 12), m.start())
        if before_match is not None:
            day, day_at = before_match[1], before_match.start(1)
    if day is not None and 1 <= int(day) <= 31:
        out.append(Date(day, day_at, "day", day))
    return out


_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """Every body sentence's facts, read once per article, and which sentences hold each
    content word, so that a claim is compared only with sentences that share its words."""

    sentences: list[tuple[int, int]]
    facts: list[Facts]
    postings: dict[str, list[int]]
    names: list[Name]
    """Every name the article states, each once."""
    name_words: frozenset[str]
    """Every word of those names."""
    lower_case_words: frozenset[str]
    """Every word the article writes in lower case somewhere."""

    @classmethod
    def build(
        cls,
        doc: Document,
        sentences: list[tuple[int, int]],
        sentence_words: dict[tuple[int, int], list[str]],
        folded: str,
        names: NameIndex,
    ) -> ArticleFacts:
        """``sentence_words``, ``folded`` and ``names`` as ``ArticleIndex`` has them."""
        text = doc.text
        facts = [
            read_facts(doc, s, e, words=sentence_words[s, e], folded=folded, names=names)
            for s, e in sentences
        ]
        postings: dict[str, list[int]] = {}
        for i, f in enumerate(facts):
            for w in f.words:
                postings.setdefault(w, []).append(i)
        lower = frozenset(w for w in _WORD.findall(text) if w.islower())
        facts = [
            replace(f, names=tuple(n for n in f.names if not _opener(text, s, n, lower)))
            for (s, _), f in zip(sentences, facts, strict=True)
        ]
        names_once = list({n.text: n for f in facts for n in f.names}.values())
        name_words = frozenset(w for n in names_once for w in n.words)
        return cls(sentences, facts, postings, names_once, name_words, lower)


def _opener(text: str, start: int, name: Name, lower: frozenset[str]) -> bool:
    """Whether a one-word name is a sentence's first word, capitalised whatever it is, that
    the article writes in lower case elsewhere: "Programs for autistic adults vary"."""
    return (
        name.single
        and not text[start : name.start].strip(" \t\n\"“‘'(•-–—")
        and name.text.lower() in lower
    )
