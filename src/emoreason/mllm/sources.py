"""Readers of the field's formats into :class:`RawSample`: MERR, ECEM, EMER, OV-MERD, emoreason outputs.

Each raw sample keeps the clip's label (coarse target), its description (fine target), the
subtitle, the evidence arrays the record itself carries (MERR's AU lists; an ``ExplainResult``'s
AUs, clues, prosody and timeline) and a media path when the clip is on disk (for encoder
streams). The clips kept for video evaluation (``HELD_OUT_CLIPS``) are never returned.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoreason.mllm.config import MllmConfigError, SourceConfig
from emoreason.training.corpora import HELD_OUT_CLIPS  # the one list of clips kept for video evaluation

DEFAULT_PATHS = {
    "merr": "benchmarks/merr/MERR_fine_grained.cleaned.json",
    "ecem": "benchmarks/ecem/train_data_just_reason.json",
    "emer": "benchmarks/emer/emer_v1_gt_eng.csv",
    "ovmerd": "benchmarks/emer/emer_v2_reasons.csv",
}
OVMERD_LABELS = "benchmarks/ov_merd/ground_truth_openset.csv"


@dataclass
class RawSample:
    """One clip's annotation before features: targets, subtitle, carried evidence, media."""

    id: str
    source: str
    label: str | None = None
    description: str | None = None
    subtitle: str | None = None
    question: str | None = None  # a source's own fine question (ECEM's "Explain why …")
    evidence: dict[str, np.ndarray] = field(default_factory=dict)
    media: str | None = None
    frames: list[np.ndarray] | None = None
    audio: np.ndarray | None = None


def _media_for(name: str, data_root: Path) -> str | None:
    clip = data_root / "clips" / f"{name}.mp4"
    return str(clip) if clip.is_file() else None


def _resolve(source: SourceConfig, data_root: Path) -> Path:
    if source.path:
        path = Path(source.path)
        return path if path.is_absolute() or path.exists() else data_root / path
    if source.kind not in DEFAULT_PATHS:
        raise MllmConfigError(f"data.sources ({source.kind}): give 'path'")
    return data_root / DEFAULT_PATHS[source.kind]


def read_merr(path: Path, data_root: Path) -> list[RawSample]:
    """MERR fine-grained JSON: pseudo label, merged caption, subtitle, AU lists as evidence."""
    from emoreason.mllm.evidence import au_from_lists

    records = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for name, rec in records.items():
        evidence = {"au": au_from_lists(rec.get("AU_list") or [], rec.get("peak_AU_list") or [])}
        out.append(RawSample(id=name, source="merr", label=rec.get("pseu_emotion"),
                             description=rec.get("smp_reason_caption"), subtitle=rec.get("text"),
                             evidence=evidence, media=_media_for(name, data_root)))
    return out


def read_ecem(path: Path, data_root: Path) -> list[RawSample]:
    """ECEM chat records (encodings repaired): emotion, statement, the why-question and its answer."""
    from emoreason.tasks.loaders.ecem import load_ecem_chat

    dataset = load_ecem_chat(path)
    return [RawSample(id=s.id, source="ecem", label=s.label, description=s.text, subtitle=s.subtitle,
                      question=s.question) for s in dataset.samples]


def read_emer(path: Path, data_root: Path) -> list[RawSample]:
    """EMER v1 CSV: label, subtitle, reasons."""
    from emoreason.tasks.loaders.tables import load_emer_v1

    return [RawSample(id=s.id, source="emer", label=s.label, description=s.text, subtitle=s.subtitle,
                      media=_media_for(s.id, data_root)) for s in load_emer_v1(path).samples]


def read_ovmerd(path: Path, data_root: Path) -> list[RawSample]:
    """EMER v2 / OV-MERD descriptions, with the open-vocabulary labels as the coarse target."""
    from emoreason.tasks.loaders.tables import load_emer_v2

    labels = data_root / OVMERD_LABELS
    dataset = load_emer_v2(path, extra_path=labels if labels.is_file() else None)
    return [RawSample(id=s.id, source="ovmerd", label=", ".join(s.labels) if s.labels else None,
                      description=s.text, media=_media_for(s.id, data_root)) for s in dataset.samples]


def sample_from_result(result: object, sample_id: str, source: str) -> RawSample:
    """An ``ExplainResult`` → raw sample: its top label and explanation as targets, its evidence arrays."""
    from emoreason.mllm.evidence import au_from_summary, clue_features, prosody_features, timeline_features
    from emoreason.records import ExplainResult, Modality

    assert isinstance(result, ExplainResult)
    duration = float(result.media.duration or 0.0)
    face_clues = [c for c in result.clues if c.modality == Modality.FACE]
    evidence = {"au": au_from_summary(result.face, face_clues), "clues": clue_features(result.clues, duration),
                "prosody": prosody_features(result.voice, duration),
                "timeline": timeline_features(result.timeline, duration)}
    subtitle = result.transcript.text if result.transcript is not None else None
    return RawSample(id=sample_id, source=source, label=result.emotions[0].label if result.emotions else None,
                     description=result.explanation.text if result.explanation else None, subtitle=subtitle,
                     evidence=evidence, media=result.media.path if Path(result.media.path).is_file() else None)


def read_explain(path: Path, data_root: Path) -> list[RawSample]:
    """One ``ExplainResult`` JSON file (``explain --format json``) or a folder of them."""
    from pydantic import ValidationError

    from emoreason.records import ExplainResult

    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    out = []
    for file in files:
        try:
            result = ExplainResult.model_validate_json(file.read_text(encoding="utf-8"))
        except (ValidationError, UnicodeDecodeError) as exc:
            raise MllmConfigError(f"{file}: not an ExplainResult JSON: {str(exc).splitlines()[0]}") from exc
        out.append(sample_from_result(result, Path(result.media.path).stem or file.stem, "explain"))
    return out


def read_batch(path: Path, data_root: Path) -> list[RawSample]:
    """``emoreason batch`` ``results.jsonl`` (a file or its folder): every explained clip."""
    from emoreason.batch.records import ClipRecord

    file = path / "results.jsonl" if path.is_dir() else path
    out = []
    for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = ClipRecord.model_validate_json(line)
        except ValueError as exc:
            raise MllmConfigError(f"{file}: line {number} is not a batch record: {str(exc).splitlines()[0]}") from exc
        if record.result is not None:
            out.append(sample_from_result(record.result, record.id, "batch"))
    return out


READERS: dict[str, Callable[[Path, Path], list[RawSample]]] = {
    "merr": read_merr, "ecem": read_ecem, "emer": read_emer, "ovmerd": read_ovmerd,
    "explain": read_explain, "batch": read_batch,
}


def read_source(source: SourceConfig, data_root: str | Path) -> list[RawSample]:
    """All usable samples of one configured source (held-out clips dropped, `limit` applied)."""
    data_root = Path(data_root)
    if source.kind == "synthetic":
        from emoreason.mllm.tiny import synthetic_samples

        return synthetic_samples(source.limit or 48)
    path = _resolve(source, data_root)
    if not path.exists():
        raise MllmConfigError(f"data.sources ({source.kind}): {path} not found")
    try:
        samples = READERS[source.kind](path, data_root)
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, AttributeError) as exc:
        raise MllmConfigError(f"{path}: cannot read it as {source.kind}: {exc}") from exc
    samples = [s for s in samples if s.id.split(":")[-1].removesuffix(".mp4") not in HELD_OUT_CLIPS]
    return samples[: source.limit] if source.limit else samples
