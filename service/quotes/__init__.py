"""Quotations with their speakers: the deterministic pipeline over an ingested article."""

from __future__ import annotations

from ..ingest import Article, read_article
from ..models import Quote
from .attribution import attribute
from .context import QuoteContext
from .marks import find_quotes


def quotes_in(article: Article) -> list[Quote]:
    ctx = QuoteContext.build(
        article.text, article.paragraphs, find_quotes(article.text, article.paragraphs)
    )
    return attribute(ctx)[0]


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation in ``text`` (plain text) with its speaker; offsets index ``text``."""
    return quotes_in(read_article(text, source_format="text"))
