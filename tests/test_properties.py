"""Properties over generated articles: offsets always slice what they claim, and an
article checked against itself verifies every quotation."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service import ingest
from service.ingest import read_article
from service.normalize import SpaceCollapsed, fold
from service.pipeline import check_draft
from service.quotes import extract_quotes

_WORDS = [
    "the",
    "minister",
    "said",
    "we",
    "will",
    "win",
    "didn’t",
    "Ukrainians’",
    "rock",
    "’n’",
    "roll",
    "told",
    "reporters",
    "added",
    "according",
    "to",
    "he",
    "she",
    "Jane",
    "Smith",
    "Mr.",
    "Jones",
    "NATO",
    "Secretary",
    "General",
    "Jens",
    "Stoltenberg",
    "—",
    "–",
    ",",
    ".",
    "?",
    ":",
    "(D-Wis.)",
    "l’ONU",
    "a",
    "déclaré",
    "sagte",
]
_MARKS = ["“", "”", '"', "‘", "’", "'", "«", "»", "„", "‹", "›"]
_BREAKS = [" ", " ", " ", "\n", "\n\n", "\u00a0", "\t"]

token = st.one_of(st.sampled_from(_WORDS), st.sampled_from(_MARKS), st.sampled_from(_BREAKS))
articles = st.lists(token, min_size=1, max_size=120).map("".join).filter(lambda t: t.strip() != "")

# Articles that hold real quotations: sentences with a quote and an attribution.
sentence = st.builds(
    lambda marks, words, who: f"{marks[0]}{' '.join(words).capitalize()},{marks[1]} {who} said.",
    st.sampled_from([("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»"), ("„", "“")]),
    st.lists(
        st.sampled_from(["we", "will", "not", "win", "this", "year", "didn’t", "ask"]),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from(["Jane Smith", "he", "Mr. Jones", "the minister"]),
)
quoted_articles = st.lists(sentence, min_size=1, max_size=8).map(lambda s: "\n\n".join(s))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(articles)
def test_offsets_slice_exactly_what_they_claim(text: str) -> None:
    for q in extract_quotes(text):
        assert text[q.start : q.end] == q.text
        assert q.text.strip() == q.text and q.text
        mark = text[q.start - len(q.open_mark) : q.start]
        assert q.open_mark == mark or q.continued or text[q.start - 1].isspace()
        if q.speaker_mention is not None:
            m = q.speaker_mention
            assert text[m.start : m.end] == m.text
        if q.cue is not None:
            assert text[q.cue.start : q.cue.end] == q.cue.text


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(articles)
def test_checking_any_article_against_itself_verifies_every_quote(text: str) -> None:
    report = check_draft(read_article(text), text)
    # Its quotations verified, and each of its other sentences supported by itself.
    expected = {"quotation": "verified", "sentence": "paraphrase"}
    assert all(f.verdict == expected[f.kind] for f in report.findings), [
        (f.text, f.verdict, f.message) for f in report.findings if f.verdict != expected[f.kind]
    ]
    for f in report.findings:
        assert f.draft_start is not None and f.draft_end is not None
        assert text[f.draft_start : f.draft_end] == f.text
        for ev in f.evidence:
            assert text[ev.start : ev.end] == ev.text


@settings(max_examples=100, deadline=None)
@given(quoted_articles)
def test_generated_quotes_are_found_and_verified_against_themselves(text: str) -> None:
    quotes = extract_quotes(text)
    assert len([q for q in quotes if q.kind != "nested"]) >= 1
    report = check_draft(read_article(text), text)
    assert {f.verdict for f in report.findings} == {"verified"}


_SPACES = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", "\u00a0", " \n "])


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(st.sampled_from(_WORDS), min_size=3, max_size=30),
    gaps=st.lists(_SPACES, min_size=30, max_size=30),
    lo=st.integers(0, 29),
    size=st.integers(1, 6),
)
def test_words_found_whatever_the_whitespace(
    words: list[str], gaps: list[str], lo: int, size: int
) -> None:
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    wanted = words[lo : lo + size] or words[-1:]
    spans = list(SpaceCollapsed(fold(text)).find_words(" ".join(wanted).upper()))
    assert spans, "words that stand in the text must be found"
    for start, end in spans:
        assert fold(text[start:end]).split() == fold(" ".join(wanted)).split()
    assert all(a[1] <= b[0] for a, b in pairwise(spans))


_CREDIT_PIECES = [
    "Photo",
    "PHOTOS by",
    "photograph:",
    "Image /",
    "Picture",
    "topic",
    "Credit:",
    "Illustration",
    "Video",
    "Getty Images",
    "AP Photo",
    "/ AFP",
    "/Reuters",
    "Shutterstock",
    "ſhutterstock",
    "İmage",
    "vİdeo:",
    "by",
    " ",
    "\n",
    ":",
    "/",
    "x",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_CREDIT_PIECES), max_size=8).map("".join))
def test_credit_screening_agrees_with_the_credit_regex(line: str) -> None:
    """ingest._is_credit skips the regex on lines without a credit's words: never a credit
    the regex would have found."""
    screen = not any(letter in line for letter in ingest._ODD_CASE)
    assert ingest._is_credit(line, screen) == (ingest._CREDIT.search(line) is not None)
