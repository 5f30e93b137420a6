"""Beyond one core: ``factcheck batch --operation quotes`` over the PolNeAR train split in one
process, in two, and on a ``distributed.LocalCluster`` of two worker processes; and the
provider calls that N identical ``/summarize`` requests make across two replicas sharing a
Redis.

    .venv/bin/python -m bench.scale [--rounds 3] [--requests 20]

The batch configurations run in rotating order, ``--rounds`` times each, and the median of
each is reported with its ratio to one process in the same run; every run's results are
checked against one process's (the same bytes, in input order; the cluster's in any order).
The cluster is started before the rounds (a cluster is started once, not per batch); the
pool's start-up is inside its runs. The overhead per article of the cluster path is its
wall time times its workers over the articles, less one process's time per article: what
each article costs the cluster on top of the work itself. The load average is printed before
and after: on a loaded machine the ratios are low, run it again on a quiet one.

The replicas part starts Debian's ``redis-server``, the fake provider (``bench/fake_provider.py``,
which counts its calls) and two service processes, all on loopback."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from service.batch import BatchOptions, run_batch
from service.settings import Settings

from .loopback import (
    HOST,
    Server,
    free_port,
    reproduce,
    running,
    start_fake_provider,
    start_uvicorn,
    table,
)

TRAIN = Path("../shared/data/polnear-train/text")


def corpus(workdir: Path) -> tuple[Path, int]:
    src = workdir / "train.jsonl"
    files = sorted(TRAIN.glob("*.txt"))
    with src.open("w", encoding="utf-8") as f:
        for path in files:
            f.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}) + "\n")
    return src, len(files)


def batch_run(src: Path, out: Path, *, processes: int = 1, cluster: str | None = None) -> float:
    """Seconds for one whole batch command (its reading, pool and writing included)."""
    out.unlink(missing_ok=True)
    options = BatchOptions(
        articles=src, output=out, operation="quotes", processes=processes, cluster=cluster
    )
    started = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        status = run_batch(options, Settings(engine="offline"), None, live_progress=False)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"the batch failed: {out}")
    return elapsed


def batches(rounds: int, workdir: Path) -> str:
    from distributed import LocalCluster

    src, n = corpus(workdir)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host=HOST, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        configs: dict[str, Callable[[Path], float]] = {
            "1 process": lambda out: batch_run(src, out),
            "2 processes": lambda out: batch_run(src, out, processes=2),
            "LocalCluster, 2 workers": lambda out: batch_run(src, out, cluster=address),
        }
        names = list(configs)
        times: dict[str, list[float]] = {name: [] for name in names}
        outputs = {name: workdir / f"out-{i}.jsonl" for i, name in enumerate(names)}
        batch_run(src, workdir / "warm-up.jsonl", cluster=address)  # the workers' imports
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                times[name].append(configs[name](outputs[name]))
                one = outputs[names[0]]
                if one.exists() and outputs[name] != one:
                    _same(one, outputs[name], ordered=name != names[2])
    base = statistics.median(times[names[0]])
    rows = []
    for name in names:
        median = statistics.median(times[name])
        rows.append([name, f"{n / median:.1f}", f"{median:.2f} s", f"{base / median:.2f}×"])
    cluster_s = statistics.median(times[names[2]])
    overhead = (cluster_s * 2 - base) / n * 1000
    return (
        table(["batch (--operation quotes)", "articles/s", "median", "× one process"], rows)
        + f"\n\n{n} articles, {rounds} rounds; cluster path overhead: {overhead:.2f} ms an "
        f"article (its time × 2 workers / articles, less one process's {base / n * 1000:.2f} ms)"
    )


def _same(one: Path, other: Path, *, ordered: bool) -> None:
    a, b = one.read_bytes().splitlines(), other.read_bytes().splitlines()
    if (a if ordered else sorted(a)) != (b if ordered else sorted(b)):
        raise RuntimeError(f"{other} differs from one process's results {one}")


def replicas(requests: int, workdir: Path) -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        return "replicas: skipped, no redis-server (apt-get install -y redis-server)"
    port = free_port()
    redis_proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        with running([]) as servers:
            provider, env = start_fake_provider(workdir, delay=0.1)
            servers.append(provider)
            env["FACTCHECK_REDIS_URL"] = f"redis://{HOST}:{port}/0"
            replicas: list[Server] = []
            for i in range(2):
                replicas.append(
                    start_uvicorn(f"replica-{i}", "service.api:app", workdir=workdir, env=env)
                )
                servers.append(replicas[-1])
            article = (
                Path(__file__).resolve().parents[1] / "examples/nato-stoltenberg-2024-05-08.txt"
            ).read_text(encoding="utf-8")
            statuses = []
            with httpx.Client(trust_env=False, timeout=60) as client:
                for i in range(requests):
                    r = client.post(replicas[i % 2].url + "/summarize", json={"text": article})
                    statuses.append(r.status_code)
                calls = client.get(provider.url + "/stats").json()["calls"]
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=30)
    ok = sum(s == 200 for s in statuses)
    return (
        f"{requests} identical /summarize requests, alternating between 2 replicas on one "
        f"Redis: {ok} answered 200, {calls} provider call{'s' if calls != 1 else ''} in all"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=20)
    args = ap.parse_args(argv)
    print(reproduce("bench.scale", argv or []))
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        print(batches(args.rounds, Path(tmp)))
        print(replicas(args.requests, Path(tmp)))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
