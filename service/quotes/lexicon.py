"""Word lists the speaker model's candidates and features read (English). Data only: the
code that uses them is in ``candidates`` and ``features``."""

from __future__ import annotations

# fmt: off
SPEAKING_NOUNS = frozenset("""
    spokesman spokeswoman spokesperson spokespeople official officials aide aides adviser
    advisers advisor advisors source sources lawyer lawyers attorney attorneys statement
    statements report reports campaign campaigns analyst analysts expert experts critic critics
    supporter supporters opponent opponents newspaper paper magazine study studies letter
    complaint memo lawsuit filing document documents survey poll group police prosecutor
    prosecutors officer officers investigator investigators witness witnesses researcher
    researchers leader leaders lawmaker lawmakers senator senators candidate nominee
    president minister secretary director chief chairman chairwoman chair governor mayor
    judge ruling agency ministry department committee company firm spokesmen spokeswomen
    representative representatives ambassador diplomat diplomats residents voters
    protesters activists author authors editorial article website statement organizers
    insiders member members staffer staffers manager executive executives doctor doctors
    scientist scientists economist economists teacher teachers student students officials
""".split())
"""Heads of noun phrases that speak in news: "a spokesman", "the report", "officials"."""

DETERMINERS = frozenset("the a an his her their its our my this that these those no".split())

NEGATING = frozenset({"no"})
"""A noun phrase after one of these names nobody: "there are no reports"."""

PERSONAL_PRONOUNS = {"he": "he", "she": "she", "they": "they", "it": "it", "i": "i", "we": "we"}
"""Pronouns that may be a quotation's source, mapped to the kind the features name."""

ORGANISATION_HEADS = frozenset("""
    agency ministry department company firm group organisation organization council
    committee bank union university institute association foundation commission charity
""".split())
"""Heads of a definite description that stands for an organisation named before it ("the
agency", "the company"): resolved to that organisation."""

PREPOSITIONS = frozenset("""
    on in at to by for with from of about against into over under after before during
    between among via through without toward towards than like
""".split())
"""A mention right after one of these is an object ("on Twitter", "to Smith"), rarely the
one who speaks."""
# fmt: on
