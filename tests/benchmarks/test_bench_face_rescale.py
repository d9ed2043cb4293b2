"""bench_face's rescaling of a face pass to the reference machine speed (pure arithmetic on a record)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_face.py"


def _bench_face():
    spec = importlib.util.spec_from_file_location("bench_face", _SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_machine_twice_as_slow_as_the_reference_gets_twice_the_speed_back() -> None:
    """A face pass that took 1.5 × the decode of its round, at 890 fps decode: 19.69 s / (1.5 × 472 / 890)."""
    results = {
        "decode_rgb_full": {"frames": 472, "wall_s": 472 / 445, "fps": 445.0},
        "face_full": {"wall_s": 3.0 * 472 / 445, "paired_ratio": 3.0},
        "face_sampled": {"wall_s": 1.5 * 472 / 445, "paired_ratio": 1.5},
    }
    out = _bench_face()._at_reference_speed(results, 19.69, 890.0)
    assert out["face_sampled_ratio"] == pytest.approx(1.5)
    raw_sampled = 19.69 / results["face_sampled"]["wall_s"]  # measured on a machine decoding at 445 fps
    assert out["face_sampled_x"] == pytest.approx(2 * raw_sampled, rel=1e-3)
    assert out["face_full_x"] == pytest.approx(19.69 / (3.0 * 472 / 890), rel=1e-3)


def test_each_face_pass_is_paired_with_the_decode_of_its_own_round() -> None:
    """Round 1 runs twice as fast as round 2 for both: the paired ratio is 2 in every round."""
    decode = [{"wall_s": 0.5}, {"wall_s": 1.0}, {"wall_s": 0.6}]
    face = [{"wall_s": 1.0}, {"wall_s": 2.0}, {"wall_s": 1.2}]
    assert _bench_face()._paired_ratio(face, decode) == pytest.approx(2.0)
    shifted = decode[1:] + decode[:1]  # each face pass against another round's decode
    assert _bench_face()._paired_ratio(face, shifted) == pytest.approx(2.4)


def test_machine_speed_is_each_yardstick_against_the_issues_figure() -> None:
    """Decoding at 712 fps (890 reference), mesh at 135 fps (270), fer at 1.0 ms (0.5): all at 0.8 / 0.5 / 0.5."""
    results = {"decode_rgb_full": {"fps": 712.0}, "mediapipe_mesh": {"fps": 135.0}, "fer_model": {"fps": 1000.0}}
    speed = _bench_face()._machine_speed(results)
    assert speed == {"decode_rgb_full": pytest.approx(0.8), "mediapipe_mesh": 0.5, "fer_model": 0.5}
