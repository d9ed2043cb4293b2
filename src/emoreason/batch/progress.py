"""The batch progress bar (rich, on stderr): clips done of total, ok/errors so far, elapsed, ETA."""

from __future__ import annotations

from typing import Any

from emoreason.batch.records import ClipRecord, ClipStatus


class BatchProgress:
    """Context manager that shows a progress bar while a batch runs (nothing when disabled)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None
        self._task: Any = None
        self.errors = 0

    def __enter__(self) -> BatchProgress:
        if self.enabled:
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
                TextColumn("[bold]batch[/]"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[status]}"),
                TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._progress.start()
        return self

    def start(self, todo: int, resumed: int) -> None:
        """Begin counting `todo` clips (`resumed` were finished by an earlier run)."""
        if self._progress is not None:
            note = f"{resumed} resumed" if resumed else ""
            self._task = self._progress.add_task("batch", total=todo, status=note)

    def advance(self, record: ClipRecord) -> None:
        """One more clip is on disk."""
        self.errors += record.status == ClipStatus.ERROR
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, advance=1, status=f"{self.errors} error(s)" if self.errors else "")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
