"""A batch on a Dask distributed cluster: the input read in parts, each part a task, the
results written as the tasks come back.

Nothing is lost or written twice: a line is written only by this process, once, when its
part's task comes back, and a task whose worker dies is run again by the scheduler on
another worker (up to its ``allowed-failures``). A run that stops (this process killed, the
cluster gone) is resumed like any batch: the ids written are skipped.

Operations that call a model hold the run's concurrency across the whole cluster: each task
makes at most ``per_task`` calls at once and at most ``concurrency // per_task`` tasks are in
flight, whatever the number of workers. The spend budget is the settings' (in Redis with
FACTCHECK_REDIS_URL, which every worker then shares)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import TYPE_CHECKING

from ..errors import ClusterError
from ..models import BatchOperation
from ..settings import Settings
from . import work
from .input import Item
from .results import Outcome, Results

if TYPE_CHECKING:
    from distributed import Client, Future

PART = 64
"""Items per task: large enough that the scheduler's cost per task (about a millisecond) is
small against the work, small enough that a dead worker costs little to redo."""
CONNECT_SECONDS = 10.0


def run_cluster(
    address: str,
    operation: BatchOperation,
    concurrency: int,
    settings: Settings,
    items: Iterator[Item],
    results: Results,
    *,
    part: int = PART,
) -> None:
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--cluster needs dask and distributed: pip install 'factcheck[cluster]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"no Dask scheduler answers at {address}: {exc}") from None
    with client:
        _run(client, operation, concurrency, settings, items, results, part)


def _run(
    client: Client,
    operation: BatchOperation,
    concurrency: int,
    settings: Settings,
    items: Iterator[Item],
    results: Results,
    part: int,
) -> None:
    from distributed import KilledWorker, as_completed

    workers = max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
    if work.is_deterministic(operation, settings):
        in_flight = 4 * workers  # enough that no worker waits for the next part

        def submit(items: list[Item]) -> Future[list[Outcome]]:
            return client.submit(work.deterministic_part, operation, settings, items, pure=False)
    else:
        per_task = max(1, min(part, concurrency // workers))
        in_flight = max(1, concurrency // per_task)

        def submit(items: list[Item]) -> Future[list[Outcome]]:
            return client.submit(work.live_part, operation, settings, items, per_task, pure=False)

    queued = work.parts(items, part)
    first = [submit(chunk) for chunk in islice(queued, in_flight)]
    if not first:
        return
    running = as_completed(first)
    for future in running:
        try:
            outcomes = future.result()
        except KilledWorker as exc:
            raise ClusterError(f"the cluster lost a part of the batch: {exc}") from None
        for outcome in outcomes:
            results.record(outcome)
        chunk = next(queued, [])
        if chunk:
            running.add(submit(chunk))
