"""German words of the quotation package, for German quoted or reported in the news read.
Data only: ``lexicon`` combines them with the other languages'."""

from __future__ import annotations

# fmt: off
CUE_VERBS = frozenset("sagte sagt erklärte erklärt betonte betont meinte".split())

ACCORDING = frozenset({"laut"})

AUXILIARIES = ("hat",)

PHRASE_DETERMINERS = frozenset("der die das ein eine".split())

TITLE_WORDS = frozenset("herr frau".split())
# fmt: on
