"""Damaged and odd media: non-regular paths, truncation, decode errors mid-file, extra streams, joined files."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import MediaError
from emoreason.io import iter_audio_chunks, iter_frames, load_audio, probe, read_image
from tests.io.media_factory import damage_packets, duplicate_streams, join_files, synth_video, truncate


def _finishes(call: Callable[[], object], seconds: float = 10.0) -> BaseException | None:
    """Run `call` in a daemon thread; fail the test if it blocks; return what it raised."""
    outcome: list[BaseException | None] = []

    def work() -> None:
        try:
            call()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"blocked for more than {seconds} s"
    return outcome[0]


@pytest.fixture()
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.mp4"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(
    "reader",
    [probe, lambda p: next(iter_frames(p)), load_audio, lambda p: next(iter_audio_chunks(p)), read_image],
    ids=["probe", "iter_frames", "load_audio", "iter_audio_chunks", "read_image"],
)
def test_fifo_is_refused_at_once(fifo: Path, reader: Callable[[Path], object]) -> None:
    error = _finishes(lambda: reader(fifo))
    assert isinstance(error, MediaError)
    assert str(fifo) in str(error) and "FIFO" in str(error) and "not a regular file" in str(error)


def test_character_device_is_refused() -> None:
    with pytest.raises(MediaError, match="character device, not a regular file"):
        probe("/dev/null")


@pytest.fixture(scope="module")
def tone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3 s mpeg4 + AAC clip (10 fps, a 440 Hz tone)."""
    return synth_video(tmp_path_factory.mktemp("media") / "tone.mp4", seconds=3.0, fps=10, tone_hz=440.0)


def test_truncated_file_is_described_up_to_the_damage(tmp_path: Path, sample_clip: Path) -> None:
    """Cut at 54 %: about 10.5 s of the 19.7 s decode; probe says so instead of refusing the file."""
    cut = truncate(sample_clip, tmp_path / "cut54.mp4", 0.54)
    info = probe(cut)
    assert 9.5 < info.duration < 11.5
    assert len(info.warnings) == 1 and "stops near" in info.warnings[0] and "declared 19.7 s" in info.warnings[0]
    frames = list(iter_frames(cut, fps=2, on_error="skip"))
    assert 9.0 < frames[-1].time < 11.0
    lost: list[str] = []
    audio = load_audio(cut, on_error="skip", report=lost.append)
    assert 9.5 < audio.duration < 11.5


def test_nothing_decodable_is_still_refused(tmp_path: Path, sample_clip: Path) -> None:
    with pytest.raises(MediaError, match="cannot be decoded|truncated|not a readable media file"):
        probe(truncate(sample_clip, tmp_path / "cut2.mp4", 0.02))


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_decode_error_mid_file_raise_stop_or_skip(tmp_path: Path, tone_clip: Path, kind: str) -> None:
    """One damaged stretch (1.4-1.6 s): raise names the time; stop keeps what came before; skip goes on."""
    bad = damage_packets(tone_clip, tmp_path / f"bad-{kind}.mp4", kind=kind, start=1.4, end=1.6)

    def decode(on_error: str, report: list[str]) -> float:
        if kind == "video":
            return list(iter_frames(bad, on_error=on_error, report=report.append))[-1].time
        return load_audio(bad, on_error=on_error, report=report.append).duration

    with pytest.raises(MediaError, match=rf"{kind} decoding failed near 1\.\d+ s"):
        decode("raise", [])
    stopped: list[str] = []
    assert 1.0 < decode("stop", stopped) < 1.8
    assert len(stopped) == 1 and "decoding stopped near" in stopped[0] and "analysed up to there" in stopped[0]
    skipped: list[str] = []
    assert decode("skip", skipped) > 2.7  # decoding went on to the end
    assert len(skipped) == 1 and "undecodable packet" in skipped[0] and "skipped" in skipped[0]


def test_skipped_audio_keeps_later_samples_at_their_time(tmp_path: Path, tone_clip: Path) -> None:
    """The lost stretch becomes silence, so the tone after it is still at its own time."""
    bad = damage_packets(tone_clip, tmp_path / "bad.mp4", kind="audio", start=1.4, end=1.6)
    whole, damaged = load_audio(tone_clip), load_audio(bad, on_error="skip")
    assert abs(damaged.duration - whole.duration) < 0.07
    late = slice(int(2.2 * 16000), int(2.8 * 16000))
    np.testing.assert_allclose(damaged.samples[late], whole.samples[late], atol=0.05)
    gap = damaged.samples[int(1.45 * 16000) : int(1.55 * 16000)]
    assert float(np.abs(gap).max()) < 0.05


def test_skipping_gives_up_after_many_bad_packets(
    tmp_path: Path, tone_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from emoreason.io import decoding

    monkeypatch.setattr(decoding, "MAX_BAD_PACKETS", 5)
    bad = damage_packets(tone_clip, tmp_path / "bad.mp4", kind="audio", start=1.0, end=3.0)
    report: list[str] = []
    audio = load_audio(bad, on_error="skip", report=report.append)
    assert 0.9 < audio.duration < 1.5
    assert len(report) == 1 and "5 undecodable packets skipped" in report[0] and "decoding stopped near" in report[0]


def test_extra_streams_are_named(tmp_path: Path, tone_clip: Path) -> None:
    doubled = duplicate_streams(tone_clip, tmp_path / "two.mp4", video=2, audio=2)
    info = probe(doubled)
    assert len(info.warnings) == 2
    video, audio = info.warnings
    assert "2 video streams" in video and "#0 mpeg4" in video and "#1 mpeg4" in video and "only the first" in video
    assert "2 audio streams" in audio and "aac" in audio
    assert probe(tone_clip).warnings == []


def test_second_file_joined_end_to_end_is_named(tmp_path: Path, tone_clip: Path, sample_clip: Path) -> None:
    joined = join_files(tone_clip, sample_clip, tmp_path / "joined.mp4")
    info = probe(joined)
    assert info.duration == pytest.approx(probe(tone_clip).duration, abs=0.01)
    assert len(info.warnings) == 1
    assert "second MP4 file" in info.warnings[0] and f"byte {tone_clip.stat().st_size:,}" in info.warnings[0]
