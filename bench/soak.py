"""Soak: 10,000 requests against one factcheck server, its memory sampled as they go (issue
4; target: RSS growth under 10% from the end of the warm-up to the end). Not a test.

    .venv/bin/python -m bench.soak                     # markdown; ~1 minute
    .venv/bin/python -m bench.soak --engine offline --same-bodies --json

factcheck (``service.api:create_app``, uvicorn, one worker) runs as a subprocess on
loopback; with ``--engine llm`` (the default) its model is the fake provider
(``bench.fake_provider``, answering after ``--provider-delay`` s), with ``--engine offline``
the offline engine. An asyncio + httpx client keeps ``--concurrency`` requests in flight,
cycling through ``POST /quotes`` (text/plain), ``POST /check`` with the draft
(examples/nato-draft.md) and ``POST /summarize`` (text/plain). Every article starts with a
line unique to its request (``Soak request N.``), so caches keyed by the text (the answer
cache, memoised tokens and names) see new keys all the time, as with real traffic;
``--same-bodies`` sends the sample article as it is instead.

The server's RSS (``VmRSS`` in /proc/PID/status, no extra package) is read before the
first request, every ``--sample-every`` completed requests, and 2 s after the last;
growth is measured from the sample at ``--warmup`` requests to the last sample under load.
Also reported: the peak RSS (``VmHWM``), status codes and latency p50/p99 per endpoint (the
client's, httpx overhead included)."""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx

from bench.loopback import (
    SAMPLE_ARTICLE,
    SAMPLE_DRAFT,
    Server,
    machine,
    machine_line,
    percentile,
    reproduce,
    running,
    start_fake_provider,
    start_uvicorn,
    table,
)

TARGET_GROWTH = 10.0
ENDPOINTS = ("/quotes", "/check + draft", "/summarize")


def body_for(endpoint: str, i: int, article: str, draft: str, same: bool) -> tuple[str, str, bytes]:
    """(path, content type, body) of request number ``i``."""
    text = article if same else f"Soak request {i}.\n\n{article}"
    if endpoint == "/check + draft":
        return "/check", "application/json", json.dumps({"text": text, "draft": draft}).encode()
    return endpoint, "text/plain", text.encode()


async def soak(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    article = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    draft = SAMPLE_DRAFT.read_text(encoding="utf-8")
    numbers = itertools.count()
    completed = 0
    started = time.perf_counter()
    samples: list[dict[str, Any]] = [
        {"requests": 0, "rss_mib": round(server.rss_kib() / 1024, 1), "seconds": 0.0}
    ]
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    limits = httpx.Limits(max_connections=args.concurrency)

    async with httpx.AsyncClient(
        base_url=server.url, trust_env=False, timeout=60.0, limits=limits
    ) as client:

        async def worker() -> None:
            nonlocal completed
            while (i := next(numbers)) < args.requests:
                endpoint = ENDPOINTS[i % len(ENDPOINTS)]
                path, ctype, body = body_for(endpoint, i, article, draft, args.same_bodies)
                t0 = time.perf_counter()
                try:
                    r = await client.post(path, content=body, headers={"content-type": ctype})
                    status = str(r.status_code)
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                latencies[endpoint].append((time.perf_counter() - t0) * 1000)
                statuses[endpoint][status] += 1
                completed += 1
                if completed % args.sample_every == 0 or completed == args.requests:
                    samples.append(
                        {
                            "requests": completed,
                            "rss_mib": round(server.rss_kib() / 1024, 1),
                            "seconds": round(time.perf_counter() - started, 1),
                        }
                    )
                    if completed % args.sample_every == 0:
                        print(
                            f"{completed:,} requests, RSS {samples[-1]['rss_mib']} MiB",
                            file=sys.stderr,
                        )

        finished = True
        try:
            async with asyncio.timeout(args.max_seconds):
                await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        except TimeoutError:
            finished = False
    elapsed = time.perf_counter() - started
    await asyncio.sleep(2.0)
    idle_rss = round(server.rss_kib() / 1024, 1)
    peak_rss = round(server.rss_kib("VmHWM") / 1024, 1)
    at_warmup = next((s for s in samples if s["requests"] >= args.warmup), samples[-1])
    last = samples[-1]
    growth = round(100 * (last["rss_mib"] - at_warmup["rss_mib"]) / at_warmup["rss_mib"], 2)
    return {
        "finished": finished,
        "requests": completed,
        "seconds": round(elapsed, 1),
        "rps": round(completed / elapsed, 1),
        "samples": samples,
        "rss_mib_warmup": at_warmup["rss_mib"],
        "rss_mib_warmup_at": at_warmup["requests"],
        "rss_mib_end": last["rss_mib"],
        "rss_mib_idle_2s": idle_rss,
        "rss_mib_peak": peak_rss,
        "growth_pct": growth,
        "target_pct": TARGET_GROWTH,
        "meets_target": finished and growth < TARGET_GROWTH,
        "endpoints": {
            e: {
                "requests": len(latencies[e]),
                "statuses": dict(sorted(statuses[e].items())),
                "p50_ms": round(percentile(latencies[e], 50), 2),
                "p99_ms": round(percentile(latencies[e], 99), 2),
            }
            for e in ENDPOINTS
        },
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--warmup", type=int, default=1_000, help="requests before the baseline")
    ap.add_argument("--sample-every", type=int, default=1_000)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--engine", choices=["llm", "offline"], default="llm")
    ap.add_argument("--provider-delay", type=float, default=0.05, help="fake model's seconds")
    ap.add_argument("--same-bodies", action="store_true", help="no per-request article line")
    ap.add_argument("--max-seconds", type=float, default=600.0, help="stop the soak after this")
    ap.add_argument("--json", action="store_true", help="JSON on stdout instead of markdown")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp, running([]) as servers:
        work = Path(tmp)
        env = {"FACTCHECK_ENGINE": args.engine}
        if args.engine == "llm":
            provider, env = start_fake_provider(work, args.provider_delay)
            servers.append(provider)
        factcheck = start_uvicorn(
            "factcheck", "service.api:create_app", workdir=work, env=env, factory=True
        )
        servers.append(factcheck)
        result = asyncio.run(soak(factcheck, args))
        problems = {s.name: s.problems() for s in servers}

    info = machine()
    report = {
        "machine": info,
        "params": {
            "requests": args.requests,
            "warmup": args.warmup,
            "concurrency": args.concurrency,
            "engine": args.engine,
            "provider_delay_s": args.provider_delay if args.engine == "llm" else None,
            "unique_bodies": not args.same_bodies,
        },
        **result,
        "server_log_problems": problems,
        "reproduce": reproduce("bench.soak", argv),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    engine = (
        f"llm -> fake provider ({args.provider_delay:g} s)" if args.engine == "llm" else "offline"
    )
    print(
        f"## Soak: {args.requests:,} requests, factcheck server RSS\n\n{machine_line(info)}\n"
        f"factcheck: uvicorn, 1 worker, engine {engine}; {args.concurrency} requests in flight "
        f"(httpx), cycling /quotes, /check + draft, /summarize; "
        f"{'the same article' if args.same_bodies else 'a unique article line per request'}. "
        f"{result['requests']:,} requests in {result['seconds']} s ({result['rps']} req/s)"
        f"{'' if result['finished'] else ' (STOPPED at --max-seconds)'}.\n"
    )
    print(
        table(
            ["requests done", "RSS MiB", "seconds"],
            [[f"{s['requests']:,}", s["rss_mib"], s["seconds"]] for s in result["samples"]],
        )
    )
    verdict = "meets" if report["meets_target"] else "MISSES"
    print(
        f"\nRSS growth from {result['rss_mib_warmup']} MiB (after {result['rss_mib_warmup_at']:,}"
        f" requests) to {result['rss_mib_end']} MiB: **{result['growth_pct']:+.1f}%**; "
        f"{verdict} the target < {TARGET_GROWTH:g}%. Peak (VmHWM) {result['rss_mib_peak']} MiB;"
        f" 2 s after the last request {result['rss_mib_idle_2s']} MiB.\n"
    )
    print(
        table(
            ["endpoint", "requests", "statuses", "p50 ms", "p99 ms"],
            [
                [
                    e,
                    r["requests"],
                    " ".join(f"{k}:{v}" for k, v in r["statuses"].items()),
                    r["p50_ms"],
                    r["p99_ms"],
                ]
                for e, r in result["endpoints"].items()
            ],
        )
    )
    for name, lines in problems.items():
        if lines:
            print(f"\n{name} log: {len(lines)} problem lines, first: {lines[0]}")
    print(f"\nReproduce: `{report['reproduce']}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
