"""``--provider-batch``: the model's work through OpenAI's Batch API (upload the requests,
poll, download), then every answer grounded here as the live path grounds it.

An article is planned as the live path plans it, and its requests are the ones a live call
sends (:func:`~service.analysis.part_request`): one per part, ``custom_id`` the article's id,
or ``"<id>#<n>"`` (1-based) for the parts of a long one. The answers are read by the live
path's :func:`~service.llm.read_completion`, merged as it merges them, and checked by the
pipeline's own functions. The Batch API allows no repair round, so an answer that is not
valid JSON is a per-item error (a plain re-run retries it, with the repair).
``--resume-batch`` plans the same input with the same settings again to map the answers
back, so keep both unchanged between submitting and resuming."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import openai
from openai.types import Batch
from openai.types.chat import ChatCompletion
from pydantic import ValidationError

from ..analysis import PROMPT, Analysis, engine_info, merge, part_request, plan_parts
from ..errors import (
    FactcheckError,
    InputError,
    InvalidAnswerError,
    InvalidRequestError,
    ModelOutputError,
    ProviderError,
    ProviderTimeoutError,
)
from ..llm import (
    CallUsage,
    openai_client,
    provider_failures,
    read_completion,
    status_error,
    usage_of,
)
from ..models import (
    BatchOperation,
    ClaimsOut,
    EngineInfo,
    ModelAnalysis,
    ReportOut,
    SummarizeOut,
)
from ..pipeline import claims_of, ground, report_of, summary_of
from ..prompts import load_prompt
from ..settings import Settings
from ..verify import ArticleIndex
from .input import Item, items, read
from .options import BatchOptions
from .progress import Progress
from .results import Results

ENDPOINT: Final = "/v1/chat/completions"
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""Batch statuses after which nothing more will be answered."""
UPLOAD_TIMEOUT = 600.0
_PART_SUFFIX = "#"

Grounded = ReportOut | SummarizeOut | ClaimsOut
GROUNDING: dict[BatchOperation, Callable[[ArticleIndex, Analysis], Grounded]] = {
    "report": report_of,
    "summarize": summary_of,
    "claims": claims_of,
}
"""What the live path does with the model's answer, for each operation that asks one."""


@dataclass(slots=True)
class _Submitted:
    """The article of input line ``line``, sent as ``custom_ids`` (one per part). Only this
    is kept while the batch runs; the article is read again to be checked."""

    line: int
    custom_ids: list[str]


@dataclass(slots=True)
class _Answer:
    analysis: ModelAnalysis | None = None
    error: FactcheckError | None = None
    usage: CallUsage = field(default_factory=CallUsage)


async def run_provider_batch(
    options: BatchOptions,
    settings: Settings,
    to_send: Iterator[Item],
    results: Results,
    progress: Progress,
    to_do: int,
) -> None:
    progress.phase("preparing requests", to_do)
    with tempfile.TemporaryDirectory(prefix="factcheck-batch-") as tmp:
        requests_file = Path(tmp) / f"{options.articles.stem}-requests.jsonl"
        planned = await _prepare(to_send, settings, results, requests_file)
        if not planned:
            return
        client = openai_client(settings)
        try:
            if options.resume_batch:
                with provider_failures(settings, f"batch {options.resume_batch}"):
                    batch = await client.batches.retrieve(options.resume_batch)
                _check_resumed(batch, settings, options.operation, progress)
            else:
                with provider_failures(settings, "uploading the requests", timeout=UPLOAD_TIMEOUT):
                    uploaded = await client.files.create(
                        file=requests_file, purpose="batch", timeout=UPLOAD_TIMEOUT
                    )
                with provider_failures(settings, "creating the batch"):
                    batch = await client.batches.create(
                        input_file_id=uploaded.id,
                        endpoint=ENDPOINT,
                        completion_window="24h",
                        metadata=_metadata(settings, options.operation),
                    )
                progress.say(
                    f"submitted batch {batch.id} ({len(planned)} articles); if this run stops, "
                    f"pick it up with --resume-batch {batch.id}",
                    prefix="",
                )
            progress.phase(f"batch {batch.id}", None)
            try:
                batch = await _wait(client, batch.id, settings, options.poll_interval, progress)
            except (asyncio.CancelledError, KeyboardInterrupt):
                progress.say(
                    f"batch {batch.id} goes on at the provider; pick it up with "
                    f"--resume-batch {batch.id}",
                    prefix="",
                )
                raise
            output = await _download(client, batch.output_file_id, settings)
            errors = await _download(client, batch.error_file_id, settings)
        finally:
            await client.close()
    answers = _answers(output + errors, settings, progress)
    progress.phase("checking answers", len(planned))
    again = items(options.articles, settings.max_body_bytes)
    await _ground(again, planned, answers, batch, settings, options.operation, results)


# -- the requests --------------------------------------------------------------------------


async def _prepare(
    to_send: Iterator[Item],
    settings: Settings,
    results: Results,
    requests_file: Path,
) -> dict[str, _Submitted]:
    """Every item's requests written to ``requests_file``; items that cannot be sent are
    recorded as failed here. The same input and settings give the same requests, which is
    how ``--resume-batch`` maps the answers back."""
    planned: dict[str, _Submitted] = {}
    taken: set[str] = set()
    with requests_file.open("w", encoding="utf-8", newline="\n") as out:
        for item in to_send:
            assert item.payload is not None and item.key is not None
            try:
                plan = plan_parts(settings, await read(item.payload))
            except Exception as exc:
                results.failed(item, exc)
                continue
            ids = _custom_ids(item.key, len(plan.parts))
            clash = next((c for c in ids if c in taken), None)
            if clash is not None:
                results.failed(
                    item,
                    InvalidRequestError(
                        f"its request id {clash!r} is another article's (an id ending in "
                        f"'#<n>' names a part of a long article in a provider batch); "
                        "rename it, or run without --provider-batch"
                    ),
                )
                continue
            taken.update(ids)
            for i, custom_id in enumerate(ids):
                request = {
                    "custom_id": custom_id,
                    "method": "POST",
                    "url": ENDPOINT,
                    "body": part_request(settings, plan, i),
                }
                out.write(json.dumps(request, ensure_ascii=False) + "\n")
            planned[item.key] = _Submitted(item.line, ids)
            results.tick()
    return planned


def _custom_ids(key: str, parts: int) -> list[str]:
    if parts == 1:
        return [key]
    return [f"{key}{_PART_SUFFIX}{i}" for i in range(1, parts + 1)]


def _metadata(settings: Settings, operation: BatchOperation) -> dict[str, str]:
    return {
        "factcheck_operation": operation,
        "factcheck_model": settings.model[:500],
        "factcheck_prompt": load_prompt(PROMPT).ref,
    }


def _check_resumed(
    batch: Batch, settings: Settings, operation: BatchOperation, progress: Progress
) -> None:
    if batch.endpoint != ENDPOINT:
        raise InputError(
            f"batch {batch.id} is for {batch.endpoint}, not {ENDPOINT}: not a factcheck batch"
        )
    meta = batch.metadata or {}
    for key, now in _metadata(settings, operation).items():
        then = meta.get(key)
        if then is not None and then != now:
            progress.say(
                f"batch {batch.id} was submitted with {key.removeprefix('factcheck_')} "
                f"{then!r}, this run uses {now!r}"
            )


# -- the batch at the provider -------------------------------------------------------------


def _batch_line(batch: Batch) -> str:
    counts = batch.request_counts
    done = (
        f", {counts.completed + counts.failed}/{counts.total} requests answered" if counts else ""
    )
    failed = f", {counts.failed} failed" if counts and counts.failed else ""
    return f"batch {batch.id}: {batch.status}{done}{failed}"


async def _wait(
    client: openai.AsyncOpenAI,
    batch_id: str,
    settings: Settings,
    interval: float,
    progress: Progress,
) -> Batch:
    """The batch once it has finished (completed, failed, expired or cancelled)."""
    while True:
        with provider_failures(settings, f"batch {batch_id}"):
            batch = await client.batches.retrieve(batch_id)
        counts = batch.request_counts
        progress.status(
            _batch_line(batch),
            (counts.completed + counts.failed) if counts else 0,
            counts.total if counts and counts.total else None,
        )
        if batch.status in TERMINAL:
            return batch
        await asyncio.sleep(interval)


async def _download(
    client: openai.AsyncOpenAI, file_id: str | None, settings: Settings
) -> list[str]:
    if not file_id:
        return []
    with provider_failures(settings, f"file {file_id}"):
        content = await client.files.content(file_id)
    return content.text.splitlines()


# -- the answers ---------------------------------------------------------------------------


def _answers(lines: list[str], settings: Settings, progress: Progress) -> dict[str, _Answer]:
    answers: dict[str, _Answer] = {}
    for line in lines:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            progress.say("the batch's output has a line that is not JSON; ignored")
            continue
        if isinstance(obj, dict) and isinstance(obj.get("custom_id"), str):
            answers[obj["custom_id"]] = _answer(obj, settings)
    return answers


def _answer(obj: dict[str, Any], settings: Settings) -> _Answer:
    """One line of the batch's output or error file as an answer or a per-item error, read
    as the live path reads a completion."""
    error = obj.get("error")
    if isinstance(error, dict):
        return _Answer(error=_failure(error.get("code"), str(error.get("message") or "")))
    response = obj.get("response")
    status = response.get("status_code") if isinstance(response, dict) else None
    if not isinstance(response, dict) or not isinstance(status, int):
        return _Answer(error=ProviderError("the Batch API returned neither answer nor error"))
    body = response.get("body")
    if status != 200:
        message = ""
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = str(body["error"].get("message") or "")
        return _Answer(error=status_error(status, message))
    try:
        completion = ChatCompletion.model_validate(body)
    except ValidationError:
        return _Answer(error=ModelOutputError("the Batch API returned a malformed chat completion"))
    usage = usage_of(completion)
    try:
        return _Answer(read_completion(completion, ModelAnalysis, settings), usage=usage)
    except InvalidAnswerError as exc:
        detail = (
            f"{exc.detail} (a provider batch has no repair round; a re-run without "
            "--provider-batch retries it with one)"
        )
        return _Answer(error=ModelOutputError(detail), usage=usage)
    except ModelOutputError as exc:
        return _Answer(error=exc, usage=usage)


def _failure(code: str | None, message: str) -> FactcheckError:
    if code == "batch_expired":
        return ProviderTimeoutError(
            "the batch expired (24 h) before this request was answered; run again"
        )
    return ProviderError(f"the Batch API failed this request: {code or 'error'}: {message}")


async def _ground(
    again: Iterator[Item],
    planned: dict[str, _Submitted],
    answers: dict[str, _Answer],
    batch: Batch,
    settings: Settings,
    operation: BatchOperation,
    results: Results,
) -> None:
    """Every answer checked against its article by the pipeline's own function."""
    step = GROUNDING[operation]
    why = f"the batch {batch.id} {batch.status} without answering this article"
    if batch.status == "completed":
        why = (
            f"the batch {batch.id} has no answer for this article (was it submitted with "
            "other input or settings?)"
        )
    elif batch.status == "failed" and batch.errors and batch.errors.data:
        messages = "; ".join(e.message or e.code or "error" for e in batch.errors.data[:3])
        why = f"the batch {batch.id} failed: {messages}"
    for item in again:
        submitted = planned.get(item.key or "")
        if submitted is None or submitted.line != item.line or item.payload is None:
            continue
        got = [answers.get(c) for c in submitted.custom_ids]
        parts = [a for a in got if a is not None]
        if len(parts) < len(got):
            results.failed(item, ProviderError(why))
            continue
        failed = next((a.error for a in parts if a.error is not None), None)
        if failed is not None:
            results.failed(item, failed)
            continue
        usage = CallUsage()
        for a in parts:
            usage.add(a.usage)
        merged = merge([a.analysis for a in parts if a.analysis is not None])
        analysis = Analysis(merged, _engine(settings, len(parts), usage, batch.id))
        try:
            out = await ground(await read(item.payload), analysis, step)
        except Exception as exc:
            results.failed(item, exc)
        else:
            results.ok(item, out)


def _engine(settings: Settings, parts: int, usage: CallUsage, batch_id: str) -> EngineInfo:
    return engine_info(
        settings,
        load_prompt(PROMPT).ref,
        parts,
        usage,
        notice=f"Answered through the provider's Batch API (batch {batch_id}); the cost "
        "estimate uses the configured live prices.",
    )
