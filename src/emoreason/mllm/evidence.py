"""emoreason's own evidence as feature tokens: AUs, the face table, clues, prosody, the timeline.

Every function returns a float32 array ``(tokens, dim)`` with the fixed ``dim`` of
:data:`EVIDENCE_DIMS` (zero tokens when the evidence is absent), so a stream's projector can
be sized from the config alone. Conventions: AU intensities are OpenFace's 0–5 scaled to 0–1;
times are fractions of the clip; a missing number is 0 with its presence bit 0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from emoreason.perception.face.action_units import AU_CODES
from emoreason.perception.face.expression import EXPRESSIONS

if TYPE_CHECKING:
    import pandas as pd

    from emoreason.records import Clue, FaceSummary, TimelineEntry, VoiceSummary

#: The face table's AU columns and expression classes, in the face stage's own order.
AU_VOCAB: tuple[str, ...] = AU_CODES
MODALITIES: tuple[str, ...] = ("face", "voice", "text", "scene", "body")
TAG_BUCKETS = 32
PROSODY_FIELDS: tuple[str, ...] = (
    "voiced_ratio", "f0_mean_st", "f0_sd_st", "f0_range_st", "f0_slope_st_per_s", "f0_tremor_st", "loudness_db",
    "loudness_range_db", "speaking_rate_syl_per_s", "pause_ratio", "jitter_local", "shimmer_local", "hnr_db",
)  # fmt: skip
#: Rough scale of each prosody field, so features land near [-1, 1].
PROSODY_SCALE = {"f0_mean_st": 24.0, "f0_sd_st": 6.0, "f0_range_st": 12.0, "f0_slope_st_per_s": 6.0,
                 "f0_tremor_st": 2.0, "loudness_db": 60.0, "loudness_range_db": 30.0,
                 "speaking_rate_syl_per_s": 8.0, "jitter_local": 0.05, "shimmer_local": 0.2, "hnr_db": 30.0}
TIMELINE_CLASSES: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "worried", "surprise", "disgust")

EVIDENCE_DIMS: dict[str, int] = {
    "au": len(AU_VOCAB),
    "face_table": len(AU_VOCAB) + len(EXPRESSIONS) + 1,
    "clues": len(MODALITIES) + 3 + TAG_BUCKETS,
    "prosody": 2 * len(PROSODY_FIELDS) + 2,
    "timeline": len(TIMELINE_CLASSES) + 3,
}


def _empty(source: str) -> np.ndarray:
    return np.zeros((0, EVIDENCE_DIMS[source]), dtype=np.float32)


def _au_code(name: str) -> str | None:
    """'AU12', 'AU12_r', 'au12' → 'AU12' when it is in the vocabulary."""
    head = name.upper().split("_")[0]
    if head.startswith("AU") and head[2:].isdigit():
        head = f"AU{int(head[2:]):02d}"
    return head if head in AU_VOCAB else None


def au_vector(values: Mapping[str, float] | Iterable[str], *, scale: float = 5.0) -> np.ndarray:
    """One AU token: a mapping of intensities (0–`scale`) or a list of active AUs (1.0 each)."""
    row = np.zeros(len(AU_VOCAB), dtype=np.float32)
    items = values.items() if isinstance(values, Mapping) else ((v, scale) for v in values)
    for name, value in items:
        code = _au_code(str(name))
        if code is not None and value is not None and np.isfinite(float(value)):
            row[AU_VOCAB.index(code)] = float(np.clip(float(value) / scale, 0.0, 1.0))
    return row


def au_from_lists(*au_lists: Sequence[str]) -> np.ndarray:
    """MERR-style AU lists (``AU_list``, ``peak_AU_list``) → one token each."""
    rows = [au_vector(list(items)) for items in au_lists if items]
    return np.stack(rows) if rows else _empty("au")


def au_from_summary(face: FaceSummary | None, clues: Sequence[Clue] = ()) -> np.ndarray:
    """The main face track's mean AUs, the peak frame's AUs, then AU evidence of face clues in time order."""
    rows: list[np.ndarray] = []
    if face is not None:
        main = next((t for t in face.tracks if t.is_main), face.tracks[0] if face.tracks else None)
        if main is not None and main.au_means:
            rows.append(au_vector(main.au_means))
        if face.peak is not None and (face.peak.au_intensities or face.peak.aus):
            rows.append(au_vector(face.peak.au_intensities) if face.peak.au_intensities
                        else au_vector(face.peak.aus))
    for clue in sorted(clues, key=lambda c: c.start):
        values = {e.name: float(e.value) for e in clue.evidence
                  if _au_code(e.name) and isinstance(e.value, (int, float)) and not isinstance(e.value, bool)}
        if values:
            rows.append(au_vector(values))
    return np.stack(rows) if rows else _empty("au")


def face_table_features(table: pd.DataFrame) -> np.ndarray:
    """Per-frame rows of a face table (OpenFace-style ``AUxx_r`` + expression columns) → tokens."""
    if table is None or len(table) == 0:
        return _empty("face_table")
    frames = table[table["success"].fillna(0) > 0] if "success" in table else table
    if "face_id" in frames and frames["face_id"].notna().any():
        main = frames["face_id"].value_counts().idxmax()
        frames = frames[frames["face_id"] == main]
    au = np.stack([frames[f"{c}_r"].to_numpy(dtype=float) if f"{c}_r" in frames else np.zeros(len(frames))
                   for c in AU_VOCAB], axis=1) / 5.0
    expr = np.stack([frames[c].to_numpy(dtype=float) if c in frames else np.zeros(len(frames))
                     for c in EXPRESSIONS], axis=1)
    times = frames["timestamp"].to_numpy(dtype=float) if "timestamp" in frames else np.arange(len(frames))
    span = max(float(np.nanmax(times)) if len(times) else 1.0, 1e-6)
    out = np.concatenate([np.clip(np.nan_to_num(au), 0, 1), np.nan_to_num(expr), (times / span)[:, None]], axis=1)
    return out.astype(np.float32)


def _tag_bucket(tag: str) -> int:
    return int(hashlib.md5(tag.encode("utf-8")).hexdigest()[:8], 16) % TAG_BUCKETS


def clue_features(clues: Sequence[Clue], duration: float) -> np.ndarray:
    """One token per clue: modality one-hot, strength, start and length (fractions), hashed tags."""
    if not clues:
        return _empty("clues")
    span = max(duration, 1e-6)
    rows = []
    for clue in sorted(clues, key=lambda c: (c.start, c.modality.value)):
        row = np.zeros(EVIDENCE_DIMS["clues"], dtype=np.float32)
        if clue.modality.value in MODALITIES:
            row[MODALITIES.index(clue.modality.value)] = 1.0
        base = len(MODALITIES)
        row[base:base + 3] = (clue.strength, min(clue.start / span, 1.0), min((clue.end - clue.start) / span, 1.0))
        for tag in clue.tags:
            row[base + 3 + _tag_bucket(tag)] = 1.0
        rows.append(row)
    return np.stack(rows)


def _prosody_row(prosody: object, start: float, end: float, span: float) -> np.ndarray:
    values, present = [], []
    for name in PROSODY_FIELDS:
        value = getattr(prosody, name, None)
        ok = value is not None and np.isfinite(float(value))
        values.append(float(value) / PROSODY_SCALE.get(name, 1.0) if ok else 0.0)
        present.append(1.0 if ok else 0.0)
    return np.array([*values, *present, start / span, (end - start) / span], dtype=np.float32)


def prosody_features(voice: VoiceSummary | None, duration: float) -> np.ndarray:
    """One token per speech segment (its prosody); the clip's prosody when there are no segments."""
    if voice is None:
        return _empty("prosody")
    span = max(duration or voice.duration, 1e-6)
    rows = [_prosody_row(s.prosody, s.start, s.end, span) for s in voice.speech_segments]
    if not rows and voice.clip_prosody.duration:
        rows = [_prosody_row(voice.clip_prosody, 0.0, span, span)]
    return np.stack(rows) if rows else _empty("prosody")


def timeline_features(timeline: Sequence[TimelineEntry], duration: float) -> np.ndarray:
    """One token per timeline window: class probabilities, valence, start and length."""
    if not timeline:
        return _empty("timeline")
    span = max(duration, 1e-6)
    rows = []
    for entry in timeline:
        probs = {p.label: p.score for p in entry.emotions}
        row = [probs.get(c, 1.0 if entry.label == c else 0.0) for c in TIMELINE_CLASSES]
        rows.append([*row, entry.valence or 0.0, entry.start / span, (entry.end - entry.start) / span])
    return np.asarray(rows, dtype=np.float32)
