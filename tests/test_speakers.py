"""The trained speaker model: wire-copy quotation marks, candidates, resolution of the
chosen mention to a full name, the confidence, and training that gives the same file for
the same data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service.ingest import read_article
from service.quotes import extract_quotes
from service.quotes.attribution import attribute
from service.quotes.candidates import Mention
from service.quotes.choose import ChoiceSet, choice_sets, resolve
from service.quotes.context import QuoteContext
from service.quotes.model import SpeakerModel, speaker_model

from .conftest import ROOT

SHARED = ROOT.parent / "shared" / "data"


def _pairs(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in extract_quotes(text) if q.kind != "nested"]


@pytest.mark.parametrize(
    "text",
    [
        # AP copy closes a double quotation with two right single quotes.
        "“I love this city,’’ Mayor Jane Smith said on Tuesday.",
        "‘‘I love this city,’’ Mayor Jane Smith said on Tuesday.",
        # The NYT archive and older wire copy: TeX-style and doubled ASCII marks.
        "``I love this city,'' Mayor Jane Smith said on Tuesday.",
        "''I love this city,'' Mayor Jane Smith said on Tuesday.",
        # A space typed inside the opening mark.
        "“ I love this city,” Mayor Jane Smith said on Tuesday.",
        'Mayor Jane Smith said on Tuesday: " I love this city, "',
    ],
)
def test_wire_copy_marks_make_one_quotation(text: str) -> None:
    [q] = extract_quotes(text)
    assert q.text.strip(" ,") == "I love this city"
    assert q.kind != "nested"
    assert q.speaker == "Jane Smith"
    assert text[q.start : q.end] == q.text


def test_doubled_marks_do_not_eat_an_apostrophe() -> None:
    text = "The players’ union said the deal was “a disgrace.’’ It will vote on Friday."
    [q] = extract_quotes(text)
    assert q.text == "a disgrace."


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # A statement continued over paragraphs without a new cue.
        (
            "The Red Cross said in a statement: “We are sending teams to the region.\n\n"
            "“The situation is dire and we need more volunteers.”",
            "Red Cross",
        ),
        (
            "Amazon said in a statement: “We take these reports seriously.”\n\n"
            "“We are investigating the claims and will act on them.”",
            "Amazon",
        ),
    ],
)
def test_a_paragraph_continuing_a_statement_keeps_its_speaker(text: str, speaker: str) -> None:
    assert {s for _, s in _pairs(text)} == {speaker}


def test_a_description_of_an_organisation_is_resolved_to_it() -> None:
    text = (
        "The United Nations Children's Fund issued a statement on Friday.\n\n"
        "“Children are paying the highest price,” the agency said."
    )
    assert _pairs(text) == [
        ("Children are paying the highest price,", "United Nations Children's Fund")
    ]


def test_a_negated_noun_phrase_names_nobody() -> None:
    text = (
        'Stoltenberg said the situation was "changing now", but there are no reports of the '
        'aid being there "on the ground".'
    )
    assert {s for _, s in _pairs(text)} == {"Stoltenberg"}


def _choices(text: str) -> tuple[QuoteContext, list[ChoiceSet]]:
    ctx = QuoteContext.build(read_article(text, source_format="text"))
    return ctx, list(choice_sets(ctx, attribute(ctx)))


def _mention(ctx: QuoteContext, cs: ChoiceSet, words: str) -> Mention:
    for m in cs.mentions:
        if m is not None and ctx.text[m.start : m.end] == words:
            return m
    raise AssertionError(f"{words!r} is not a candidate")


def test_resolution_expands_a_surname_to_the_full_name_given_earlier() -> None:
    ctx, [cs] = _choices(
        "Maria Lopez, the city's engineer, inspected the bridge.\n\n"
        "Lopez was blunt. “It is not safe,” she said."
    )
    m = _mention(ctx, cs, "Lopez")
    assert resolve(ctx, cs, m, None)[0] == "Maria Lopez"


def test_resolution_of_a_pronoun_with_nobody_before_it_is_none() -> None:
    ctx, choices = _choices('"We are ready," he said. "And we will act."')
    cs = choices[0]
    m = _mention(ctx, cs, "he")
    assert resolve(ctx, cs, m, None) == (None, None)
    # Unresolved, "he" still said it: the quotation gets no one else's name.
    assert _pairs('"We are ready," he said, "and we will act." Jane Smith had warned.') == [
        ("We are ready,", None),
        ("and we will act.", None),
    ]


def test_resolution_of_it_is_the_organisation_named_before() -> None:
    ctx, [cs] = _choices(
        "The health ministry published the figures on Tuesday. It called the rise “temporary.”"
    )
    m = _mention(ctx, cs, "It")
    assert resolve(ctx, cs, m, None)[0] == "The health ministry"


def test_every_quotation_but_nested_ones_has_a_confidence(sample_text: str) -> None:
    quotes = extract_quotes(sample_text + "\n\nShe said: \"He told me 'go home' twice.\"")
    for q in quotes:
        if q.kind == "nested":
            assert q.speaker_confidence is None
        else:
            assert q.speaker_confidence is not None and 0 < q.speaker_confidence <= 1


def test_the_shipped_model_is_plain_data_with_a_version() -> None:
    model = speaker_model()
    assert model.version.startswith("speakers-")
    assert 0 < model.threshold < 1 and model.temperature > 0
    probs = model.probabilities([["none"], ["kind=person", "cue_after"], []])
    assert abs(sum(probs) - 1) < 1e-9
    # The features the extractor writes are the features the model was trained on.
    _, choices = _choices("“We will win,” Jane Smith said.")
    used = {f for cs in choices for fs in cs.features for f in fs}
    assert used & set(model.weights)


def test_a_confident_pick_beats_nobody() -> None:
    model = SpeakerModel("t", {"cue_after": 3.0, "none": 0.0})
    assert model.probabilities([["cue_after"], ["none"]])[0] > 0.9


@pytest.mark.skipif(
    not (SHARED / "polnear-train").is_dir() or not (SHARED / "polnear-dev").is_dir(),
    reason="PolNeAR data not present",
)
def test_training_is_reproducible(tmp_path: Path) -> None:
    """The same data gives the same model file, byte for byte (on a small slice here)."""
    pytest.importorskip("scipy")
    from service.quotes import train

    slices = {}
    for split, n in (("polnear-train", 12), ("polnear-dev", 4)):
        root = tmp_path / split
        (root / "text").mkdir(parents=True)
        (root / "attributions").mkdir()
        names = sorted(p.stem for p in (SHARED / split / "text").glob("*.txt"))[:n]
        for name in names:
            os.symlink(SHARED / split / "text" / f"{name}.txt", root / "text" / f"{name}.txt")
            for ann in (SHARED / split / "attributions").glob(f"{name}_*.ann"):
                os.symlink(ann, root / "attributions" / ann.name)
        slices[split] = root
    outs = [tmp_path / "a.json", tmp_path / "b.json"]
    for out in outs:
        args = ["--train", str(slices["polnear-train"]), "--dev", str(slices["polnear-dev"])]
        assert train.main([*args, "--out", str(out)]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    data = json.loads(outs[0].read_text())
    assert data["version"].startswith("speakers-") and data["weights"]


@pytest.mark.skipif(not (SHARED / "polnear-train").is_dir(), reason="PolNeAR data not present")
def test_leaving_one_publisher_out_never_puts_an_article_on_both_sides() -> None:
    from bench.polnear import load_articles, publisher
    from service.quotes.train import publisher_split

    root = SHARED / "polnear-train"
    anns = list((root / "attributions").glob("*.ann"))
    names = [a.name for a in load_articles(root)]
    assert len(anns) > len(names)  # some articles were annotated by several people
    assert len(names) == len(set(names))
    split = publisher_split(names)
    assert len(split) == 7
    held_out: set[str] = set()
    for pub, (held, trained) in split.items():
        assert held and not held & trained and held | trained == set(names)
        assert {publisher(n) for n in held} == {pub} and pub not in {publisher(n) for n in trained}
        held_out |= held
    assert held_out == set(names)


def test_calibration_bins_and_error_on_known_confidences() -> None:
    pytest.importorskip("scipy")
    from service.quotes.train import bins, expected_calibration_error, threshold

    # Two bins: 0.9 right 3 times in 4 (gap 0.15), 0.3 right once in 2 (gap 0.2).
    scored = [(0.9, True), (0.9, True), (0.9, True), (0.9, False), (0.3, True), (0.3, False)]
    assert [(b.lo, b.n, b.right) for b in bins(scored)] == [(0.2, 2, 0.5), (0.8, 4, 0.75)]
    assert expected_calibration_error(scored) == pytest.approx((0.2 * 2 + 0.15 * 4) / 6)
    assert expected_calibration_error([(1.0, True), (0.0, False)]) == 0.0
    # Right 3 times in 3 from 0.9 up: the threshold is the lowest such confidence.
    assert threshold([(0.99, True), (0.95, True), (0.9, True), (0.5, False)]) == 0.9


def test_the_draft_threshold_weighs_a_false_alarm_against_caught_wrong_speakers() -> None:
    pytest.importorskip("scipy")
    from service.quotes.train import FALSE_ALARM_COST, DraftRisk, draft_threshold

    wrong = [DraftRisk(False, 0.001)] * 20 + [DraftRisk(False, 0.1)] * (FALSE_ALARM_COST - 1)
    correct = [DraftRisk(True, 0.05), DraftRisk(True, None)]
    # Past 0.05 one false alarm costs more than the nine wrong speakers it would add.
    assert draft_threshold(wrong + correct) == 0.005
    assert draft_threshold([*wrong, DraftRisk(True, None)]) == 0.11
