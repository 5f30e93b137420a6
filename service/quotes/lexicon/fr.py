"""French words of the quotation package, for French quoted or reported in the news read.
Data only: ``lexicon`` combines them with the other languages'."""

from __future__ import annotations

# fmt: off
CUE_VERBS = frozenset("""
    déclaré dit ajouté observé rappelé insisté martelé poursuivi conclu annoncé averti jugé
    noté relevé reconnu affirmé expliqué estimé souligné indiqué précisé assuré confié
    répondu
""".split())
"""Past participles of speech verbs, after an auxiliary: "», a déclaré X"."""

ACCORDING = frozenset({"selon"})
"""Cues whose speaker follows them: "selon le ministre"."""

AUXILIARIES = ("a", "ont")
"""Auxiliaries between a quotation and its inverted cue: "», a déclaré X"."""

PHRASE_DETERMINERS = frozenset("le la les l’ un une".split())
"""Articles opening a noun phrase."""

TITLE_WORDS = frozenset("m mme mlle".split())
"""Titles of address: "M. Macron", "Mme Borne"."""

HONORIFICS = frozenset("m mme".split())
"""Those of ``TITLE_WORDS`` that keep a surname that is also a title word a name."""
# fmt: on
