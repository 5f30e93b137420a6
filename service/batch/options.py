"""What a batch run is asked to do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from ..models import DEFAULT_FAIL_ON, BatchOperation, Severity

OPERATIONS: tuple[BatchOperation, ...] = get_args(BatchOperation)


@dataclass(frozen=True, slots=True)
class CheckOptions:
    """How ``--operation check`` judges each line's draft (the same for every line)."""

    quotes_only: bool = False
    fail_on: tuple[Severity, ...] = DEFAULT_FAIL_ON


@dataclass(frozen=True, slots=True)
class BatchOptions:
    articles: Path
    output: Path
    operation: BatchOperation = "report"
    check: CheckOptions = CheckOptions()
    """--operation check: what makes a draft fail."""
    concurrency: int = 16
    processes: int = 1
    """Processes for the deterministic operations (the quotations, the offline engine)."""
    cluster: str | None = None
    """A Dask scheduler's address: the batch runs on its workers."""
    provider_batch: bool = False
    resume_batch: str | None = None
    poll_interval: float = 30.0
