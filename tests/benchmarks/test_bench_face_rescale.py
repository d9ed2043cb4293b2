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
    """A face pass that took 1.5 × the decode just before it, at 890 fps decode: 19.69 s / (1.5 × 472 / 890)."""
    results = {
        "decode_rgb_full": {"frames": 472, "wall_s": 472 / 445, "fps": 445.0},
        "face_full": {"wall_s": 3.0 * 472 / 445, "yardstick_ratio": 3.0},
        "face_sampled": {"wall_s": 1.5 * 472 / 445, "yardstick_ratio": 1.5},
    }
    out = _bench_face()._at_reference_speed(results, 19.69, 890.0)
    assert out["face_sampled_ratio"] == pytest.approx(1.5)
    raw_sampled = 19.69 / results["face_sampled"]["wall_s"]  # measured on a machine decoding at 445 fps
    assert out["face_sampled_x"] == pytest.approx(2 * raw_sampled, rel=1e-3)
    assert out["face_full_x"] == pytest.approx(19.69 / (3.0 * 472 / 890), rel=1e-3)
