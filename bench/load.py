"""Load benchmark over loopback HTTP for ``/quotes``, ``/check`` and ``/summarize`` with the
LLM engine pointed at a fake provider (issue 4). Not a test.

    apt-get install -y wrk                     # Debian's wrk, the load generator
    .venv/bin/python -m bench.load             # markdown; ~80 s with the defaults
    .venv/bin/python -m bench.load --duration 20 --provider-delay 1 --connections 64 --json

Started as uvicorn subprocesses on loopback: the fake provider (``bench.fake_provider``,
answering after ``--provider-delay`` seconds) and factcheck (``service.api:create_app``, one
worker) with ``FACTCHECK_ENGINE=llm``, ``FACTCHECK_BASE_URL`` = the fake provider,
``FACTCHECK_PROVIDER_API_KEY=sk-fake``, ``FACTCHECK_MODEL=fake-model``,
``FACTCHECK_MAX_CONCURRENT_CALLS=--max-calls``, the answer cache at its default size.
Each scenario is checked with one request, warmed up, then driven by wrk (a Lua script;
``--threads``/``--connections``) for ``--duration`` seconds:

* ``/quotes``: the sample article as text/plain (deterministic, nothing cached);
* ``/check`` + draft: JSON ``{"text": article, "draft": examples/nato-draft.md}``
  (deterministic, nothing cached);
* ``/summarize`` cached: the same article every time; after the first request every answer
  comes from the service's answer cache (no model call);
* ``/summarize`` uncached: every request's article starts with a line unique to that request
  (made in wrk's Lua), so every request misses the cache and makes one model call;
* ``/check`` report (no draft) uncached: likewise, the full report, one model call each.

Reported per scenario: requests/s, wrk's latency p50/p99, status codes, and for the model
scenarios the provider's calls, the most calls it saw in flight at once (the service
should keep that at or below ``--max-calls``), and the calls still running at the provider
right after wrk closed all its connections ("calls left running": model calls of requests
whose client had gone, which the service should have cancelled). Between scenarios the
provider is let drain, so each scenario's numbers are its own."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.loopback import (
    MARKER,
    SAMPLE_ARTICLE,
    SAMPLE_DRAFT,
    Server,
    machine,
    machine_line,
    reproduce,
    run_wrk,
    running,
    start_fake_provider,
    start_uvicorn,
    table,
    write_lua,
    wrk_path,
)


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    content_type: str
    body: str
    model: bool
    """Whether requests may call the model (provider stats are reported)."""


def scenarios(article: str, draft: str) -> list[Scenario]:
    unique = f"Bench request {MARKER}.\n\n"
    return [
        Scenario("/quotes", "/quotes", "text/plain", article, model=False),
        Scenario(
            "/check + draft",
            "/check",
            "application/json",
            json.dumps({"text": article, "draft": draft}),
            model=False,
        ),
        Scenario("/summarize cached", "/summarize", "text/plain", article, model=True),
        Scenario("/summarize uncached", "/summarize", "text/plain", unique + article, model=True),
        Scenario(
            "/check report uncached",
            "/check",
            "application/json",
            json.dumps({"text": unique + article}),
            model=True,
        ),
    ]


def _probe(client: httpx.Client, server: Server, s: Scenario, token: str) -> dict[str, Any]:
    body = s.body.replace(MARKER, token).encode()
    r = client.post(server.url + s.path, content=body, headers={"content-type": s.content_type})
    if r.status_code != 200:
        raise SystemExit(f"{s.name}: HTTP {r.status_code}: {r.text[:500]}")
    data: dict[str, Any] = r.json()
    return data


def _drain(client: httpx.Client, provider: Server, limit_s: float) -> int:
    """Waits (at most ``limit_s``) until the provider has no call in flight; returns how
    many were in flight when called."""
    stats: dict[str, int] = client.get(provider.url + "/stats").json()
    first = stats["in_flight"]
    deadline = time.monotonic() + limit_s
    while stats["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.05)
        stats = client.get(provider.url + "/stats").json()
    return first


def _describe(data: dict[str, Any]) -> str:
    """What one response held, briefly (so the table shows the work was real)."""
    if "findings" in data:
        return f"{len(data['findings'])} findings {data['counts']}"
    engine = data.get("engine")
    if engine is None:
        return f"{len(data['quotes'])} quotes"
    calls = engine["usage"]["calls"]
    return f"engine {engine['engine']}, cached {engine['cached']}, calls {calls}, counts {data['counts']}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=float, default=10.0, help="seconds of wrk per scenario")
    ap.add_argument("--warmup", type=float, default=2.0, help="seconds of wrk before each")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--provider-delay", type=float, default=0.1, help="fake model's seconds")
    ap.add_argument("--max-calls", type=int, default=8, help="FACTCHECK_MAX_CONCURRENT_CALLS")
    ap.add_argument("--only", action="append", default=[], help="scenario names to run")
    ap.add_argument("--json", action="store_true", help="JSON on stdout instead of markdown")
    args = ap.parse_args(argv)
    wrk_path()
    article = SAMPLE_ARTICLE.read_text(encoding="utf-8")
    draft = SAMPLE_DRAFT.read_text(encoding="utf-8")
    chosen = [s for s in scenarios(article, draft) if not args.only or s.name in args.only]
    rows: list[dict[str, Any]] = []

    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp, running([]) as servers:
        work = Path(tmp)
        provider, env = start_fake_provider(work, args.provider_delay)
        servers.append(provider)
        env["FACTCHECK_MAX_CONCURRENT_CALLS"] = str(args.max_calls)
        factcheck = start_uvicorn(
            "factcheck", "service.api:create_app", workdir=work, env=env, factory=True
        )
        servers.append(factcheck)
        with httpx.Client(trust_env=False, timeout=60) as client:
            for i, s in enumerate(chosen):
                first = _describe(_probe(client, factcheck, s, f"probe-{i}-a"))
                second = _describe(_probe(client, factcheck, s, f"probe-{i}-b"))
                script = write_lua(
                    work, f"s{i}", path=s.path, content_type=s.content_type, body=s.body.encode()
                )

                def wrk(seconds: float, script: Path = script) -> Any:
                    return run_wrk(
                        factcheck.url,
                        script,
                        threads=args.threads,
                        connections=args.connections,
                        seconds=seconds,
                        timeout_s=max(10.0, 4 * args.provider_delay + 5),
                    )

                drain_s = 2 * args.provider_delay + 10
                wrk(args.warmup)
                _drain(client, provider, drain_s)
                client.post(provider.url + "/stats/reset")
                result = wrk(args.duration)
                # wrk has closed its connections: calls still in flight now are orphans,
                # model calls of requests whose client has gone.
                orphans = _drain(client, provider, drain_s)
                stats = client.get(provider.url + "/stats").json() if s.model else None
                if stats is not None:
                    stats["in_flight_after_clients_left"] = orphans
                print(f"{s.name}: {result.rps:,.1f} req/s", file=sys.stderr)
                rows.append(
                    {
                        "scenario": s.name,
                        "content_type": s.content_type,
                        "body_bytes": len(s.body.encode()),
                        "probe_first": first,
                        "probe_second": second,
                        **result.as_dict(),
                        "provider": stats,
                    }
                )
        problems = {s.name: s.problems() for s in servers}
        rss_mib = round(factcheck.rss_kib() / 1024, 1)

    info = machine()
    report = {
        "machine": info,
        "params": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "threads": args.threads,
            "connections": args.connections,
            "provider_delay_s": args.provider_delay,
            "max_concurrent_calls": args.max_calls,
        },
        "scenarios": rows,
        "factcheck_rss_mib_end": rss_mib,
        "server_log_problems": problems,
        "reproduce": reproduce("bench.load", argv),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(
        f"## Load over loopback HTTP: /quotes, /check, /summarize (fake provider)\n\n"
        f"{machine_line(info)}\n"
        f"factcheck: uvicorn, 1 worker, engine llm -> fake provider answering after "
        f"{args.provider_delay:g} s, FACTCHECK_MAX_CONCURRENT_CALLS={args.max_calls}. "
        f"wrk -t{args.threads} -c{args.connections}, {args.duration:g} s per scenario after "
        f"{args.warmup:g} s warm-up. Article: {SAMPLE_ARTICLE.name}; draft: "
        f"{SAMPLE_DRAFT.name}.\n"
    )
    print(
        table(
            [
                "scenario",
                "req/s",
                "p50 ms",
                "p99 ms",
                "requests",
                "statuses",
                "socket errors",
                "provider calls",
                "provider peak in flight",
                "calls left running",
            ],
            [
                [
                    r["scenario"],
                    f"{r['rps']:,.1f}",
                    r["p50_ms"],
                    r["p99_ms"],
                    r["requests"],
                    " ".join(f"{k}:{v}" for k, v in r["statuses"].items()),
                    sum(r["socket_errors"].values()),
                    r["provider"]["calls"] if r["provider"] else "-",
                    r["provider"]["peak_in_flight"] if r["provider"] else "-",
                    r["provider"]["in_flight_after_clients_left"] if r["provider"] else "-",
                ]
                for r in rows
            ],
        )
    )
    print("\nOne request of each before the run (first, then a second one):")
    for r in rows:
        print(f"- {r['scenario']}: {r['probe_first']}; then {r['probe_second']}")
    over = [
        r["scenario"]
        for r in rows
        if r["provider"] and r["provider"]["peak_in_flight"] > args.max_calls
    ]
    left = [
        f"{r['scenario']} ({r['provider']['in_flight_after_clients_left']})"
        for r in rows
        if r["provider"] and r["provider"]["in_flight_after_clients_left"]
    ]
    if left:
        print(
            "\n**Model calls outlive their clients**: calls still running at the provider after "
            f"wrk closed every connection: {', '.join(left)}."
        )
    if over:
        print(
            f"\n**Concurrency limit not respected**: the provider saw more than "
            f"{args.max_calls} calls in flight in: {', '.join(over)}."
        )
    for name, lines in problems.items():
        if lines:
            print(f"\n{name} log: {len(lines)} problem lines, first: {lines[0]}")
    print(f"\nfactcheck RSS at the end: {rss_mib} MiB")
    print(f"\nReproduce: `{report['reproduce']}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
