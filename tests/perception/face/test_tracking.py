"""Face ids across frames: overlap matching, several faces, re-identification, expiry."""

from __future__ import annotations

import numpy as np

from emoreason.perception.face.tracking import FaceTracker

SIG_A = np.array([0.5, 0.45, 0.45, 1.6, 0.9, 0.9])
SIG_B = np.array([0.6, 0.40, 0.40, 1.9, 1.1, 1.0])


def test_two_faces_keep_their_ids_while_moving() -> None:
    tracker = FaceTracker()
    seen = []
    for i in range(10):
        boxes = [(100 + 3 * i, 100, 80, 100), (400 - 3 * i, 120, 60, 75)]
        seen.append(tracker.update(boxes, [SIG_A, SIG_B], i * 0.04))
    assert all(ids == [0, 1] for ids in seen)


def test_order_of_detections_does_not_swap_ids() -> None:
    tracker = FaceTracker()
    tracker.update([(100, 100, 80, 100), (400, 120, 60, 75)], [SIG_A, SIG_B], 0.0)
    assert tracker.update([(402, 121, 60, 75), (101, 100, 80, 100)], [SIG_B, SIG_A], 0.04) == [1, 0]


def test_face_is_reidentified_after_a_short_occlusion_nearby() -> None:
    tracker = FaceTracker(max_gap=2.0)
    tracker.update([(100, 100, 80, 100)], [SIG_A], 0.0)
    tracker.update([], [], 0.5)
    # reappears shifted by more than its width (no overlap) one second later
    assert tracker.update([(190, 105, 80, 100)], [SIG_A], 1.0) == [0]


def test_a_different_face_or_a_long_gap_opens_a_new_track() -> None:
    tracker = FaceTracker(max_gap=2.0)
    tracker.update([(100, 100, 80, 100)], [SIG_A], 0.0)
    assert tracker.update([(190, 105, 80, 100)], [SIG_B], 1.0) == [1]  # other proportions
    assert tracker.update([(100, 100, 80, 100)], [SIG_A], 5.0) == [2]  # gap too long
