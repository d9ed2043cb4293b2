"""Geometric AU estimates on synthetic feature vectors: zero at baseline, right direction, ranges."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.face import action_units as aus
from emoreason.perception.face.geometry import FEATURES, INDEX

PRIOR = np.array([aus.NORMS[f].prior for f in FEATURES])


def _estimate(**changes: float) -> dict[str, float]:
    feats = PRIOR.copy()[None, :]
    for name, delta in changes.items():
        feats[0, INDEX[name]] += delta
    values = aus.estimate(feats, PRIOR)
    return {k: float(v[0]) for k, v in values.items()}


def test_neutral_face_has_no_action_units() -> None:
    values = _estimate()
    assert all(v == 0.0 for k, v in values.items() if k != "AU45"), values


@pytest.mark.parametrize(
    ("changes", "au"),
    [
        ({"corner_lift": 0.08, "mouth_width": 0.1}, "AU12"),
        ({"corner_lift": -0.06}, "AU15"),
        ({"brow_inner_h": 0.08}, "AU01"),
        ({"brow_outer_h": 0.08}, "AU02"),
        ({"brow_inner_h": -0.06, "brow_gap": -0.05}, "AU04"),
        ({"upper_lid_h": 0.05}, "AU05"),
        ({"eye_open": -0.1}, "AU07"),
        ({"lip_to_nose": -0.06}, "AU10"),
        ({"lip_gap": 0.25}, "AU25"),
        ({"jaw_open": 0.25}, "AU26"),
        ({"lip_thickness": -0.08}, "AU23"),
        ({"chin_to_lip": -0.1}, "AU17"),
        ({"mouth_width": 0.15}, "AU20"),
    ],
)
def test_each_au_rises_with_its_movement(changes: dict[str, float], au: str) -> None:
    values = _estimate(**changes)
    assert values[au] >= 2.0, (au, values)


def test_smile_with_eye_narrowing_is_a_cheek_raise_not_a_lid_tightener() -> None:
    smile = _estimate(corner_lift=0.1, mouth_width=0.15, eye_open=-0.06)
    squint = _estimate(eye_open=-0.06)
    assert smile["AU06"] > 2.5 and smile["AU07"] < 0.5
    assert squint["AU07"] > 1.5 and squint["AU06"] == 0.0


def test_intensities_stay_in_range_and_presence_follows_threshold() -> None:
    rng = np.random.default_rng(0)
    feats = PRIOR + rng.normal(0, 0.3, size=(200, len(FEATURES)))
    values = aus.estimate(feats, PRIOR)
    for code, v in values.items():
        assert np.all((v >= 0) & (v <= 5)), code
    present = aus.presence(values["AU12"])
    assert set(np.unique(present)) <= {0, 1}
    assert np.array_equal(present == 1, values["AU12"] >= aus.PRESENCE_THRESHOLD)


def test_baseline_uses_the_track_median_but_stays_near_the_prior() -> None:
    feats = np.tile(PRIOR, (50, 1))
    feats[:, INDEX["corner_lift"]] += 1.0  # an absurd offset
    base = aus.neutral_baseline(feats)
    limit = aus.BASELINE_LIMIT * aus.NORMS["corner_lift"].scale
    assert base[INDEX["corner_lift"]] == pytest.approx(PRIOR[INDEX["corner_lift"]] + limit)
    short = aus.neutral_baseline(feats[:1])  # one frame: mostly the prior
    assert short[INDEX["corner_lift"]] == pytest.approx(PRIOR[INDEX["corner_lift"]] + limit / aus.MIN_BASELINE_FRAMES)
    assert np.allclose(aus.neutral_baseline(feats[:0]), PRIOR)


def test_gaze_correction_opens_the_eyes_of_a_downward_look() -> None:
    feats = np.tile(PRIOR, (2, 1))
    corrected = aus.gaze_corrected(feats, np.array([0.05, np.nan]))  # looking down / no iris
    assert corrected[0, INDEX["eye_open"]] > feats[0, INDEX["eye_open"]]
    assert corrected[1, INDEX["eye_open"]] == feats[1, INDEX["eye_open"]]
