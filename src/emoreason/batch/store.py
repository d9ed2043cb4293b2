"""``OUT_DIR/results.jsonl``: one fsynced line per finished clip, safe against ``kill -9``.

Each record is appended with a single ``write`` on an ``O_APPEND`` descriptor, then flushed to
disk with ``fsync`` before the clip counts as done. A process killed mid-write can leave at most
one torn last line (no trailing newline); :meth:`ResultStore.open` cuts it off, so a re-run
redoes that clip and no other. Only the parent process writes, so lines never interleave.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pydantic import ValidationError

from emoreason.batch.records import ClipRecord
from emoreason.errors import OutputError

log = logging.getLogger(__name__)

RESULTS_NAME = "results.jsonl"
PARQUET_NAME = "results.parquet"

#: Free space below which a batch refuses to start (override: ``EMOREASON_BATCH_MIN_FREE_MB``).
DEFAULT_MIN_FREE_MB = 16.0


def append_line(fd: int, line: bytes, name: str | Path) -> None:
    """Write `line` to `fd` in full and fsync it.

    Raises:
        OutputError: the write or fsync failed (disk full, I/O error); names the file.
    """
    try:
        view = memoryview(line)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except OSError as exc:
        raise OutputError(f"{name}: cannot write the result ({exc.strerror or exc})") from exc


class ResultStore:
    """The results of one batch folder: read finished ids, append records, export Parquet."""

    #: The record class of each line (subclasses storing other records set their own).
    record_type: type[ClipRecord] = ClipRecord

    def __init__(self, out_dir: str | Path, *, name: str = RESULTS_NAME) -> None:
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / name
        self._fd: int | None = None
        self._warned = False  # invalid lines are reported once per store, not on every read

    def open(self) -> set[str]:
        """Prepare the folder, drop a torn last line, and return the ids already finished.

        Raises:
            OutputError: the folder cannot be created or written, or the disk is (nearly) full.
        """
        self._prepare_folder()
        self.repair()
        done = {record.id for record in self.iter_records()}
        try:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot open for writing ({exc.strerror or exc})") from exc
        return done

    def _prepare_folder(self) -> None:
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.out_dir}: cannot create the output folder ({exc.strerror or exc})") from exc
        if not os.access(self.out_dir, os.W_OK | os.X_OK):
            raise OutputError(f"{self.out_dir}: output folder is not writable (permission denied)")
        if self.path.exists() and not self.path.is_file():
            raise OutputError(f"{self.path}: exists but is not a regular file")
        min_free = float(os.environ.get("EMOREASON_BATCH_MIN_FREE_MB", DEFAULT_MIN_FREE_MB))
        free_mb = shutil.disk_usage(self.out_dir).free / 2**20
        if free_mb < min_free:
            raise OutputError(f"{self.out_dir}: disk full ({free_mb:.1f} MB free, at least {min_free:g} MB needed)")

    def repair(self) -> bool:
        """Cut a torn last line (one without its newline) off the file; True if one was cut."""
        if not self.path.is_file():
            return False
        with self.path.open("rb+") as fh:
            size = fh.seek(0, os.SEEK_END)
            if size == 0:
                return False
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return False
            keep = _end_of_last_full_line(fh, size)
            log.warning("%s: dropping a torn last line (%d bytes) left by an interrupted run", self.path, size - keep)
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
        return True

    def append(self, record: ClipRecord) -> None:
        """Append one record as one line, on disk before this returns.

        Raises:
            OutputError: the store is not open, or the line could not be written.
        """
        if self._fd is None:
            raise OutputError(f"{self.path}: result store is not open")
        append_line(self._fd, (record.model_dump_json() + "\n").encode("utf-8"), self.path)

    def close(self) -> None:
        """Close the file descriptor (records are already on disk)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_records(self) -> Iterator[ClipRecord]:
        """Every valid record in file order; unreadable lines are skipped (the first read logs one warning
        naming the first of them and their count)."""
        if not self.path.is_file():
            return
        bad: list[tuple[int, str]] = []
        with self.path.open("rb") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield self.record_type.model_validate_json(line)
                except ValidationError as exc:
                    bad.append((number, exc.errors()[0]["msg"]))
        if bad and not self._warned:
            self._warned = True
            more = f" (and {len(bad) - 1} more invalid lines)" if len(bad) > 1 else ""
            log.warning("%s line %d is not a valid record, skipped: %s%s", self.path, *bad[0], more)

    def latest(self) -> list[ClipRecord]:
        """The last record of each clip id, in order of first appearance."""
        latest: dict[str, ClipRecord] = {}
        for record in self.iter_records():
            latest[record.id] = record
        return list(latest.values())

    def export_parquet(self) -> Path:
        """Rebuild ``results.parquet`` from the jsonl (atomically replaced); returns its path."""
        from emoreason.batch.table import write_parquet

        return write_parquet(self.latest(), self.out_dir / PARQUET_NAME)


def _end_of_last_full_line(fh: BinaryIO, size: int, chunk: int = 1 << 16) -> int:
    """Byte offset just after the last newline of the file (0 when there is none)."""
    pos = size
    while pos > 0:
        start = max(0, pos - chunk)
        fh.seek(start)
        block = fh.read(pos - start)
        cut = block.rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        pos = start
    return 0
