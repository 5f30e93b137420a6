"""Spanish words of the quotation package, for Spanish quoted or reported in the news read.
Data only: ``lexicon`` combines them with the other languages'."""

from __future__ import annotations

# fmt: off
CUE_VERBS = frozenset("dijo afirmó explicó aseguró señaló añadió declaró".split())
"""Speech verbs: "dijo Sánchez"."""

ACCORDING = frozenset({"según"})
"""Cues whose speaker follows them: "según el ministro"."""

AUXILIARIES = ("ha", "han")
"""Auxiliaries that may stand between a quotation and its inverted cue."""

PHRASE_DETERMINERS = frozenset("el la los las un".split())
"""Articles opening a noun phrase ("una" is not among them)."""

TITLE_WORDS = frozenset("señor señora sr sra".split())
"""Titles of address: "Sr. López"."""
# fmt: on
