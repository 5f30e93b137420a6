"""Regular expressions for long word lists.

Python's ``re`` tries the branches of an alternation one by one at every position, so a
pattern of three hundred speech verbs costs three hundred attempts at each word start. The
same words as a trie ("sa(?:id|ys|y…)") cost a handful: one branch per distinct letter."""

from __future__ import annotations

import re
from collections.abc import Iterable

_Trie = dict[str, "_Trie"]


def alternation(words: Iterable[str]) -> str:
    """A regex (no groups) matching exactly the given words, longest first where one is a
    prefix of another, as a plain ``|`` of the words sorted by length would."""
    trie: _Trie = {}
    for word in set(words):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _pattern(trie)


def _pattern(node: _Trie) -> str:
    # The end of a word ("") is tried last, so "says" wins over "say".
    branches = [re.escape(char) + _pattern(child) for char, child in sorted(node.items()) if char]
    optional = "" in node
    if not branches:
        return ""
    if len(branches) == 1 and not optional:
        return branches[0]
    body = "(?:" + "|".join(branches) + ")"
    if optional:
        return body + "?"
    return body
