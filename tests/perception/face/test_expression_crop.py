"""The expression model's aligned crop: its affine map, checked against OpenCV's own rotation matrix."""

from __future__ import annotations

import math

import numpy as np

from emoreason.perception.face.expression import crop_matrices, warp_crop


def _opencv_matrix(landmarks: np.ndarray, roll: float) -> np.ndarray:
    """The crop map built the plain way: de-rolled box → cv2.getRotationMatrix2D about its centre → shift."""
    import cv2

    pts = landmarks[:468, :2].astype(np.float64)
    centre = pts.mean(axis=0)
    back = np.array([[math.cos(roll), -math.sin(roll)], [math.sin(roll), math.cos(roll)]])
    derolled = (pts - centre) @ back  # rotate every point by −roll
    lo, hi = derolled.min(axis=0), derolled.max(axis=0)
    box_centre = centre + back @ ((lo + hi) / 2)
    side = float(max(hi - lo)) * 1.2
    matrix = cv2.getRotationMatrix2D(tuple(map(float, box_centre)), math.degrees(roll), 64 / side)
    matrix[:, 2] += 32 - box_centre
    return matrix


def test_crop_matrices_match_opencv_rotation() -> None:
    rng = np.random.default_rng(3)
    landmarks = rng.random((3, 478, 3)) * [120, 90, 10] + [40, 30, 0]
    rolls = np.array([0.0, 0.35, -1.2])
    matrices, usable = crop_matrices(landmarks, rolls)
    assert usable.all()
    for face, roll, matrix in zip(landmarks, rolls, matrices, strict=True):
        assert np.allclose(matrix, _opencv_matrix(face, roll), atol=1e-9)


def test_the_crop_is_upright_and_tiny_faces_are_refused() -> None:
    """A bright bar along the (rolled) eye line comes out horizontal in the crop; a 5-pixel face is not usable."""
    import cv2

    image = np.zeros((200, 200, 3), np.uint8)
    roll = math.radians(30)
    direction = np.array([math.cos(roll), math.sin(roll)])
    a, b = np.array([100, 100]) - 40 * direction, np.array([100, 100]) + 40 * direction
    cv2.line(image, tuple(map(int, a)), tuple(map(int, b)), (255, 255, 255), 3)
    ring = np.stack([np.cos(t) * 50 + 100 for t in np.linspace(0, 2 * np.pi, 478)])
    landmarks = np.stack([ring, np.stack([np.sin(t) * 50 + 100 for t in np.linspace(0, 2 * np.pi, 478)]),
                          np.zeros(478)], axis=1)  # fmt: skip
    matrices, usable = crop_matrices(np.stack([landmarks, landmarks * 0.05]), np.array([roll, roll]))
    assert usable[0]
    crop = warp_crop(image, matrices[0])
    assert crop.shape == (64, 64)
    rows = (crop > 0).sum(axis=1)
    assert rows.max() >= 40 and np.count_nonzero(rows) <= 6  # one horizontal band
    assert not usable[1]
