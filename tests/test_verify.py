from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from service.ingest import read_article
from service.models import Finding, Quote
from service.pipeline import check_draft, index_article
from service.quotes.model import speaker_model
from service.verify import MAX_FUZZY_CHARS, WHOLE_REGION_CHARS, SpeakerEvidence

from .conftest import speaker_model_with_threshold

Judge = Callable[[str, str | None], Finding]


@pytest.fixture(scope="module")
def judge(sample_text: str) -> Judge:
    return index_article(read_article(sample_text)).judge


STOLTENBERG = "Jens Stoltenberg"
QUOTE = "NATO has no intention of sending troops to Ukraine."


def test_verbatim_quote_is_verified_with_evidence(judge: Judge, sample_text: str) -> None:
    f: Finding = judge(QUOTE, STOLTENBERG)
    assert (f.verdict, f.method, f.attribution) == ("verified", "exact", "match")
    [ev] = f.evidence
    assert sample_text[ev.start : ev.end] == ev.text
    assert ev.text.startswith("NATO has no intention of sending troops to Ukraine")
    assert f.article_speaker == STOLTENBERG


def test_surname_counts_as_the_same_speaker(judge: Judge) -> None:
    assert judge("on the ground", "Stoltenberg").verdict == "verified"


@pytest.mark.parametrize(
    "variant",
    [
        "NATO has no intention of sending troops to Ukraine",  # end punctuation
        "nato has no intention of sending troops to ukraine.",  # case
        "the Ukrainians didn't ask for NATO troops - they asked for more military aid",  # ' and -
        "the Ukrainians didn’t ask for NATO troops —  they asked\nfor more military aid",  # dash, spaces
        "NATO has no intention ... the Ukrainians didn’t ask for NATO troops",  # ellipsis
        "to prove on the battlefield […] that is to supply Ukraine with military aid",
    ],
)
def test_typographic_differences_are_tolerated(judge: Judge, variant: str) -> None:
    f = judge(variant, STOLTENBERG)
    assert f.verdict == "verified", f.message
    assert f.method in ("exact", "normalized")


@pytest.mark.parametrize(
    ("variant", "article_words", "draft_words"),
    [
        (
            "When I visited Ukraine last month, the Ukrainians didn’t ask for NATO troops",
            "week,",
            "month,",
        ),
        ("NATO has no intention of sending more troops to Ukraine", "", "more"),
        (
            "NATO has no intention of sending troops to Ukraine. When I visited Ukraine, the Ukrainians didn’t ask",
            "last week,",
            "",
        ),
        (
            "the Ukrainians never asked for NATO troops – they asked for more military aid",
            "didn’t ask",
            "never asked",
        ),
    ],
)
def test_changed_added_removed_words_are_misquoted(
    judge: Judge, variant: str, article_words: str, draft_words: str
) -> None:
    f = judge(variant, STOLTENBERG)
    assert f.verdict == "misquoted"
    assert f.method == "fuzzy"
    assert f.diff is not None
    changes = [(d.article, d.draft) for d in f.diff if d.op != "equal"]
    assert (article_words, draft_words) in changes
    [ev] = f.evidence
    assert "Ukrain" in ev.text


def test_wrong_speaker_is_misattributed_and_names_the_real_one(judge: Judge) -> None:
    # “…,” Stoltenberg stressed: the quotation's own sentence names him with a cue.
    f = judge("the Ukrainians didn’t ask for NATO troops", "Emmanuel Macron")
    assert f.verdict == "misattributed"
    assert f.article_speaker == STOLTENBERG
    assert f.attribution == "mismatch"
    assert f.article_speaker_confidence is not None and f.article_speaker_confidence > 0.9
    assert f.draft_speaker_confidence is not None and f.draft_speaker_confidence < 0.05


def test_a_speaker_named_in_an_earlier_sentence_is_not_enough_to_contradict(judge: Judge) -> None:
    # "Stoltenberg pointed out that …. Even though “the situation is changing now”, …": the
    # cue is in the sentence before, so the draft's Macron is unconfirmed, not an error.
    f = judge("the situation is changing now", "Emmanuel Macron")
    assert (f.verdict, f.article_speaker, f.attribution) == (
        "unconfirmed",
        STOLTENBERG,
        "mismatch",
    )
    assert "with a cue in the quotation's sentence" in f.message


def test_invented_quote_is_unsupported(judge: Judge) -> None:
    f = judge("We will defeat Russia by Christmas", STOLTENBERG)
    assert f.verdict == "unsupported"
    assert f.evidence == []


def test_headline_paraphrase_quoted_as_speech_is_not_verified(judge: Judge) -> None:
    f = judge("NATO has no plans to deploy troops in Ukraine", STOLTENBERG)
    assert f.verdict == "unsupported"
    assert f.evidence and "no plans to deploy troops" in f.evidence[0].text


def test_word_inside_a_longer_word_is_not_a_match(judge: Judge) -> None:
    f = judge("aid being", STOLTENBERG)
    assert f.verdict != "verified"
    assert judge("gro", None).verdict != "verified"


def test_check_draft_reports_draft_offsets(sample_text: str) -> None:
    draft = (
        "Stoltenberg told ANSA: “NATO has no intention of sending troops to Ukraine.”\n\n"
        "He said Russia has made progress but that “the situation is changing fast”."
    )
    out = check_draft(read_article(sample_text), draft)
    verdicts = [(f.verdict, draft[f.draft_start : f.draft_end]) for f in out.findings]
    assert verdicts == [
        ("verified", "NATO has no intention of sending troops to Ukraine."),
        ("misquoted", "the situation is changing fast"),
    ]
    assert out.counts == {"verified": 1, "misquoted": 1}


def test_words_inside_a_quotation_that_holds_a_shorter_one_are_verified() -> None:
    # Found by hypothesis: the inner ‘…’ opens later than the outer quotation, and the
    # words run past its end, so the quotation holding them is the outer one.
    text = "“the “‘Ukrainians’ the“"
    findings = check_draft(read_article(text), text).findings
    assert findings
    assert {f.verdict for f in findings} == {"verified"}


# -- the lookups that keep a large draft against a large article linear --------------------


def _filler(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


def test_a_misquote_in_a_long_paragraph_is_found_where_its_words_are() -> None:
    """A paragraph longer than WHOLE_REGION_CHARS is compared only around the place the
    draft's words point to: that place must be the right one."""
    quote = "the harbour will reopen to ships before the winter storms"
    narration = "the council voted to repair the old harbour wall this spring"
    para = (
        f'{_filler(600)} The mayor said "{quote}" to the council. {_filler(300)} '
        f"In March {narration}. {_filler(300)}"
    )
    assert len(para) > 2 * WHOLE_REGION_CHARS
    index = index_article(read_article(para))
    f = index.judge("the harbour will reopen to boats before the winter storms", "The mayor")
    assert f.verdict == "misquoted"
    [ev] = f.evidence
    assert ev.text == quote
    assert f.diff is not None
    assert [(d.article, d.draft) for d in f.diff if d.op != "equal"] == [("ships", "boats")]
    # Words of the narration: the long paragraph is compared around them only.
    f = index.judge("the council voted to repair the old harbour gate this spring", None)
    assert f.verdict == "misquoted"
    [ev] = f.evidence
    assert ev.text == narration
    assert f.article_speaker is None


def test_every_occurrence_is_found_through_the_word_index() -> None:
    text = "\n\n".join(f'Speaker {i} said "we will build it" on day {i}.' for i in range(50))
    index = index_article(read_article(text))
    hits = index.find("we will build it")
    assert [text[h.start : h.end] for h in hits] == ["we will build it"] * 50
    assert all(h.method == "exact" and h.quote is not None for h in hits)
    # Whatever the whitespace and the case: the normalized search, through the same index.
    assert len(index.find("We  will\nbuild it")) == 50
    assert index.find("will buil") == []  # not on word boundaries


def test_a_phrase_of_punctuation_only_is_looked_for_in_the_text() -> None:
    index = index_article(read_article('He wrote "#!#" and "#!#" again.'))
    assert len(index.find("#!#")) == 2


def test_a_very_long_quotation_not_in_the_article_is_unsupported() -> None:
    """No word-by-word alignment past MAX_FUZZY_CHARS (it costs the square of the length);
    found as it is, it is verified all the same."""
    body = _filler(1200)
    assert len(body) > MAX_FUZZY_CHARS
    article = read_article(f'The report said "{body}".')
    draft = f'The report said "{body} and more".\n\nThe report said "{body}".'
    findings = check_draft(article, draft).findings
    assert [f.verdict for f in findings] == ["unsupported", "verified"]
    assert findings[0].evidence == []


def test_words_whose_article_speaker_is_unknown_are_unconfirmed_whoever_the_draft_names() -> None:
    article = read_article(
        "The council met on Monday. A banner outside read “No more cuts” in red letters."
    )
    index = index_article(article)
    assert all(q.speaker is None for q in index.quotes)
    f = index.judge("No more cuts", "Mayor Tom Reed")
    assert f.verdict == "unconfirmed"
    assert f.article_speaker is None
    [ev] = f.evidence
    assert article.text[ev.start : ev.end] == "No more cuts"
    # Naming nobody, the draft claims only the words: those stand.
    assert index.judge("No more cuts", None).verdict == "verified"


@pytest.mark.parametrize(("threshold", "verdict"), [(0.0, "misattributed"), (1.0, "unconfirmed")])
def test_a_wrong_speaker_is_misattributed_only_above_the_confidence_threshold(
    judge: Judge, monkeypatch: pytest.MonkeyPatch, threshold: float, verdict: str
) -> None:
    model = speaker_model_with_threshold(threshold)
    monkeypatch.setattr("service.verify.speaker_model", lambda: model)
    f = judge("the Ukrainians didn’t ask for NATO troops", "Emmanuel Macron")
    assert (f.verdict, f.article_speaker) == (verdict, STOLTENBERG)
    # The right speaker is verified whatever the threshold.
    assert judge("the Ukrainians didn’t ask for NATO troops", STOLTENBERG).verdict == "verified"


def test_unconfirmed_is_a_warning_in_gcc_output_and_does_not_fail(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    article = tmp_path / "article.txt"
    article.write_text(
        "The council met on Monday. A banner outside read “No more cuts” in red letters.\n",
        encoding="utf-8",
    )
    draft = tmp_path / "draft.txt"
    draft.write_text("Mayor Tom Reed said “No more cuts”.\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", str(article), "--draft", str(draft), "--format", "gcc"]
    )
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"{draft}:1:22: warning: unconfirmed: ")


def _judge_in(article: str, words: str, speaker: str) -> Finding:
    return index_article(read_article(article, source_format="text")).judge(words, speaker)


BRIDGE = "We will build the bridge before the winter comes"


def test_a_cue_naming_another_speaker_in_the_sentence_is_a_misattribution() -> None:
    article = (
        "Council approves bridge plan\n\n"
        "The council voted on Monday to fund a new bridge over the river.\n\n"
        f"“{BRIDGE},” Mayor Jane Smith said after the vote.\n\n"
        "Opposition councillor John Doe voted against the plan."
    )
    f = _judge_in(article, BRIDGE, "John Doe")
    assert (f.verdict, f.article_speaker) == ("misattributed", "Jane Smith"), f.message
    assert f.draft_speaker_confidence is not None and f.draft_speaker_confidence < 0.02
    assert _judge_in(article, BRIDGE, "Smith").verdict == "verified"


@pytest.mark.parametrize(
    "attribution",
    [
        # a pronoun only: who "she" is, the article does not say in the sentence
        "Mayor Jane Smith spoke after the vote.\n\n“{q},” she said.",
        # inherited: a full quotation opening the paragraph after the one that names her
        "Mayor Jane Smith said the bridge was long overdue.\n\n“{q}. It will be open by May.”",
        # no cue at all
        "Mayor Jane Smith watched the vote.\n\nThe plan, “{q}”, drew applause.",
    ],
)
def test_an_attribution_not_named_with_a_cue_in_the_sentence_never_contradicts(
    attribution: str,
) -> None:
    article = (
        "Council approves bridge plan\n\n"
        "The council voted on Monday to fund a new bridge over the river.\n\n"
        + attribution.format(q=BRIDGE)
        + "\n\nOpposition councillor John Doe voted against the plan."
    )
    f = _judge_in(article, BRIDGE, "John Doe")
    assert f.verdict == "unconfirmed", f.message


def _quote(speakers: tuple[tuple[str | None, float], ...], *, explicit: bool = True) -> Quote:
    who, p = speakers[0]
    quote = Quote(
        text=BRIDGE,
        start=0,
        end=len(BRIDGE),
        speaker=who,
        speaker_confidence=p,
        kind="full",
        open_mark="“",
    )
    quote._explicit = explicit
    quote._speakers = speakers
    return quote


def test_a_draft_person_among_the_plausible_candidates_is_not_contradicted() -> None:
    model = speaker_model()
    sure = max(model.threshold, 0.9)
    second = _quote((("Jane Smith", sure), ("John Doe", 1 - sure)))
    said = SpeakerEvidence.of([second], "John Doe")
    assert said.draft_confidence == pytest.approx(1 - sure)
    assert not said.contradicts()
    # Mentions of one person pool: "Doe" and "John Doe" together are plausible.
    split = _quote((("Jane Smith", 0.96), ("John Doe", 0.02), ("Doe", 0.02)))
    assert SpeakerEvidence.of([split], "John Doe").draft_confidence == pytest.approx(0.04)
    assert not SpeakerEvidence.of([split], "John Doe").contradicts()
    clear = _quote((("Jane Smith", 0.995), ("John Doe", 0.005)))
    assert SpeakerEvidence.of([clear], "John Doe").contradicts()
    assert not SpeakerEvidence.of([_quote(clear._speakers, explicit=False)], "Doe").contradicts()
