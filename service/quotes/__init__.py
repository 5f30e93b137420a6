"""Quotations with their speakers: the deterministic pipeline over an ingested article."""

from __future__ import annotations

from ..ingest import Article, read_article
from ..models import Quote
from .attribution import attribute
from .choose import choice_sets, choose, resolved_quote
from .context import QuoteContext
from .model import speaker_model
from .names import NameIndex
from .quotation import Quotation


def quotes_in(article: Article) -> list[Quote]:
    return quotes_with_names(article)[0]


def quotes_with_names(article: Article) -> tuple[list[Quote], NameIndex]:
    """The article's quotations, and the index of the names it mentions read on the way
    (the claim checker reads names through it too, instead of reading them again)."""
    ctx = QuoteContext.build(article)
    sieve = attribute(ctx)
    model = speaker_model()
    chosen: dict[int, Quotation] = {}
    last_spoken: Quotation | None = None
    for choices in choice_sets(ctx, sieve):
        quote = resolved_quote(ctx, choices, choose(ctx, model, choices, last_spoken))
        chosen[choices.raw.open_pos] = quote
        if quote.speaker:
            last_spoken = quote
    quotes = [
        chosen.get(q.open_pos, rule).model() for q, rule in zip(ctx.raw, sieve.quotes, strict=True)
    ]
    return quotes, ctx.names


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation in ``text`` (plain text) with its speaker; offsets index ``text``."""
    return quotes_in(read_article(text, source_format="text"))
