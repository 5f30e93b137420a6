from __future__ import annotations

import pytest

from service.errors import EmptyInputError, InputTooLargeError, UndecodableInputError
from service.ingest import decode, looks_like_html, read_article, split_paragraphs


def test_sample_article_boilerplate_is_set_aside(sample_text: str) -> None:
    article = read_article(sample_text)
    body = [sample_text[s:e] for s, e in article.paragraphs]
    skipped = [sample_text[s:e] for s, e in article.skipped]
    # The six related headlines after the Background bullets are not article text.
    headlines = [
        "Man who shot Slovak PM could be a part of pro-Russian militarised group – photos",
        "Intensity of combat action on Kharkiv front increases – Ukraine's General Staff",
        "Rolling blackouts to be in effect throughout Ukraine on 16 May – Ukraine's national energy company",
        "Emergency power outages implemented in Kyiv and number of oblasts",
        "50 countries and organisations agreed to take part in Ukraine's Peace Summit in Switzerland",
        "Zelenskyy strongly condemns assassination attempt on Slovak PM and wishes him speedy recovery",
    ]
    for headline in headlines:
        assert headline in skipped
        assert headline not in body
    # The Background bullets are.
    assert any(p.startswith("• After a meeting of the presidents") for p in body)
    assert any(p.startswith("• He recently reopened the debate") for p in body)
    # Byline with timestamp and the photo credit are boilerplate.
    assert "Oleh PavliukWednesday, 8 May 2024, 23:48" in skipped
    assert "NATO Secretary General Jens Stoltenberg. Photo: Getty Images" in skipped
    assert any(p.startswith("NATO Secretary General Jens Stoltenberg has once again") for p in body)


def test_paragraph_offsets_index_the_original_text(sample_text: str) -> None:
    for start, end in split_paragraphs(sample_text):
        chunk = sample_text[start:end]
        assert chunk == chunk.strip() and chunk
        assert "\n" not in chunk


def test_hard_wrapped_text_keeps_paragraphs_whole() -> None:
    line = "word " * 14
    para = "\n".join([line.strip()] * 4)
    text = "\n\n".join([para, para, para])
    spans = split_paragraphs(text)
    assert len(spans) == 3
    assert all(text[s:e].count("\n") == 3 for s, e in spans)


def test_html_body_is_extracted_and_offsets_index_the_extracted_text() -> None:
    html = (
        "<html><head><title>Minister speaks</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        "<article><h1>Minister speaks</h1>"
        "<p>The minister spoke to reporters on Tuesday about the new budget and its effects.</p>"
        "<p>“We will not raise taxes this year,” Finance Minister Jane Doe said at the briefing.</p>"
        "<p>She added that spending on schools would grow by five per cent next year.</p>"
        "</article><footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"
    )
    assert looks_like_html(html)
    article = read_article(html)
    assert article.source_format == "html"
    assert article.extracted
    assert "<p>" not in article.text
    assert "We will not raise taxes this year" in article.text
    described = article.describe()
    assert described.text == article.text
    for span in described.body:
        assert article.text[span.start : span.end] == span.text


def test_decode_refuses_bad_input() -> None:
    with pytest.raises(UndecodableInputError):
        decode(b"caf\xe9 \xff", limit=100)
    with pytest.raises(UndecodableInputError):
        decode(b"\x00\x01\x02binary", limit=100)
    with pytest.raises(InputTooLargeError):
        decode(b"x" * 101, limit=100)
    assert decode("“ok” — fine".encode(), limit=100) == "“ok” — fine"


@pytest.mark.parametrize("text", ["", "   \n\n\t  "])
def test_empty_article_is_refused(text: str) -> None:
    with pytest.raises(EmptyInputError):
        read_article(text)
