"""The progress bar of `batch` and `annotate` (rich, on stderr): clips done of total, errors so far, elapsed, ETA."""

from __future__ import annotations

from typing import Any

from emoreason.records.base import Record


class BatchProgress:
    """Context manager that shows a progress bar while a batch runs (nothing when disabled)."""

    def __init__(self, *, enabled: bool = True, label: str = "batch") -> None:
        self.enabled = enabled
        self.label = label
        self._progress: Any = None
        self._task: Any = None
        self.errors = 0

    def __enter__(self) -> BatchProgress:
        return self

    def _open(self) -> None:
        """Show the bar (only once the clips are known: an early error then prints nothing before it)."""
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn(f"[bold]{self.label}[/]"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=Console(stderr=True), transient=False,
        )
        self._progress.start()

    def start(self, todo: int, resumed: int) -> None:
        """Begin counting `todo` clips (`resumed` were finished by an earlier run)."""
        if self.enabled and self._progress is None:
            self._open()
        if self._progress is not None:
            note = f"{resumed} resumed" if resumed else ""
            self._task = self._progress.add_task(self.label, total=todo, status=note)

    def advance(self, record: Record) -> None:
        """One more clip is on disk (a record whose ``status`` is ``error`` counts as an error)."""
        self.errors += getattr(getattr(record, "status", None), "value", None) == "error"
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, status=f"{self.errors} error(s)" if self.errors else "")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
