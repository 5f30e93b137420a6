"""The prompt as it is rendered and sent: the article's paragraphs numbered as
``Ingested.body`` numbers them from 1, the same numbers in every part of a long article,
and what the prompt costs beyond the article (tiktoken, offline)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from service.analysis import PromptPlan, part_request, plan_parts
from service.ingest import read_article
from service.settings import Settings
from service.tokens import count_tokens

from .conftest import ARTICLES, SAMPLE

MODEL = "gemma-3-270m-q4_k_m"
COLLECTED = [SAMPLE, *sorted(ARTICLES.glob("*.txt"))]
MAX_OVERHEAD = 700
"""The prompt around the article, at most: instructions, schema shape, numbers."""

_LABEL = re.compile(r"^\[(\d+)\] ", re.MULTILINE)


def settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "engine": "llm",
        "base_url": "http://127.0.0.1:8080/v1",
        "model": MODEL,
        "api_key": "sk-unused",
    }
    return Settings(**(values | overrides))


def blocks(part: str) -> list[tuple[int, str]]:
    """The numbered paragraphs of a rendered part: (number, text)."""
    pieces = _LABEL.split(part)
    assert pieces[0] == ""  # nothing before the first number
    return [
        (int(n), text.removesuffix("\n\n"))
        for n, text in zip(pieces[1::2], pieces[2::2], strict=True)
    ]


def numbered_as_the_body(text: str, plan: PromptPlan) -> None:
    """Every paragraph of the body under its number, once, in order, across the parts; a
    paragraph cut between parts keeps its number and its sentences in order."""
    article = read_article(text)
    body = [text[s:e] for s, e in article.paragraphs]
    seen: dict[int, str] = {}
    for part in plan.parts:
        for n, block in blocks(part):
            assert n == max(seen, default=0) + (0 if n in seen else 1)
            seen[n] = f"{seen[n]} {block}" if n in seen else block
    assert [seen[n] for n in sorted(seen)] == body


@pytest.mark.parametrize("path", COLLECTED, ids=lambda p: p.stem)
def test_the_prompt_numbers_each_paragraph_and_costs_at_most_700_tokens_more(
    path: Path,
) -> None:
    text = path.read_text(encoding="utf-8")
    article = read_article(text)
    plan = plan_parts(settings(), article)
    numbered_as_the_body(text, plan)
    [part] = plan.parts
    system, user = (m["content"] for m in part_request(settings(), plan, 0)["messages"])
    assert part in user and "paragraphs are numbered" in system
    article_tokens = sum(count_tokens(text[s:e], MODEL) for s, e in article.paragraphs)
    assert plan.article_tokens == article_tokens
    sent = count_tokens(system, MODEL) + count_tokens(user, MODEL)
    assert sent == plan.prompt_tokens[0]
    assert sent - article_tokens <= MAX_OVERHEAD


def test_a_long_article_keeps_the_articles_numbers_in_every_part() -> None:
    text = (ARTICLES / "telegraph-thatcher-gcse-2014.txt").read_text(encoding="utf-8")
    plan = plan_parts(settings(context_tokens=1200, max_output_tokens=200), read_article(text))
    assert len(plan.parts) >= 3
    numbered_as_the_body(text, plan)
    firsts = [blocks(part)[0][0] for part in plan.parts]
    assert firsts[0] == 1 and firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
    overheads = [t - a for t, a in zip(plan.prompt_tokens, _part_tokens(plan), strict=True)]
    assert max(overheads) <= MAX_OVERHEAD


def test_a_paragraph_longer_than_a_part_is_cut_between_sentences_under_one_number() -> None:
    sentence = "The council voted on Tuesday to build protected cycle lanes along Harbour Road."
    text = "\n\n".join(["A short first paragraph.", " ".join([sentence] * 100), "The end."])
    plan = plan_parts(settings(context_tokens=1300, max_output_tokens=200), read_article(text))
    assert len(plan.parts) >= 3
    numbered_as_the_body(text, plan)
    # The long paragraph goes on in the next part under its own number again.
    assert [blocks(part)[0][0] for part in plan.parts[1:-1]] == [2] * (len(plan.parts) - 2)


def test_many_short_paragraphs_stay_within_the_overhead() -> None:
    """Each number costs a few tokens: a hundred one-line paragraphs stay within it."""
    text = "\n\n".join(f"Paragraph {i} says the council met." for i in range(1, 101))
    plan = plan_parts(settings(), read_article(text))
    [part] = plan.parts
    assert blocks(part)[-1] == (100, "Paragraph 100 says the council met.")
    assert plan.prompt_tokens[0] - plan.article_tokens <= MAX_OVERHEAD


def _part_tokens(plan: PromptPlan) -> list[int]:
    """Each part's article tokens, its numbers left out."""
    return [sum(count_tokens(b, MODEL) for _, b in blocks(part)) for part in plan.parts]
