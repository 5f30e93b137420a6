"""The one tokenized article: slices read from it are the words the slice alone would be
tokenized into, found by bisection over the tokens of the whole text, each made once."""

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service import document
from service.document import TOKEN, Document, _keeps_stop
from service.ingest import read_article
from service.pipeline import check_draft, index_article

from .conftest import ARTICLES, SAMPLE

_WORDS = st.sampled_from(
    [
        "Mr.",
        "Smith",
        "said",
        "U.S.",
        "non-U.S.",
        "it’s",
        "Trump’s",
        "anti-Trump",
        "iPhone",
        "“No,”",
        "J.",
        "end.",
        "a-b",
        "x_y",
        "  ",
    ]
)


def _slice_tokenized(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """What tokenizing ``text[start:end]`` alone gives: the reference a slice must match."""
    out = []
    for m in TOKEN.finditer(text, start, end):
        s, e = m.span()
        if text[e - 1] == "." and not _keeps_stop(m.group()):
            e -= 1
        out.append((text[s:e], s, e))
    return out


def test_tokens_keep_offsets_into_the_text() -> None:
    doc = Document.build("Sen. Jo Lee (R-Ky.) said it’s over.")
    every = doc.between(0, len(doc.text))
    assert [(t.text, doc.text[t.start : t.end]) for t in every][:2] == [
        ("Sen.", "Sen."),
        ("Jo", "Jo"),
    ]
    assert every[-1].text == "over"  # a sentence's full stop is not part of its word
    assert [t.word for t in doc.between(5, 11)] == ["jo", "lee"]


def test_a_slice_that_cuts_a_word_reads_the_part_inside_it() -> None:
    doc = Document.build("the anti-Trump vote, Trump’s plan")
    assert [t.text for t in doc.between(9, 19)] == ["Trump", "vote"]
    assert [t.text for t in doc.between(21, 26)] == ["Trump"]
    last = doc.last_between(0, 26)
    assert last is not None and last.text == "Trump"


@given(st.lists(_WORDS, max_size=30).map(" ".join), st.integers(0, 200), st.integers(0, 200))
def test_a_slice_reads_as_if_tokenized_alone(text: str, a: int, b: int) -> None:
    doc = Document.build(text)
    lo, hi = min(a, b), max(a, b)
    inside = doc.between(lo, hi)
    assert [(t.text, t.start, t.end) for t in inside] == _slice_tokenized(text, lo, hi)
    last = doc.last_between(lo, hi)
    expected = inside[-1] if inside else None
    assert (last and (last.text, last.start, last.end)) == (
        expected and (expected.text, expected.start, expected.end)
    )


def test_a_token_is_made_once() -> None:
    doc = Document.build("The minister, Jane Smith, said it was over.")
    first = doc.between(0, 30)
    again = doc.between(14, 40)
    assert again[0] is first[2]  # "Jane": the same object, not made again
    assert doc.last_between(0, 24) is first[3]


@pytest.fixture
def tokenized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the tokenizer runs over, while the test runs."""
    seen: list[str] = []
    real = document.spans

    def counting(text: str) -> tuple[list[int], list[int]]:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(document, "spans", counting)
    return seen


@pytest.mark.parametrize("path", sorted(ARTICLES.glob("*.txt")), ids=lambda p: p.stem)
def test_an_article_is_tokenized_once(tokenized: list[str], path: Path) -> None:
    article = read_article(path.read_text(encoding="utf-8"), source_format="text")
    index = index_article(article)
    assert index.quotes  # every test article quotes someone: its words were read
    # The claim checker reads each sentence's names from the same document.
    assert any(f.names for f in index.facts.facts)
    assert tokenized == [article.text]


def test_a_draft_check_tokenizes_the_article_and_the_draft_once(tokenized: list[str]) -> None:
    article = read_article(SAMPLE.read_text(encoding="utf-8"), source_format="text")
    draft = "Jens Stoltenberg said “We will not be intimidated.” Allies met in Brussels."
    check_draft(article, draft, quotes_only=True)
    assert sorted(tokenized) == sorted([article.text, draft])
