"""Head pose from the mesh: known rotations of real landmarks come back as the right angles."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.face.geometry import measure
from emoreason.perception.face.pose import head_pose, to_head_frame

pytestmark = pytest.mark.slow


def _rotate(points: np.ndarray, axis: str, angle: float) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    rot = {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]
    centre = points.mean(axis=0)
    return (points - centre) @ rot.T + centre


@pytest.mark.parametrize(("axis", "field"), [("x", "pitch"), ("y", "yaw"), ("z", "roll")])
def test_rotating_the_mesh_changes_the_matching_angle(face_landmarks: np.ndarray, axis: str, field: str) -> None:
    base = head_pose(face_landmarks)
    turned = head_pose(_rotate(face_landmarks, axis, 0.3))
    change = {name: getattr(turned, name) - getattr(base, name) for name in ("pitch", "yaw", "roll")}
    assert abs(change[field]) == pytest.approx(0.3, abs=0.06), change
    for other, value in change.items():
        if other != field:
            assert abs(value) < 0.08, change


def test_features_do_not_depend_on_head_rotation_or_scale(face_landmarks: np.ndarray) -> None:
    base = measure(to_head_frame(face_landmarks, head_pose(face_landmarks)))
    moved = _rotate(face_landmarks * 1.7, "y", 0.35)
    other = measure(to_head_frame(moved, head_pose(moved)))
    assert np.allclose(base, other, atol=1e-6)
