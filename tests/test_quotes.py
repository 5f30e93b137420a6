from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.quotes import extract_quotes
from service.verify import same_person

from .conftest import ARTICLES


def _pairs(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in extract_quotes(text)]


def test_sample_article_has_four_quotes_all_by_stoltenberg(sample_text: str) -> None:
    quotes = extract_quotes(sample_text)
    assert [q.text for q in quotes] == [
        "the situation is changing now",
        "on the ground",
        "NATO has no intention of sending troops to Ukraine. When I visited Ukraine last week, "
        "the Ukrainians didn’t ask for NATO troops – they asked for more military aid,",
        "to prove on the battlefield that he will not win, and the only way to do that is to "
        "supply Ukraine with military aid",
    ]
    for q in quotes:
        assert q.speaker == "Jens Stoltenberg"
        assert q.speaker_title == "NATO Secretary General"
        assert sample_text[q.start : q.end] == q.text
    # The last quote follows "He added that", right after a sentence about Putin.
    last = quotes[-1]
    assert last.cue is not None and last.cue.text == "added"
    assert last.speaker_mention is not None and last.speaker_mention.text == "He"
    assert [q.kind for q in quotes] == ["partial", "partial", "full", "partial"]


def test_headline_paraphrase_is_no_quote_and_related_headlines_are_ignored(
    sample_text: str,
) -> None:
    quotes = extract_quotes(sample_text)
    headline_end = sample_text.index("\n", sample_text.index("NATO has no plans"))
    assert all(q.start > headline_end for q in quotes)
    related = sample_text.index("Man who shot Slovak PM")
    assert all(q.end < related for q in quotes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Split quote around the attribution.
        (
            '"We are ready," he said, "and we will act." Jane Smith had warned.',
            [("We are ready,", None), ("and we will act.", None)],
        ),
        (
            "Jane Smith spoke. “We are ready,” she said, “and we will act.”",
            [("We are ready,", "Jane Smith"), ("and we will act.", "Jane Smith")],
        ),
        # UK single quotes with apostrophes inside and a plural possessive.
        (
            "‘The Ukrainians’ needs didn’t change,’ said Defence Secretary Grant Shapps.",
            [("The Ukrainians’ needs didn’t change,", "Grant Shapps")],
        ),
        # Straight single quotes with an apostrophe.
        ("'It's over,' said Tom Jones.", [("It's over,", "Tom Jones")]),
        # French guillemets with inner spaces, German low-high quotes.
        (
            "« Nous sommes prêts », a déclaré le ministre, Jean Dupont.",
            [("Nous sommes prêts", "Jean Dupont")],
        ),
        ("„Wir schaffen das“, sagte Angela Merkel.", [("Wir schaffen das", "Angela Merkel")]),
        # according to, colon introduction, told, sign-off.
        ("According to Maria Lopez, “the plan failed.”", [("the plan failed.", "Maria Lopez")]),
        ("Senator Ann Lee: “No comment.”", [("No comment.", "Ann Lee")]),
        ("Ann Lee told Reuters: “We are leaving.”", [("We are leaving.", "Ann Lee")]),
        ("“I will not resign.” — Boris Johnson", [("I will not resign.", "Boris Johnson")]),
        # Scare quotes and titles have no speaker.
        ("The so-called “peace plan” was published on Monday.", [("peace plan", None)]),
        ("She starred in “Bridesmaids” in 2011.", [("Bridesmaids", None)]),
        (
            "Its “Model Nine” scooter, the company said, had sold well.",
            [("Model Nine", None)],
        ),
        # A term the text names.
        (
            "The levy, known as the “bridge tax,” was defended by Mayor Tom Reed, who said it "
            "was fair.",
            [("bridge tax,", None)],
        ),
        # A nickname inside a name.
        (
            "Robert Jones won.\n\n“We won,” state Sen. Robert “Bobby” Jones shouted.",
            [("We won,", "Robert Jones"), ("Bobby", None)],
        ),
        # Titles of shows, events and works keep no speaker even beside a cue.
        (
            "“We are ready,” Jane Smith said on CBS’s “Face the Nation.”",
            [("We are ready,", "Jane Smith"), ("Face the Nation.", None)],
        ),
        (
            "Tom Reed spoke during a “Future of Farming Summit” and said prices would rise.",
            [("Future of Farming Summit", None)],
        ),
        (
            "In her 2015 memoir, “Lessons From the Road,” Jane Smith described her childhood.",
            [("Lessons From the Road,", None)],
        ),
        (
            "“We will rebuild,” said Mayor Tom Reed.\n\n“Lessons From the Flood.”\n\nThe river rose.",
            [("We will rebuild,", "Tom Reed"), ("Lessons From the Flood.", None)],
        ),
    ],
)
def test_quote_styles_and_speakers(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert _pairs(text) == expected


def test_surname_and_title_resolve_to_the_full_name() -> None:
    text = (
        "French President Emmanuel Macron met the press on Friday.\n\n"
        "“Europe must wake up,” Macron said.\n\n"
        "“We will be there,” Mr. Macron added later."
    )
    quotes = extract_quotes(text)
    assert [q.speaker for q in quotes] == ["Emmanuel Macron", "Emmanuel Macron"]
    assert quotes[0].speaker_title == "French President"


def test_pronoun_resolves_to_the_earlier_speaker_not_the_latest_name() -> None:
    text = (
        "“We need more ammunition,” Ukrainian President Volodymyr Zelensky said.\n\n"
        "He added that Vladimir Putin wants “to wear us down”."
    )
    assert _pairs(text)[-1] == ("to wear us down", "Volodymyr Zelensky")


def test_pronoun_gender_picks_the_matching_speaker() -> None:
    text = (
        "“Prices will fall,” said Ms. Anna Berg.\n\n"
        "“They will rise,” said Mr. Karl Holm.\n\n"
        "“I stand by my forecast,” she said."
    )
    assert _pairs(text)[-1] == ("I stand by my forecast,", "Anna Berg")


def test_newspaper_resolves_to_the_named_paper() -> None:
    text = "The Washington Post obtained the memo.\n\nThe memo was “deeply flawed,” the newspaper said."
    assert _pairs(text) == [("deeply flawed,", "Washington Post")]


def test_nested_quote_inside_testimony() -> None:
    text = "“He told me ‘go home’ and walked away,” the witness, Mary Jones, said."
    quotes = extract_quotes(text)
    assert [(q.text, q.kind) for q in quotes] == [
        ("He told me ‘go home’ and walked away,", "full"),
        ("go home", "nested"),
    ]
    assert quotes[0].speaker == "Mary Jones"


def test_quote_running_over_paragraphs() -> None:
    text = (
        "Chief Inspector Ruth Adams said: “The first thing we did was secure the area.\n\n"
        "“Then we called for help.\n\n"
        "“Nobody was hurt.”\n\n"
        "The road reopened at noon."
    )
    quotes = extract_quotes(text)
    assert [(q.text, q.continued) for q in quotes] == [
        ("The first thing we did was secure the area.", True),
        ("Then we called for help.", True),
        ("Nobody was hurt.", False),
    ]
    assert {q.speaker for q in quotes} == {"Ruth Adams"}


def test_odd_mark_count_does_not_lose_the_rest_of_the_article() -> None:
    text = (
        "The mayor said the “bridge was unsafe.\n\n"
        "“It will close on Monday,” Mayor Tom Reed said.\n\n"
        "Engineers called the design “flawed”."
    )
    pairs = _pairs(text)
    assert ("It will close on Monday,", "Tom Reed") in pairs
    assert any(t == "flawed" for t, _ in pairs)


def test_apostrophes_everywhere_are_not_quotes() -> None:
    text = "The Ukrainians’ aid didn’t arrive. Rock ’n’ roll isn’t dead; the ’90s aren’t back. It’s Jones’ car."
    assert extract_quotes(text) == []


@pytest.mark.timeout(120)  # a hang guard; the time per MB is bench.hostile's to measure
def test_one_megabyte_article_gives_every_quotation() -> None:
    para = "“We will win,” Jane Smith said, and the Ukrainians’ “resolve” didn’t waver.\n\n"
    text = para * (1_000_000 // len(para))
    quotes = extract_quotes(text)
    assert len(quotes) == 2 * (1_000_000 // len(para))
    assert {q.speaker for q in quotes if q.text == "We will win,"} == {"Jane Smith"}


def _collected() -> list[Path]:
    return sorted(ARTICLES.glob("*.txt"))


@pytest.mark.parametrize("path", _collected(), ids=lambda p: p.stem)
def test_collected_articles_every_quote_span_found(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    got = {q.text.strip(" ,.") for q in extract_quotes(text)}
    missing = [e["text"] for e in expected["quotes"] if e["text"].strip(" ,.") not in got]
    assert missing == []
    for q in extract_quotes(text):
        assert text[q.start : q.end] == q.text


def test_collected_articles_speaker_accuracy_floor() -> None:
    """A regression floor on hand-annotated real articles of several styles (UK single
    quotes, French guillemets, interviews, multi-paragraph quotes)."""
    right = total = 0
    for path in _collected():
        text = path.read_text(encoding="utf-8")
        expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
        found = {q.text.strip(" ,."): q for q in extract_quotes(text)}
        for e in expected["quotes"]:
            q = found.get(e["text"].strip(" ,."))
            if q is None:
                continue
            total += 1
            if e["speaker"] is None:
                right += q.speaker is None
            else:
                right += bool(q.speaker and same_person(e["speaker"], q.speaker))
    assert total >= 100
    # The rule chain scored 91/103 here; the trained model 84/103 (it gives scare quotes in
    # single marks a speaker more often, and misses passive agents): see the README.
    assert right / total >= 0.8


@pytest.mark.parametrize(
    ("text", "quote", "speaker"),
    [
        # A participle after the quotation whose subject stands before it does not take
        # the quotation from the main cue.
        (
            "Lee says Reed 'got it wrong' in saying taxes would fall.\n\n"
            "Councillor Ann Lee spoke after Mayor Tom Reed.",
            "got it wrong",
            "Ann Lee",
        ),
        # A surname that is also a title word.
        ('"We have the votes," said Rep. Peter King.', "We have the votes,", "Peter King"),
        # An inverted cue with a descriptive noun phrase before the full name.
        ("“It was a rout,” said CNN anchor Jane Tapper.", "It was a rout,", "Jane Tapper"),
        (
            "“It was a rout,” said the longtime party strategist Tom Bell.",
            "It was a rout,",
            "Tom Bell",
        ),
        # Headlines: "Name: … ‘…’", "…, Name Says", and a title-cased headline opening
        # with someone the article quotes.
        (
            "Reed: Flood Defences Were ‘Never Enough’\n\n"
            "Mayor Tom Reed spoke on Monday. “We were not ready,” Reed said.",
            "Never Enough",
            "Tom Reed",
        ),
        (
            "Storm Barriers ‘Held Up Well,’ Engineer Jane Smith Says\n\n"
            "“The barriers worked,” said Jane Smith, the city engineer.",
            "Held Up Well,",
            "Jane Smith",
        ),
        (
            "Jane Smith Calls New Budget ‘A Betrayal’\n\n"
            "Councillor Jane Smith spoke on Tuesday. “It betrays voters,” she said.",
            "A Betrayal",
            "Jane Smith",
        ),
        # The possessor of a claim, promise or remark whose content is quoted.
        (
            "Critics disputed Mayor Tom Reed’s claim that the bridge was “perfectly safe.”",
            "perfectly safe.",
            "Tom Reed",
        ),
        (
            "Jane Smith spoke first.\n\nDespite her promise to “cut every tax,” rates rose.",
            "cut every tax,",
            "Jane Smith",
        ),
        (
            "Mrs. Jane Smith met Mr. Tom Reed on Monday. Her promise to “cut taxes” was discussed.",
            "cut taxes",
            "Jane Smith",
        ),
        # … not of a verdict on it.
        ("Fact-checkers rated Tom Reed’s statement “false.”", "false.", None),
        # A fragment in a sentence about what a person did, after a dateline or an
        # introductory phrase.
        (
            "DENVER, Colo., May 4 (AP) — Senator Jane Smith criticized the bill as a "
            "“gift to lobbyists” on Monday.",
            "gift to lobbyists",
            "Jane Smith",
        ),
        (
            "In a speech on Friday, Mayor Tom Reed has gone after the plan as “fantasy economics.”",
            "fantasy economics.",
            "Tom Reed",
        ),
        # A sentence about a named person ending in a colon introduces the quotation.
        (
            "On March 3, 2021, Jane Smith issued the following statement:\n\n"
            "“We are proud of our record.”",
            "We are proud of our record.",
            "Jane Smith",
        ),
        (
            "Mayor Tom Reed had a blunt message for the council: “Fix the roads.”",
            "Fix the roads.",
            "Tom Reed",
        ),
        # A sign-off whose name has an initial.
        (
            "“Keep going, whatever happens.” ― Anna K. Berg",
            "Keep going, whatever happens.",
            "Anna K. Berg",
        ),
        # … or a lone surname with a title of address.
        (
            "In a statement, President Novak condemned the vote as “a betrayal.”",
            "a betrayal.",
            "Novak",
        ),
        (
            "With turnout falling among young voters in the city, Mayor Tom Reed is trying a "
            "blunter message: “Your vote is your voice.”",
            "Your vote is your voice.",
            "Tom Reed",
        ),
        # A document's words are its author's.
        (
            "The vote was “a disgrace,” according to a statement from Jane Smith.",
            "a disgrace,",
            "Jane Smith",
        ),
        # The noun phrase before "of" or "for" speaks, not its complement.
        (
            "A spokeswoman for the mayor said the claim was “simply false.”",
            "simply false.",
            "A spokeswoman for the mayor",
        ),
        (
            "Supporters of the plan said it was “long overdue.”",
            "long overdue.",
            "Supporters of the plan",
        ),
        # A noun ending like an adverb after a possessive is still the subject.
        (
            "Tom Reed died in May. His family has called the ruling “a relief.”",
            "a relief.",
            "His family",
        ),
        (
            "A spokeswoman for Mayor Tom Reed said the claim was “false.”",
            "false.",
            "A spokeswoman for Mayor Tom Reed",
        ),
        # The object of a preposition is never the subject.
        (
            "“Why now?” a narrator in the campaign ad asks.",
            "Why now?",
            "a narrator in the campaign ad",
        ),
        # A relative clause between subject and verb.
        (
            "The prime minister, who faces a revolt over his housing bill, said it was "
            "“the right plan.”",
            "the right plan.",
            "The prime minister",
        ),
        # A verb after "and" shares the subject opening the sentence.
        (
            "The new mayor outlined her budget and vowed to “fix every road.”",
            "fix every road.",
            "The new mayor",
        ),
        (
            "Mayor Tom Reed spoke on Monday.\n\nHe characterized the budget as “a mess.”",
            "a mess.",
            "Tom Reed",
        ),
        # Plain-form speech verbs after a plural subject, not as nouns.
        ("Critics call the plan “reckless.”", "reckless.", "Critics"),
        ("The union renewed its call for “fair pay.”", "fair pay.", None),
        (
            "Jane Smith, the city’s mayor, praised the crews who met Governor Tom Reed during "
            "the flood and said the response was “heroic.”",
            "heroic.",
            "Jane Smith",
        ),
        # A bare plural or collective subject.
        ("“We are investigating,” police said.", "We are investigating,", "police"),
        ("Officials said the fire was “under control.”", "under control.", "Officials"),
        ("Sources said the deal was “all but done.”", "all but done.", "Sources"),
        # An acronym alone names an organisation.
        ("“We are ready,” NATO said.", "We are ready,", "NATO"),
        (
            "The RMT, which represents rail workers, said the offer was “an insult.”",
            "an insult.",
            "RMT",
        ),
        # A quotation right after a sentence about what a named person did, with no cue,
        # past an introductory phrase naming a show.
        (
            "On “Meet the Press,” Senator Ann Lee defended the bill. “It will pass.”",
            "It will pass.",
            "Ann Lee",
        ),
        # A relative clause set off by a comma: its antecedent speaks.
        ("The plan was opposed by Mayor Tom Reed, who called it “absurd.”", "absurd.", "Tom Reed"),
        (
            "The deal was opposed by members of the Rural Caucus, who called it “a betrayal.”",
            "a betrayal.",
            "members of the Rural Caucus",
        ),
        (
            "Engineers turned to the Highway Agency which said the bridge was “sound.”",
            "sound.",
            "Highway Agency",
        ),
        (
            "Anna Berg, the state auditor, told a voter who asked about taxes that “no rise "
            "is planned.”",
            "no rise is planned.",
            "Anna Berg",
        ),
        # "it" before a cue stands for the organisation opening its sentence or the last.
        (
            "The health ministry published the figures on Tuesday. It called the rise “temporary.”",
            "temporary.",
            "The health ministry",
        ),
        (
            "The Port Authority met on Friday over what it called “a safety crisis.”",
            "a safety crisis.",
            "Port Authority",
        ),
        ("Jane Smith met the board. It said the plan was “a threat.”", "a threat.", None),
        ("Jane Smith’s reply was blunt: “Not a chance.”", "Not a chance.", "Jane Smith"),
        (
            "The Highway Agency issued a short statement: “The bridge will reopen on Monday.”",
            "The bridge will reopen on Monday.",
            "Highway Agency",
        ),
        # A US party label in parentheses ends no sentence.
        (
            "Rep. Tom Reed (R-Ky.) described the measure as “a monstrosity.”",
            "a monstrosity.",
            "Tom Reed",
        ),
        (
            "The editorial ended with a warning:\n\n“The city cannot afford another delay.”",
            "The city cannot afford another delay.",
            "The editorial",
        ),
        # An age or a count in a hyphenated compound modifies the speaking noun.
        (
            "“We were never told,” the 58-year-old councillor said.",
            "We were never told,",
            "the 58-year-old councillor",
        ),
        # An appositive's name comes after an introductory phrase naming a place.
        (
            "In Ohio, Governor Jane Smith, a Democrat, said the bill was “a disgrace.”",
            "a disgrace.",
            "Jane Smith",
        ),
        # A name after a preposition and "the" is its object, not who acts next.
        (
            "Since taking office, Jane Smith has been hostile towards the United States, "
            "rejecting its criticism and telling the envoy not to treat her city “like a "
            "doormat.”",
            "like a doormat.",
            "Jane Smith",
        ),
        # … also with an auxiliary or adverb between "and" and the verb.
        (
            "The new mayor outlined her budget and has repeatedly called it “a fresh start.”",
            "a fresh start.",
            "The new mayor",
        ),
        # A headline drops the full stop of "Jr." that the body keeps.
        (
            "Tom Reed Jr: Budget Cuts ‘Will Hurt Schools’\n\n"
            "Tom Reed Jr. spoke on Monday. “The cuts will hurt,” he said.",
            "Will Hurt Schools",
            "Tom Reed Jr",
        ),
        # A headline's long capitalised run is no full name for a short one to expand to.
        (
            "City Council Abruptly Drops Bridge Builder ACME's Contract.\n\n"
            "In a statement, ACME called the decision “unfair and sudden.”",
            "unfair and sudden.",
            "ACME",
        ),
        # A generational suffix in capitals is part of the name, not an acronym title.
        (
            "“You were warned,” Rep. Tom Reed II (D-Mo.) said during the hearing.",
            "You were warned,",
            "Tom Reed II",
        ),
        # Less common speech verbs: interjecting, chanting, wondering aloud.
        (
            "“I am not in charge,” Jane Smith said.\n\n“You would be in jail,” Tom Reed "
            "interjected.",
            "You would be in jail,",
            "Tom Reed",
        ),
        (
            "Jane Smith spoke in Ohio. Later she rallied her supporters by wondering aloud "
            "“why the board waited.”",
            "why the board waited.",
            "Jane Smith",
        ),
        # "she" points back to a sentence subject after a lead-in and lower-case titles.
        (
            "“It is over,” Tom Reed said.\n\nIn a statement on Tuesday, presidential nominee "
            "Jane Smith was more careful. She called the plan “risky.”",
            "risky.",
            "Jane Smith",
        ),
        # An auxiliary opening a question is no given name.
        (
            "Jane Smith asked, “Did Reed lie to voters?”\n\nMr. Reed said the claim was “false.”",
            "false.",
            "Reed",
        ),
        # A noun phrase after "with" right before a participle is its subject.
        (
            "The campaign criticized the decision, with the former governor calling the move "
            "“deeply troubling.”",
            "deeply troubling.",
            "the former governor",
        ),
        # A paraphrase ended by an inverted cue and a name: the name speaks, also in the
        # quotation after it; "told" names whom the subject told.
        (
            "If the board acts now, the city could replace Tom Reed, said Jane Smith, an "
            "advocate for Open Roads. “It would avoid a fight.”",
            "It would avoid a fight.",
            "Jane Smith",
        ),
        (
            "“We are behind,” Jane Smith, a pollster for the party, told NBC. “We can catch up.”",
            "We can catch up.",
            "Jane Smith",
        ),
        # A quotation ended by a full stop where a comma belongs, then subject and cue.
        pytest.param(
            "“It was a rout,” Tom Reed said.\n\n“We have the crowds. Nobody reports it.” Jane "
            "Smith said to cheers.",
            "We have the crowds. Nobody reports it.",
            "Jane Smith",
            marks=pytest.mark.xfail(
                strict=True,
                reason="the model gives a quotation opening a paragraph to the previous "
                "speaker when the cue comes in the next sentence (too rare in PolNeAR)",
            ),
        ),
        # … but not a nickname inside a sentence of its own.
        (
            "Tom Reed spoke.\n\nThe crowd greeted him with the nickname “Lazy Tom.” Jane Smith "
            "called the senator “a fraud.”",
            "Lazy Tom.",
            None,
        ),
        # A participle opening the sentence has the main clause's subject.
        (
            "Jane Smith met Tom Reed.\n\nCalling his rival, Ann Lee, “exactly the partner I "
            "need,” Mrs. Smith upbraided Mr. Reed.",
            "exactly the partner I need,",
            "Jane Smith",
        ),
        (
            "Jane Smith spoke.\n\nAfter saying her foot was “so swollen I could barely walk,” "
            "she was taken to hospital.",
            "so swollen I could barely walk,",
            "Jane Smith",
        ),
        # … also with a participle after the document and a modifier before the author.
        (
            "According to a complaint filed by the state Audit Office, the firm “looted” the fund.",
            "looted",
            "Audit Office",
        ),
        # A capitalised modifier inside the complement of the speaking noun.
        (
            "The finance ministers of the G20 leading economies admitted that growth had not "
            "been “equitable.”",
            "equitable.",
            "The finance ministers of the G20 leading economies",
        ),
        # With no person before a participle, an organisation opening the sentence.
        (
            "The newspaper took note of the mayor’s record, writing: “We are not blind to "
            "her flaws.”",
            "We are not blind to her flaws.",
            "The newspaper",
        ),
        # "he" after "told X" in the same sentence is X, so the speaker keeps her gender.
        (
            "“The bank failed,” Jane Smith said.\n\n“You should resign,” Jane Smith told Tom "
            "Reed, after he admitted fault.\n\n“This is not right,” she said.",
            "This is not right,",
            "Jane Smith",
        ),
        # … but a headline opening with a word for no one quoted names no speaker.
        (
            "Poll: Voters Call Budget ‘A Mess’\n\n"
            "A poll of 900 voters was published. “It is a mess,” said Tom Reed, a voter.",
            "A Mess",
            None,
        ),
    ],
)
def test_news_conventions_give_the_speaker(text: str, quote: str, speaker: str | None) -> None:
    assert (quote, speaker) in _pairs(text)


def test_party_label_appositive_keeps_the_cue() -> None:
    quotes = extract_quotes("Sen. Ann Lee, D-Ore., said the bill was “a good start.”")
    assert [(q.speaker, q.cue and q.cue.text) for q in quotes] == [("Ann Lee", "said")]


def test_running_quote_continues_only_into_the_paragraph_opening() -> None:
    text = (
        "“We are tired,” Jane Smith said on Monday. “We have waited for years.\n\n"
        "“We will wait no longer,” added Tom Reed, the union leader. “The time is now.”"
    )
    assert [q.speaker for q in extract_quotes(text)] == [
        "Jane Smith",
        "Jane Smith",
        "Tom Reed",
        "Tom Reed",
    ]


def test_quotations_nested_deeper_than_the_limit_are_not_reported_again() -> None:
    from service.quotes.marks import MAX_NESTING

    opens, closes = "“‘" * 5, "’”" * 5
    text = "He said " + " ".join(f"{o}w{i}" for i, o in enumerate(opens)) + " x"
    text += closes + "."
    quotes = extract_quotes(text)
    assert len(quotes) == MAX_NESTING
    outer = quotes[0]
    assert outer.kind != "nested" and outer.text.startswith("w0")
    assert all(outer.start <= q.start and q.end <= outer.end for q in quotes)
