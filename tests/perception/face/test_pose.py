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


def test_a_batch_of_faces_gives_each_face_its_own_values(face_landmarks: np.ndarray) -> None:
    """head_poses / to_head_frame / measure / iris_offset / shape_signature over (N, 478, 3) = per face."""
    from emoreason.perception.face.pose import head_poses, iris_offset
    from emoreason.perception.face.tracking import shape_signature

    faces = [face_landmarks, _rotate(face_landmarks * 0.6, "z", 0.4), _rotate(face_landmarks, "x", -0.2)]
    batch = head_poses(np.stack(faces))
    normalised = to_head_frame(np.stack(faces), batch)
    feats, iris, signature = measure(normalised), iris_offset(normalised), shape_signature(normalised)
    for i, face in enumerate(faces):
        one = head_pose(face)
        for name in ("pitch", "yaw", "roll", "scale"):
            assert getattr(batch, name)[i] == pytest.approx(getattr(one, name), abs=1e-12)
        alone = to_head_frame(face, one)
        assert np.allclose(normalised[i], alone, atol=1e-12)
        assert np.allclose(feats[i], measure(alone), atol=1e-12)
        assert np.allclose(iris[i], iris_offset(alone), atol=1e-12)
        assert np.allclose(signature[i], shape_signature(alone), atol=1e-12)
    poses = {(round(float(p), 3), round(float(r), 3)) for p, r in zip(batch.pitch, batch.roll, strict=True)}
    assert len(poses) == 3  # the faces did not get one another's pose


def test_iris_offset_in_eye_widths() -> None:
    """Each iris is placed by hand relative to its eye corners; the offset is the mean of both eyes."""
    from emoreason.perception.face.pose import iris_offset

    pts = np.zeros((478, 3))
    pts[33], pts[133] = (0.0, 0.0, 0.0), (2.0, 0.0, 0.0)  # subject-right eye: width 2, mid (1, 0)
    pts[362], pts[263] = (4.0, 0.0, 0.0), (8.0, 0.0, 0.0)  # subject-left eye: width 4, mid (6, 0)
    pts[468] = (1.5, 0.2, 0.0)  # right iris: +0.25, +0.1 eye widths
    pts[473] = (6.0, -0.8, 0.0)  # left iris: 0, −0.2 eye widths
    assert np.allclose(iris_offset(pts), [0.125, -0.05])
