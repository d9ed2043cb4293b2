"""Batch runs: a folder or manifest of clips → ``results.jsonl`` + Parquet, resumable after ``kill -9``.

:func:`run_batch` explains every clip through :func:`emoreason.pipeline.explain` on worker
processes (or Ray actors) that each load the models once, appends one fsynced JSON line per
clip, and skips the clips already finished when run again.
"""

from __future__ import annotations

from emoreason.batch.manifest import ManifestError, read_clips
from emoreason.batch.records import ClipRecord, ClipStatus, ClipTask, ExplainOptions, comparable
from emoreason.batch.runner import BatchSummary, Engine, run_batch
from emoreason.batch.session import ExplainSession
from emoreason.batch.store import ResultStore

__all__ = [
    "BatchSummary",
    "ClipRecord",
    "ClipStatus",
    "ClipTask",
    "Engine",
    "ExplainOptions",
    "ExplainSession",
    "ManifestError",
    "ResultStore",
    "comparable",
    "read_clips",
    "run_batch",
]
