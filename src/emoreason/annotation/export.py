"""Export a dataset to the field's training formats, and read MERR JSON written by other tools.

Formats (``emoreason export DATASET -o OUT --to ...``):

``merr``           ``MERR_fine_grained.json``: ``{clip: {AU_list, visual_prior_list, audio_prior_list,
                   peak_index, peak_AU_list, pseu_emotion, text, smp_reason_caption}}`` (the fields and
                   types of Emotion-LLaMA's released file).
``emotion-llama``  ``emotion_llama_reason.jsonl``: Emotion-LLaMA's ``reason`` task, one instruction per
                   clip (``<video><VideoHere></video> <feature><FeatureHere></feature> The person in
                   video says: …. [reason] <instruction>``) with the caption as the answer.
``sharegpt``       ``sharegpt.json``: AffectGPT-style conversations (``human`` question with the
                   subtitle, ``gpt`` answer), ShareGPT layout (``id``, ``video``, ``conversations``).
``parquet``        ``data/train-00000-of-00001.parquet`` + ``README.md`` with the ``configs`` front
                   matter that Hugging Face ``datasets.load_dataset(OUT)`` reads.

Only ``ok`` clips are exported unless ``include_flagged``; clips without a caption never are.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emoreason.annotation.errors import AnnotationError
from emoreason.annotation.records import AnnotationRecord, AnnotationStatus

FORMATS = ("merr", "emotion-llama", "sharegpt", "parquet")
MERR_FIELDS: dict[str, type] = {
    "AU_list": list, "visual_prior_list": list, "audio_prior_list": str, "peak_index": str,
    "peak_AU_list": list, "pseu_emotion": str, "text": str, "smp_reason_caption": str,
}
AFFECTGPT_QUESTION = (
    "The subtitle of this video is: <Subtitle>{subtitle}</Subtitle>. Now, please answer my question based on all "
    "the provided information. Please infer the person's emotional state and provide your reasoning process."
)
PARQUET_PATH = "data/train-00000-of-00001.parquet"


def exportable(records: Sequence[AnnotationRecord], include_flagged: bool = False) -> list[AnnotationRecord]:
    """The records that go into exports."""
    wanted = {AnnotationStatus.OK, AnnotationStatus.FLAGGED} if include_flagged else {AnnotationStatus.OK}
    return [r for r in records if r.status in wanted and r.fine_caption]


def merr_entry(rec: AnnotationRecord) -> dict[str, Any]:
    """One clip in MERR's field layout."""
    return {
        "AU_list": list(rec.au_list), "visual_prior_list": list(rec.visual_prior_list),
        "audio_prior_list": rec.audio_tone, "peak_index": "" if rec.peak_index is None else str(rec.peak_index),
        "peak_AU_list": list(rec.peak_au_list), "pseu_emotion": rec.label or "", "text": rec.transcript,
        "smp_reason_caption": rec.fine_caption,
    }


def emotion_llama_entry(rec: AnnotationRecord) -> dict[str, Any]:
    """Emotion-LLaMA's ``reason`` instruction for one clip (the instruction variant picked by the id's hash)."""
    from emoreason.reasoning.prompting import load_prompt

    instructions = load_prompt("emotion-llama").instructions
    pick = instructions[int(hashlib.sha1(rec.id.encode()).hexdigest(), 16) % len(instructions)]
    said = rec.transcript or ""
    prompt = f"<video><VideoHere></video> <feature><FeatureHere></feature> The person in video says: {said}. " \
             f"[reason] {pick}"
    return {"video_name": rec.id, "video": rec.media, "instruction": prompt, "answer": rec.fine_caption,
            "emotion": rec.label}


def sharegpt_entry(rec: AnnotationRecord) -> dict[str, Any]:
    """One AffectGPT/ShareGPT conversation."""
    question = "<video>\n" + AFFECTGPT_QUESTION.format(subtitle=rec.transcript)
    return {"id": rec.id, "video": rec.media, "conversations": [
        {"from": "human", "value": question}, {"from": "gpt", "value": rec.fine_caption}]}


def _atomic_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def export_dataset(
    records: Sequence[AnnotationRecord], out_dir: str | Path, *, formats: Sequence[str] = FORMATS,
    include_flagged: bool = False, dataset_dir: str | Path | None = None,
) -> dict[str, Path]:
    """Write the chosen formats into `out_dir`; returns format → file written.

    Raises:
        AnnotationError: an unknown format, or nothing to export.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise AnnotationError(f"unknown export format(s) {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    rows = exportable(records, include_flagged)
    out = Path(out_dir)
    written: dict[str, Path] = {}
    if "merr" in formats:
        written["merr"] = out / "MERR_fine_grained.json"
        _atomic_text(written["merr"], json.dumps({r.id: merr_entry(r) for r in rows}, indent=1, ensure_ascii=False))
    if "emotion-llama" in formats:
        written["emotion-llama"] = out / "emotion_llama_reason.jsonl"
        _atomic_text(written["emotion-llama"],
                     "".join(json.dumps(emotion_llama_entry(r), ensure_ascii=False) + "\n" for r in rows))
    if "sharegpt" in formats:
        written["sharegpt"] = out / "sharegpt.json"
        _atomic_text(written["sharegpt"], json.dumps([sharegpt_entry(r) for r in rows], indent=1, ensure_ascii=False))
    if "parquet" in formats:
        from emoreason.annotation.card import write_card
        from emoreason.annotation.table import write_parquet

        written["parquet"] = write_parquet(rows, out / PARQUET_PATH)
        written["card"] = write_card(records, rows, out, dataset_dir=dataset_dir)
    return written


def read_merr_json(path: str | Path) -> list[AnnotationRecord]:
    """Records from a MERR JSON file written by another tool (Emotion-LLaMA, MER-Factory exports).

    Raises:
        AnnotationError: not JSON, not an object of clips, or a clip whose fields are missing or of
            the wrong type (the message names the file, the clip and the field).
    """
    src = Path(path)
    try:
        data = json.loads(src.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise AnnotationError(f"{src}: cannot read ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"{src}: not a JSON file ({exc})") from exc
    if not isinstance(data, dict) or not data:
        raise AnnotationError(f"{src}: a MERR file is a JSON object of clips ({{\"sample_…\": {{…}}}}); "
                              f"found {type(data).__name__}{' (empty)' if not data else ''}")
    return [_merr_record(src, str(clip), entry) for clip, entry in data.items()]


def _merr_record(src: Path, clip: str, entry: object) -> AnnotationRecord:
    if not isinstance(entry, dict):
        raise AnnotationError(f"{src}: clip {clip!r} is a {type(entry).__name__}, not an object")
    missing = [f for f in MERR_FIELDS if f not in entry]
    if missing:
        raise AnnotationError(f"{src}: clip {clip!r} lacks the MERR field(s) {', '.join(missing)}")
    for name, kind in MERR_FIELDS.items():
        value = entry[name]
        ok = isinstance(value, kind) or (name == "peak_index" and isinstance(value, int))
        if not ok or (kind is list and not all(isinstance(v, str) for v in value)):
            raise AnnotationError(f"{src}: clip {clip!r} field {name!r} should be "
                                  f"{'a list of strings' if kind is list else 'a string'}, got {value!r:.60}")
    peak = str(entry["peak_index"]).strip()
    return AnnotationRecord(
        id=clip, source_path=str(src), status=AnnotationStatus.OK, au_list=entry["AU_list"],
        visual_prior_list=entry["visual_prior_list"], audio_tone=entry["audio_prior_list"],
        peak_index=int(peak) if peak.isdigit() else None, peak_au_list=entry["peak_AU_list"],
        label=entry["pseu_emotion"] or None, transcript=entry["text"], fine_caption=entry["smp_reason_caption"],
        writer="imported",
    )
