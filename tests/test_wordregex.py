"""The trie-shaped alternation matches what a plain longest-first alternation matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from service.quotes.wordregex import alternation

_WORD = st.text(alphabet="asyid. -’", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(_WORD, min_size=1, max_size=12), text=st.text(alphabet="asyid. -’x", max_size=40)
)
def test_same_matches_as_a_plain_alternation(words: list[str], text: str) -> None:
    plain = re.compile(
        r"(?<![\w’-])(?:"
        + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        + r")(?![\w’-])"
    )
    trie = re.compile(r"(?<![\w’-])" + alternation(words) + r"(?![\w’-])")
    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_every_word_and_nothing_else() -> None:
    pattern = re.compile(alternation(["said", "says", "say", "saying", "told"]))
    for word in ("said", "says", "say", "saying", "told"):
        assert pattern.fullmatch(word)
    for word in ("sa", "sayings", "tol", "tells"):
        assert not pattern.fullmatch(word)
