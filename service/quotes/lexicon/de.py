"""German words of the quotation package, for German quoted or reported in the news read.
Data only: ``lexicon`` combines them with the other languages'."""

from __future__ import annotations

# fmt: off
CUE_VERBS = frozenset("sagte sagt erklärte erklärt betonte betont meinte".split())
"""Speech verbs: "sagte Merkel"."""

ACCORDING = frozenset({"laut"})
"""Cues whose speaker follows them: "laut Regierungssprecher"."""

AUXILIARIES = ("hat",)
"""Auxiliaries between a quotation and its inverted cue: "», hat sie betont"."""

PHRASE_DETERMINERS = frozenset("der die das ein eine".split())
"""Articles opening a noun phrase."""

TITLE_WORDS = frozenset("herr frau".split())
"""Titles of address: "Herr Scholz"."""
# fmt: on
