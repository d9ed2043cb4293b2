"""Probing and frame decoding on real and generated media."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import MediaError, MissingStreamError
from emoreason.io import iter_frames, probe
from tests.io.media_factory import random_bytes, remux, synth_video, truncate


def test_probe_sample_clip(sample_clip: Path) -> None:
    info = probe(sample_clip)
    assert info.video is not None and info.audio is not None
    assert (info.video.width, info.video.height) == (640, 360)
    assert info.video.fps == pytest.approx(23.976, abs=0.01)
    assert info.duration == pytest.approx(19.7, abs=0.1)
    assert info.video.codec == "h264"


def test_probe_shared_clip(shared_clips: Path) -> None:
    info = probe(shared_clips / "sample_00000338.mp4")
    assert info.has_audio and info.has_video
    assert 4.0 < info.duration < 5.0


def test_sampling_at_5fps_keeps_evenly_spaced_frames(sample_clip: Path) -> None:
    frames = list(iter_frames(sample_clip, fps=5, max_side=320, skip_nonref=False))
    times = np.array([f.time for f in frames])
    assert len(frames) == pytest.approx(19.7 * 5, abs=2)
    assert np.all(np.diff(times) > 0.15) and np.all(np.diff(times) < 0.25)
    assert frames[0].image.shape == (180, 320, 3) and frames[0].image.dtype == np.uint8


def test_skipping_nonref_frames_stays_within_a_frame_of_the_grid(sample_clip: Path) -> None:
    exact = list(iter_frames(sample_clip, fps=5, skip_nonref=False))
    fast = list(iter_frames(sample_clip, fps=5))  # auto: 5 fps < 40 % of 23.976 fps
    assert abs(len(fast) - len(exact)) <= 2
    frame = 1 / 23.976
    for f in fast:
        assert abs(f.time - round(f.time * 5) / 5) <= 2.1 * frame  # a skipped B-frame costs one frame
        assert f.index == round(f.time * 23.976)


def test_full_rate_decodes_every_frame(tmp_path: Path) -> None:
    clip = synth_video(tmp_path / "grey.mp4", seconds=2.0, fps=10)
    frames = list(iter_frames(clip))
    assert [f.index for f in frames] == list(range(20))
    assert frames[5].time == pytest.approx(0.5, abs=1e-3)


def test_start_end_window(sample_clip: Path) -> None:
    frames = list(iter_frames(sample_clip, fps=2, start=5.0, end=7.0))
    assert frames and frames[0].time >= 5.0 - 1e-6 and frames[-1].time <= 7.0
    assert len(frames) in (4, 5)


def test_rotation_is_applied(tmp_path: Path) -> None:
    clip = synth_video(tmp_path / "rot.mp4", size=(64, 48), rotate=90)
    info = probe(clip)
    assert info.video is not None and info.video.rotation == 270  # 90° ccw = 270° clockwise
    assert (info.video.width, info.video.height) == (48, 64)
    image = next(iter_frames(clip)).image
    assert image.shape[:2] == (64, 48)
    # the white top-left quadrant moves to the bottom-left after a counter-clockwise quarter turn
    assert image[-20:, :20].mean() > 200 and image[:20, :20].mean() < 100


def test_still_image_is_one_frame(shared_data: Path) -> None:
    info = probe(shared_data / "samples" / "multi_face.jpg")
    assert info.is_image and info.duration == 0.0
    frames = list(iter_frames(shared_data / "samples" / "multi_face.jpg", max_side=200))
    assert len(frames) == 1 and max(frames[0].image.shape[:2]) == 200


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d, src: d / "missing.mp4", "file not found"),
        (lambda d, src: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "empty"),
        (lambda d, src: random_bytes(d / "noise.mp4"), "not a readable media file"),
        (lambda d, src: truncate(src, d / "trunc.mp4", 0.02), "cannot be decoded|truncated"),
        (lambda d, src: truncate(synth_video(d / "s.mp4", seconds=2), d / "nomoov.mp4", 0.7),
         "not a readable media file|cannot be decoded"),
        (lambda d, src: d, "directory"),
    ],
    ids=["missing", "empty", "random-bytes", "truncated", "truncated-index", "directory"],
)
def test_bad_files_raise_one_line_error_naming_file(
    tmp_path: Path, sample_clip: Path, make, problem: str
) -> None:
    bad = make(tmp_path, sample_clip)
    with pytest.raises(MediaError) as info:
        probe(bad)
    message = str(info.value)
    assert str(bad) in message and re.search(problem, message) and "\n" not in message


def test_truncated_tail_is_detected(tmp_path: Path, sample_clip: Path) -> None:
    """A file cut at 90 % still opens and decodes its start; probe sees the missing end and says where data stops."""
    bad = truncate(sample_clip, tmp_path / "cut.mp4", 0.9)
    assert 0 < len(list(iter_frames(bad, fps=5, skip_nonref=False, on_error="stop"))) < 99
    info = probe(bad)
    assert 15.0 < info.duration < 19.0 and len(info.warnings) == 1
    assert "truncated" in info.warnings[0] and "declared 19.7 s" in info.warnings[0]


def test_decoding_error_names_the_time_or_keeps_frames(tmp_path: Path, sample_clip: Path) -> None:
    bad = truncate(sample_clip, tmp_path / "cut.mp4", 0.9)
    with pytest.raises(MediaError, match=r"video decoding failed near \d+\.\d+ s"):
        list(iter_frames(bad, fps=5, skip_nonref=True))
    kept = list(iter_frames(bad, fps=5, skip_nonref=True, on_error="stop"))
    assert 50 < len(kept) < 99


def test_audio_only_file_has_no_video(tmp_path: Path, sample_clip: Path) -> None:
    audio_only = remux(sample_clip, tmp_path / "audio.m4a", keep="audio")
    info = probe(audio_only)
    assert info.video is None and info.audio is not None
    with pytest.raises(MissingStreamError, match="no video stream"):
        next(iter_frames(audio_only))
