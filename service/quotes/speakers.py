"""Who the speaker of a speech cue is: the subject before the verb ("Smith said", "the
minister, who said"), after it ("said Smith", "according to a statement from X"), of a
participle or a coordinated verb, an appositive's head, a noun phrase ("a spokeswoman for the
mayor"), an organisation for "it"; the cue regexes, built from ``lexicon``."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..document import Document, Token
from .lexicon import (
    ACCORDING,
    ADDRESS_TITLES,
    ARTICLES,
    AUXILIARIES,
    BARE_PLURALS,
    COLLECTIVES,
    CUE_PHRASES,
    CUE_VERBS,
    DOCUMENTS,
    FUNCTION_WORDS,
    GENDERED_PRONOUNS,
    LEAD_IN_WORDS,
    NOT_NAME,
    OBJECT_OF,
    OPENING_SUBORDINATORS,
    ORG_NOUNS,
    OTHER_PRONOUNS,
    PHRASE_DETERMINERS,
    PLACE_PREPOSITIONS,
    PLURAL_PRESENT,
    QUANTITIES,
    SKIP_BEFORE_CUE,
    SUBJECT_PREPOSITIONS,
    THING_NOUNS,
    TITLE_WORDS,
)
from .names import (
    NameIndex,
    PersonName,
    capitalised_runs,
    runs_in,
    split_title,
)
from .wordregex import alternation

CUE = re.compile(
    # Case matters: "States" in "United States" is no verb. Only "According to" and its
    # kin open sentences (and participles, ``OPENING_PARTICIPLE``).
    r"(?<![\w’'-])"
    + alternation([*CUE_PHRASES, *(p.capitalize() for p in CUE_PHRASES), *CUE_VERBS])
    + r"(?![\w’'-])",
)

OPENING_PARTICIPLE = re.compile(
    alternation(v.capitalize() for v in CUE_VERBS if v.endswith("ing")) + r"(?![\w’'-])"
)
"""A participle opening a sentence: "Calling the plan “reckless,” Smith …". Only matched
at a sentence's start: in a headline's capitals it is no opening."""

QUOTE_CHAR = "\ue000"

_AFTER_QUOTE = re.compile(QUOTE_CHAR + r"[\s,]*(?:" + "|".join(AUXILIARIES) + r")?\s*$")

_REACH = 300
"""How far before a speech verb its subject is looked for, in characters."""

_QUOTE_RUN = re.compile(QUOTE_CHAR + "+")

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

    @classmethod
    def named(cls, person: PersonName, title: str | None = None) -> Mention:
        """``person`` as a name mention; ``title``, when given, for the one it came with."""
        return cls(
            "name", person.start, person.end, person.name, title or person.title, person.gender
        )

    @classmethod
    def pronoun(cls, tok: Token) -> Mention:
        """ "he" or "she" (``tok``), with its gender."""
        return cls("pronoun", tok.start, tok.end, None, gender=GENDERED_PRONOUNS[tok.word])


SIGN_OFF = re.compile(
    QUOTE_CHAR
    + r"\s*([―—–-]+)\s*([^\W\d_](?:[^\ue000\n,.;:]|(?<=\s[A-Z])\.){1,60}?)"
    + r"(?=[.,;]?\s*(?:$|\n|\ue000))"
)
"""A quotation signed with a dash and a name, as readers' comments and epigraphs are:
"… ― Jane Smith", "… ― Julie A. Diaz" (an initial's full stop is part of the name)."""

_LEADING_WORDS = re.compile(
    r"(?:(?:" + alternation(w.capitalize() for w in NOT_NAME) + r")\b[\s,]*)*"
)

COLON_INTRO = re.compile(r"\s*(?:From\s+)?([^\ue000:\n]{2,80}?):\s*" + QUOTE_CHAR)


def hearer_of(doc: Document, ce: int, e: int) -> PersonName | None:
    """The person named right after "told" or "asked" (ending at ``ce``): someone "he" or
    "she" later in the sentence may stand for ("Warren told Stumpf, after he admitted …")."""
    text = doc.text
    runs = runs_in(doc, ce, min(e, ce + 40))
    if not runs or not text[ce : runs[0][0].start].isspace():
        return None
    person = split_title(runs[0], text)
    return None if person is None or person.organisation else person


def it_or_they(
    doc: Document, masked: str, sentences: list[list[tuple[int, int]]], index: int, s: int, cs: int
) -> Mention | None:
    """ "The Security Council … pledged sanctions over what it called “…”", "Donald Trump’s
    campaign is defending his tweets. It’s denouncing what it calls “…”": "it" or "they"
    before a cue stands for the organisation that opens its sentence or the one before."""
    if _IT_OR_THEY.search(masked, max(s, cs - 40), cs) is None:
        return None
    toks = doc.between(max(s, cs - 40), cs)
    while toks and (toks[-1].word in SKIP_BEFORE_CUE or toks[-1].word.endswith("ly")):
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
        found = organisation_opening(doc, masked, lo, hi) if hi > lo else None
        if found is not None:
            return found
    return None


_IT_OR_THEY = re.compile(r"\b(?:[Ii]t|[Tt]hey)\b")


def past_lead_in(masked: str, lo: int, hi: int) -> int:
    """Where the words of ``masked[lo:hi]`` start past a dateline and introductory phrases
    (``LEAD_IN``)."""
    lead_in = LEAD_IN.match(masked, lo, hi)
    return lead_in.end() if lead_in else lo


def organisation_opening(doc: Document, masked: str, lo: int, hi: int) -> Mention | None:
    """The organisation a sentence opens with: "The United Nations Security Council", "the
    IMF", "Donald Trump’s campaign", "The company" (past an introductory phrase)."""
    text = doc.text
    start = past_lead_in(masked, lo, hi)
    toks = doc.between(start, min(hi, start + 100))
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
        if run[-1].possessive and after is not None and after.word in THING_NOUNS:
            return Mention("nominal", run[0].start, after.end, text[run[0].start : after.end])
        person = split_title(run, text)
        if person is not None and person.organisation:
            return Mention.named(person)
        if len(run) == 1 and run[0].text.isupper() and len(run[0].text) > 1:
            return Mention("name", run[0].start, run[0].end, run[0].text)
        return None
    if start == toks[0].start:
        return None  # no determiner: "Officials said" are no organisation
    for tok in toks[:3]:  # "the health ministry"
        if tok.word in THING_NOUNS:
            return Mention("nominal", start, tok.end, text[start : tok.end])
        if tok.capitalised or tok.word in FUNCTION_WORDS or not tok.text.isalpha():
            break
    return None


def whole_name(doc: Document, start: int, end: int) -> Mention | None:
    """A span that is nothing but a (titled) name: "NATO chief Jens Stoltenberg"."""
    text = doc.text
    runs = capitalised_runs(doc.between(start, end), text)
    if len(runs) != 1 or runs[0][0].start != start or runs[0][-1].end != end:
        return None
    person = split_title(runs[0], text)
    if person is None:
        return None
    return Mention.named(person)


def sentence_subject(
    doc: Document, masked: str, s: int, e: int, names: NameIndex
) -> Mention | None:
    """A sentence opening with a known person's name: "Wiig smiles when …"."""
    text = doc.text
    lead = _LEADING_WORDS.match(text, s, e)
    start = lead.end() if lead else s
    first = _WORD.match(text, start, e)
    if first is not None and first.group().lower() in TITLE_WORDS:
        start = _past_lower_case_titles(doc, start, e)
    runs = runs_in(doc, start, min(e, start + 80))
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
    return Mention.named(person)


_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def _past_lower_case_titles(doc: Document, start: int, e: int) -> int:
    """Where the name starts in "(Presidential) nominee Hillary Clinton was …": past title
    words, some in lower case, which a run of capitals alone does not reach."""
    described = doc.between(start, min(e, start + 60))[:4]
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


def _addressed(title: str | None) -> bool:
    """A title that makes a lone surname a person: "President Obama", "Mr. Reed"."""
    return title is not None and title.split()[-1].lower().rstrip(".") in ADDRESS_TITLES


def speaker_of_cue(
    doc: Document, masked: str, s: int, e: int, cs: int, ce: int, cue: str, names: NameIndex
) -> Mention | None:
    if cs - s > _REACH:
        # A subject stands near its verb: looking further back in a very long sentence
        # only makes the work grow with the square of its length.
        s = cs - _REACH
        if masked[s] != QUOTE_CHAR:  # inside a quotation the cut may fall anywhere
            cut = masked.find(" ", s, cs)
            s = cut + 1 if cut >= 0 else s
    before = masked[s:cs]
    after_start = ce
    if cue in ACCORDING:
        return _subject_after(doc, masked, after_start, e)
    word_before = doc.last_between(max(s, cs - 40), cs)
    if (
        cue.endswith("s")
        and word_before
        and (word_before.word in PHRASE_DETERMINERS or word_before.possessive)
    ):
        return None  # "his claims", "the demands": a noun, not a speech verb
    if cue in PLURAL_PRESENT and not (
        word_before
        and not word_before.possessive
        and word_before.word not in PHRASE_DETERMINERS
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
            return _subject_before(doc, masked, s, cs)  # "Trump is promising", "He’s claiming"
        # "The newspaper took note of her shortcomings, writing: …": with no person
        # before or after the participle, an organisation opening the sentence.
        return (
            _participle_subject(doc, masked, s, cs, names)
            or _main_clause_subject(doc, masked, s, cs, ce, e, names)
            or organisation_opening(doc, masked, s, cs)
        )
    if _PASSIVE.search(before):
        # "she was warned that …": the subject heard it; "by X" names who said it.
        by = re.match(r"\s+by\s+", masked[ce:e])
        return _subject_after(doc, masked, ce + by.end(), e) if by else None
    # "…,” said Smith" / "…,” says the minister" / "», a déclaré X": the subject follows.
    if not before.strip() or _AFTER_QUOTE.search(before):
        mention = _subject_after(doc, masked, after_start, e)
        if mention is not None:
            return mention
    elif before.rstrip().endswith(",") and cue not in OBJECT_OF:
        # "…, members could push to replace White, said Bart Naylor, an advocate.": a
        # paraphrase ended by an inverted cue whose name ends the clause ("…, told NBC."
        # names whom the subject told).
        mention = _subject_after(doc, masked, after_start, e)
        if (
            mention is not None
            and mention.kind == "name"
            and _INVERTED_END.match(masked, mention.end, e) is not None
        ):
            return mention
    return (
        _subject_before(doc, masked, s, cs)
        or _coordinated_subject(doc, masked, s, cs, names)
        or _participle_subject(doc, masked, s, cs, names)
    )


_INVERTED_END = re.compile(r"\s*(?:[,.;]|$)")

_CLAUSE_END = re.compile(r",\s*|\ue000+\s*")


def _main_clause_subject(
    doc: Document, masked: str, s: int, cs: int, ce: int, e: int, names: NameIndex
) -> Mention | None:
    """ "Calling his challenger “a rubber stamp,” Mrs. Clinton upbraided him", "After
    saying her foot was “so swollen,” she was taken to hospital": a participle opening the
    sentence has the main clause's subject, the first he, she or named person that opens a
    clause after it and is followed by a verb."""
    text = doc.text
    lead = masked[s:cs].strip()
    if lead and lead.lower() not in OPENING_SUBORDINATORS:
        return None
    for k, m in enumerate(_CLAUSE_END.finditer(masked, ce, e)):
        if k == 4:
            break
        start = m.end()
        first = doc.last_between(start, min(e, start + 4))
        if first is not None and first.start == start and first.word in ("he", "she"):
            return Mention.pronoun(first)
        person = sentence_subject(doc, masked, start, e, names)
        if person is not None and re.match(r"\s+[a-z]", text[person.end : person.end + 3]):
            return person
    return None


def _coordinated_subject(
    doc: Document, masked: str, s: int, cs: int, names: NameIndex
) -> Mention | None:
    """ "Clinton, the former secretary, stressed her record and said …", "The mayor
    outlined his plan and vowed to “…”": a verb right after "and" shares the subject that
    opens the sentence, not the last name before it."""
    text = doc.text
    # "… and has referred to her as", "… and repeatedly called": auxiliaries and adverbs
    # may stand between "and" and the verb.
    between = _AND_BEFORE_CUE.search(masked, s, cs)
    if between is None or not all(
        w in SKIP_BEFORE_CUE or w.endswith("ly") for w in between.group(1).split()
    ):
        return None
    start = past_lead_in(masked, s, cs)
    person = sentence_subject(doc, masked, start, cs, names)
    if person is not None:
        return person
    toks = doc.between(start, cs)[:6]
    if not toks or toks[0].word not in PHRASE_DETERMINERS or toks[0].word in ("that", "this"):
        return None
    phrase = toks[:1]
    for tok in toks[1:]:
        if tok.word in SKIP_BEFORE_CUE or tok.word in FUNCTION_WORDS or tok.word.endswith("ed"):
            break
        phrase.append(tok)
    return _nominal(text, phrase) if len(phrase) > 1 else None


_AND_BEFORE_CUE = re.compile(r"\band((?:\s+[a-z]+){0,3})\s+$")


def _participle_subject(
    doc: Document, masked: str, s: int, cs: int, names: NameIndex
) -> Mention | None:
    """ "Jenny apologised, telling Zelah: …", "Mrs Thatcher warned …, and asked": the person
    who last acted before the cue (a name the article uses for a person, or he/she)."""
    text = doc.text
    toks = doc.between(s, cs)
    absolute = _with_subject(text, toks, cs)
    if absolute is not None:
        return absolute
    for run in reversed(capitalised_runs(toks, text)):
        after = [t for t in toks if t.start >= run[-1].end][:1]
        if not after and text[run[-1].end : cs].isspace():
            # "footage of Hillary Clinton asking": the name right before the participle.
            person = split_title(run, text)
            if person is not None:
                return Mention.named(person)
        if (
            run[-1].possessive
            or not after
            or not after[0].text[0].islower()
            or after[0].word in FUNCTION_WORDS
        ):
            continue
        lead = [t for t in toks if t.end <= run[0].start][-2:]
        before = lead[-1:]
        if len(lead) == 2 and lead[1].word == "the":
            lead = lead[:1]  # "towards the United States": still the preposition's object
        if (
            lead
            and lead[-1].word in OBJECT_OF
            and _OBJECT_GAP.fullmatch(text, lead[-1].end, run[0].start)
        ):
            continue
        if (
            QUOTE_CHAR in masked[run[0].start : run[-1].end]
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
            return Mention.named(person)
    for tok in reversed(toks):
        if tok.word in ("he", "she") and QUOTE_CHAR not in masked[tok.start : tok.end]:
            return Mention.pronoun(tok)
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
        or phrase[0].word not in PHRASE_DETERMINERS
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


def _subject_before(doc: Document, masked: str, s: int, cs: int) -> Mention | None:
    text = doc.text
    # "Rep. Gwen Moore (D-Wis.) said": a parenthesis between subject and verb.
    paren = re.search(r"\([^()\ue000]{1,40}\)\s*$", masked[s:cs])
    if paren:
        cs = s + paren.start()
    region_start = s
    for m in _CLAUSE_BREAK.finditer(masked, s, cs):
        region_start = m.end()
    toks = doc.between(region_start, cs)
    while toks and (
        toks[-1].word in SKIP_BEFORE_CUE
        or (toks[-1].word.endswith("ly") and toks[-1].text.islower() and not _noun_after(toks))
    ):
        toks.pop()  # "Gingrich cynically dismissed"
    if not toks:
        return None
    last = toks[-1]
    # An appositive: "Jens Stoltenberg, NATO’s secretary general, said".
    if text[last.end : cs].strip().lstrip(").").startswith(","):
        head = _appositive_head(doc, masked, s, cs)
        if head is not None:
            return head
        relative = _RELATIVE_BETWEEN.search(masked, s, cs)
        if relative:
            return _subject_before(doc, masked, s, relative.start())
    if last.word in ("he", "she"):
        return Mention.pronoun(last)
    if last.word in ("who", "which"):
        # "the study -- which notes …": an organisation opening the sentence when the
        # relative pronoun follows no name or noun phrase of its own.
        return _relative_antecedent(doc, masked, s, last.start) or organisation_opening(
            doc, masked, s, last.start
        )
    if last.word in OTHER_PRONOUNS:
        return None
    runs = capitalised_runs(toks, text)
    if runs and runs[-1][-1] is last:
        person = split_title(runs[-1], text)
        if person is not None:
            return _head_of(text, toks, runs[-1]) or Mention.named(person)
    return _nominal_with_complement(text, toks) or _bare_plural(text, toks)


def _bare_plural(text: str, toks: list[Token]) -> Mention | None:
    """ "“We are investigating,” police said", "Officials said", "Sources said": a plural
    noun alone as the subject, which the rules for names and determined noun phrases leave
    out."""
    if len(toks) != 1 or not toks[0].text.isalpha():
        return None
    word = toks[0].word
    # Opening a sentence, "Officials" reads as a title and "Sources" as no name; other
    # capitalised plurals ("Critics") already pass as names.
    if word in COLLECTIVES or (toks[0].capitalised and word in BARE_PLURALS):
        return Mention("nominal", toks[0].start, toks[0].end, toks[0].text)
    return None


def _head_of(text: str, toks: list[Token], run: list[Token]) -> Mention | None:
    """The noun phrase whose complement a name is: "members of the Freedom Caucus", "a
    spokeswoman for Mayor Reed", "the head of the LCWR" (not "most of the Democrats")."""
    lead = [t for t in toks if t.end <= run[0].start]
    while lead and lead[-1].word in ARTICLES:
        lead.pop()
    if len(lead) < 2 or lead[-1].word not in ("of", "for") or lead[-2].word in QUANTITIES:
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
                or any(t.word in FUNCTION_WORDS or t.possessive for t in tail)
                or toks[j - 1].word in QUANTITIES  # "52 percent of voters": the voters
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
        if k > 0 and toks[k - 1].word in SUBJECT_PREPOSITIONS:
            # "A narrator in the Clinton ad asks": the object of a preposition is never the
            # subject; the noun phrase before the preposition is.
            head = _nominal(text, toks[: k - 1])
            if head is None:
                return None
            return Mention("nominal", head.start, found.end, text[head.start : found.end])
    return found


def _plural_head(toks: list[Token]) -> int | None:
    """Where a bare plural opening a sentence starts: "Small groups", "Supporters"."""
    words = toks[-3:]
    if not words or not words[-1].word.endswith("s") or words[0] is not toks[0]:
        return None
    if any(not t.text.isalpha() or t.word in FUNCTION_WORDS or t.word in NOT_NAME for t in words):
        return None
    return words[0].start


def _appositive_head(doc: Document, masked: str, s: int, cs: int) -> Mention | None:
    """The name that an appositive describes: the first name in the sentence (outside
    quotations and past an introductory phrase) followed directly by a comma."""
    text = doc.text
    lo = s
    for m in _QUOTE_RUN.finditer(masked, s, cs):
        lo = m.end()
    # "In Texas, the journalist Jane Smith, writing in …": a place set off by an
    # introductory phrase is not the name described.
    toks = doc.between(past_lead_in(masked, lo, cs), cs)
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
        return Mention.named(person, title)
    return None


_RELATIVE_BETWEEN = re.compile(r",\s*(?:who|which)\b[^,;:\ue000]{1,100},\s*$")
"""A relative clause between subject and verb: "The prime minister, who faces a
rebellion over his bill, said"."""


def _noun_after(toks: list[Token]) -> bool:
    """Whether the last token follows a determiner or possessive, and so is a noun even when
    it ends like an adverb: "Scott’s family", "the assembly"."""
    return len(toks) > 1 and (toks[-2].word in PHRASE_DETERMINERS or toks[-2].possessive)


def _relative_antecedent(doc: Document, masked: str, s: int, at: int) -> Mention | None:
    """ "Mayor Tom Reed, who called it …", "the agency, which reported …": the name or noun
    phrase set off before a relative pronoun is the one who spoke; a name needs no comma
    ("the Chicago Police Department which reported"). Without the comma a noun phrase is
    only picked out ("a woman who suggested …") and the main verb's subject speaks. After
    "of" the whole noun phrase is (``_head_of``); after a place ("Democrats on Capitol
    Hill, who …") the name is not the antecedent."""
    text = doc.text
    toks = doc.between(max(s, at - 120), at)
    if not toks:
        return None
    gap = text[toks[-1].end : at].strip()
    if gap not in ("", ",") or QUOTE_CHAR in masked[toks[-1].start : at]:
        return None
    runs = capitalised_runs(toks, text)
    if runs and runs[-1][-1] is toks[-1]:
        head = _head_of(text, toks, runs[-1])
        if head is not None:
            return head
        lead = [t for t in toks if t.end <= runs[-1][0].start]
        while lead and lead[-1].word in ARTICLES:
            lead.pop()
        person = split_title(runs[-1], text)
        if person is None or (lead and lead[-1].word in PLACE_PREPOSITIONS):
            return None
        return Mention.named(person)
    return _nominal(text, toks) if gap else None


def _nominal(text: str, toks: list[Token]) -> Mention | None:
    """ "the source", "a campaign spokesman", "Trump’s lawyer", "officials"."""
    if (
        not toks
        or toks[-1].capitalised
        or not toks[-1].text.isalpha()
        or toks[-1].word in FUNCTION_WORDS
    ):
        return None
    i = len(toks) - 1
    while i > 0 and len(toks) - i < 6:
        prev = toks[i - 1]
        if prev.word in PHRASE_DETERMINERS or prev.possessive:
            i -= 1
            break
        if (
            not _modifier_shape(prev.text)
            or prev.word in FUNCTION_WORDS
            or prev.word in SKIP_BEFORE_CUE
            or (prev.word in NOT_NAME and not prev.capitalised)
        ):
            break
        i -= 1
    first = toks[i]
    if re.search(r"(?:ful|ous|ive|less|able|ible)$", toks[-1].word):
        return None  # "Trump’s disrespectful comments": an adjective, then a noun, no speaker
    if first.capitalised and first.word not in PHRASE_DETERMINERS and not first.possessive:
        return None  # "Obama's former strategist" is a description; "New York businessman" is not
    if (
        first.word not in PHRASE_DETERMINERS
        and not first.possessive
        and not toks[-1].word.endswith("s")
    ):
        return None
    if first is toks[-1] and (first.word in PHRASE_DETERMINERS or first.word in NOT_NAME):
        return None
    return Mention("nominal", first.start, toks[-1].end, text[first.start : toks[-1].end])


def _modifier_shape(word: str) -> bool:
    """A word that may modify a noun: letters, or a hyphenated compound that may hold a
    number ("the 63-year-old senator", "a 12-member panel")."""
    return word.replace("-", "").isalpha() or ("-" in word and word.replace("-", "").isalnum())


def _subject_after(doc: Document, masked: str, start: int, e: int) -> Mention | None:
    text = doc.text
    m = re.match(r"[\s,]*([^,;:!?\ue000]{1,80})", masked[start:e])
    if m is None:
        return None
    seg_start = start + m.start(1)
    toks = doc.between(seg_start, start + m.end(1))
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
        return Mention.pronoun(toks[0])
    # "said Stoltenberg", "said the Rev. Peter Wherry", "said council leader Anna Berg":
    # the first person named after nothing but titles, determiners and proper nouns.
    for run in capitalised_runs(toks, text):
        lead = [t for t in toks if t.end <= run[0].start]
        described = bool(lead) and lead[-1].word in TITLE_WORDS and len(lead) <= 4
        loose = not described and not all(t.capitalised or t.word in ARTICLES for t in lead)
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
        return Mention.named(person, title)
    if toks[0].word in PHRASE_DETERMINERS and toks[0].word not in ("that", "this"):
        # "said the minister, Jane Doe" -> the name after the comma.
        after = re.match(r"\s*,\s*([^,.;:!?\ue000]{1,60})", masked[seg_end:e])
        if after:
            inner = doc.between(seg_end + after.start(1), seg_end + after.end(1))
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
            if tok.word in FUNCTION_WORDS or tok.word in SKIP_BEFORE_CUE:
                break
            words.append(tok)
        if len(words) < 2:
            return None
        return Mention(
            "nominal", words[0].start, words[-1].end, text[words[0].start : words[-1].end]
        )
    return None


def _document_author(text: str, toks: list[Token]) -> Mention | None:
    """ "according to a statement from Jane Smith", "said a report by the Audit Office",
    "according to a complaint filed by the state Audit Office": a document's words
    are its author's."""
    for i in range(1, min(4, len(toks) - 2)):
        if toks[i].word not in DOCUMENTS:
            continue
        k = i + 1
        if toks[k].word.endswith("ed") and k + 2 < len(toks):
            k += 1  # "a complaint filed by", "a report released by"
        if toks[k].word in ("from", "by"):
            rest = toks[k + 1 :]
            if rest[0].word == "the":
                rest = rest[1:]
            if len(rest) > 1 and not rest[0].capitalised and rest[0].word not in FUNCTION_WORDS:
                rest = rest[1:]  # "the federal Securities and Exchange Commission"
            runs = capitalised_runs(rest, text)
            person = split_title(runs[0], text) if runs and runs[0][0] is rest[0] else None
            if person is None:
                return None
            return Mention.named(person)
    return None


def _modifies(tok: Token) -> bool:
    """Whether an organisation's name before ``tok`` only qualifies it: a title or another
    noun ("Council leader", "CNN anchor"), not a preposition ("NATO in a statement")."""
    return tok.word in TITLE_WORDS or (
        not tok.capitalised and tok.word not in NOT_NAME and tok.word not in FUNCTION_WORDS
    )


def _descriptor(lead: list[Token]) -> bool:
    """ "said MSNBC host", "said 9/11 widow": a short noun phrase describing the full name
    after it, with no verb, pronoun or preposition that would make the name an object."""
    return 0 < len(lead) <= 5 and all(
        t.word not in FUNCTION_WORDS
        and t.word not in SKIP_BEFORE_CUE
        and (t.word not in NOT_NAME or (i == 0 and t.word in ARTICLES))
        and not t.word.endswith(("ed", "ing"))
        for i, t in enumerate(lead)
    )


def organisation(mention: Mention, names: NameIndex) -> str | None:
    """ "the newspaper" -> the paper the article named last before it."""
    assert mention.name is not None
    words = mention.name.lower().split()
    if len(words) != 2 or words[0] != "the" or words[1] not in ORG_NOUNS:
        return None
    return names.last_with_word(ORG_NOUNS[words[1]], mention.start)


LEAD_IN = re.compile(
    r"(?:[A-Z][A-Z.' -]+(?:,[^\n—–―\ue000]{1,40}?)?\s*(?:\([^()]{1,20}\))?\s*(?:—|–|―|--)\s*)?"
    r"(?:(?:"
    + "|".join(LEAD_IN_WORDS)
    + r")\b[^,\ue000]{0,120}(?:,|\ue000+,?(?=\s))(?:\s*\d{4},)?\s*)*"
)
"""A dateline ("FLINT, Mich. (UPI) — ") and introductory phrases set off by a comma ("In
recent weeks, ", "On July 6, 2015, ", "On “Face the Nation,” ") before a sentence's
subject."""
