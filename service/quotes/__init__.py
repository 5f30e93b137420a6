"""Quotations with their speakers: the deterministic pipeline over an ingested article."""

from __future__ import annotations

from collections.abc import Iterable

from ..ingest import Article, read_article
from ..models import Quote
from .attribution import Sieve, attribute
from .choose import ChoiceSet, add_syntax, choice_sets, choose, resolved_quote
from .context import QuoteContext
from .model import SpeakerModel, speaker_model
from .names import NameIndex
from .quotation import Quotation


def quotes_in(article: Article) -> list[Quote]:
    return quotes_with_names(article)[0]


def quotes_with_names(article: Article) -> tuple[list[Quote], NameIndex]:
    """The article's quotations, and the index of the names it mentions read on the way
    (the claim checker reads names through it too, instead of reading them again)."""
    ctx = QuoteContext.build(article)
    sieve = attribute(ctx)
    sets = list(choice_sets(ctx, sieve))
    add_syntax(ctx, sets)
    return [q.model() for q in speakers_chosen(ctx, sieve, sets, speaker_model())], ctx.names


def speakers_chosen(
    ctx: QuoteContext, sieve: Sieve, sets: Iterable[ChoiceSet], model: SpeakerModel
) -> list[Quotation]:
    """Every quotation of ``ctx.raw`` with the speaker ``model`` picks among its choices
    (``sets``, from ``choice_sets``), or for one that has none, the rule passes'. Training
    reads an article's choice sets once and asks each fold's model here."""
    chosen: dict[int, Quotation] = {}
    last_spoken: Quotation | None = None
    for choices in sets:
        quote = resolved_quote(ctx, choices, choose(ctx, model, choices, last_spoken))
        chosen[choices.raw.open_pos] = quote
        if quote.speaker:
            last_spoken = quote
    return [chosen.get(q.open_pos, rule) for q, rule in zip(ctx.raw, sieve.quotes, strict=True)]


def extract_quotes(text: str) -> list[Quote]:
    """Every direct quotation in ``text`` (plain text) with its speaker; offsets index ``text``."""
    return quotes_in(read_article(text, source_format="text"))
