"""Time-spanned face clues for the reasoner: "frowns 1.2–3.4 s", "smiles broadly from 14.8 s".

Per face track, each AU's intensity series is thresholded at presence, small gaps are
bridged and blips dropped; each remaining span becomes a :class:`~emoreason.records.Clue`
whose evidence holds the AU's mean and peak intensity with the peak frame. Head and gaze
spans (head lowered, gaze averted) and the expression model's dominant non-neutral class
become clues too, and the MERR peak frame gets one clue listing its AU phrases.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emoreason.perception.face.action_units import AU_CODES
from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.perception.face.vocabulary import AU_TERMS
from emoreason.records import Clue, Evidence, Modality, PeakFrame

SOURCE = "face"
#: Spans shorter than this many seconds are dropped (one sample is kept for stills).
MIN_SPAN = 0.6
#: Gaps up to this many seconds inside a span are bridged.
MAX_GAP = 0.6
#: AU spans start where intensity reaches this and are kept when their mean reaches CLUE_MEAN.
CLUE_ONSET = 1.5
CLUE_MEAN = 1.75
HEAD_DOWN_RAD = 0.30
#: Gaze (head + eyes) this far from the track's median direction counts as looking away.
GAZE_SHIFT_RAD = 0.35
EXPRESSION_MIN_P = 0.5
#: AUs that broad smiles recruit (FACS: AU10 and a nose-wing lift come with a big AU12);
#: their clues and cue tags are only given outside smiles.
SMILE_PARTS = ("AU09", "AU10")


@dataclass(frozen=True)
class Span:
    """Row positions [first, last] of a track where a condition holds."""

    first: int
    last: int


def spans(mask: np.ndarray, times: np.ndarray, *, min_span: float = MIN_SPAN, max_gap: float = MAX_GAP) -> list[Span]:
    """Runs of True in `mask` (rows sorted by `times`), gaps ≤ max_gap bridged, short runs dropped."""
    runs: list[list[int]] = []
    for i in np.flatnonzero(mask):
        if runs and times[i] - times[runs[-1][1]] <= max_gap + 1e-6:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    single = len(times) == 1
    return [Span(a, b) for a, b in runs if single or times[b] - times[a] >= min_span - 1e-6]


def _fmt_span(start: float, end: float, clip_end: float) -> str:
    if end - start < 0.05:
        return f"at {start:.1f} s"
    if clip_end - end < 0.3 and start > 0.3:
        return f"from {start:.1f} s"
    return f"{start:.1f}–{end:.1f} s"


def _au_clues(track: pd.DataFrame, face_id: int, clip_end: float) -> list[Clue]:
    times = track["timestamp"].to_numpy(dtype=float)
    smiling = track["AU12_r"].to_numpy(dtype=float)
    out = []
    for code in AU_CODES:
        term = AU_TERMS[code]
        if not term.in_clues:
            continue
        values = track[f"{code}_r"].to_numpy(dtype=float)
        active = values >= CLUE_ONSET
        if code in SMILE_PARTS:  # with AU12 these belong to a broad smile, not to disgust
            active &= smiling < CLUE_ONSET
        for span in spans(active, times):
            seg = values[span.first : span.last + 1]
            peak = span.first + int(np.argmax(seg))
            mean = float(seg.mean())
            if mean < CLUE_MEAN:
                continue
            verb = term.verb
            if code == "AU12" and mean >= 3.0:
                verb = "smiles broadly"
            elif mean < 2.25:
                verb = f"slightly {verb}"
            start, end = times[span.first], times[span.last]
            out.append(
                Clue(
                    modality=Modality.FACE,
                    description=f"{verb} {_fmt_span(start, end, clip_end)}",
                    start=start,
                    end=end,
                    strength=float(np.clip(mean / 5.0, 0.0, 1.0)),
                    evidence=[
                        Evidence(name=f"{code}_r", value=round(mean, 2), unit="mean intensity 0-5"),
                        Evidence(
                            name=f"{code}_r",
                            value=round(float(values[peak]), 2),
                            unit="peak intensity 0-5",
                            time=float(times[peak]),
                            frame=int(track["frame"].iloc[peak]),
                        ),
                    ],
                    tags=list(term.tags),
                    source=SOURCE,
                    track_id=face_id,
                )
            )
    return out


def _threshold_clues(track: pd.DataFrame, face_id: int, clip_end: float) -> list[Clue]:
    """Head lowered (absolute pitch) and gaze shifted away from the track's usual direction."""
    times = track["timestamp"].to_numpy(dtype=float)
    pitch = track["pose_Rx"].to_numpy(dtype=float)
    gaze = track[["gaze_angle_x", "gaze_angle_y"]].to_numpy(dtype=float)
    shift = np.hypot(*(gaze - np.nanmedian(gaze, axis=0)).T) if not np.isnan(gaze).all() else np.zeros(len(times))
    checks = [
        ("pose_Rx", pitch, pitch >= HEAD_DOWN_RAD, "lowers the head", "head_down", "rad"),
        (
            "gaze_shift",
            shift,
            np.nan_to_num(shift) >= GAZE_SHIFT_RAD,
            "looks away",
            "gaze_averted",
            "rad from usual gaze",
        ),
    ]
    out = []
    for name, values, mask, verb, tag, unit in checks:
        for span in spans(mask, times, min_span=1.0):
            start, end = times[span.first], times[span.last]
            mean = round(float(np.nanmean(values[span.first : span.last + 1])), 3)
            out.append(
                Clue(
                    modality=Modality.FACE,
                    description=f"{verb} {_fmt_span(start, end, clip_end)}",
                    start=start,
                    end=end,
                    strength=0.4,
                    evidence=[Evidence(name=name, value=mean, unit=f"mean {unit}")],
                    tags=[tag],
                    source=SOURCE,
                    track_id=face_id,
                )
            )
    return out


def _expression_clues(track: pd.DataFrame, face_id: int, clip_end: float) -> list[Clue]:
    times = track["timestamp"].to_numpy(dtype=float)
    probs = track[list(EXPRESSIONS)].to_numpy(dtype=float)
    if np.isnan(probs).all():
        return []
    best = np.nanargmax(np.nan_to_num(probs, nan=-1), axis=1)
    out = []
    for k, name in enumerate(EXPRESSIONS):
        if name == "neutral":
            continue
        mask = (best == k) & (probs[:, k] >= EXPRESSION_MIN_P)
        for span in spans(mask, times):
            p = float(probs[span.first : span.last + 1, k].mean())
            start, end = times[span.first], times[span.last]
            out.append(
                Clue(
                    modality=Modality.FACE,
                    description=f"expression reads as {name} (p={p:.2f}) {_fmt_span(start, end, clip_end)}",
                    start=start, end=end, strength=float(np.clip(p, 0, 1)),
                    evidence=[Evidence(name=f"p_{name}", value=round(p, 3), unit="mean probability")],
                    tags=[f"expression:{name}"], source=f"{SOURCE}:fer", track_id=face_id,
                )
            )  # fmt: skip
    return out


def peak_clue(peak: PeakFrame) -> Clue:
    """One clue naming the AUs at MERR's peak frame."""
    what = ", ".join(peak.phrases)
    codes = [c for c in peak.aus if not ("AU12" in peak.aus and c in SMILE_PARTS)]
    tags = sorted({t for code in codes for t in AU_TERMS[code].tags})
    return Clue(
        modality=Modality.FACE,
        description=f"at the peak frame ({peak.time:.1f} s): {what}",
        start=peak.time,
        end=peak.time,
        strength=float(np.clip(max(peak.au_intensities.values(), default=0.0) / 5.0, 0.0, 1.0)),
        evidence=[
            Evidence(name=f"{code}_r", value=value, unit="intensity 0-5", time=peak.time, frame=peak.frame)
            for code, value in peak.au_intensities.items()
        ],
        tags=["peak_frame", *tags],
        source=SOURCE,
        track_id=peak.face_id,
    )


def build_clues(table: pd.DataFrame, face_id: int, *, clip_end: float, peak: PeakFrame | None) -> list[Clue]:
    """All clues of one face track, in time order (peak-frame clue first when it shows AUs)."""
    track = table[(table["success"] == 1) & (table["face_id"] == face_id)].sort_values("timestamp")
    if track.empty:
        return []
    clues = _au_clues(track, face_id, clip_end) + _threshold_clues(track, face_id, clip_end)
    clues += _expression_clues(track, face_id, clip_end)
    if not clues:
        start, end = float(track["timestamp"].iloc[0]), float(track["timestamp"].iloc[-1])
        span = _fmt_span(start, end, clip_end)
        neutral = Clue(
            modality=Modality.FACE,
            description=f"face stays near its neutral baseline {span}",
            start=start,
            end=end,
            strength=0.3,
            tags=["neutral_face"],
            source=SOURCE,
            track_id=face_id,
        )
        clues.append(neutral)
    clues.sort(key=lambda c: (c.start, c.end))
    if peak is not None and peak.face_id == face_id and peak.aus:
        clues.insert(0, peak_clue(peak))
    return clues
