"""A word's lemma for matching a claim with the article: the Snowball English stemmer
("agrees"/"agreed", "deploy"/"deployment", "Trump's"/"Trump"), and before it the past forms
of irregular verbs that headlines put in the present ("won" for "wins", "left" for
"leaves"), which no stemmer joins."""

from __future__ import annotations

from functools import lru_cache

import snowballstemmer

# fmt: off
IRREGULAR = {
    "won": "win", "met": "meet", "left": "leave", "lost": "lose", "led": "lead", "took": "take",
    "taken": "take", "gave": "give", "given": "give", "made": "make", "went": "go", "gone": "go",
    "came": "come", "became": "become", "began": "begin", "begun": "begin", "ran": "run",
    "saw": "see", "seen": "see", "told": "tell", "sold": "sell", "bought": "buy",
    "brought": "bring", "thought": "think", "sought": "seek", "fought": "fight", "held": "hold",
    "kept": "keep", "sent": "send", "spent": "spend", "built": "build", "paid": "pay",
    "laid": "lay", "found": "find", "stood": "stand", "struck": "strike", "hit": "hit",
    "shot": "shoot", "fell": "fall", "fallen": "fall", "rose": "rise", "risen": "rise",
    "grew": "grow", "grown": "grow", "drew": "draw", "drawn": "draw", "threw": "throw",
    "thrown": "throw", "knew": "know", "known": "know", "wrote": "write", "written": "write",
    "spoke": "speak", "spoken": "speak", "broke": "break", "broken": "break", "chose": "choose",
    "chosen": "choose", "drove": "drive", "driven": "drive", "ate": "eat", "eaten": "eat",
    "flew": "fly", "flown": "fly", "forgave": "forgive", "froze": "freeze", "frozen": "freeze",
    "hid": "hide", "hidden": "hide", "rode": "ride", "ridden": "ride", "rang": "ring",
    "sang": "sing", "sank": "sink", "sunk": "sink", "swore": "swear", "sworn": "swear",
    "tore": "tear", "torn": "tear", "woke": "wake", "wore": "wear", "worn": "wear",
    "beat": "beat", "beaten": "beat", "bit": "bite", "bitten": "bite", "caught": "catch",
    "taught": "teach", "felt": "feel", "fled": "flee", "heard": "hear", "meant": "mean",
    "slept": "sleep", "swept": "sweep", "wept": "weep", "won't": "will", "dealt": "deal",
    "withdrew": "withdraw", "withdrawn": "withdraw", "overtook": "overtake",
    "undertook": "undertake", "upheld": "uphold", "withheld": "withhold", "forbade": "forbid",
    "forgot": "forget", "forgotten": "forget", "got": "get", "gotten": "get", "lent": "lend",
    "bent": "bend", "bled": "bleed", "fed": "feed", "bred": "breed", "shook": "shake",
    "shaken": "shake", "stole": "steal", "stolen": "steal", "awoke": "awake", "slid": "slide",
    "spun": "spin", "stuck": "stick", "stung": "sting", "strove": "strive", "swung": "swing",
    "wound": "wind", "dug": "dig", "hung": "hang", "lit": "light", "quit": "quit",
}
"""Past forms of common irregular verbs and their present: data, not rules."""
# fmt: on

_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """``word`` (folded, lower case) as its stem: news repeats its words, so each is stemmed
    once per process."""
    return str(_STEMMER.stemWord(IRREGULAR.get(word, word)))
