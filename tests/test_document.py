"""The one tokenized article: slices read from it are the tokens of the whole text that lie
in the slice, found by bisection."""

from hypothesis import given
from hypothesis import strategies as st

from service.document import Document, tokens

_WORDS = st.sampled_from(
    ["Mr.", "Smith", "said", "U.S.", "it’s", "“No,”", "J.", "end.", "a-b", "  "]
)


def test_tokens_keep_offsets_into_the_text() -> None:
    doc = Document.build("Sen. Jo Lee (R-Ky.) said it’s over.")
    assert [(t.text, doc.text[t.start : t.end]) for t in doc.tokens][:2] == [
        ("Sen.", "Sen."),
        ("Jo", "Jo"),
    ]
    assert doc.tokens[-1].text == "over"  # a sentence's full stop is not part of its word
    assert [t.word for t in doc.between(5, 11)] == ["jo", "lee"]


@given(st.lists(_WORDS, max_size=30).map(" ".join), st.integers(0, 200), st.integers(0, 200))
def test_between_is_the_tokens_inside_the_slice(text: str, a: int, b: int) -> None:
    doc = Document.build(text)
    lo, hi = min(a, b), max(a, b)
    inside = [t for t in doc.tokens if t.start >= lo and t.end <= hi]
    assert doc.between(lo, hi) == inside
    assert doc.last_between(lo, hi) is (inside[-1] if inside else None)
    assert [(t.start, t.end) for t in doc.tokens] == [(t.start, t.end) for t in tokens(text)]
