"""Claims judged against an article: supported only with the same names, amounts, dates and
polarity; ``contradicted`` when a sentence says nearly the same with another one; and every
sentence of a draft or of the model's summary judged the same way."""

from __future__ import annotations

import pytest

from bench.claims import tokenized
from service.document import Document
from service.grounding import Citation, joined, judge_claim, key_point_findings, summary_sentences
from service.grounding.facts import read_facts
from service.grounding.statements import ground_statement
from service.ingest import read_article
from service.models import Finding, ModelCited, ModelStatement
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


# -- a sentence judged against what it cites ----------------------------------------------

CITY = (
    "Harbour council approves cycle lanes\n\n"
    "The city council voted on Tuesday to build 12 kilometres of protected cycle lanes. Mayor "
    "Anna Berg called the vote a turning point. The lanes will cost €4 million and open in "
    "2026.\n\n"
    "Shop owners on Harbour Road did not support the plan. Peter Holm, who runs a bakery "
    "there, said he would lose customers.\n\n"
    "The council also approved a new bus route to the hospital."
)
"""[1] the headline, [2] the vote, its cost and date, [3] the shop owners, [4] the bus."""


@pytest.fixture(scope="module")
def city() -> ArticleIndex:
    return index_article(read_article(CITY))


def _cited(index: ArticleIndex, claim: str, *numbers: int) -> Finding:
    return judge_claim(index, claim, cited=Citation.of(numbers, index.article.paragraphs))


@pytest.mark.parametrize(
    ("claim", "numbers"),
    [
        ("The council voted to build 12 kilometres of protected cycle lanes", (2,)),
        ("Shop owners on Harbour Road did not support the plan", (3,)),
        ("Shop owners on Harbour Road did not support the plan", (2, 3)),
        # Facts gathered from the first and last sentences of one paragraph, as a summary
        # gathers them: the paragraph it cites holds them all.
        ("The council voted to build cycle lanes that will cost €4 million", (2,)),
    ],
)
def test_a_sentence_the_cited_paragraph_holds_is_supported_by_it(
    city: ArticleIndex, claim: str, numbers: tuple[int, ...]
) -> None:
    f = _cited(city, claim, *numbers)
    assert f.verdict == "paraphrase", f
    cited = [city.article.paragraphs[n - 1] for n in numbers]
    assert f.cited is not None and [(c.start, c.end) for c in f.cited] == cited
    [evidence] = f.evidence
    assert any(s <= evidence.start and evidence.end <= e for s, e in cited)
    assert CITY[evidence.start : evidence.end] == evidence.text


def test_facts_spread_over_a_paragraph_need_its_citation(city: ArticleIndex) -> None:
    claim = "The council voted to build cycle lanes that will cost €4 million"
    assert judge_claim(city, claim).verdict != "paraphrase"  # no one sentence holds it
    assert _cited(city, claim, 2).verdict == "paraphrase"


def test_a_number_differs_only_in_the_place_of_another(city: ArticleIndex) -> None:
    # The lanes' length and their cost are numbers of two things: the cost stands in the
    # place of no number of the sentence about the length.
    claim = "The council voted to build cycle lanes that will cost €4 million"
    assert judge_claim(city, claim).verdict == "unsupported"
    longer = judge_claim(city, "The council voted to build 15 kilometres of protected cycle lanes")
    assert longer.verdict == "contradicted"
    assert longer.message == "the article says this with another number: “12”, not “15”"
    # A currency is no word of the alignment: the amount still stands where the other does.
    dollars = judge_claim(city, "The lanes will cost $4 million and open in 2026")
    assert dollars.verdict == "contradicted"
    assert "another number: “€4 million”, not “$4 million”" in dollars.message


RALLY = (
    "Fans of the actor complained about him attending the Democratic National Convention "
    "on Wednesday.\n\n"
    "The mayor turned on Sunday to a subject that she has not spoken about in months on "
    "the campaign trail: harbour rents.\n\n"
    "The council did not approve the new harbour rents."
)


@pytest.mark.parametrize(
    "claim",
    [
        # The negation belongs to words the claim does not restate.
        "The mayor turned to harbour rents on the campaign trail",
        # The initials of the name in its place, which the name reader reads without
        # "Democratic" ("DNC" stands no sentence as the article writes it: unsupported).
        "Fans complained about the actor attending DNC.",
    ],
)
def test_what_the_claim_does_not_restate_does_not_contradict_it(claim: str) -> None:
    rally = index_article(read_article(RALLY))
    assert judge_claim(rally, claim).verdict == "unsupported"


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("The council did approve the new harbour rents", "a negation this lacks"),
        (
            "Fans complained about the actor attending RNC.",
            "another name: “National Convention”, not “RNC”",
        ),
    ],
)
def test_a_negation_or_name_in_the_place_of_the_claims_contradicts(
    claim: str, message: str
) -> None:
    f = judge_claim(index_article(read_article(RALLY)), claim)
    assert (f.verdict, f.message) == ("contradicted", f"the article says this with {message}")


TOWN = (
    "The town has 235,000 residents and a budget of 1,000,000 euros a year. "
    "Three schools will close in June.\n\n"
    "Half a million euros will go to the harbour."
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("The town has 235, 000 residents", "paraphrase"),  # tokenized benchmark text
        ("The town has a budget of a million euros a year", "paraphrase"),
        ("The town has a budget of one million euros a year", "paraphrase"),
        ("3 schools will close in June", "paraphrase"),
        ("500,000 euros will go to the harbour", "paraphrase"),
        ("The town has a budget of two million euros a year", "contradicted"),
        ("Four schools will close in June", "contradicted"),
        ("Two million euros will go to the harbour", "contradicted"),
    ],
)
def test_numbers_in_words_and_digits_compare_by_value(claim: str, verdict: str) -> None:
    town = index_article(read_article(TOWN))
    assert judge_claim(town, claim).verdict == verdict


@pytest.mark.parametrize(
    ("claim", "differs"),
    [
        ("The council voted to build 15 kilometres of protected cycle lanes", "number"),
        ("The city council voted on Friday to build protected cycle lanes", "date"),
        ("Shop owners on Harbour Road did support the plan", "negation"),
        ("Mayor Anna Holm called the vote a turning point", "name"),
    ],
)
def test_the_cited_paragraph_saying_it_otherwise_contradicts(
    city: ArticleIndex, claim: str, differs: str
) -> None:
    f = _cited(city, claim, 2, 3)
    assert f.verdict == "contradicted", f
    assert f.diff
    [evidence] = f.evidence
    assert f.cited is not None and any(
        c.start <= evidence.start and evidence.end <= c.end for c in f.cited
    )
    if differs != "negation":
        assert f"another {differs}" in f.message


@pytest.mark.parametrize(
    ("claim", "numbers", "message"),
    [
        # True, but the paragraph it cites does not hold it: a citation is read, never
        # taken on trust, and nothing else of the article is read for it.
        (
            "The council voted to build 12 kilometres of protected cycle lanes",
            (4,),
            "the paragraph [4] it cites does not hold this",
        ),
        (
            "The council voted to build 12 kilometres of protected cycle lanes",
            (),
            "the model cited no paragraph of the article for this",
        ),
        (
            "The council voted to build 12 kilometres of protected cycle lanes",
            (5, 0, -1),
            "it cites paragraphs [5], [0], [-1], which the article does not have (it has 4)",
        ),
        # Invented: the citation does not make it true.
        (
            "The council voted to close Harbour Road to cars in 2030",
            (2,),
            "the paragraph [2] it cites does not hold this",
        ),
        (
            "The lanes were paid for by the European Union",
            (2, 3),
            "the paragraphs [2], [3] it cites does not hold this",
        ),
    ],
)
def test_a_citation_that_does_not_hold_it_leaves_it_unsupported(
    city: ArticleIndex, claim: str, numbers: tuple[int, ...], message: str
) -> None:
    f = _cited(city, claim, *numbers)
    assert (f.verdict, f.message, f.evidence) == ("unsupported", message, [])
    assert f.severity == "error"


def test_a_citation_beside_numbers_the_article_lacks_is_read_and_the_rest_said(
    city: ArticleIndex,
) -> None:
    f = _cited(city, "Shop owners on Harbour Road did not support the plan", 9, 3)
    assert f.verdict == "paraphrase"
    assert f.message == (
        "supported by this sentence of paragraph [3] it cites; it cites paragraph [9], "
        "which the article does not have (it has 4)"
    )


def test_each_sentence_of_a_summary_item_is_judged_by_the_items_citation(
    city: ArticleIndex,
) -> None:
    summary = [
        ModelCited(
            text="The council voted to build cycle lanes. Shop owners did not support the plan.",
            paragraphs=[2, 3],
        ),
        ModelCited(text="The council approved a bus route to the hospital.", paragraphs=[2]),
    ]
    text, spans = joined(summary)
    assert text == " ".join(item.text for item in summary)
    assert [text[a:b] for a, b in spans] == [item.text for item in summary]
    findings = summary_sentences(city, summary, [])
    assert [(text[f.draft_start or 0 : f.draft_end], f.verdict) for f in findings] == [
        ("The council voted to build cycle lanes.", "paraphrase"),
        ("Shop owners did not support the plan.", "paraphrase"),
        ("The council approved a bus route to the hospital.", "unsupported"),
    ]
    points = key_point_findings(city, [ModelCited(text="A new bus route.", paragraphs=[4])])
    assert [p.verdict for p in points] == ["paraphrase"]


PRESS = (
    "The mayor praised the new library at a ceremony in Springfield, Illinois on Monday.\n\n"
    "Councillor Ruth Baker opened the library's reading room."
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        # The claim goes on about something the sentence does not: "Governor Smith" is put
        # for no name of "at a ceremony in Springfield, Illinois on Monday".
        ("The mayor praised the new library with Governor Smith and his teachers.", "unsupported"),
        ("Governor Smith and the mayor praised the new library.", "unsupported"),
        # One name put for another, the sentence going on where the claim stops.
        ("The mayor praised the new library at a ceremony in Chicago.", "contradicted"),
        ("The mayor praised the new library at a ceremony in Chicago, Illinois.", "contradicted"),
        ("Councillor Anna Holm opened the library's reading room.", "contradicted"),
    ],
)
def test_a_name_differs_only_where_it_is_put_for_another(claim: str, verdict: str) -> None:
    f = judge_claim(index_article(read_article(PRESS)), claim)
    assert f.verdict == verdict, f


FORMS = (
    "California's plan to raise its minimum wage to $15 an hour by 2022 is the highest.\n\n"
    "Governor Jerry Brown unveiled his first Spanish-language campaign ad on Monday.\n\n"
    "Bernie Sanders is pushing fellow Senate Democrats to reject the debt deal.\n\n"
    "An anti-Donald Trump group is releasing a robocall in Wisconsin.\n\n"
    "Senator Mary Olsen opened the hearing on Tuesday. Programs for veterans vary by state, "
    "and the programs cost $2 million.\n\n"
    "Committee chair Tom Reyes spoke next. He promised a report as soon as possible."
)


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        # A short form, a compound and a clipped plural name what the article names.
        ("Calif. may raise its minimum wage to $15 an hour by 2022", "paraphrase"),
        ("Governor Jerry Brown unveiled his first Spanish campaign ad on Monday", "paraphrase"),
        ("Sanders is pushing fellow Dems to reject the debt deal", "paraphrase"),
        ("An Anti-Trump group is releasing a robocall in Wisconsin", "paraphrase"),
        # A longer word says more than the article's: not supported by it.
        ("Sanders is pushing fellow Democratsocialists to reject the debt deal", "contradicted"),
        # A sentence's first word that the article writes in lower case is no name, and
        # "America" is put for no name of it.
        ("America's veterans vary by state", "unsupported"),
        # "He" read as the person named last is a guess: no other name to contradict with.
        ("Senator Olsen promised a report as soon as possible", "unsupported"),
        # Names put for the article's still differ.
        ("Nevada's plan to raise its minimum wage to $15 an hour by 2022", "contradicted"),
        ("Bernie Sanders is pushing fellow Senate Republicans to reject the debt deal", "contradicted"),
    ],
)  # fmt: skip
def test_a_name_the_article_gives_in_another_form_is_that_name(claim: str, verdict: str) -> None:
    f = judge_claim(index_article(read_article(FORMS)), claim)
    assert f.verdict == verdict, f


@pytest.mark.parametrize(
    "summary",
    [
        [
            "Macron suggested that Western states send troops to Ukraine.",
            "About 20 European states held a meeting in Paris at the end of February.",
            "NATO has no plans to deploy troops in Ukraine, Stoltenberg said.",
            "Stoltenberg said Russian forces have been able to make progress in their offensive.",
        ],
        [
            "The United States will send about 3,000 troops to Poland, Austin said on Tuesday.",
            "The deployment, agreed with Warsaw in March, would cost $1.5 million a day.",
            "Biden's plan does not include troops in Ukraine, the Pentagon said.",
            "Twenty European states have backed the move since 2022.",
        ],
    ],
)
def test_a_summary_in_lower_case_with_spaced_punctuation_is_judged_as_cased(
    sample: ArticleIndex, wire: ArticleIndex, summary: list[str]
) -> None:
    index = sample if "Macron" in summary[0] else wire
    cased = [judge_claim(index, s).verdict for s in summary]
    lowered = [judge_claim(index, tokenized(s)).verdict for s in summary]
    assert "contradicted" not in cased and "contradicted" not in lowered, (cased, lowered)
    # What the capitals and the closed-up punctuation supported is still supported, bar
    # the names, which lower case does not show.
    assert lowered.count("paraphrase") >= cased.count("paraphrase") - 1, (cased, lowered)
    # A false version in lower case is still caught: its number and negation show.
    false = tokenized(summary[1].replace("20", "45").replace("1.5", "2.5"))
    assert judge_claim(index, false).verdict == "contradicted"
