"""Syntax from spaCy where a speaker is chosen: the frames parsed (offsets into the text
as sent), a team or a city modifying a person's noun phrase, a description tied to the
person the article named, a family name written first, and a clear error where the
pipeline is missing."""

from __future__ import annotations

import pytest

from service.errors import SyntaxUnavailableError
from service.ingest import read_article
from service.quotes import extract_quotes
from service.quotes.context import QuoteContext
from service.quotes.syntax import frame, parsed_stretches, pipeline


def _speakers(text: str) -> list[str | None]:
    return [q.speaker for q in extract_quotes(text) if q.kind != "nested"]


def test_a_frame_stands_in_for_the_quotation_and_maps_back_to_the_text() -> None:
    text = "Intro line.\n\n“We have to be much better than that,” said Oilers coach Ken Hitchcock."
    ctx = QuoteContext.build(read_article(text, source_format="text"))
    lo = text.index("“")
    body, offsets = frame(text, ctx.masked, lo, len(text))
    assert "much better" not in body
    assert body.endswith("said Oilers coach Ken Hitchcock.")
    at = body.index("Hitchcock")
    assert offsets[at] == text.index("Hitchcock")
    assert all(o == -1 for o in offsets[: body.index('"', 1) + 1])
    (parse,) = parsed_stretches(text, ctx.masked, [(lo, len(text))]).values()
    words = {text[w.start : w.end]: w for w in parse.words if w.start >= 0}
    assert words["Hitchcock"].dep == "nsubj"
    assert parse.words[words["Oilers"].head].lower in ("coach", "hitchcock")  # a modifier


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "The team lost again on Tuesday.\n\n"
            "“We have to be better than that,” said Oilers head coach Ken Hitchcock.",
            "Ken Hitchcock",
        ),
        (
            "The mural went up last week.\n\n"
            "“It took me three months,” said Cambridge cartoonist Andre Campbell.",
            "Andre Campbell",
        ),
    ],
)
def test_a_team_or_a_city_before_a_persons_title_is_not_the_speaker(
    text: str, speaker: str
) -> None:
    assert _speakers(text) == [speaker]


def test_a_description_stands_for_the_person_the_article_named() -> None:
    text = (
        "Connor McDavid scored twice. Evan Bouchard added one.\n\n"
        "“I just tried to shoot,” said the rookie defenceman, who was called up Monday."
    )
    (quote,) = extract_quotes(text)
    assert quote.speaker == "Evan Bouchard"
    assert quote.speaker_title == "the rookie defenceman"


def test_a_description_of_someone_new_or_of_a_thing_stays_as_written() -> None:
    assert _speakers(
        "Evan Bouchard scored once.\n\n“It was loud,” said the man, who lives nearby."
    ) == ["the man"]
    assert _speakers(
        "Jane Smith runs the plant.\n\n“Sales rose,” the company said in a statement."
    ) == ["the company"]


def test_a_family_name_written_first_is_expanded() -> None:
    assert _speakers(
        "Xi Jinping met the delegation on Monday. “China will never accept this,” Xi said."
    ) == ["Xi Jinping"]


def test_an_advertising_marker_is_no_speaker() -> None:
    assert _speakers("Story continues below advertisement\n\n“It was a tough game,” he said.") == [
        None
    ]
    article = read_article(
        "The game ended late.\n\nStory continues below advertisement\n\nFans left.",
        source_format="text",
    )
    assert "Story continues" not in " ".join(article.text[a:b] for a, b in article.paragraphs)


def test_a_missing_pipeline_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACTCHECK_SPACY_PIPELINE", "no_such_pipeline_xx")
    pipeline.cache_clear()
    try:
        with pytest.raises(SyntaxUnavailableError, match="no_such_pipeline_xx"):
            pipeline()
    finally:
        pipeline.cache_clear()


def test_only_sentences_worth_a_parse_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sentence with one mention has nothing for the parse to choose between: an article
    of such quotations is read without one, and one with a team before a coach is parsed."""
    import service.quotes.syntax as syntax

    frames: list[str] = []
    real = syntax.parse

    def counted(batch: list[tuple[str, list[int]]]) -> list[syntax.Parse]:
        frames.extend(body for body, _ in batch)
        return real(batch)

    monkeypatch.setattr(syntax, "parse", counted)
    plain = "\n\n".join(f"“We will win game {k},” Smith said." for k in range(30))
    assert {q.speaker for q in extract_quotes("Coach Jane Smith spoke.\n\n" + plain)} == {
        "Jane Smith"
    }
    assert frames == []
    assert _speakers(
        "The team lost again on Tuesday.\n\n"
        "“We have to be better than that,” said Oilers head coach Ken Hitchcock."
    ) == ["Ken Hitchcock"]
    assert frames == ['"Yes, yes," said Oilers head coach Ken Hitchcock']
