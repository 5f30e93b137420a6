"""LLM-stage measurements against a live OpenAI-compatible server (not a test).

For each article: model calls for the full report (``POST /check`` without a draft), the
prompt's tokens against the article's (tiktoken, before sending), the tokens the server
counted, what the checker made of the model's quotations and statements, and of its summary
sentences and key points read against the paragraphs they cite.

    python -m bench.llm --base-url http://127.0.0.1:8080/v1 --model gemma-3-270m-q4_k_m
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path

from service.analysis import Analyzer
from service.grounding import ground_statement, quotes_in_text
from service.ingest import read_article
from service.pipeline import index_article, summary_of
from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_ARTICLES = [
    ROOT / "examples" / "nato-stoltenberg-2024-05-08.txt",
    *sorted((ROOT / "tests" / "data" / "articles").glob("*.txt")),
]


async def measure(paths: list[Path], settings: Settings) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    analyzer = Analyzer(settings)
    try:
        for path in paths:
            article = read_article(path.read_text(encoding="utf-8"))
            plan = analyzer.plan(article)
            index = index_article(article)
            started = time.perf_counter()
            try:
                analysis = await analyzer.analyze(index)
            except Exception as exc:  # a measurement records failures and goes on
                rows.append({"article": path.stem, "error": f"{type(exc).__name__}: {exc}"})
                continue
            result = analysis.result
            # Everything the model put forward as someone's exact words.
            model_quotes = quotes_in_text(
                index, [i.text for i in (*result.summary, *result.key_points)]
            ) + [ground_statement(index, s) for s in result.statements if s.direct]
            verdicts = Counter(f.verdict for f in model_quotes)
            summarized = summary_of(index, analysis)
            sentences = summarized.summary_findings + summarized.key_point_findings
            usage = analysis.engine.usage
            rows.append(
                {
                    "article": path.stem,
                    "parts": len(plan.parts),
                    "calls": usage.calls,
                    "article_tokens": plan.article_tokens,
                    "prompt_tokens_tiktoken": sum(plan.prompt_tokens),
                    "overhead_tokens": sum(plan.prompt_tokens) - plan.article_tokens,
                    "server_prompt_tokens": usage.prompt_tokens,
                    "completion_tokens": usage.completion_tokens,
                    "seconds": round(time.perf_counter() - started, 1),
                    "model_quotes": len(model_quotes),
                    "verdicts": dict(verdicts),
                    "rejected_share": round(1 - verdicts["verified"] / len(model_quotes), 3)
                    if model_quotes
                    else None,
                    "summary_sentences": len(sentences),
                    "citing_a_paragraph": sum(bool(f.cited) for f in sentences),
                    "sentence_verdicts": dict(Counter(f.verdict for f in sentences)),
                }
            )
    finally:
        await analyzer.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--base-url", default="http://127.0.0.1:8080/v1")
    ap.add_argument("--model", default="gemma-3-270m-q4_k_m")
    ap.add_argument("--max-output-tokens", type=int, default=4000)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("paths", nargs="*", type=Path)
    args = ap.parse_args(argv)
    settings = Settings(
        engine="llm",
        base_url=args.base_url,
        model=args.model,
        max_output_tokens=args.max_output_tokens,
        timeout_seconds=900,
        deadline_seconds=1800,  # a small model on a loaded machine: the calls' own limit
        max_retries=0,
    )
    rows = asyncio.run(measure(args.paths or DEFAULT_ARTICLES, settings))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(
        "| article | parts | calls | article tokens | prompt tokens | overhead | model quotes | "
        "verdicts | rejected | summary sentences and key points | citing a paragraph | "
        "their verdicts |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|")
    for r in rows:
        if "error" in r:
            print(f"| {r['article']} | error: {r['error']} |")
            continue
        print(
            f"| {r['article']} | {r['parts']} | {r['calls']} | {r['article_tokens']} | {r['prompt_tokens_tiktoken']} | "
            f"{r['overhead_tokens']} | {r['model_quotes']} | {r['verdicts']} | {r['rejected_share']} | "
            f"{r['summary_sentences']} | {r['citing_a_paragraph']} | {r['sentence_verdicts']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
