"""The command: check the paths and what an earlier run left, then run the live path or the
provider's Batch API over the lines still to do, and say what was done."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..analysis import PROMPT
from ..errors import ConfigurationError, InputError, ProviderError
from ..prompts import load_prompt
from ..settings import Settings
from .cluster import run_cluster
from .input import Item, items, scan
from .live import run_live
from .options import BatchOptions
from .processes import PART, run_processes
from .progress import Progress
from .provider import run_provider_batch
from .results import Previous, Results, Tally, compact, results_state
from .work import is_deterministic

if TYPE_CHECKING:
    from ..analysis import Analyzer


def run_batch(
    options: BatchOptions,
    settings: Settings,
    make_analyzer: Callable[[Settings], Analyzer] | None,
    *,
    live_progress: bool,
) -> int:
    """The whole command: 0 when every line is ok, 1 when any failed (or, for ``check``,
    when any draft fails its check, in this run or an earlier one). A usage error (a
    missing file, a results file of another operation) raises before anything is written; a
    failure of the provider as a whole (upload, batch creation) raises a
    :class:`~service.errors.ProviderError` after the lines already done are written."""
    _check_paths(options)
    if options.provider_batch and not settings.use_llm:
        raise ConfigurationError(
            "--provider-batch needs the llm engine: set OPENAI_API_KEY (or OPENAI_BASE_URL)"
        )
    if options.provider_batch and options.operation in ("quotes", "check"):
        raise InputError(
            f"--provider-batch: the {options.operation} operation asks no model; run it without"
        )
    if options.provider_batch and options.cluster is not None:
        raise InputError("--provider-batch and --cluster: choose one")
    load_prompt(PROMPT)  # a broken prompt template is one error, not one per article
    previous = results_state(options.output)
    others = sorted(previous.operations - {options.operation})
    if others:
        raise InputError(
            f"{options.output} holds {', '.join(others)} results; write "
            f"{options.operation} results to another file"
        )
    progress = Progress(live=live_progress)
    plan = scan(options.articles, previous.done)
    if previous.rewrite:
        compact(options.output, plan.keys, progress.say)
    tally = Tally(lines=plan.lines)
    stopped = True
    try:
        _run(options, settings, make_analyzer, previous, plan.to_do, progress, tally)
        stopped = False
    except ProviderError as exc:
        raise type(exc)(settings.redact(exc.detail)) from None
    finally:
        progress.close()
        print(tally.summary(options.output, stopped=stopped), file=sys.stderr, flush=True)
    return tally.exit_status


def _run(
    options: BatchOptions,
    settings: Settings,
    make_analyzer: Callable[[Settings], Analyzer] | None,
    previous: Previous,
    to_do: int,
    progress: Progress,
    tally: Tally,
) -> None:
    results = Results(options.output, options.operation, settings, tally, progress)
    check = options.check if options.operation == "check" else None
    fresh = _fresh(
        items(options.articles, settings.max_body_bytes, check),
        previous,
        tally,
        progress,
        str(options.articles),
    )
    try:
        if options.provider_batch:
            asyncio.run(
                run_provider_batch(
                    options, settings, _recorded(fresh, results), results, progress, to_do
                )
            )
            return
        progress.phase(options.operation, to_do)
        if options.cluster is not None:
            run_cluster(
                options.cluster, options.operation, options.concurrency, settings, fresh, results
            )
        elif is_deterministic(options.operation, settings):
            processes = min(options.processes, max(1, to_do // PART))
            run_processes(options.operation, processes, settings, fresh, results)
        else:
            asyncio.run(_live(options, settings, make_analyzer, _recorded(fresh, results), results))
    finally:
        results.close()


async def _live(
    options: BatchOptions,
    settings: Settings,
    make_analyzer: Callable[[Settings], Analyzer] | None,
    fresh: Iterator[Item],
    results: Results,
) -> None:
    analyzer = make_analyzer(settings) if make_analyzer is not None else None
    try:
        await run_live(options.operation, options.concurrency, settings, analyzer, fresh, results)
    finally:
        if analyzer is not None:
            await analyzer.close()


def _fresh(
    items: Iterator[Item],
    previous: Previous,
    tally: Tally,
    progress: Progress,
    name: str,
) -> Iterator[Item]:
    """The items to process, lines that cannot be read included (their error is their
    result): ids already done are skipped, and a repeated id is processed once, with a
    warning."""
    first: dict[str, int] = {}
    for item in items:
        key = item.key
        if key is not None and key in first:
            tally.duplicates += 1
            progress.say(
                f"{name}:{item.line}: duplicate id {json.dumps(item.id)} "
                f"(first on line {first[key]}): processed once"
            )
            continue
        if key is not None:
            first[key] = item.line
        if key is not None and key in previous.done:
            tally.skipped += 1
            tally.flagged += key in previous.flagged
            continue
        yield item


def _recorded(items: Iterator[Item], results: Results) -> Iterator[Item]:
    """The readable items; the error of each other one recorded on the way."""
    for item in items:
        if item.error is not None:
            results.failed(item, item.error)
        else:
            yield item


def _check_paths(options: BatchOptions) -> None:
    src = options.articles
    if not src.exists():
        raise InputError(f"{src}: no such file")
    if not src.is_file():
        raise InputError(f"{src}: not a regular file")
    out = options.output
    if out.exists() and not out.is_file():
        raise InputError(f"{out}: not a regular file")
    if out.exists() and out.resolve() == src.resolve():
        raise InputError(f"{out}: the results file cannot be the input file")
    if not out.parent.exists():
        raise InputError(f"{out.parent}: no such directory")
