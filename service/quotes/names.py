"""People's names in running text: tokens, titles kept apart from names, and an index that
turns a surname or a titled short form into the full name the article gives."""

from __future__ import annotations

import bisect
import re
import unicodedata
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..document import Document, Token
from .lexicon import (
    CONNECTORS,
    FEMALE_TITLES,
    GIVEN_NAME_FORMS,
    HONORIFICS,
    MALE_TITLES,
    NAME_PARTICLES,
    NOT_NAME,
    ORG_WORDS,
    SUFFIXES,
    SURNAME_TITLES,
    TITLE_WORDS,
)

_PARTY_LABEL = re.compile(r"[RDI]-[A-Z][A-Za-z.]*")
"""A US party and state label, "R-Wis.", "D-Mo": a label next to a name, not a name."""


@dataclass(frozen=True, slots=True)
class PersonName:
    name: str
    title: str | None
    start: int
    end: int
    """Span of the whole mention, title included."""
    name_start: int
    gender: str | None = None
    organisation: bool = False


def split_title(run: list[Token], text: str) -> PersonName | None:
    """A capitalised run as title + name; None if no name is left."""
    while run and (run[0].word in NOT_NAME or run[0].word in CONNECTORS):
        run = run[1:]
    while run and run[-1].word in CONNECTORS:
        run = run[:-1]
    if not run:
        return None
    if (
        any(tok.word in ORG_WORDS for tok in run[1:])
        or (len(run) == 1 and run[0].word in ORG_WORDS)
        or (run[0].word in ORG_WORDS and run[1].word in ("of", "for"))  # "Association of …"
    ):
        return PersonName(
            name=text[run[0].start : run[-1].end],
            title=None,
            start=run[0].start,
            end=run[-1].end,
            name_start=run[0].start,
            organisation=True,
        )
    last_title = previous_title = -1
    for i, tok in enumerate(run):
        if (
            tok.word in TITLE_WORDS
            or tok.possessive
            or _acronym(tok)  # "NATO chief"
            or _PARTY_LABEL.fullmatch(tok.text)
        ):
            previous_title, last_title = last_title, i
    name_tokens = run[last_title + 1 :]
    title_tokens = run[: last_title + 1]
    if not name_tokens and len(run) >= 2 and run[-2].word in HONORIFICS:
        # "Mr. King", "Dr. Major": a surname that is also a title word.
        name_tokens, title_tokens = run[-1:], run[:-1]
    if not name_tokens and len(run) == 1 and _PARTY_LABEL.fullmatch(run[0].text) is None:
        lone = run[0]
        if _acronym(lone) and lone.word not in TITLE_WORDS:
            # "NATO said", "The FBI, which …, said": an acronym alone names an organisation.
            return PersonName(
                name=lone.text,
                title=None,
                start=lone.start,
                end=lone.end,
                name_start=lone.start,
                organisation=True,
            )
    if not name_tokens and last_title - previous_title > 1 and run[-1].word in SURNAME_TITLES:
        # "Rep. Peter King", "John Major": a given name before a surname that is a title word.
        name_tokens, title_tokens = run[previous_title + 1 :], run[: previous_title + 1]
    while (
        name_tokens
        and name_tokens[0].word in CONNECTORS
        and name_tokens[0].word not in NAME_PARTICLES
    ):
        name_tokens = name_tokens[1:]
    if not name_tokens or name_tokens[0].word in NAME_PARTICLES:
        return None
    for k, tok in enumerate(name_tokens[1:], 1):
        if tok.word in CONNECTORS and tok.word not in NAME_PARTICLES:
            name_tokens = name_tokens[:k]  # "Earl Ray Tomblin of West Virginia"
            break
    gender = None
    for tok in title_tokens:
        if tok.word in MALE_TITLES:
            gender = "m"
        elif tok.word in FEMALE_TITLES:
            gender = "f"
    title = text[title_tokens[0].start : title_tokens[-1].end] if title_tokens else None
    return PersonName(
        name=text[name_tokens[0].start : name_tokens[-1].end],
        title=title,
        start=run[0].start,
        end=run[-1].end,
        name_start=name_tokens[0].start,
        gender=gender,
    )


def _acronym(tok: Token) -> bool:
    """ "NATO", "FBI": capitals without full stops; a generational suffix ("II") is none."""
    return (
        tok.text.isupper()
        and len(tok.word) > 1
        and "." not in tok.text
        and tok.word not in SUFFIXES
    )


def capitalised_runs(toks: list[Token], text: str) -> list[list[Token]]:
    """Maximal runs of capitalised tokens, allowing lower-case connectors between them
    ("Secretary of State John Kerry", "Ursula von der Leyen")."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for i, tok in enumerate(toks):
        adjacent = not current or _adjacent(current[-1], tok, text)
        if tok.capitalised and adjacent and not (current and current[-1].possessive):
            current.append(tok)
            continue
        if (
            current
            and adjacent
            and tok.word in CONNECTORS
            and i + 1 < len(toks)
            and toks[i + 1].capitalised
        ):
            current.append(tok)
            continue
        if current:
            runs.append(current)
        current = [tok] if tok.capitalised else []
    if current:
        runs.append(current)
    return runs


def _adjacent(a: Token, b: Token, text: str) -> bool:
    """Only a space between two tokens: a comma or a full stop ends a name."""
    return b.start - a.end <= 2 and text[a.end : b.start].isspace()


_UPPER = (
    "".join(re.escape(c) for c in map(chr, range(0x250)) if c.isupper())
    + "\u0386-\u03ab\u0400-\u042f"
)
_CAP = "[" + _UPPER + r"](?:[\w’'\-]|\.(?=[^\W_]))*\.?"
# Candidate regions for capitalised runs, found by one regex pass instead of tokenizing
# every word; ``capitalised_runs`` refines each.
_CAP_REGION = re.compile(
    _CAP + r"(?:\s{1,2}(?:(?:" + "|".join(sorted(CONNECTORS)) + r")\s{1,2})*" + _CAP + ")*"
)


def cap_regions(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The stretches of ``text[start:end]`` where capitalised words run together: the only
    places a name can be, read by the name index and the claim checker alike."""
    for m in _CAP_REGION.finditer(text, start, end):
        region = m.group()
        if " " in region or region.lower().rstrip(".") not in NOT_NAME:
            yield m  # "The", "But": the commonest capitalised words name nobody


def runs_in(doc: Document, start: int, end: int, masked: str | None = None) -> list[list[Token]]:
    """Capitalised runs in ``doc.text[start:end]``, as ``capitalised_runs`` finds them
    (a capitalised part of a word, "Trump" of "anti-Trump", as a word); with ``masked``
    (the text with stretches blanked out), only those outside them."""
    runs: list[list[Token]] = []
    for m in cap_regions(doc.text if masked is None else masked, start, end):
        runs.extend(capitalised_runs(doc.between(m.start(), m.end()), doc.text))
    return runs


@dataclass(frozen=True, slots=True)
class _Region:
    """A capitalised region of a document, equal to any other with the same words: the key
    under which its names are worked out once."""

    text: str
    doc: weakref.ref[Document] = field(compare=False)
    """Weakly held: the cache keeps its keys, and must not keep their articles alive."""
    start: int = field(compare=False)


@lru_cache(maxsize=16384)
def _people_in(region: _Region) -> tuple[PersonName, ...]:
    """The names in one capitalised region, offsets relative to it. An article names the
    same few people again and again, and news the same people as other news: each region
    is worked out once."""
    doc = region.doc()
    assert doc is not None  # the caller holds it
    at, text = region.start, doc.text
    people = (
        split_title(run, text)
        for run in capitalised_runs(doc.between(at, at + len(region.text)), text)
    )
    return tuple(
        replace(p, start=p.start - at, end=p.end - at, name_start=p.name_start - at)
        for p in people
        if p is not None
    )


@dataclass(slots=True)
class NameIndex:
    """Full names mentioned in an article, to expand surnames and titled short forms."""

    doc: Document
    """The article they were read from, for readers after the quotations (the claim
    checker) to read its words without tokenizing it again."""
    by_surname: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    by_word: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Each full mention, as ``(offset, full name)``, under every word of its name."""
    genders: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    known: set[str] = field(default_factory=set)
    people: list[tuple[int, str]] = field(default_factory=list)
    """Every mention of a person, as ``(offset, full name)``: a full name, or a surname
    or titled name that a full name expands."""
    persons: set[str] = field(default_factory=set)
    """The full names of ``people``."""
    given_first: dict[str, str] = field(default_factory=dict)
    """``given_first_name``'s answers: each word's full names are read once."""

    @classmethod
    def build(cls, doc: Document, paragraphs: Sequence[tuple[int, int]]) -> NameIndex:
        index = cls(doc)
        singles: list[tuple[int, str, bool]] = []
        ref = weakref.ref(doc)
        for lo, hi in paragraphs:
            for m in cap_regions(doc.text, lo, hi):
                for person in _people_in(_Region(m.group(), ref, m.start())):
                    start = m.start() + person.start
                    parts = person.name.split()
                    if len(parts) == 1:
                        singles.append((start, person.name, person.title is not None))
                        continue
                    # More than four capitalised words run together are a headline's
                    # ("British Bank Abruptly Drops Russian Network RT's"), not a name.
                    if len(parts) > 4 or any(p.lower() in TITLE_WORDS for p in parts):
                        continue
                    for part in dict.fromkeys(parts):
                        index.by_word.setdefault(part, []).append((start, person.name))
                    index.known.add(person.name)
                    index.by_surname.setdefault(_surname(parts), []).append((start, person.name))
                    if not person.organisation:
                        index.people.append((start, person.name))
                    if person.gender:
                        index.genders.setdefault(person.name, person.gender)
                    if person.title:
                        index.titles.setdefault(person.name, person.title)
        for pos, name, titled in singles:
            full = index.expand(name, pos)
            if titled or full != name:
                index.people.append((pos, full))
        index.people.sort()
        index.persons.update(full for _, full in index.people)
        return index

    def person_before(self, at: int) -> str | None:
        """The person mentioned last before offset ``at``."""
        found = self.person_mention_before(at)
        return found[1] if found else None

    def person_mention_before(self, at: int) -> tuple[int, str] | None:
        """The last mention of a person before offset ``at``, as ``(offset, full name)``."""
        i = bisect.bisect_left(self.people, (at, ""))
        return self.people[i - 1] if i > 0 else None

    def last_with_word(self, words: Iterable[str], at: int) -> str | None:
        """The full name mentioned last before offset ``at`` that has one of ``words``."""
        last: tuple[int, str] | None = None
        for word in words:
            mentions = self.by_word.get(word, [])
            i = bisect.bisect_left(mentions, (at, ""))
            if i and (last is None or mentions[i - 1][0] > last[0]):
                last = mentions[i - 1]
        return last[1] if last else None

    def expand(self, name: str, at: int) -> str:
        """The full name for ``name`` as mentioned at offset ``at``: the latest earlier full
        mention with that surname, else the first later one, else ``name`` itself."""
        parts = name.split()
        if len(parts) >= 2 and name in self.known:
            return name
        candidates = self.by_surname.get(_surname(parts) if parts else "", [])
        if not candidates:
            return name
        i = bisect.bisect_right(candidates, (at, "\U0010ffff"))
        return candidates[i - 1][1] if i > 0 else candidates[0][1]

    def given_first_name(self, word: str) -> str:
        """The one full name of a person that ``word``, never a surname here, opens: a
        family name written first ("Xi" for Xi Jinping) or a given name ("Justin" for
        Justin Trudeau) stands for that person; with two such names, nobody can say which."""
        if word not in self.given_first:
            found = {
                full
                for _, full in self.by_word.get(word, ())
                if full.split()[0] == word and full in self.persons
            }
            self.given_first[word] = found.pop() if len(found) == 1 else word
        return self.given_first[word]


def _surname(parts: list[str]) -> str:
    """A look-up key for a surname: accents and their transliterations fold together, so
    Müller, Muller and Mueller meet."""
    while len(parts) > 1 and parts[-1].lower().rstrip(".") in SUFFIXES:
        parts = parts[:-1]
    return _surname_key(parts[-1])


@lru_cache(maxsize=8192)
def _surname_key(surname: str) -> str:
    if surname.endswith(("’s", "'s")):
        surname = surname[:-2]
    folded = unicodedata.normalize("NFKD", surname.lower().replace("ß", "ss"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"(?<=[aou])e", "", folded)


def same_given_name(a: str, b: str) -> bool:
    """Whether two given names (lower case) may name the same person: equal, one the
    other's initial ("j." for "jens") or a short form of it ("joe" for "joseph")."""
    a, b = a.rstrip("."), b.rstrip(".")
    if a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return True
    return GIVEN_NAME_FORMS.get(a, a) == GIVEN_NAME_FORMS.get(b, b)
