"""The offline engine: a summary picked for coverage with no dangling pronoun, and the
article's checkable sentences as claims. The article below is written for the test; the
properties are checked on the collected real articles too."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from service.analysis import Analyzer
from service.grounding import joined
from service.offline import KEY_POINTS, SUMMARY_SENTENCES, offline_analysis
from service.pipeline import claims, index_article, read_article
from service.settings import Settings

ROOT = Path(__file__).resolve().parent
ARTICLES = sorted((ROOT / "data" / "articles").glob("*.txt"))
SAMPLE = ROOT.parent / "examples" / "nato-stoltenberg-2024-05-08.txt"

BRIDGE = """Riverton approves a bridge over the Lark

Riverton's city council voted on Tuesday to build a bridge over the Lark river, ending years of debate about the crossing.
The council approved the bridge plan after a long and heated meeting on the crossing.
The bridge plan for the crossing was approved by the council with a large majority of votes.
It will carry two lanes of traffic and a separate path for cyclists and walkers.
The bridge will cost $42 million, more than twice the first estimate, according to the city's finance office.
"Traffic will finally move through the old town," Mayor Ana Ruiz told reporters after the vote.
She said the first cars would cross the river in the spring of 2027.
Fishermen worry that construction will disturb salmon spawning grounds downstream of the town.
They want the work paused every autumn while the fish return to lay their eggs.
Environmental groups have asked a court to review the river survey before any digging starts.
"""

_OPENING_PRONOUN = re.compile(r"(?:He|She|They|It|His|Her|Their|Its)\b")


def _analysis(text: str) -> tuple[str, list[str], list[str]]:
    result = offline_analysis(index_article(read_article(text)))
    return joined(result.summary)[0], [k.text for k in result.key_points], list(result.claims)


def test_each_picked_sentence_cites_the_paragraph_it_comes_from() -> None:
    article = read_article(BRIDGE)
    result = offline_analysis(index_article(article))
    for item in [*result.summary, *result.key_points]:
        [number] = item.paragraphs
        start, end = article.paragraphs[number - 1]
        assert item.text in BRIDGE[start:end]


def test_summary_covers_more_than_the_lead() -> None:
    summary, points, _ = _analysis(BRIDGE)
    lead = BRIDGE.splitlines()[2:5]  # three sentences on the same vote
    # The first sentence leads; the two that repeat it do not both crowd out the rest.
    assert summary.startswith(lead[0])
    assert sum(sentence in summary for sentence in lead) < 3
    picked = [summary, *points]
    assert any("Fishermen" in p for p in picked) and any("$42 million" in p for p in picked)
    assert len(points) <= KEY_POINTS


def test_no_sentence_opens_on_a_pronoun_nobody_named() -> None:
    summary, points, _ = _analysis(BRIDGE)
    # "It will carry…", "She said…", "They want…": whom they mean is in a sentence before.
    for text in [summary, *points]:
        assert "It will carry" not in text and "She said" not in text
        assert "They want" not in text
    for point in points:
        assert not _OPENING_PRONOUN.match(point), point


def test_a_speaker_pronoun_is_replaced_by_the_name() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    summary, points, _ = _analysis(text)
    assert "He added that Vladimir Putin" in text
    assert any(p.startswith("Jens Stoltenberg added that Vladimir Putin") for p in points)
    # The Background bullet on Macron ("He recently reopened…") has no such resolution.
    assert not any("reopened the debate" in p for p in [summary, *points])


@pytest.mark.parametrize("path", [*ARTICLES, SAMPLE], ids=lambda p: p.stem)
def test_real_articles_no_dangling_opening_and_article_sentences(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    summary, points, found = _analysis(text)
    assert summary and len(points) <= KEY_POINTS
    for point in points:
        assert not _OPENING_PRONOUN.match(point), point
    # Claims are the article's own sentences, word for word.
    assert all(claim in text for claim in found)
    # Deterministic.
    assert _analysis(text) == (summary, points, found)


def test_claims_are_the_checkable_sentences() -> None:
    _, _, found = _analysis(BRIDGE)
    assert found == [
        "Riverton's city council voted on Tuesday to build a bridge over the Lark river, "
        "ending years of debate about the crossing.",  # a date
        "It will carry two lanes of traffic and a separate path for cyclists and walkers.",
        "The bridge will cost $42 million, more than twice the first estimate, according to "
        "the city's finance office.",  # an amount, a comparison, a named source
        "She said the first cars would cross the river in the spring of 2027.",
    ]
    # Not a claim: no number, date, amount, comparison or named source ("Fishermen worry");
    # nor the quotation, whose words are the mayor's and are listed with who said what.
    assert not any("Fishermen" in c or "Traffic will finally move" in c for c in found)


def test_offline_claims_have_the_article_offsets() -> None:
    article = read_article(BRIDGE)
    out = asyncio.run(claims(article, Analyzer(Settings(engine="offline"))))
    assert len(out.claims) == 4 and out.statements == []
    for claim in out.claims:
        [span] = claim.evidence
        assert BRIDGE[span.start : span.end] == claim.text == span.text


def test_summary_length() -> None:
    summary, _, _ = _analysis(BRIDGE)
    assert 1 <= len(re.findall(r"[.!?][\"”]?(?:\s|$)", summary)) <= SUMMARY_SENTENCES


@pytest.mark.parametrize(
    ("sentence", "claim"),
    [
        ("Smith said the plan for the harbour was delayed.", True),  # a named source
        ("The harbour plan was delayed again, Jane Smith told reporters.", True),
        ("He said the plan for the harbour was delayed.", False),  # nobody named
        ("The plan for the harbour was delayed, officials said.", False),
        ("Environmental groups have asked the court to review the plan.", False),
        ("The harbour plan was delayed until the spring.", False),  # nothing to check
        ("The harbour plan was delayed by 14 weeks.", True),  # a number
        ("The harbour plan now costs more than the old bridge.", True),  # a comparison
    ],
)
def test_what_makes_a_sentence_checkable(sentence: str, claim: bool) -> None:
    _, _, found = _analysis(f"The harbour.\n\n{sentence}\n")
    assert found == ([sentence] if claim else [])
