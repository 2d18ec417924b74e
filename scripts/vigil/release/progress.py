"""How a release run shows where it is: a rich progress bar per stage on a terminal, one plain
line per finished stage otherwise (a CI log), or nothing (--quiet). Stages only call these."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


class Progress:
    """Silent: the interface every stage talks to."""

    def stage(self, name: str, total: int) -> None:
        """A stage starts; it has `total` steps."""

    def step(self, text: str) -> None:
        """What the current stage is doing now (the step and the model, suite or board)."""

    def advance(self) -> None:
        """One step of the current stage is done."""

    def done(self, summary: str) -> None:
        """The current stage is over; `summary` says what it found in a few words."""

    def close(self) -> None:
        pass


class PlainProgress(Progress):
    """One line per stage, for logs: `release: models: 3 models, 3 pass (41.2 s)`."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self._name, self._start = "", 0.0

    def stage(self, name: str, total: int) -> None:
        self._name, self._start = name, time.perf_counter()

    def done(self, summary: str) -> None:
        seconds = time.perf_counter() - self._start
        print(f"release: {self._name}: {summary} ({seconds:.1f} s)", file=self.stream, flush=True)


class RichProgress(Progress):
    """A bar per stage, its description naming the step and what it is on."""

    def __init__(self, console):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._bars.start()
        self._task = None
        self._name = ""

    def stage(self, name: str, total: int) -> None:
        self._name = name
        self._task = self._bars.add_task(f"[bold]{name}[/]", total=max(total, 1))

    def step(self, text: str) -> None:
        if self._task is not None:
            self._bars.update(self._task, description=f"[bold]{self._name}[/] {text}")

    def advance(self) -> None:
        if self._task is not None:
            self._bars.advance(self._task)

    def done(self, summary: str) -> None:
        if self._task is not None:
            total = next(t.total for t in self._bars.tasks if t.id == self._task)
            self._bars.update(self._task, completed=total, description=f"[bold]{self._name}[/] {summary}")
            self._task = None

    def close(self) -> None:
        self._bars.stop()
