"""Geometric face measurements from head-frame landmarks (the inputs of the AU estimates).

Every measurement is a distance in inter-ocular-distance (IOD) units, taken in the head
frame of :mod:`emoreason.perception.face.pose` (x right, y down, z away from the camera),
so it does not change with image size, distance to the camera or moderate head rotation.
``y`` differences are written so that *larger means higher on the face* where that reads
naturally (brow height, cheek height). Each feature is documented in ``MODEL_CARD.md``.
"""

from __future__ import annotations

import numpy as np

# Landmark groups (mediapipe 468/478 mesh; "right" = the subject's right = image left).
BROW_INNER = ((55, 107, 65), (285, 336, 295))
BROW_OUTER = ((46, 70, 53), (276, 300, 283))
EYE_CORNERS = ((33, 133), (263, 362))
UPPER_LID = ((159, 158, 160), (386, 385, 387))
LOWER_LID = ((145, 153, 144), (374, 380, 373))
CHEEK = ((117, 118, 101), (346, 347, 330))
NOSE_ALA = ((98, 64), (327, 294))
SUBNASALE = 2
LIP_UPPER_OUTER, LIP_UPPER_INNER = 0, 13
LIP_LOWER_INNER, LIP_LOWER_OUTER = 14, 17
MOUTH_CORNERS = (61, 291)
CHIN = 152

#: Column order of the feature matrix.
FEATURES: tuple[str, ...] = (
    "brow_inner_h",  # inner brow above the eye-corner line
    "brow_outer_h",  # outer brow above the eye-corner line
    "brow_gap",  # horizontal distance between the inner brow heads
    "upper_lid_h",  # upper lid above the eye-corner line
    "lower_lid_h",  # lower lid below the eye-corner line
    "eye_open",  # lid-to-lid aperture / eye width (eye aspect ratio)
    "cheek_h",  # cheek (infra-orbital) points: distance below the eye-corner line (negated)
    "ala_h",  # nose wings: distance below the eye-corner line (negated)
    "lip_to_nose",  # upper lip (outer) below the subnasale
    "corner_lift",  # mouth corners above the lip mid-line
    "mouth_width",  # corner to corner
    "corner_depth",  # mouth corners behind the lip mid-line (z)
    "lip_gap",  # inner lips apart
    "jaw_open",  # subnasale to chin
    "chin_to_lip",  # lower lip (outer) to chin
    "lip_thickness",  # upper + lower lip red, outer to inner
)
INDEX = {name: i for i, name in enumerate(FEATURES)}


# Triplet groups gathered in one indexing operation: rows = (right, left) × group.
_TRIPLETS = np.array([*BROW_INNER, *BROW_OUTER, *UPPER_LID, *LOWER_LID, *CHEEK])  # (10, 3)
_ALA = np.array(NOSE_ALA)  # (2, 2)
_CORNERS = np.array(EYE_CORNERS)  # (2, 2)


def measure(normalised: np.ndarray) -> np.ndarray:
    """The :data:`FEATURES` vector (float64) of head-frame landmarks: (478, 3) → (F,), or (N, 478, 3) → (N, F)."""
    p = np.asarray(normalised, dtype=np.float64)
    y = p[..., 1]
    tri = y[..., _TRIPLETS].mean(axis=-1)  # (..., 10): (right, left) × inner brow, outer brow, upper, lower, cheek
    inner_brow, outer_brow, upper, lower, cheek = (tri[..., 2 * k : 2 * k + 2] for k in range(5))
    ala = y[..., _ALA].mean(axis=-1)
    corner_line = y[..., _CORNERS].mean(axis=-1)
    eye_vec = p[..., _CORNERS[:, 0], :2] - p[..., _CORNERS[:, 1], :2]
    eye_width = np.maximum(np.sqrt((eye_vec**2).sum(axis=-1)), 1e-6)
    c0, c1 = p[..., MOUTH_CORNERS[0], :], p[..., MOUTH_CORNERS[1], :]
    upper_inner, lower_inner = p[..., LIP_UPPER_INNER, :], p[..., LIP_LOWER_INNER, :]
    mid_y = (upper_inner[..., 1] + lower_inner[..., 1]) / 2
    mid_z = (upper_inner[..., 2] + lower_inner[..., 2]) / 2
    columns = (
        (corner_line - inner_brow).mean(axis=-1),
        (corner_line - outer_brow).mean(axis=-1),
        np.abs(p[..., BROW_INNER[1][0], 0] - p[..., BROW_INNER[0][0], 0]),
        (corner_line - upper).mean(axis=-1),
        (lower - corner_line).mean(axis=-1),
        ((lower - upper) / eye_width).mean(axis=-1),
        -(cheek - corner_line).mean(axis=-1),
        -(ala - corner_line).mean(axis=-1),
        y[..., LIP_UPPER_OUTER] - y[..., SUBNASALE],
        mid_y - (c0[..., 1] + c1[..., 1]) / 2,
        np.sqrt(((c1 - c0) ** 2).sum(axis=-1)),
        (c0[..., 2] + c1[..., 2]) / 2 - mid_z,
        np.maximum(0.0, lower_inner[..., 1] - upper_inner[..., 1]),
        y[..., CHIN] - y[..., SUBNASALE],
        y[..., CHIN] - y[..., LIP_LOWER_OUTER],
        (upper_inner[..., 1] - y[..., LIP_UPPER_OUTER]) + (y[..., LIP_LOWER_OUTER] - lower_inner[..., 1]),
    )
    return np.stack(columns, axis=-1)
