"""Progress shown while long work runs: one transient display per command, phase by phase."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

T = TypeVar("T")


class Steps:
    """A spinner for phases of unknown length and a bar for loops; shown on stderr when it is a
    terminal, cleared when done, and silent when disabled (``--json``, tests, benchmarks)."""

    def __init__(self, enabled: bool) -> None:
        console = Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), transient=True, console=console,
            disable=not (enabled and console.is_terminal),
        )
        self._task: TaskID | None = None

    def __enter__(self) -> Steps:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._progress.stop()

    def phase(self, description: str) -> None:
        """Start a phase of unknown length (the previous one is done)."""
        self._done()
        self._task = self._progress.add_task(description, total=None)

    def track(self, items: Sequence[T], description: str, step: int = 1000) -> Iterator[T]:
        """Iterate ``items`` showing a bar (advanced every ``step`` items)."""
        self._done()
        task = self._progress.add_task(description, total=len(items))
        self._task = task
        for i, item in enumerate(items, 1):
            yield item
            if i % step == 0:
                self._progress.update(task, completed=i)
        self._progress.update(task, completed=len(items))

    def _done(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
            self._task = None


def each(steps: Steps | None, items: Sequence[T], description: str) -> Iterable[T]:
    """``steps.track`` when there is a display, else the items themselves."""
    return items if steps is None else steps.track(items, description)
