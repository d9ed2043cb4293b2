"""The dataset as one Parquet table, laid out the way Hugging Face ``datasets`` loads it.

Columns are plain Arrow types (string, float64, int64, list<string>); nested provenance (the LLM
calls, the contradictions, the clues) travels as JSON strings so that every row has the same
schema. The file goes to ``data/train-00000-of-00001.parquet`` (the hub's shard naming).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emoreason.annotation.records import AnnotationRecord
from emoreason.errors import OutputError

#: Column → (Arrow type, description): the dataset card lists them from here.
COLUMNS: dict[str, tuple[str, str]] = {
    "id": ("string", "clip id (manifest id or path relative to the input folder)"),
    "media": ("string", "the clip inside the dataset folder"),
    "peak_frame": ("string", "peak-frame JPEG inside the dataset folder"),
    "status": ("string", "ok or flagged"),
    "duration": ("float64", "seconds"),
    "au_list": ("list<string>", "the face track's most frequent AUs (MERR AU_list)"),
    "visual_prior_list": ("list<string>", "phrases of au_list"),
    "peak_index": ("int64", "frame index of the emotional peak"),
    "peak_time": ("float64", "time of the peak frame, seconds"),
    "peak_au_list": ("list<string>", "AUs active at the peak frame"),
    "peak_au_phrases": ("list<string>", "phrases of peak_au_list"),
    "audio_tone": ("string", "vocal tone description"),
    "transcript": ("string", "what is said (subtitle or ASR)"),
    "transcript_source": ("string", "subtitle_file, subtitle_text, embedded or asr"),
    "scene": ("string", "scene of the peak frame (vision endpoint only)"),
    "pseudo_label": ("string", "label from MERR's AU combination rules"),
    "label": ("string", "emoreason's decision label (MERR pseu_emotion)"),
    "emotions": ("list<string>", "open-vocabulary labels, strongest first"),
    "coarse_caption": ("string", "coarse-grained description (template)"),
    "fine_caption": ("string", "fine-grained reasoning caption (LLM merge; smp_reason_caption)"),
    "writer": ("string", "who wrote fine_caption: template, llama-cpp, openai"),
    "model": ("string", "model id of the merge"),
    "prompt_hash": ("string", "sha256[:16] of the merge prompt"),
    "contradictions_json": ("string", "JSON list of the contradiction filter's findings"),
    "missing_json": ("string", "JSON object: modality → why it was not read"),
    "llm_calls_json": ("string", "JSON list of every LLM call (model, prompt hash, raw output)"),
    "emoreason_version": ("string", "version that annotated the clip"),
    "annotated_at": ("string", "UTC time of annotation"),
}


def row(rec: AnnotationRecord) -> dict[str, Any]:
    """The flat row of one record."""
    merge = next((c for c in reversed(rec.llm_calls) if c.step == "merr.merge"), None)
    return {
        "id": rec.id, "media": rec.media, "peak_frame": rec.peak_frame, "status": rec.status.value,
        "duration": rec.duration, "au_list": rec.au_list, "visual_prior_list": rec.visual_prior_list,
        "peak_index": rec.peak_index, "peak_time": rec.peak_time, "peak_au_list": rec.peak_au_list,
        "peak_au_phrases": rec.peak_au_phrases, "audio_tone": rec.audio_tone, "transcript": rec.transcript,
        "transcript_source": rec.transcript_source, "scene": rec.scene, "pseudo_label": rec.pseudo_label,
        "label": rec.label, "emotions": rec.emotions, "coarse_caption": rec.coarse_caption,
        "fine_caption": rec.fine_caption, "writer": rec.writer, "model": merge.model if merge else None,
        "prompt_hash": merge.prompt_hash if merge else None,
        "contradictions_json": json.dumps([c.model_dump() for c in rec.contradictions], ensure_ascii=False),
        "missing_json": json.dumps(rec.missing, ensure_ascii=False),
        "llm_calls_json": json.dumps([c.model_dump() for c in rec.llm_calls], ensure_ascii=False),
        "emoreason_version": rec.emoreason_version, "annotated_at": rec.annotated_at,
    }


def schema() -> Any:
    """The fixed Arrow schema (also for an empty export)."""
    import pyarrow as pa

    kinds = {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64(), "list<string>": pa.list_(pa.string())}
    return pa.schema([(name, kinds[kind]) for name, (kind, _) in COLUMNS.items()])


def write_parquet(records: Sequence[AnnotationRecord], path: str | Path) -> Path:
    """Write the records as one Parquet file (atomically replaced); returns its path.

    Raises:
        OutputError: the file cannot be written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    dest = Path(path)
    table = pa.Table.from_pylist([row(r) for r in records], schema=schema())
    tmp = dest.with_name(dest.name + ".tmp")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp)
        os.replace(tmp, dest)
    except OSError as exc:
        raise OutputError(f"{dest}: cannot write the Parquet file ({exc.strerror or exc})") from exc
    return dest
