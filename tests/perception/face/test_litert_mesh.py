"""The LiteRT landmark backend agrees with mediapipe's face-mesh graph on real frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.perception.face.litert_mesh import LiteRTFaceLandmarker, roi_from_points, to_image, warp_roi
from emoreason.perception.face.mesh import FaceLandmarker, make_landmarker


def _iod(points: np.ndarray) -> float:
    return float(np.linalg.norm(points[33, :2] - points[263, :2]))


def _error(a: np.ndarray, b: np.ndarray, part: slice = slice(0, 468)) -> float:
    """Mean 2-D distance of `part` as a fraction of `a`'s inter-ocular distance."""
    return float(np.linalg.norm(a[part, :2] - b[part, :2], axis=1).mean() / _iod(a))


def test_roi_round_trip() -> None:
    """A point warped into a rotated ROI maps back to where it came from."""
    roi = (100.0, 80.0, 64.0, 0.4)
    pts = np.array([[0.0, 0.0, 0.0], [96.0, 96.0, 10.0], [192.0, 50.0, -5.0]], np.float32)
    back = to_image(pts, roi, 192)
    assert np.allclose(back[1, :2], [100.0, 80.0], atol=1e-3)
    assert np.isclose(back[1, 2], 10.0 * 64 / 192)
    assert warp_roi(np.zeros((50, 60, 3), np.uint8), roi, 192).shape == (192, 192, 3)
    angle = roi_from_points(np.array([[0, 0, 0], [10, 10, 0]], float), 0, 1, 1.5)[3]
    assert np.isclose(angle, np.pi / 4)


def test_backend_choice() -> None:
    """``auto`` picks litert for video (iris on or off) and mediapipe for still images."""
    with make_landmarker("auto", iris=False) as plain, make_landmarker("auto", iris=True) as refined:
        assert isinstance(plain, LiteRTFaceLandmarker) and isinstance(refined, LiteRTFaceLandmarker)
    with make_landmarker("auto", static=True) as still:
        assert not isinstance(still, LiteRTFaceLandmarker)
    with pytest.raises(ValueError, match="backend"):
        make_landmarker("tensorflow")


def _matched_errors(a: list, b: list) -> list[tuple[float, float]]:
    """(mesh, iris) error of each reference face against the nearest litert face."""
    out = []
    for fa in a:
        fb = min(b, key=lambda f: _error(fa.landmarks, f.landmarks))
        out.append((_error(fa.landmarks, fb.landmarks), _error(fa.landmarks, fb.landmarks, slice(468, 478))))
    return out


def test_agrees_with_mediapipe_on_the_clip(sample_clip: Path) -> None:
    """Tracked every frame without iris: the 468 points agree within 1 % IOD on average."""
    from emoreason.io import iter_frames

    errors = []
    with FaceLandmarker(iris=False) as ref, LiteRTFaceLandmarker(iris=False) as lit:
        for i, frame in zip(range(60), iter_frames(sample_clip), strict=False):
            a, b = ref.process(frame.image, frame.time), lit.process(frame.image, frame.time)
            assert len(a) == len(b), f"frame {i}: {len(a)} vs {len(b)} faces"
            if a:
                errors.append(_error(a[0].landmarks, b[0].landmarks))
    assert errors
    assert np.mean(errors[5:]) < 0.01 and max(errors) < 0.04


def test_attention_model_matches_mediapipe(sample_clip: Path) -> None:
    """With iris, LiteRT runs mediapipe's attention model (custom ops in numpy): same points.

    Tracked at 5 fps the two differ only through their ROIs (≈ 0.7 % IOD on this clip); the
    separate iris model used before was 2 % IOD off, a broken crop or matrix step is > 5 %.
    """
    from emoreason.io import iter_frames

    errors = []
    with FaceLandmarker(iris=True) as ref, LiteRTFaceLandmarker(iris=True) as lit:
        for frame in iter_frames(sample_clip, fps=5):
            a, b = ref.process(frame.image, frame.time), lit.process(frame.image, frame.time)
            assert len(a) == len(b), f"{frame.time:.1f} s: {len(a)} vs {len(b)} faces"
            errors += _matched_errors(a, b)
    mesh, iris = np.array(errors).T
    assert len(mesh) > 90
    assert mesh.mean() < 0.012 and iris.mean() < 0.012, (mesh.mean(), iris.mean())
    assert np.percentile(iris, 95) < 0.03


def test_attention_model_on_shared_clips(shared_clips: Path) -> None:
    """On the shared clips the faces both backends track agree point by point.

    (On sample_00000338 mediapipe's graph also tracks the back of a man's head, which its
    short-range detector scores 0.5–0.6; the litert backend's full-range scans do not. The
    woman there is small (36 px between the eyes) and followed by mediapipe's crop mesh on an
    upscaled crop instead of its tracking graph, so the two agree to ~1.6 % there, < 1 % elsewhere.)
    """
    from emoreason.io import iter_frames

    for clip in sorted(shared_clips.glob("*.mp4")):
        errors = []
        with FaceLandmarker(iris=True) as ref, LiteRTFaceLandmarker(iris=True) as lit:
            for frame in iter_frames(clip, fps=5):
                a, b = ref.process(frame.image, frame.time), lit.process(frame.image, frame.time)
                errors += [e for fb in b for e in _matched_errors([fb], a)]
        assert errors, clip.name
        mesh, iris = np.array(errors).T
        assert np.median(mesh) < 0.02 and np.median(iris) < 0.02, (clip.name, np.median(mesh), np.median(iris))


def test_video_path_never_imports_mediapipe(sample_clip: Path) -> None:
    """The default video face pass runs on LiteRT alone: mediapipe (and matplotlib) stay unimported."""
    import subprocess
    import sys

    code = (
        "import sys; from emoreason.perception.face import detect_faces; "
        f"r = detect_faces({str(sample_clip)!r}, fps=5); "
        "assert (r.table['success'] == 1).sum() > 90, r.counters; "
        "print(sorted(m for m in ('mediapipe', 'matplotlib', 'jax') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_photos_same_faces(samples_dir: Path) -> None:
    """On the shared photos both backends find the same faces, most of them at the same places.

    Known gap: on multi_face.jpg two of five small faces differ (one where mediapipe's
    single static pass disagrees with its own converged tracking, one where the litert
    second pass drifts), so half the faces are held to 6 % IOD and the best one to 3 %.
    """
    import cv2

    for path in sorted(samples_dir.glob("*.jpg")):
        image = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
        with FaceLandmarker(static=True, iris=False) as ref, LiteRTFaceLandmarker(static=True, iris=False) as lit:
            a, b = ref.process(image), lit.process(image)
        assert len(a) == len(b), path.name
        errors = sorted(min(_error(fa.landmarks, fb.landmarks) for fb in b) for fa in a)
        assert sum(e < 0.06 for e in errors) >= len(errors) / 2, (path.name, errors)
        assert errors[0] < 0.03, (path.name, errors)


def test_detect_faces_litert(sample_clip: Path) -> None:
    """The whole face pass runs with the litert backend."""
    from emoreason.perception.face import detect_faces

    result = detect_faces(sample_clip, fps=5, backend="litert")
    assert (result.table["success"] == 1).sum() > 0.9 * result.frames_analysed
    assert result.counters["landmark_runs"] >= result.frames_analysed
