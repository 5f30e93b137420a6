"""The LLM stages against recorded answers of a real model (cassettes in
``tests/cassettes/test_llm_recorded/``, recorded by ``scripts/record_cassettes.sh``).

The cassettes in the repository were recorded from llama.cpp's llama-server running Gemma 3
270M, a small base model that writes poor summaries and invents quotes and speakers. That
is the point: whatever it says, nothing may come back ``verified`` unless those words, by
that speaker, are in the article."""

from __future__ import annotations

import os
from typing import Any, get_args

import pytest

from service.analysis import Analyzer
from service.errors import ModelOutputError
from service.ingest import read_article
from service.models import Finding, ReportOut, SummarizeOut, Verdict
from service.normalize import fold
from service.pipeline import claims, report, summarize
from service.prompts import load_prompt
from service.quotes import extract_quotes
from service.settings import Settings
from service.tokens import count_tokens

from .conftest import ARTICLES
from .test_prompt import numbered_as_the_body

pytestmark = [pytest.mark.vcr, pytest.mark.anyio]

VERDICTS = set(get_args(Verdict))


def llm_settings(recording: dict[str, Any], **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "engine": "llm",
        "base_url": recording["base_url"],
        "model": recording["model"],
        "json_mode": recording["json_mode"],
        "api_key": os.environ.get("FACTCHECK_RECORD_API_KEY") or "sk-replay-placeholder",
        "max_output_tokens": 4000,
        "max_retries": 0,
        "timeout_seconds": 600,
        "deadline_seconds": 1800,
        "price_input_per_mtok": 0.15,
        "price_output_per_mtok": 0.6,
    }
    values.update(overrides)
    return Settings(**values)


def _flat(text: str) -> str:
    return " ".join(fold(text).split()).strip(" .,;:!?\"'")


def assert_grounded(article: str, findings: list[Finding]) -> None:
    """Every verdict is the checker's: offsets slice the article, and a verified finding's
    words stand in one of the article's quotations."""
    quotes = extract_quotes(article)
    flat_article = _flat(article)
    for f in findings:
        assert f.verdict in VERDICTS
        for ev in f.evidence:
            assert article[ev.start : ev.end] == ev.text
        if f.verdict == "verified":
            assert f.evidence
            for ev in f.evidence:
                assert any(q.start <= ev.start and ev.end <= q.end for q in quotes), ev
                assert _flat(ev.text) in _flat(f.text) or _flat(f.text) in _flat(ev.text)
            assert f.attribution != "mismatch"
        if f.verdict in ("verified", "misattributed") and "..." not in f.text and "…" not in f.text:
            assert _flat(f.text) in flat_article
        if _flat(f.text) and _flat(f.text) not in flat_article and f.method != "fuzzy":
            assert f.verdict == "unsupported"  # invented words are never anything else


def assert_summary_checked(out: SummarizeOut | ReportOut) -> None:
    """Every sentence of the summary and every key point has the checker's verdict, read
    against the paragraphs the model cited for it, whatever it cited: the evidence lies
    inside them, and a citation of nothing the article has is unsupported and says so. A
    placeholder copied from the prompt, or anything else invented, is never supported, and
    ``grounded`` says whether all of them are."""
    assert out.key_point_findings and len(out.key_point_findings) == len(out.key_points)
    body = [(p.start, p.end) for p in out.article.body]
    for f in out.summary_findings:
        assert f.draft_start is not None and f.draft_end is not None
        assert out.summary[f.draft_start : f.draft_end] == f.text
    for f in out.summary_findings + out.key_point_findings:
        assert f.verdict in ("paraphrase", "contradicted", "unsupported")
        if "<" in f.text and ">" in f.text:
            assert f.verdict == "unsupported", f
        assert (f.verdict == "paraphrase") == bool(f.evidence) or f.verdict == "contradicted"
        assert f.cited is not None  # judged against a citation, even an empty one
        assert all((c.start, c.end) in body for c in f.cited)
        for e in f.evidence:
            assert any(c.start <= e.start and e.end <= c.end for c in f.cited), (e, f.cited)
        if not f.cited and f.message != "nothing to check":
            assert f.verdict == "unsupported"
            assert "cited no paragraph" in f.message or "does not have" in f.message, f
    supported = all(
        f.verdict == "paraphrase" for f in out.summary_findings + out.key_point_findings
    )
    quotes = out.quotes if isinstance(out, SummarizeOut) else out.summary_quotes
    assert out.grounded == (supported and all(q.severity != "error" for q in quotes))


async def test_report_on_the_sample_article_grounds_every_model_output(
    recording: dict[str, Any], sample_text: str
) -> None:
    analyzer = Analyzer(llm_settings(recording))
    article = read_article(sample_text)
    try:
        first = await report(article, analyzer)
        again = await report(article, analyzer)
        plan = analyzer.plan(article)
    finally:
        await analyzer.close()

    engine = first.engine
    assert (engine.engine, engine.model, engine.prompt, engine.chunks) == (
        "llm",
        recording["model"],
        load_prompt("analyze").ref,
        1,
    )
    assert engine.usage.calls == 1 and not engine.cached
    assert engine.usage.prompt_tokens > 0 and engine.usage.completion_tokens > 0
    assert engine.usage.cost_usd is not None and engine.usage.cost_usd > 0
    # The prompt around the article stays small: at most 700 tokens more than the article.
    assert plan.prompt_tokens[0] - plan.article_tokens <= 700
    assert plan.article_tokens == sum(
        count_tokens(sample_text[s:e], recording["model"]) for s, e in article.paragraphs
    )

    # An identical request is answered from the cache, without a model call.
    assert again.engine.cached and again.engine.usage.calls == 0
    assert again.summary == first.summary and again.statements == first.statements

    assert_grounded(
        sample_text,
        first.summary_quotes
        + first.summary_findings
        + first.key_point_findings
        + first.claims
        + first.statements,
    )
    assert_summary_checked(first)
    # The article's own quotations are the deterministic core's, whatever the model said.
    assert [q.speaker for q in first.quotes] == ["Jens Stoltenberg"] * 4


async def test_summarize_and_claims_on_another_article(recording: dict[str, Any]) -> None:
    text = (ARTICLES / "guardian-whale-strandings-2019.txt").read_text(encoding="utf-8")
    analyzer = Analyzer(llm_settings(recording))
    article = read_article(text)
    try:
        summary = await summarize(article, analyzer)
        listed = await claims(article, analyzer)
    finally:
        await analyzer.close()
    assert summary.engine.usage.calls == 1
    assert listed.engine.cached  # the same article: one model call serves both
    checked = summary.quotes + summary.summary_findings + summary.key_point_findings
    assert_grounded(text, checked + listed.claims + listed.statements)
    assert_summary_checked(summary)
    assert sum(summary.counts.values()) == len(checked)


async def test_a_long_article_is_split_on_paragraphs_one_call_per_part(
    recording: dict[str, Any],
) -> None:
    text = (ARTICLES / "telegraph-thatcher-gcse-2014.txt").read_text(encoding="utf-8")
    analyzer = Analyzer(llm_settings(recording, context_tokens=5200))
    article = read_article(text)
    try:
        plan = analyzer.plan(article)
        out = await report(article, analyzer)
    finally:
        await analyzer.close()
    assert len(plan.parts) >= 2
    assert out.engine.chunks == len(plan.parts)
    assert out.engine.usage.calls == len(plan.parts)
    # Parts are whole paragraphs of the article, in order, numbered as the article's, and
    # cover all of it.
    numbered_as_the_body(text, plan)
    assert_grounded(text, out.summary_quotes + out.summary_findings + out.claims + out.statements)
    assert_summary_checked(out)


async def test_json_object_mode_gives_a_grounded_report_or_a_clear_error(
    recording: dict[str, Any], sample_text: str
) -> None:
    """For servers without structured output: the schema goes into the prompt. A model
    that still answers off-schema gets one repair request, then a clear error; one that
    rambles on to the output limit gets a clear error too. The small local model has done
    each, depending on the prompt."""
    analyzer = Analyzer(llm_settings(recording, json_mode="json_object"))
    try:
        out = await report(read_article(sample_text), analyzer)
    except ModelOutputError as exc:
        if "cut off" in str(exc):
            assert "finish_reason 'length'" in str(exc)
        else:
            assert "invalid JSON twice" in str(exc)
            assert recording["model"] in str(exc)
    else:
        assert out.engine.usage.calls in (1, 2)
        assert_grounded(
            sample_text, out.summary_quotes + out.summary_findings + out.claims + out.statements
        )
        assert_summary_checked(out)
    finally:
        await analyzer.close()
