"""Track summaries and the choice of the main character.

A track's *main score* is its screen time (share of analysed frames it appears in) ×
its mean face height (share of the frame height) × a speaking bonus. When the voice stage
found speech, the bonus is ``1 + min(2, s / 0.5)`` where ``s`` is the track's mouth
motion during speech — the mean absolute frame-to-frame change of the inner-lip gap, in
inter-ocular distances per second — minus its mouth motion outside speech, so the face
that talks while someone is heard wins over a silent listener of the same size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from emoreason.perception.face.action_units import AU_CODES
from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.records import FaceTrackSummary, SpeechSegment


def _in_segments(times: np.ndarray, segments: Sequence[SpeechSegment]) -> np.ndarray:
    inside = np.zeros(len(times), dtype=bool)
    for seg in segments:
        inside |= (times >= seg.start) & (times <= seg.end)
    return inside


def speaking_score(times: np.ndarray, lip_gap: np.ndarray, segments: Sequence[SpeechSegment]) -> float | None:
    """Mouth motion during speech minus outside it (IOD/s); None without segments or samples."""
    if not segments or len(times) < 3:
        return None
    order = np.argsort(times)
    t, g = times[order], lip_gap[order]
    dt = np.diff(t)
    ok = dt > 0
    rate = np.abs(np.diff(g))[ok] / dt[ok]
    mid = ((t[1:] + t[:-1]) / 2)[ok]
    inside = _in_segments(mid, segments)
    if not inside.any():
        return 0.0
    outside = float(rate[~inside].mean()) if (~inside).any() else 0.0
    return float(rate[inside].mean()) - outside


def summarise_tracks(
    table: pd.DataFrame,
    lip_gap: pd.Series,
    *,
    frame_height: int,
    frames_analysed: int,
    speech: Sequence[SpeechSegment] = (),
) -> list[FaceTrackSummary]:
    """One :class:`FaceTrackSummary` per face id, the main character flagged.

    Args:
        table: the face table.
        lip_gap: inner-lip gap (IOD units) aligned with the table's rows.
        frame_height: analysed frame height, pixels.
        frames_analysed: frames looked at (the screen-time denominator).
        speech: speech segments from the voice stage, if any.
    """
    faces = table[table["success"] == 1]
    summaries = []
    for face_id, track in faces.groupby("face_id"):
        times = track["timestamp"].to_numpy(dtype=float)
        size = float(track["face_h"].mean()) / max(frame_height, 1)
        screen = len(track) / max(frames_analysed, 1)
        speaking = speaking_score(times, lip_gap.loc[track.index].to_numpy(dtype=float), speech)
        bonus = 1.0 + min(2.0, max(0.0, speaking) / 0.5) if speaking is not None else 1.0
        expr = track[list(EXPRESSIONS)].mean(skipna=True)
        summaries.append(
            FaceTrackSummary(
                face_id=int(face_id),
                start=float(times.min()),
                end=float(times.max()),
                n_frames=len(track),
                mean_size=round(size, 4),
                expression={k: round(float(v), 4) for k, v in expr.items() if not np.isnan(v)},
                main_score=round(screen * size * bonus, 5),
                speaking_score=None if speaking is None else round(speaking, 4),
                au_means={c: round(float(track[f"{c}_r"].mean()), 3) for c in AU_CODES},
            )
        )
    if summaries:
        best = max(summaries, key=lambda s: (s.main_score, s.n_frames))
        best.is_main = True
    return summaries
