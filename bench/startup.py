"""How long the CLI takes to start and answer, against the interpreter's own start-up.

``python -m bench.startup [--runs N] [--checkout DIR]``: each round runs ``python -c pass``
and the commands below, one after the other, in a fresh process each (the order rotates
between rounds), and times their wall clock. It prints the median of each and its ratio to
the median of ``python -c pass`` in the same run, so that a loaded or a fast machine moves
both. The commands are the console script next to this interpreter (``factcheck``), on the
sample article: ``quotes`` and ``check --draft``, which ask no model. ``--checkout DIR``
times the same commands on the code of another checkout (``git worktree add DIR COMMIT``)
in the same rounds, with this interpreter and its packages."""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "nato-stoltenberg-2024-05-08.txt"
DRAFT = ROOT / "examples" / "nato-draft.md"


def _factcheck() -> list[str]:
    script = Path(sys.executable).with_name("factcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "service.cli"]


Run = tuple[list[str], Path | None]
"""A command, and the checkout whose code it runs (None: this one)."""


def commands(checkouts: list[Path]) -> dict[str, Run]:
    factcheck = _factcheck()
    runs: dict[str, Run] = {"python -c pass": ([sys.executable, "-c", "pass"], None)}
    for code in [None, *checkouts]:
        where = "" if code is None else f" ({code.name})"
        runs[f"factcheck quotes SAMPLE{where}"] = ([*factcheck, "quotes", str(SAMPLE)], code)
        runs[f"factcheck check SAMPLE --draft DRAFT{where}"] = (
            [*factcheck, "check", str(SAMPLE), "--draft", str(DRAFT)],
            code,
        )
    return runs


def wall(run: Run) -> float:
    argv, code = run
    env = None if code is None else {**os.environ, "PYTHONPATH": str(code)}
    started = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=code or ROOT, env=env
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the draft has findings, as it should
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds (default 15)")
    parser.add_argument(
        "--checkout", type=Path, action="append", default=[], help="another checkout to time"
    )
    args = parser.parse_args()
    runs = commands([c.resolve() for c in args.checkout])
    names = list(runs)
    for run in runs.values():  # warm-up: the file cache and the bytecode cache
        wall(run)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(args.runs):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            times[name].append(wall(runs[name]))
    base = statistics.median(times[names[0]])
    print(f"{args.runs} runs each, order rotated; median wall time and ratio to the first row")
    print(f"{'command':<52} {'median':>9} {'min':>9} {'max':>9} {'ratio':>6}")
    for name in names:
        t = times[name]
        median = statistics.median(t)
        print(
            f"{name:<52} {median * 1e3:7.1f}ms {min(t) * 1e3:7.1f}ms {max(t) * 1e3:7.1f}ms "
            f"{median / base:6.1f}"
        )


if __name__ == "__main__":
    main()
