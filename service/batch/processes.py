"""The deterministic operations on every core: a pool of processes, each loading the speaker
model once, fed parts of the input in order and read back in order, so that the results file
is the one a single process writes, byte for byte."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor

from ..models import BatchOperation
from ..settings import Settings
from . import work
from .input import Item
from .results import Outcome, Results

PART = 16
"""Items sent to a process at a time: enough to make the cost of sending them small."""
AHEAD = 4
"""Parts in flight per process: the pool never waits for the reader, and the input is read
as it goes rather than all at once."""


def run_processes(
    operation: BatchOperation,
    processes: int,
    settings: Settings,
    items: Iterator[Item],
    results: Results,
) -> None:
    """Every item through ``operation`` on ``processes`` processes (in this one for 1)."""
    if processes <= 1:
        work.warm_up()
        for item in items:
            results.record(work.outcome(operation, settings, item))
        return
    # Forked after the model is loaded here, the processes start with it in memory (shared
    # until written), and in milliseconds: a pool that imports and loads again costs half a
    # second, a third of a PolNeAR-sized run. The initializer loads it where fork is missing.
    work.warm_up()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=work.start, initargs=(operation, settings)
    ) as pool:
        pending: deque[Future[list[Outcome]]] = deque()
        for part in work.parts(items, PART):
            pending.append(pool.submit(work.pooled, part))
            if len(pending) >= AHEAD * processes:
                _write(pending.popleft(), results)
        while pending:
            _write(pending.popleft(), results)


def _write(future: Future[list[Outcome]], results: Results) -> None:
    for outcome in future.result():
        results.record(outcome)
