"""Fixtures of the face tests: shared photos (skipped when absent) and one cached run on the sample clip."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def samples_dir(shared_data: Path) -> Path:
    """../shared/data/samples, or skip with a reason."""
    samples = shared_data / "samples"
    if not samples.is_dir():
        pytest.skip(f"shared sample media not found at {samples} (only present in the workplace)")
    return samples


@pytest.fixture(scope="session")
def pexels_result(sample_clip: Path):
    """The face pass over the shipped Pexels clip at 5 fps (computed once)."""
    from emoreason.perception.face import detect_faces

    return detect_faces(sample_clip, fps=5)


@pytest.fixture(scope="session")
def photo_results(samples_dir: Path) -> dict[str, object]:
    """The face pass over the four labelled photos, keyed by label (su, hao, anc, di)."""
    from emoreason.perception.face import detect_faces

    out = {}
    for path in sorted(samples_dir.glob("*-ph.jpg")):
        label = path.stem.split("-")[2]
        out[label] = detect_faces(path)
    if len(out) < 4:
        pytest.skip(f"expected four labelled photos in {samples_dir}, found {sorted(out)}")
    return out


@pytest.fixture(scope="session")
def face_landmarks(sample_clip: Path):
    """478 landmarks of the first face of the sample clip's first frame."""
    from emoreason.io import iter_frames
    from emoreason.perception.face.mesh import FaceLandmarker

    frame = next(iter(iter_frames(sample_clip)))
    with FaceLandmarker(static=True) as landmarker:
        faces = landmarker.process(frame.image)
    assert faces, "the sample clip's first frame should show a face"
    return faces[0].landmarks
