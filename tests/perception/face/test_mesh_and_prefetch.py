"""Box helpers, the decode prefetch thread, array inputs and expression smoothing (no models needed)."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.errors import MediaError
from emoreason.perception.face.analyzer import _as_rgb, _prefetch
from emoreason.perception.face.expression import smooth
from emoreason.perception.face.mesh import bbox_of, iou


def test_iou_and_bbox() -> None:
    assert iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert iou((0, 0, 10, 10), (20, 20, 5, 5)) == 0.0
    assert iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert bbox_of(np.array([[1.0, 2.0, 0.0], [4.0, 8.0, 1.0]])) == (1.0, 2.0, 3.0, 6.0)


def test_prefetch_keeps_order_and_reraises() -> None:
    assert list(_prefetch(iter(range(100)), size=3)) == list(range(100))

    def broken():
        yield 1
        raise MediaError("clip.mp4", "video decoding failed near 0.04 s")

    got = []
    with pytest.raises(MediaError, match="decoding failed"):
        for item in _prefetch(broken()):
            got.append(item)
    assert got == [1]


def test_prefetch_stops_its_thread_when_the_consumer_stops_early() -> None:
    import threading

    before = threading.active_count()
    for i in _prefetch(iter(range(10_000)), size=2):
        if i == 3:
            break
    assert threading.active_count() <= before


def test_array_inputs_are_normalised_to_rgb_uint8() -> None:
    assert _as_rgb(np.zeros((4, 5))).shape == (4, 5, 3)
    assert _as_rgb(np.ones((4, 5, 4), np.float32)).dtype == np.uint8
    assert _as_rgb(np.ones((4, 5, 4), np.float32))[0, 0, 0] == 255
    with pytest.raises(MediaError, match="expected an HxW"):
        _as_rgb(np.zeros((4, 5, 2)))


def test_smoothing_is_local_in_time_and_keeps_probabilities() -> None:
    times = np.array([0.0, 0.2, 0.4, 10.0, 10.2])
    probs = np.eye(7, dtype=np.float32)[[0, 0, 1, 3, 3]]
    out = smooth(probs, times)
    assert np.allclose(out.sum(axis=1), 1.0, atol=1e-5)
    assert out[3, 3] == pytest.approx(1.0)  # 10 s away from the others: untouched
    assert 0 < out[1, 1] < out[2, 1]


def test_smoothing_fills_frames_between_classified_samples() -> None:
    times = np.array([0.0, 0.1, 0.2])
    probs = np.eye(7, dtype=np.float32)[[3, 3, 3]]
    out = smooth(probs, times, at=np.array([0.05, 0.15, 5.0]))
    assert out.shape == (3, 7)
    assert np.allclose(out[:, 3], 1.0)  # inside the samples and far away (nearest sample)
