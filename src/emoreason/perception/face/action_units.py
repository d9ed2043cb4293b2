"""Geometric action-unit estimates (OpenFace's AU set, intensity 0–5 and presence).

No learned AU model ships offline, so each AU is a documented function of the mesh
measurements in :mod:`emoreason.perception.face.geometry` (inter-ocular-distance units,
head frame), taken *relative to a neutral baseline*:

* the baseline of each feature is the track's median, allowed to move away from the
  population prior by at most ``0.6 × scale`` (``1.0 ×`` for eye aperture and brow
  height, which differ most between people), so a person who smiles all clip long keeps
  part of the smile; tracks shorter than :data:`MIN_BASELINE_FRAMES` frames move it
  proportionally less, and a single image keeps (almost) the prior.

``intensity = 5 × clip(Δ / scale, 0, 1)`` where ``Δ`` is the signed change in the AU's
direction and ``scale`` the change read as maximal intensity. The priors and scales were
set on the project's sample media (labelled photos, the Pexels clip, MER2023 clips);
``MODEL_CARD.md`` lists each AU's formula and known weaknesses. Presence (``_c``) is
``intensity ≥ PRESENCE_THRESHOLD``.

Eye aperture follows vertical gaze (the upper lid rides on the iris), so with the iris
model on, aperture and upper-lid height are corrected by the iris' vertical offset
before they are compared with the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emoreason.perception.face.geometry import FEATURES, INDEX
from emoreason.perception.face.pose import IRIS_DY_NEUTRAL

#: The OpenFace AU set used by MERR (intensity and presence).
AU_CODES: tuple[str, ...] = (
    "AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
    "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU45",
)  # fmt: skip
#: AUs reported only as presence (OpenFace reports AU28 as ``_c`` only).
PRESENCE_ONLY: tuple[str, ...] = ("AU28",)
PRESENCE_THRESHOLD = 1.25
MIN_BASELINE_FRAMES = 10
#: Eye aspect ratio gained per unit of downward iris offset (measured, see MODEL_CARD).
_LID_GAZE_GAIN = 2.0
_UPPER_LID_GAZE_GAIN = 0.85


@dataclass(frozen=True)
class FeatureNorm:
    """Population neutral value and full-scale change of one geometric feature."""

    prior: float
    scale: float


#: Neutral priors and full-scale changes (IOD units), see the module docstring.
NORMS: dict[str, FeatureNorm] = {
    "brow_inner_h": FeatureNorm(0.30, 0.10),
    "brow_outer_h": FeatureNorm(0.26, 0.09),
    "brow_gap": FeatureNorm(0.40, 0.07),
    "upper_lid_h": FeatureNorm(0.06, 0.06),
    "lower_lid_h": FeatureNorm(0.03, 0.03),
    "eye_open": FeatureNorm(0.22, 0.12),
    "cheek_h": FeatureNorm(-0.28, 0.06),
    "ala_h": FeatureNorm(-0.59, 0.08),
    "lip_to_nose": FeatureNorm(0.21, 0.08),
    "corner_lift": FeatureNorm(0.03, 0.10),
    "mouth_width": FeatureNorm(0.88, 0.20),
    "corner_depth": FeatureNorm(0.22, 0.08),
    "lip_gap": FeatureNorm(0.0, 0.30),
    "jaw_open": FeatureNorm(1.02, 0.30),
    "chin_to_lip": FeatureNorm(0.52, 0.12),
    "lip_thickness": FeatureNorm(0.25, 0.10),
}
_PRIOR = np.array([NORMS[f].prior for f in FEATURES])
#: How far (in scales) a track's median may move its baseline from the prior. Eye aperture
#: and brow height differ most between people, so their baselines may move further.
BASELINE_LIMIT = 0.6
_LIMIT = np.array([1.0 if f in ("eye_open", "upper_lid_h", "brow_inner_h", "brow_outer_h") else BASELINE_LIMIT
                   for f in FEATURES])  # fmt: skip
_SCALE = np.array([NORMS[f].scale for f in FEATURES])


def gaze_corrected(features: np.ndarray, iris_dy: np.ndarray) -> np.ndarray:
    """Remove the gaze-driven part of eye aperture and upper-lid height.

    Args:
        features: (N, F) matrix from :func:`~emoreason.perception.face.geometry.measure`.
        iris_dy: (N,) vertical iris offset in eye widths (positive = looking down), as
            :func:`~emoreason.perception.face.pose.iris_offset` gives it; the offset of a
            camera-facing look is subtracted first. NaN where the iris model was off.
    """
    out = features.copy()
    dy = np.nan_to_num(np.asarray(iris_dy, dtype=float) - IRIS_DY_NEUTRAL, nan=0.0)
    out[:, INDEX["eye_open"]] += _LID_GAZE_GAIN * dy
    out[:, INDEX["upper_lid_h"]] += _UPPER_LID_GAZE_GAIN * dy
    return out


def neutral_baseline(features: np.ndarray) -> np.ndarray:
    """Per-feature neutral of one track: the track median shrunk toward the population prior.

    The median may move the baseline at most ``BASELINE_LIMIT × scale`` from the prior, and
    that move is weighted by ``min(1, n / MIN_BASELINE_FRAMES)`` so a handful of frames (or a
    single image) mostly keeps the prior.
    """
    if len(features) == 0:
        return _PRIOR.copy()
    median = np.nanmedian(features, axis=0)
    median = np.where(np.isnan(median), _PRIOR, median)
    weight = min(1.0, len(features) / MIN_BASELINE_FRAMES)
    limit = _LIMIT * _SCALE
    return _PRIOR + weight * np.clip(median - _PRIOR, -limit, limit)


def _ramp(delta: np.ndarray, scale: float) -> np.ndarray:
    return np.clip(delta / scale, 0.0, 1.0)


def estimate(features: np.ndarray, baseline: np.ndarray, *, open_eye: float | None = None) -> dict[str, np.ndarray]:
    """AU intensities (0–5) for (N, F) gaze-corrected features against one baseline.

    Args:
        features: gaze-corrected feature matrix of one track (or one image).
        baseline: that track's neutral from :func:`neutral_baseline`.
        open_eye: the track's typical open-eye aspect ratio (75th percentile of the
            gaze-corrected aperture), used for blinks; None uses the baseline aperture.

    Returns:
        ``{"AU01": (N,), …, "AU28": (N,)}``; AU28 is a 0/5 presence-only value.
    """
    d = features - baseline  # signed change per feature
    g = {name: d[:, i] for i, name in enumerate(FEATURES)}
    f = {name: features[:, i] for i, name in enumerate(FEATURES)}
    s = {name: NORMS[name].scale for name in FEATURES}
    gap = f["lip_gap"]
    closed = np.clip(1.0 - gap / 0.08, 0.0, 1.0)  # 1 = lips together
    lift = g["corner_lift"]
    au: dict[str, np.ndarray] = {}
    au["AU01"] = _ramp(g["brow_inner_h"], s["brow_inner_h"])
    au["AU02"] = _ramp(g["brow_outer_h"], s["brow_outer_h"])
    au["AU04"] = np.clip(
        0.6 * _ramp(-g["brow_inner_h"], 0.8 * s["brow_inner_h"]) + 0.6 * _ramp(-g["brow_gap"], s["brow_gap"]), 0, 1
    )
    au["AU05"] = _ramp(g["upper_lid_h"], s["upper_lid_h"])
    au["AU12"] = np.clip(0.8 * _ramp(lift, s["corner_lift"]) + 0.3 * _ramp(g["mouth_width"], s["mouth_width"]), 0, 1)
    au["AU12"] *= lift > 0
    narrowing = _ramp(-g["eye_open"], s["eye_open"])
    smile = np.clip(au["AU12"] / 0.5, 0.0, 1.0)
    au["AU06"] = smile * np.clip(0.4 + 0.3 * _ramp(g["cheek_h"], s["cheek_h"]) + narrowing, 0.0, 1.0)
    au["AU07"] = (1.0 - smile) * narrowing
    au["AU09"] = np.clip(0.7 * _ramp(g["ala_h"], s["ala_h"]) + 0.4 * _ramp(-g["lip_to_nose"], s["lip_to_nose"]), 0, 1)
    au["AU09"] *= 1.0 - 0.6 * smile  # broad smiles lift the nose wings too
    au["AU10"] = _ramp(-g["lip_to_nose"], s["lip_to_nose"])
    au["AU14"] = _ramp(g["corner_depth"], s["corner_depth"]) * (1.0 - _ramp(lift, s["corner_lift"]))
    # an open mouth drops the lip mid-line and makes the corners read low: discount it
    au["AU15"] = _ramp(-lift, 0.7 * s["corner_lift"]) * (1.0 - 0.7 * _ramp(gap, s["lip_gap"]))
    au["AU17"] = _ramp(-g["chin_to_lip"], s["chin_to_lip"]) * closed
    au["AU20"] = _ramp(g["mouth_width"] - 1.5 * np.maximum(lift, 0.0), 0.75 * s["mouth_width"])
    au["AU23"] = _ramp(-g["lip_thickness"], s["lip_thickness"]) * closed
    au["AU25"] = _ramp(gap - 0.03, s["lip_gap"])
    au["AU26"] = _ramp(g["jaw_open"], s["jaw_open"])
    ref = open_eye if open_eye is not None else float(baseline[INDEX["eye_open"]])
    ratio = f["eye_open"] / max(ref, 1e-3)
    au["AU45"] = np.clip((0.6 - ratio) / 0.5, 0.0, 1.0)
    out = {code: 5.0 * np.nan_to_num(au[code]) for code in AU_CODES}
    thin = f["lip_thickness"] < 0.4 * baseline[INDEX["lip_thickness"]]
    out["AU28"] = np.where(thin & (closed > 0.5), 5.0, 0.0)
    return out


def presence(intensity: np.ndarray) -> np.ndarray:
    """OpenFace-style presence (0/1) from intensity."""
    return (intensity >= PRESENCE_THRESHOLD).astype(np.int8)
