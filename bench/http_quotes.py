"""``POST /quotes`` throughput over loopback HTTP, as a ratio to a bare litestar endpoint that
runs one regex over the same body (issue 2; target: factcheck/bare >= 0.5). Not a test.

    apt-get install -y wrk                     # Debian's wrk, the load generator
    .venv/bin/python -m bench.http_quotes      # markdown; ~75 s with the defaults
    .venv/bin/python -m bench.http_quotes --duration 20 --rounds 5 --json

In one run: factcheck (``service.api:create_app``) and the bare app (``bench.bare_app``)
are started as uvicorn subprocesses with the same flags (one worker, no access log, log
level warning) on two loopback ports. Each is checked once (factcheck must find the
sample's quotes), warmed up with wrk, then wrk POSTs the sample article (text/plain) to each
for ``--duration`` seconds, ``--rounds`` times, alternating which goes first. Reported per
server: requests/s and wrk's latency p50/p99 (median over rounds), non-2xx responses, and
the ratio factcheck/bare of requests/s, per round and of the round medians. wrk and the
servers share this machine's CPUs: the ratio, not the absolute numbers, is the result."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

from bench.loopback import (
    SAMPLE_ARTICLE,
    Server,
    WrkResult,
    machine,
    machine_line,
    reproduce,
    run_wrk,
    running,
    start_uvicorn,
    table,
    write_lua,
    wrk_path,
)

TARGET = 0.5


def _check(servers: dict[str, tuple[Server, str]], body: bytes) -> dict[str, Any]:
    """One request to each: both must answer 200, factcheck with the article's quotes."""
    seen: dict[str, Any] = {}
    with httpx.Client(trust_env=False, timeout=30) as client:
        for name, (server, path) in servers.items():
            r = client.post(server.url + path, content=body, headers={"content-type": "text/plain"})
            if r.status_code != 200:
                raise SystemExit(f"{name}: HTTP {r.status_code}: {r.text[:500]}")
            data = r.json()
            seen[name] = len(data["quotes"]) if name == "factcheck" else data["quotes"]
    if not seen["factcheck"]:
        raise SystemExit("factcheck found no quotes in the article: nothing worth timing")
    return seen


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--article", type=Path, default=SAMPLE_ARTICLE)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of wrk per server first")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--json", action="store_true", help="JSON on stdout instead of markdown")
    args = ap.parse_args(argv)
    wrk_path()
    body = args.article.read_bytes()
    runs: dict[str, list[WrkResult]] = {"factcheck": [], "bare": []}
    order_log: list[list[str]] = []

    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp, running([]) as servers:
        work = Path(tmp)
        env = {"FACTCHECK_ENGINE": "offline"}  # /quotes never calls a model; be sure
        factcheck = start_uvicorn(
            "factcheck", "service.api:create_app", workdir=work, env=env, factory=True
        )
        servers.append(factcheck)
        bare = start_uvicorn("bare", "bench.bare_app:app", workdir=work, env=env)
        servers.append(bare)
        targets = {"factcheck": (factcheck, "/quotes"), "bare": (bare, "/count")}
        found = _check(targets, body)
        scripts = {
            name: write_lua(work, name, path=path, content_type="text/plain", body=body)
            for name, (_, path) in targets.items()
        }

        def wrk(name: str, seconds: float) -> WrkResult:
            server, _ = targets[name]
            return run_wrk(
                server.url,
                scripts[name],
                threads=args.threads,
                connections=args.connections,
                seconds=seconds,
            )

        for name in targets:
            wrk(name, args.warmup)
        for r in range(args.rounds):
            order = ["factcheck", "bare"] if r % 2 == 0 else ["bare", "factcheck"]
            order_log.append(order)
            for name in order:
                result = wrk(name, args.duration)
                runs[name].append(result)
                print(
                    f"round {r + 1}/{args.rounds} {name}: {result.rps:,.0f} req/s",
                    file=sys.stderr,
                )
        problems = {s.name: s.problems() for s in servers}
        rss = {s.name: round(s.rss_kib() / 1024, 1) for s in servers}

    per_round = [
        round(f.rps / b.rps, 3) for f, b in zip(runs["factcheck"], runs["bare"], strict=True)
    ]
    summary: dict[str, dict[str, Any]] = {
        name: {
            "rps_median": statistics.median(r.rps for r in rs),
            "rps_runs": [r.rps for r in rs],
            "p50_ms_median": statistics.median(r.p50_ms for r in rs),
            "p99_ms_median": statistics.median(r.p99_ms for r in rs),
            "requests": sum(r.requests for r in rs),
            "non_2xx": sum(r.non_2xx for r in rs),
            "socket_errors": sum(sum(r.socket_errors.values()) for r in rs),
            "rss_mib_end": rss[name],
        }
        for name, rs in runs.items()
    }
    ratio = round(summary["factcheck"]["rps_median"] / summary["bare"]["rps_median"], 3)
    info = machine()
    report = {
        "machine": info,
        "article": str(args.article),
        "article_bytes": len(body),
        "quotes_found": found,
        "params": {
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "rounds": args.rounds,
            "threads": args.threads,
            "connections": args.connections,
            "order": order_log,
        },
        "servers": summary,
        "ratio_per_round": per_round,
        "ratio": ratio,
        "target": TARGET,
        "meets_target": ratio >= TARGET,
        "server_log_problems": problems,
        "wrk_command": runs["factcheck"][0].command if runs["factcheck"] else [],
        "reproduce": reproduce("bench.http_quotes", argv),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    rows = [
        [
            "factcheck `POST /quotes`" if name == "factcheck" else "bare regex `POST /count`",
            f"{s['rps_median']:,.0f}",
            " / ".join(f"{x:,.0f}" for x in s["rps_runs"]),
            s["p50_ms_median"],
            s["p99_ms_median"],
            f"{s['non_2xx']} / {s['socket_errors']}",
        ]
        for name, s in summary.items()
    ]
    print(
        f"## POST /quotes over loopback HTTP vs a bare one-regex endpoint\n\n"
        f"{machine_line(info)}\n"
        f"Body: {args.article.name} ({len(body):,} bytes, text/plain); factcheck found "
        f"{found['factcheck']} quotes, the regex {found['bare']}. wrk -t{args.threads} "
        f"-c{args.connections}, {args.duration:g} s per run after {args.warmup:g} s warm-up, "
        f"{args.rounds} rounds alternating the order; both servers uvicorn, 1 worker, "
        f"same flags.\n"
    )
    print(
        table(
            [
                "server",
                "req/s (median)",
                "req/s per round",
                "p50 ms",
                "p99 ms",
                "non-2xx / socket errors",
            ],
            rows,
        )
    )
    verdict = "meets" if ratio >= TARGET else "MISSES"
    print(
        f"\nRatio factcheck/bare: **{ratio:.2f}** (per round: "
        f"{', '.join(f'{x:.2f}' for x in per_round)}); {verdict} the target >= {TARGET}."
    )
    for name, lines in problems.items():
        if lines:
            print(f"\n{name} server log: {len(lines)} problem lines, first: {lines[0]}")
    print(f"\nReproduce: `{report['reproduce']}`")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
