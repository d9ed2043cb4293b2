"""Audio extraction to 16 kHz mono float32, whole and streamed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import MissingStreamError
from emoreason.io import iter_audio_chunks, load_audio, probe
from tests.io.media_factory import remux, synth_video


def _dominant_hz(samples: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / sr)[np.argmax(spectrum)])


def test_tone_survives_extraction(tmp_path: Path) -> None:
    clip = synth_video(tmp_path / "tone.mp4", seconds=2.0, tone_hz=440.0)
    audio = load_audio(clip)
    assert audio.sample_rate == 16000 and audio.samples.dtype == np.float32
    assert audio.duration == pytest.approx(2.0, abs=0.15)  # AAC priming/padding
    assert _dominant_hz(audio.samples[2000:-2000], 16000) == pytest.approx(440.0, abs=3.0)


def test_resample_to_other_rate(tmp_path: Path) -> None:
    clip = synth_video(tmp_path / "tone.mp4", seconds=1.0, tone_hz=1000.0)
    audio = load_audio(clip, sample_rate=8000)
    assert audio.sample_rate == 8000
    assert _dominant_hz(audio.samples[1000:-1000], 8000) == pytest.approx(1000.0, abs=5.0)


def test_window_and_chunks_match_whole(shared_data: Path) -> None:
    wav = shared_data / "samples" / "opensmile_test.wav"
    whole = load_audio(wav)
    chunks = list(iter_audio_chunks(wav, chunk_seconds=1.0))
    assert all(abs(c.duration - 1.0) < 1e-6 for c in chunks[:-1])
    assert [c.offset for c in chunks[:3]] == [0.0, 1.0, 2.0]
    np.testing.assert_allclose(np.concatenate([c.samples for c in chunks]), whole.samples)
    part = load_audio(wav, start=1.0, end=2.0)
    assert part.duration == pytest.approx(1.0, abs=1e-3) and part.offset == pytest.approx(1.0)
    np.testing.assert_allclose(part.samples, whole.samples[16000:32000], atol=1e-6)


def test_stereo_48k_sample_clip_is_silent_mono(sample_clip: Path) -> None:
    info = probe(sample_clip)
    assert info.audio is not None and info.audio.channels == 2 and info.audio.sample_rate == 48000
    audio = load_audio(sample_clip)
    assert audio.samples.ndim == 1 and audio.duration == pytest.approx(19.69, abs=0.05)
    assert float(np.abs(audio.samples).max()) == 0.0  # the Pexels clip's track is digital silence


def test_missing_audio_stream_names_file(tmp_path: Path, sample_clip: Path) -> None:
    video_only = remux(sample_clip, tmp_path / "video_only.mp4", keep="video")
    assert probe(video_only).audio is None
    with pytest.raises(MissingStreamError) as info:
        load_audio(video_only)
    assert str(video_only) in str(info.value) and "no audio stream" in str(info.value)
