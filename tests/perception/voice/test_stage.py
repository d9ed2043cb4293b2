"""VoiceStage on real clips and on bad input: silence, music, clipping, odd rates, stereo, long, no audio."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from emoreason.io import probe
from emoreason.perception.base import ClipContext
from emoreason.perception.voice import VoiceStage
from emoreason.records import Modality, StageStatus
from tests.perception.voice.signals import SR, chord, silence, vowel, write_wav


def _run(path: Path, **kw: object) -> tuple[ClipContext, object]:
    ctx = ClipContext(path=path, media=probe(path))
    (report,) = VoiceStage(**kw).run(ctx)
    assert report.modality is Modality.VOICE
    return ctx, report


@pytest.mark.shared_data
def test_real_speech_sample(speech_wav: Path) -> None:
    ctx, report = _run(speech_wav, egemaps=False)
    assert report.status is StageStatus.OK
    v = ctx.voice
    assert v.vad == "silero-onnx" and v.sample_rate == 44100
    seg = v.speech_segments[0]
    assert 0.2 < seg.start < 0.8 and 4.4 < seg.end < 5.0
    p = v.clip_prosody
    assert 100 < p.f0_mean_hz < 135  # Praat: 118 Hz over its voiced frames
    assert 2.5 < p.speaking_rate_syl_per_s < 6.0
    assert all(0 <= c.start <= c.end <= 5.3 for c in report.clues)


@pytest.mark.shared_data
def test_egemaps_when_opensmile_installed(speech_wav: Path) -> None:
    pytest.importorskip("opensmile")
    ctx, _ = _run(speech_wav, egemaps=True)
    assert len(ctx.voice.egemaps) == 88
    assert 0.01 < ctx.voice.egemaps["jitterLocal_sma3nz_amean"] < 0.1


@pytest.mark.shared_data
@pytest.mark.slow
def test_shared_clips_give_speech_and_clues_inside_the_clip(shared_clips: Path) -> None:
    names = [r["name"] for r in csv.DictReader((shared_clips / "ground_truth.csv").open(encoding="utf-8"))]
    n_clues = 0
    for name in names:
        ctx, report = _run(shared_clips / f"{name}.mp4", egemaps=False)
        assert report.status is StageStatus.OK, (name, report.message)
        assert ctx.voice.speech_segments, name
        for c in report.clues:
            assert 0 <= c.start <= c.end <= ctx.media.duration + 0.05
            assert c.evidence
        n_clues += len(report.clues)
    assert n_clues >= len(names)


def test_silent_video_is_empty(sample_clip: Path) -> None:
    ctx, report = _run(sample_clip, egemaps=False)
    assert report.status is StageStatus.EMPTY
    assert "silent" in report.message
    assert ctx.voice is not None and ctx.voice.speech_segments == []


def test_video_without_audio_is_missing(sample_clip: Path, tmp_path: Path) -> None:
    from tests.io.media_factory import remux

    ctx, report = _run(remux(sample_clip, tmp_path / "video_only.mp4", keep="video"))
    assert report.status is StageStatus.MISSING
    assert "no audio" in report.message
    assert ctx.voice is None


def test_music_only_is_empty(tmp_path: Path) -> None:
    _, report = _run(write_wav(tmp_path / "chord.wav", chord(4.0)), egemaps=False)
    assert report.status is StageStatus.EMPTY
    assert "no speech" in report.message and "music" in report.message


def test_silence_wav_is_empty(tmp_path: Path) -> None:
    _, report = _run(write_wav(tmp_path / "silence.wav", silence(2.0)), egemaps=False)
    assert report.status is StageStatus.EMPTY and "silent" in report.message


@pytest.mark.shared_data
@pytest.mark.parametrize("rate", [8000, 22050, 96000])
def test_other_sample_rates_and_stereo(rate: int, speech_16k: np.ndarray, tmp_path: Path) -> None:
    from scipy.signal import resample_poly

    x = resample_poly(speech_16k, rate, SR).astype(np.float32)
    stereo = np.stack([x, 0.5 * x], axis=1)
    ctx, report = _run(write_wav(tmp_path / f"speech_{rate}.wav", stereo, rate), egemaps=False)
    assert report.status is StageStatus.OK
    assert ctx.voice.sample_rate == rate
    assert 95 < ctx.voice.clip_prosody.f0_mean_hz < 140
    assert any("channels were mixed" in n for n in ctx.voice.notes)
    if rate < 16000:
        assert any("8000 Hz" in w for w in ctx.warnings)


def test_clipping_is_reported(tmp_path: Path) -> None:
    x = np.concatenate([silence(0.3), np.clip(vowel(140, 2.0, level=1.0) * 4, -1, 1), silence(0.3)])
    ctx, report = _run(write_wav(tmp_path / "clipped.wav", x), vad="webrtc", egemaps=False)
    assert report.status is StageStatus.OK
    assert ctx.voice.clipped_ratio > 0.01
    assert any("clipped" in w for w in ctx.warnings)


@pytest.mark.slow
def test_long_input_is_streamed_and_matches(tmp_path: Path) -> None:
    unit = np.concatenate([vowel(130, 1.0), silence(0.5), vowel(180, 1.0, level=0.2), silence(0.5)])
    path = write_wav(tmp_path / "long.wav", np.tile(unit, 40))  # 120 s
    ctx_whole, rep_whole = _run(path, vad="webrtc", egemaps=False, stream_above_s=1e9)
    ctx_stream, rep_stream = _run(path, vad="webrtc", egemaps=False, stream_above_s=10, chunk_seconds=7.3)
    a, b = ctx_whole.voice, ctx_stream.voice
    assert len(a.speech_segments) == len(b.speech_segments) >= 40
    assert [s.start for s in a.speech_segments] == [s.start for s in b.speech_segments]
    assert a.clip_prosody.f0_mean_st == pytest.approx(b.clip_prosody.f0_mean_st, abs=0.05)
    assert b.speech_segments[-1].end > 115
    assert len(rep_whole.clues) == len(rep_stream.clues)


def test_bad_options() -> None:
    with pytest.raises(ValueError, match="unknown VAD"):
        VoiceStage(vad="nope")
    with pytest.raises(ValueError, match="chunk_seconds"):
        VoiceStage(chunk_seconds=0)


@pytest.mark.parametrize("x", [np.zeros(0), np.zeros(10), np.full(16000, np.nan), np.ones((2, 16000)) * 0.1])
def test_degenerate_arrays_do_not_crash(x: np.ndarray) -> None:
    from emoreason.perception.voice import analyse_voice, describe_tone

    analysis = analyse_voice(x, SR)
    assert analysis.summary.speech_segments == []
    assert describe_tone(analysis.summary) == []
