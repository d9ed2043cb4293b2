"""MERR's peak frame: the frame where the clip's most frequent AUs are jointly strongest.

Emotion-LLaMA's MERR annotation picks, for each clip, the AUs that are most often present
across frames, sums their intensities frame by frame, and takes the argmax as the *peak
frame*; the AUs present at that frame (its ``peak_AU_list``) describe the expression.
Blinks (AU45) are left out: they are frequent and carry no emotion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emoreason.perception.face.action_units import AU_CODES
from emoreason.perception.face.vocabulary import au_phrase
from emoreason.records.face import PeakFrame

_EXCLUDED = ("AU45",)
#: An AU counts as frequent when present in at least this share of the track's frames.
MIN_FREQUENCY = 0.15
#: At most this many frequent AUs (MERR's AU lists hold one to four).
MAX_FREQUENT = 3


def frequent_aus(track: pd.DataFrame) -> list[str]:
    """The track's most frequently present AUs, most frequent first."""
    codes = [c for c in AU_CODES if c not in _EXCLUDED]
    if track.empty:
        return []
    share = {c: float(track[f"{c}_c"].mean()) for c in codes}
    mean_r = {c: float(track[f"{c}_r"].mean()) for c in codes}
    ranked = sorted(codes, key=lambda c: (-share[c], -mean_r[c]))
    return [c for c in ranked[:MAX_FREQUENT] if share[c] >= MIN_FREQUENCY]


def peak_frame(track: pd.DataFrame) -> PeakFrame | None:
    """MERR peak frame of one face track (rows of the face table with ``success == 1``).

    Returns None for an empty track. When no AU is frequent, the frame with the largest
    total AU intensity is the peak.
    """
    track = track[track["success"] == 1]
    if track.empty:
        return None
    frequent = frequent_aus(track)
    columns = [f"{c}_r" for c in (frequent or [c for c in AU_CODES if c not in _EXCLUDED])]
    score = track[columns].to_numpy(dtype=float).sum(axis=1)
    row = track.iloc[int(np.argmax(score))]
    present = [c for c in AU_CODES if c not in _EXCLUDED and int(row[f"{c}_c"]) == 1]
    if "AU28_c" in row and int(row["AU28_c"]) == 1:
        present.append("AU28")
    intensities = {c: round(float(row[f"{c}_r"]), 2) for c in present if f"{c}_r" in row}
    return PeakFrame(
        frame=int(row["frame"]),
        time=float(row["timestamp"]),
        face_id=int(row["face_id"]),
        aus=present,
        au_intensities=intensities,
        phrases=[au_phrase(c) for c in present],
        frequent_aus=frequent,
    )
