"""`run_batch`: clips in, ``results.jsonl`` + ``results.parquet`` out, resumable after any kill."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from pydantic import Field

from emoreason.batch.manifest import read_clips
from emoreason.batch.records import ClipRecord, ClipStatus, ExplainOptions
from emoreason.batch.session import check_options
from emoreason.batch.store import ResultStore
from emoreason.records.base import Record


class Engine(str, Enum):
    """Where the clips are explained."""

    LOCAL = "local"
    RAY = "ray"


class BatchSummary(Record):
    """What one run of a batch did (the records themselves are in ``results.jsonl``)."""

    out_dir: str
    total: int = Field(description="Clips named by the folder or manifest.")
    skipped: int = Field(description="Clips already finished by an earlier run (resumed).")
    done: int = Field(description="Clips finished by this run.")
    ok: int = Field(description="Clips of the whole batch with a result.")
    errors: int = Field(description="Clips of the whole batch recorded as errors.")
    seconds: float = Field(description="Wall time of this run.")
    labels: dict[str, int] = Field(default_factory=dict, description="Top label → clips, whole batch.")
    failed: dict[str, str] = Field(default_factory=dict, description="Clip id → error, whole batch.")
    parquet: str | None = None

    @property
    def clips_per_minute(self) -> float:
        """Throughput of this run."""
        return 60.0 * self.done / self.seconds if self.seconds > 0 else 0.0


ProgressHook = Callable[[ClipRecord], None]


def run_batch(
    source: str | Path,
    out_dir: str | Path,
    *,
    options: ExplainOptions | None = None,
    engine: Engine | str = Engine.LOCAL,
    workers: int = 1,
    timeout: float | None = None,
    ray_address: str | None = None,
    retry_errors: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_record: ProgressHook | None = None,
) -> BatchSummary:
    """Explain every clip of `source` (folder or CSV manifest) into `out_dir`, skipping finished ones.

    Each record is on disk (fsynced) before the next clip is handed out, so a killed run loses at
    most the clips in flight, and a re-run explains exactly the clips without a record.

    Args:
        source: a folder of media files, or a CSV manifest (path, subtitle, language, id).
        out_dir: where ``results.jsonl`` and ``results.parquet`` go (created if missing).
        options: how clips are explained (stages, reasoner); default: ``explain``'s defaults.
        engine: ``local`` (worker processes) or ``ray``.
        workers: worker processes (local) or actors (ray); each loads the models once.
        timeout: seconds one clip may take before its worker is killed (None: no limit).
        ray_address: Ray cluster to join (None: ``RAY_ADDRESS`` or a local cluster for the run).
        retry_errors: explain again the clips whose last record is an error.
        on_start: called with (clips to do now, clips already done) before work begins.
        on_record: called after each record is written (progress display).

    Raises:
        ManifestError: the folder or manifest names no clips, or is malformed.
        OutputError: `out_dir` cannot be written or the disk is full.
        WorkerStartError: workers cannot build their models with `options`.
    """
    started = time.perf_counter()
    options = options or ExplainOptions()
    check_options(options)
    tasks = read_clips(source)
    with ResultStore(out_dir) as store:
        finished = store.open()
        if retry_errors:
            finished -= {r.id for r in store.latest() if r.status == ClipStatus.ERROR}
        todo = [t for t in tasks if t.id not in finished]
        if on_start is not None:
            on_start(len(todo), len(tasks) - len(todo))
        done = 0

        def write(record: ClipRecord) -> None:
            nonlocal done
            store.append(record)
            done += 1
            if on_record is not None:
                on_record(record)

        if todo:
            _run_engine(Engine(engine), todo, options, write, workers=workers, timeout=timeout, address=ray_address)
        parquet = store.export_parquet()
        latest = {r.id: r for r in store.latest()}
    wanted = [latest[t.id] for t in tasks if t.id in latest]
    return BatchSummary(
        out_dir=str(out_dir), total=len(tasks), skipped=len(tasks) - len(todo), done=done,
        ok=sum(r.status == ClipStatus.OK for r in wanted), errors=sum(r.status == ClipStatus.ERROR for r in wanted),
        seconds=round(time.perf_counter() - started, 3),
        labels=dict(Counter(r.top_label or "(none)" for r in wanted if r.status == ClipStatus.OK).most_common()),
        failed={r.id: r.error or "" for r in wanted if r.status == ClipStatus.ERROR}, parquet=str(parquet),
    )


def _run_engine(
    engine: Engine, todo: list, options: ExplainOptions, write: ProgressHook, *, workers: int,
    timeout: float | None, address: str | None,
) -> None:
    if engine is Engine.RAY:
        from emoreason.batch.ray_engine import run_ray

        run_ray(todo, options, write, workers=workers, address=address, timeout=timeout)
    else:
        from emoreason.batch.local import run_local

        run_local(todo, options, write, workers=workers, timeout=timeout)
