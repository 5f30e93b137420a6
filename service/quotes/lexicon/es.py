"""Spanish words of the quotation package, for Spanish quoted or reported in the news read.
Data only: ``lexicon`` combines them with the other languages'."""

from __future__ import annotations

# fmt: off
CUE_VERBS = frozenset("dijo afirmó explicó aseguró señaló añadió declaró".split())

ACCORDING = frozenset({"según"})

AUXILIARIES = ("ha", "han")

PHRASE_DETERMINERS = frozenset("el la los las un".split())

TITLE_WORDS = frozenset("señor señora sr sra".split())
# fmt: on
