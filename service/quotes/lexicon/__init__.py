"""The words the quotation package reads, one module per language (``en``, ``fr``, ``de``,
``es``), combined here into the lists the code uses. Data only: to teach the extractor a
word, add it to its language's module."""

from __future__ import annotations

from . import de, en, es, fr
from .en import (
    ARTICLES,
    BARE_PLURALS,
    BEFORE_A_WORK,
    CLAIM_NOUNS,
    COLLECTIVES,
    CONNECTORS,
    DETERMINERS,
    DOCUMENTS,
    FEMALE_TITLES,
    FUNCTION_WORDS,
    GENDERED_PRONOUNS,
    GIVEN_NAME_FORMS,
    HEADLINE_CUES,
    LEAD_IN_WORDS,
    MALE_TITLES,
    NAME_PARTICLES,
    NEGATING,
    NOT_NAME,
    OBJECT_OF,
    OPENING_SUBORDINATORS,
    ORG_NOUNS,
    ORG_WORDS,
    ORGANISATION_HEADS,
    OTHER_PRONOUNS,
    PERSONAL_PRONOUNS,
    PLACE_PREPOSITIONS,
    PLURAL_PRESENT,
    PREPOSITIONS,
    QUANTITIES,
    SPEAKING_NOUNS,
    SUBJECT_PREPOSITIONS,
    SUFFIXES,
    SURNAME_TITLES,
    TELLING,
    TITLE_MINOR_WORDS,
    WORKS,
)

__all__ = [
    "ACCORDING",
    "ADDRESS_TITLES",
    "ARTICLES",
    "AUXILIARIES",
    "BARE_PLURALS",
    "BEFORE_A_WORK",
    "CLAIM_NOUNS",
    "COLLECTIVES",
    "CONNECTORS",
    "CUE_PHRASES",
    "CUE_VERBS",
    "DETERMINERS",
    "DOCUMENTS",
    "FEMALE_TITLES",
    "FUNCTION_WORDS",
    "GENDERED_PRONOUNS",
    "GIVEN_NAME_FORMS",
    "HEADLINE_CUES",
    "HONORIFICS",
    "LEAD_IN_WORDS",
    "MALE_TITLES",
    "NAME_PARTICLES",
    "NEGATING",
    "NOT_NAME",
    "OBJECT_OF",
    "OPENING_SUBORDINATORS",
    "ORGANISATION_HEADS",
    "ORG_NOUNS",
    "ORG_WORDS",
    "OTHER_PRONOUNS",
    "PERSONAL_PRONOUNS",
    "PHRASE_DETERMINERS",
    "PLACE_PREPOSITIONS",
    "PLURAL_PRESENT",
    "PREPOSITIONS",
    "QUANTITIES",
    "SKIP_BEFORE_CUE",
    "SPEAKING_NOUNS",
    "SUBJECT_PREPOSITIONS",
    "SUFFIXES",
    "SURNAME_TITLES",
    "TELLING",
    "THING_NOUNS",
    "TITLE_MINOR_WORDS",
    "TITLE_WORDS",
    "WORKS",
]

CUE_VERBS = en.CUE_VERBS | fr.CUE_VERBS | de.CUE_VERBS | es.CUE_VERBS
"""Speech verbs: "said", "a déclaré", "sagte", "dijo"."""

ACCORDING = en.ACCORDING | fr.ACCORDING | de.ACCORDING | es.ACCORDING
"""Cues whose speaker follows them: "according to", "selon", "laut", "según"."""

CUE_PHRASES = en.CUE_PHRASES | ACCORDING
"""Speech cues of more than one word, and those of ``ACCORDING``."""

AUXILIARIES = (*fr.AUXILIARIES, *de.AUXILIARIES, *es.AUXILIARIES)
"""Auxiliaries between a quotation and its inverted cue: "», a déclaré X", "», a-t-il"."""

SKIP_BEFORE_CUE = en.SKIP_BEFORE_CUE | frozenset(AUXILIARIES)
"""Words between a subject and its speech verb: auxiliaries, adverbs, times."""

PHRASE_DETERMINERS = (
    en.PHRASE_DETERMINERS | fr.PHRASE_DETERMINERS | de.PHRASE_DETERMINERS | es.PHRASE_DETERMINERS
)
"""Words that open a noun phrase: a word after one is a noun ("his claims", "les")."""

TITLE_WORDS = en.TITLE_WORDS | fr.TITLE_WORDS | de.TITLE_WORDS | es.TITLE_WORDS
"""Words that head or qualify a role, kept apart from the name they precede."""

HONORIFICS = en.HONORIFICS | fr.HONORIFICS
"""Titles of address: "Mr.", "Dr.", "Mme"."""

ADDRESS_TITLES = HONORIFICS | en.ADDRESS_TITLES
"""Titles that make a lone surname a person: "Mr. Reed", "President Obama"."""

THING_NOUNS = ORG_WORDS | en.THING_WORDS
"""Nouns for an organisation or its publication that "it" or "they" may stand for."""
