"""Frame-level analysis against signals whose pitch, jitter and periodicity are known."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.voice.pitch import FrameAnalyser
from emoreason.perception.voice.prosody import pitch_measures, semitones, voice_quality
from tests.perception.voice.signals import SR, glide, vowel


@pytest.mark.parametrize("f0", [85.0, 150.0, 240.0, 420.0])
def test_constant_pitch_is_measured_within_half_a_percent(f0: float) -> None:
    track = FrameAnalyser(SR).process(vowel(f0, 1.0))
    voiced = np.isfinite(track.f0)
    assert voiced.mean() > 0.9
    assert np.median(track.f0[voiced]) == pytest.approx(f0, rel=0.005)


def test_rising_glide_has_the_right_slope() -> None:
    # 120 → 200 Hz over 1.5 s is +8.84 semitones: +5.9 st/s
    track = FrameAnalyser(SR).process(glide(120, 200, 1.5))
    m = pitch_measures(track)
    assert m["f0_slope_st_per_s"] == pytest.approx(12 * np.log2(200 / 120) / 1.5, rel=0.1)
    assert m["f0_range_st"] > 6


def test_falling_glide_has_a_negative_slope() -> None:
    m = pitch_measures(FrameAnalyser(SR).process(glide(220, 130, 1.5)))
    assert m["f0_slope_st_per_s"] < -4


@pytest.mark.parametrize(("jitter", "low", "high"), [(0.0, 0.0, 0.009), (0.02, 0.017, 0.03)])
def test_jitter_follows_period_perturbation(jitter: float, low: float, high: float) -> None:
    q = voice_quality(FrameAnalyser(SR).process(vowel(150, 2.0, jitter=jitter)))
    assert low <= q["jitter_local"] <= high


def test_white_noise_is_unvoiced() -> None:
    noise = np.random.default_rng(1).normal(0, 0.1, SR).astype(np.float32)
    track = FrameAnalyser(SR).process(noise)
    assert np.isfinite(track.f0).mean() < 0.05


def test_periodic_signal_has_high_hnr_and_noise_lowers_it() -> None:
    clean = vowel(150, 1.0)
    noisy = clean + np.random.default_rng(2).normal(0, 0.03, len(clean)).astype(np.float32)
    hnr_clean = voice_quality(FrameAnalyser(SR).process(clean))["hnr_db"]
    hnr_noisy = voice_quality(FrameAnalyser(SR).process(noisy))["hnr_db"]
    assert hnr_clean > 15
    assert hnr_noisy < hnr_clean - 5


def test_streaming_in_chunks_matches_one_pass() -> None:
    x = glide(110, 180, 3.0)
    whole = FrameAnalyser(SR).process(x)
    fa = FrameAnalyser(SR)
    parts = [fa.process(x[i : i + 7000], offset=i / SR) for i in range(0, len(x), 7000)]
    times = np.concatenate([p.times for p in parts])
    f0 = np.concatenate([p.f0 for p in parts])
    assert len(times) == len(whole.times)
    np.testing.assert_allclose(times, whole.times, atol=1e-9)
    both = np.isfinite(f0) & np.isfinite(whole.f0)
    assert both.mean() > 0.9
    assert np.nanmax(np.abs(semitones(f0[both]) - semitones(whole.f0[both]))) < 0.2


def test_rejects_too_low_sample_rate() -> None:
    with pytest.raises(ValueError, match="too low"):
        FrameAnalyser(4000)


@pytest.mark.shared_data
def test_real_speech_agrees_with_praat(speech_16k: np.ndarray) -> None:
    """Oracle: F0 of real speech within 0.5 st of Praat's on ≥ 90 % of frames both call voiced."""
    parselmouth = pytest.importorskip("parselmouth")
    track = FrameAnalyser(SR).process(speech_16k)
    pitch = parselmouth.Sound(speech_16k.astype(np.float64), SR).to_pitch_ac(
        time_step=0.01, pitch_floor=60, pitch_ceiling=600)
    ref = pitch.selected_array["frequency"]
    ours = np.interp(pitch.xs(), track.times, np.nan_to_num(track.f0, nan=0.0))
    both = (ref > 0) & (ours > 0)
    assert both.sum() > 50
    diff = np.abs(12 * np.log2(ours[both] / ref[both]))
    assert (diff < 0.5).mean() > 0.9
    q = voice_quality(track)
    assert 0.01 < q["jitter_local"] < 0.08  # Praat: 3.1 %
    assert 0.05 < q["shimmer_local"] < 0.3  # Praat: 15 %
