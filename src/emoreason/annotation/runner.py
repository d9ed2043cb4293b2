"""`emoreason annotate`: a folder, manifest or file of clips → a MERR-style dataset folder, resumably.

Clips come from :func:`emoreason.batch.manifest.read_clips` (or one media file); each clip is
explained once through :class:`emoreason.batch.session.ExplainSession` (models load once), its
peak frame and media are stored in the dataset, the MERR merge is written, and the record is
appended as one fsynced line to ``annotations.jsonl`` through the batch runner's
:class:`~emoreason.batch.store.ResultStore` machinery (a torn last line is cut on the next run).

Re-running skips clips already annotated (``ok`` or ``flagged``); clips whose LLM merge failed
are merged again from their stored record (no perception rerun); clips that could not be read
are tried again only with ``retry_errors``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from emoreason.annotation.llm import Recorder, build_backend, now_iso
from emoreason.annotation.media import copy_clip, safe_name, save_peak_frame
from emoreason.annotation.merr import merge, perception_fields
from emoreason.annotation.records import ANNOTATIONS_NAME, DATASET_SCHEMA, AnnotationRecord, AnnotationStatus
from emoreason.batch.manifest import MEDIA_SUFFIXES, read_clips
from emoreason.batch.records import ClipTask, ExplainOptions
from emoreason.batch.store import ResultStore
from emoreason.records.base import Record

DATASET_META = "dataset.json"


class AnnotateOptions(Record):
    """How a dataset is annotated."""

    reasoner: str = "template"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    stages: list[str] | None = None
    asr: bool = True
    copy_media: bool = True


class AnnotationStore(ResultStore):
    """``DATASET/annotations.jsonl``: the batch store's atomic appends, holding annotation records."""

    def __init__(self, dataset_dir: str | Path) -> None:
        super().__init__(dataset_dir, name=ANNOTATIONS_NAME)

    record_type = AnnotationRecord  # type: ignore[assignment]


@dataclass
class AnnotateSummary:
    """What a run did."""

    dataset_dir: str
    total: int = 0
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def done(self) -> int:
        """Clips written by this run."""
        return sum(self.counts.values())


def clip_tasks(source: str | Path) -> list[ClipTask]:
    """The clips of a folder or CSV manifest (the batch reader), or one media file."""
    src = Path(source)
    if src.is_file() and src.suffix.lower() in MEDIA_SUFFIXES:
        return [ClipTask(id=src.name, path=str(src.resolve()))]
    return read_clips(src)


def annotate(
    source: str | Path,
    dataset_dir: str | Path,
    *,
    options: AnnotateOptions | None = None,
    retry_errors: bool = False,
    on_start: Callable[[int, int], None] | None = None,
    on_record: Callable[[AnnotationRecord], None] | None = None,
) -> AnnotateSummary:
    """Annotate every clip of `source` into `dataset_dir` (see the module docstring).

    Raises:
        ManifestError: `source` names no clips.
        OutputError: the dataset folder cannot be written.
        RegistryError, BackendError, DependencyError: the reasoner cannot be built.
    """
    options = options or AnnotateOptions()
    tasks = clip_tasks(source)
    started = time.perf_counter()
    recorder = Recorder(build_backend(options.reasoner, model=options.model, base_url=options.base_url,
                                      api_key=options.api_key))
    summary = AnnotateSummary(dataset_dir=str(dataset_dir), total=len(tasks))
    with AnnotationStore(dataset_dir) as store:
        store.open()
        _write_meta(Path(dataset_dir), source, options)
        latest = {r.id: r for r in store.latest()}
        remerge = [latest[t.id] for t in tasks if t.id in latest and latest[t.id].status is AnnotationStatus.LLM_FAILED]
        todo = [t for t in tasks if t.id not in latest
                or (retry_errors and latest[t.id].status is AnnotationStatus.ERROR)]
        summary.skipped = len(tasks) - len(remerge) - len(todo)
        redo = {t.id for t in todo}
        summary.failed.update({t.id: latest[t.id].error or "error" for t in tasks if t.id in latest and t.id not in redo
                               and latest[t.id].status is AnnotationStatus.ERROR})  # still failed from a past run
        if on_start is not None:
            on_start(len(remerge) + len(todo), summary.skipped)
        for rec in remerge:
            _finish(store, merge(rec, recorder), summary, on_record)
        if todo:
            session = _session(options)
            for task in todo:
                _finish(store, annotate_clip(task, session, Path(dataset_dir), recorder, options), summary,
                        on_record)
    summary.seconds = round(time.perf_counter() - started, 2)
    return summary


def _session(options: AnnotateOptions) -> object:
    from emoreason.batch.session import ExplainSession

    explain_options = ExplainOptions(stages=options.stages, reasoner="template", asr=options.asr)
    return ExplainSession(explain_options, worker="annotate")


def _finish(store: AnnotationStore, rec: AnnotationRecord, summary: AnnotateSummary,
            on_record: Callable[[AnnotationRecord], None] | None) -> None:
    rec.annotated_at = now_iso()
    store.append(rec)  # type: ignore[arg-type]
    summary.counts[rec.status.value] = summary.counts.get(rec.status.value, 0) + 1
    if rec.status in (AnnotationStatus.ERROR, AnnotationStatus.LLM_FAILED):
        summary.failed[rec.id] = rec.error or rec.status.value
    if on_record is not None:
        on_record(rec)


def annotate_clip(task: ClipTask, session: object, dataset_dir: Path, recorder: Recorder,
                  options: AnnotateOptions) -> AnnotationRecord:
    """Perception, stored media, MERR merge and checks for one clip (failures become records)."""
    started = time.perf_counter()
    clip = session.explain(task)  # type: ignore[attr-defined]
    if clip.result is None:
        return AnnotationRecord(id=task.id, source_path=task.path, status=AnnotationStatus.ERROR, error=clip.error,
                                seconds=round(time.perf_counter() - started, 3))
    rec = perception_fields(task.id, task.path, clip.result)
    name = safe_name(task.id)
    if options.copy_media:
        rel = f"media/{name}{Path(task.path).suffix.lower()}"
        copy_clip(task.path, dataset_dir / rel)
        rec.media = rel
    if rec.peak_time is not None and rec.peak_index is not None:
        rel = f"frames/{name}.jpg"
        try:
            if save_peak_frame(task.path, rec.peak_time, rec.peak_index, dataset_dir / rel):
                rec.peak_frame = rel
        except Exception as exc:  # noqa: BLE001 - a frame that will not decode is noted, the clip goes on
            rec.missing["peak_frame"] = f"failed: {exc}"
    rec = merge(rec, recorder)
    rec.seconds = round(time.perf_counter() - started, 3)
    return rec


def _write_meta(dataset_dir: Path, source: str | Path, options: AnnotateOptions) -> None:
    """``dataset.json``: schema, source, options and versions (rewritten atomically each run)."""
    from emoreason import __version__

    meta_path = dataset_dir / DATASET_META
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    runs = meta.get("runs", [])
    runs.append({"time": now_iso(), "source": str(source), "emoreason_version": __version__,
                 **options.model_dump(exclude={"api_key"})})
    meta = {"schema": DATASET_SCHEMA, "created": meta.get("created", now_iso()), "runs": runs[-50:]}
    tmp = meta_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, meta_path)


def load_records(dataset_dir: str | Path) -> list[AnnotationRecord]:
    """The latest record of each clip of a dataset folder.

    Raises:
        AnnotationError: the folder holds no ``annotations.jsonl``.
    """
    from emoreason.annotation.errors import AnnotationError

    path = Path(dataset_dir) / ANNOTATIONS_NAME
    if not path.is_file():
        raise AnnotationError(f"{dataset_dir}: not a dataset folder (no {ANNOTATIONS_NAME}; "
                              "make one with `emoreason annotate CLIPS -o DIR`)")
    return AnnotationStore(dataset_dir).latest()  # type: ignore[return-value]
