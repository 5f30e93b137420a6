"""Claims judged against an article: supported only with the same names, amounts, dates and
polarity; ``contradicted`` when a sentence says nearly the same with another one; and every
sentence of a draft or of the model's summary judged the same way."""

from __future__ import annotations

import pytest

from service.document import Document
from service.grounding import judge_claim
from service.grounding.facts import read_facts
from service.grounding.statements import ground_statement
from service.ingest import read_article
from service.models import Finding, ModelStatement
from service.pipeline import check_draft, index_article
from service.verify import ArticleIndex

from .conftest import SAMPLE, speaker_model_with_threshold

WIRE = (
    "WASHINGTON (Reuters) - The United States will send about 3,000 troops to Poland, "
    "Defense Secretary Lloyd Austin said on Tuesday.\n\n"
    "Austin said the deployment, agreed with Warsaw in March, would cost $1.5 million a day.\n\n"
    "He added that Russia's losses were heavy.\n\n"
    "“We stand with our allies,” Austin said.\n\n"
    "President Joe Biden's plan does not include troops in Ukraine, the Pentagon said.\n\n"
    "Twenty European states have backed the move since 2022, despite its critics."
)


@pytest.fixture(scope="module")
def sample() -> ArticleIndex:
    return index_article(read_article(SAMPLE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def wire() -> ArticleIndex:
    return index_article(read_article(WIRE))


def _evidence(f: Finding) -> str:
    [span] = f.evidence
    return span.text


@pytest.mark.parametrize(
    "claim",
    [
        "Macron suggested that Western states send troops to Ukraine",
        "About 20 European states held a meeting in Paris at the end of February",
        "NATO has no plans to deploy troops in Ukraine",
        "Stoltenberg said Russian forces have been able to make progress in their offensive",
        # A pronoun subject: the person the article named last.
        "Stoltenberg added that Vladimir Putin still believes Russia can win militarily",
    ],
)
def test_true_claims_about_the_sample_are_supported(sample: ArticleIndex, claim: str) -> None:
    f = judge_claim(sample, claim)
    assert f.verdict == "paraphrase", f
    assert f.severity == "note"
    text = sample.article.text
    assert all(text[e.start : e.end] == e.text for e in f.evidence)


@pytest.mark.parametrize(
    ("claim", "article_word", "claim_word"),
    [
        # The two examples: a person and a place swapped for others.
        ("Putin suggested that Western states send troops to Ukraine", "Macron", "Putin"),
        ("About 20 European states met in Berlin", "Paris", "Berlin"),
        ("About 45 European states met in Paris", "20", "45"),
        ("After a meeting in Paris at the end of March, Macron suggested sending troops",
         "February", "March"),
        ("NATO has plans to deploy troops in Ukraine", "no", ""),
    ],
)  # fmt: skip
def test_one_edit_makes_a_claim_contradicted(
    sample: ArticleIndex, claim: str, article_word: str, claim_word: str
) -> None:
    f = judge_claim(sample, claim)
    assert f.verdict == "contradicted", f
    assert f.severity == "error"
    assert article_word in _evidence(f)
    # The differing words are marked, as for a misquotation.
    assert f.diff is not None
    changed = [d for d in f.diff if d.op != "equal"]
    assert any(article_word in d.article and claim_word in d.draft for d in changed), f.diff


def test_a_claim_the_article_does_not_address_is_unsupported(sample: ArticleIndex) -> None:
    for claim in ("NATO will send 40,000 troops to Poland next year", "Whales stranded in Wales"):
        f = judge_claim(sample, claim)
        assert f.verdict == "unsupported", f
        assert f.evidence == []


@pytest.mark.parametrize(
    "claim",
    [
        "The U.S. will send about 3,000 troops to Poland",  # "the U.S." for United States
        "The United States will send 3,000 troops to Poland, Austin said",  # surname
        "Lloyd Austin said on Tuesday the US would send three thousand troops to Poland",
        "The deployment would cost $1.5m a day",
        "The deployment would cost 1.5 million a day",  # the claim names no unit
        "Biden's plan does not include troops in Ukraine",
        "20 European states have backed the move since 2022",  # "Twenty" in the article
        "Austin added that Russia's losses were heavy",  # "He added"
        "Critics said the deployment would cost $1.5 million a day",  # "critics": no name
    ],
)
def test_names_and_amounts_match_as_the_article_states_them(wire: ArticleIndex, claim: str) -> None:
    assert judge_claim(wire, claim).verdict == "paraphrase"


@pytest.mark.parametrize(
    "claim",
    [
        "The United States will send about 5,000 troops to Poland",
        "The United States will send 3,000 troops to Poland, Austin said on Monday",
        "Austin said the deployment would cost $2.5 million a day",
        "Austin said the deployment would cost 1.5 million euros a day",
        "The deployment was agreed with Warsaw in May",
        "Biden's plan includes troops in Ukraine",
        "Trump's plan does not include troops in Ukraine",
        "Thirty European states have backed the move since 2022",
        "Twenty European states have backed the move since 2021",
    ],
)
def test_another_name_amount_date_or_polarity_is_contradicted(
    wire: ArticleIndex, claim: str
) -> None:
    assert judge_claim(wire, claim).verdict == "contradicted"


def test_facts_read_amounts_in_words_digits_units_and_hedges() -> None:
    facts = read_facts(
        Document.build("Some twenty-five people paid $1.5 million, 3% more, on 8 May 2024.")
    )
    amounts = {a.text: (a.value, a.hedged, a.unit) for a in facts.amounts}
    assert amounts == {
        "twenty-five": (25.0, True, None),
        "$1.5 million": (1_500_000.0, False, "$"),
        "3%": (3.0, False, "%"),
    }
    assert {(d.kind, d.value) for d in facts.dates} == {
        ("month", "5"),
        ("day", "8"),
        ("year", "2024"),
    }
    # "May" is a month only where a date reads it so, not as a name or a verb.
    assert read_facts(Document.build("Theresa May said she may go.")).dates == ()


def test_every_sentence_of_a_draft_is_judged() -> None:
    article = read_article(WIRE)
    draft = (
        "# Troops for Poland\n\n"
        "The U.S. will send about 3,000 troops to Poland. Austin said it would cost "
        "$2.5 million a day. "
        'Austin said "we stand with our allies". Officials expect more to follow.\n'
    )
    out = check_draft(article, draft)
    by_text = {f.text: f for f in out.findings}
    assert [f.kind for f in out.findings] == ["sentence"] * 3 + ["quotation", "sentence"]
    assert by_text["The U.S. will send about 3,000 troops to Poland."].verdict == "paraphrase"
    contradicted = by_text["Austin said it would cost $2.5 million a day."]
    assert contradicted.verdict == "contradicted" and contradicted.severity == "error"
    # Drafts add context no article holds: an unsupported sentence is a note.
    note = by_text["Officials expect more to follow."]
    assert (note.verdict, note.severity) == ("unsupported", "note")
    assert by_text["Troops for Poland"].verdict == "paraphrase"  # the heading, without "#"
    for f in out.findings:
        assert f.draft_start is not None and f.draft_end is not None
        assert draft[f.draft_start : f.draft_end] == f.text
    assert out.failed  # the contradicted sentence
    assert out.counts == {"paraphrase": 2, "contradicted": 1, "unsupported": 1, "verified": 1}

    quotes_only = check_draft(article, draft, quotes_only=True)
    assert [f.kind for f in quotes_only.findings] == ["quotation"]
    assert not quotes_only.failed

    fine = check_draft(article, "Officials expect more to follow.")
    assert not fine.failed
    assert check_draft(article, "Officials expect more to follow.", fail_on=["note"]).failed


def test_a_headline_in_title_case_is_read_for_the_names_the_article_states(
    sample: ArticleIndex,
) -> None:
    """Every word capitalised: "Has", "Plans" and "Deploy" are no names to look for."""
    supported = judge_claim(
        sample, "Stoltenberg Says NATO Has No Plans To Deploy Troops In Ukraine"
    )
    assert supported.verdict == "paraphrase", supported
    swapped = judge_claim(sample, "Putin Says NATO Has No Plans To Deploy Troops In Ukraine")
    assert swapped.verdict != "paraphrase"


@pytest.mark.parametrize(("threshold", "verdict"), [(0.0, "misattributed"), (1.0, "unconfirmed")])
def test_reported_speech_is_misattributed_only_above_the_speaker_threshold(
    sample: ArticleIndex, monkeypatch: pytest.MonkeyPatch, threshold: float, verdict: str
) -> None:
    model = speaker_model_with_threshold(threshold)
    monkeypatch.setattr("service.verify.speaker_model", lambda: model)
    statement = ModelStatement(
        speaker="Emmanuel Macron",
        text="NATO has no intention of sending troops to Ukraine",
        direct=False,
    )
    f = ground_statement(sample, statement)
    assert (f.verdict, f.article_speaker) == (verdict, "Jens Stoltenberg")


def test_a_sentence_is_supported_by_itself_whatever_it_repeats() -> None:
    # Found by hypothesis: the restated stretch held one "didn’t" of two, and the second
    # negation then looked like a change of polarity.
    text = "didn’t“didn’t"
    [finding] = check_draft(read_article(text), text).findings
    assert (finding.kind, finding.verdict) == ("sentence", "paraphrase")
