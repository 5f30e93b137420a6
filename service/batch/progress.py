"""Progress on stderr: a bar on a terminal, otherwise only warnings and what the
provider's batch is doing, one line each."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar
from rich.text import Text


class Progress:
    """A progress bar on a terminal (done/total, failures, rate); elsewhere only warnings and
    what the provider's batch is doing, one line each."""

    def __init__(self, *, live: bool, stream: TextIO | None = None) -> None:
        self.live = live
        self._stream = stream
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._failed = 0
        self._last_status = ""

    @property
    def stream(self) -> TextIO:
        return self._stream or sys.stderr

    def phase(self, description: str, total: int | None) -> None:
        """A new bar (a terminal only)."""
        if not self.live:
            return
        bar = self._ensure_bar()
        if self._task is not None:
            bar.update(self._task, visible=False)
        self._failed = 0
        self._task = bar.add_task(description, total=total, failed=0)

    def advance(self, *, failed: bool) -> None:
        if self._bar is None or self._task is None:
            return
        self._failed += failed
        self._bar.update(self._task, advance=1, failed=self._failed)

    def status(self, line: str, completed: int, total: int | None) -> None:
        """Where the provider's batch stands: the bar on a terminal, else a line per change."""
        if self.live:
            bar = self._ensure_bar()
            if self._task is None:
                self._task = bar.add_task(line, total=total, failed=0)
            bar.update(self._task, description=line, completed=completed, total=total)
        elif line != self._last_status:
            self.say(line, prefix="")
        self._last_status = line

    def say(self, message: str, *, prefix: str = "warning: ") -> None:
        text = f"factcheck: {prefix}{message}"
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False, soft_wrap=True)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._task = None

    def _ensure_bar(self) -> Bar:
        if self._bar is None:
            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                _RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream, force_terminal=True, highlight=False),
                transient=False,
            )
            self._bar.start()
        return self._bar


class _RateColumn(ProgressColumn):
    """Articles (or requests) a second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f}/s")
