"""Prosody of a stretch of speech from a :class:`FrameTrack`: pitch, loudness, rate, pauses, voice quality.

Definitions (see docs/voice.md for the rationale):

* F0 in semitones re 100 Hz; range = 90th - 10th percentile of voiced frames; slope = least-squares
  line through the voiced frames; end slope = the same over the final 0.5 s of voicing.
* Tremor = RMS of the F0 contour (semitones) minus its 150 ms moving average, inside voiced runs
  of at least 0.3 s: the fast wobble a "trembling" voice adds.
* Loudness = mean frame level (dBFS) of the active frames (within 35 dB of the loudest frame).
* Speaking rate = syllable nuclei per second of speech, after de Jong & Wempe (2009): peaks of
  the 300-2500 Hz band level (vowel energy) that rise ≥ 2 dB above the dips around them, are at
  least 80 ms apart and lie within 50 ms of voicing; counted over detected speech time only
  (articulation rate).
* Pauses = gaps of at least 0.25 s between detected speech segments.
* jitter/shimmer (Praat's "local" definitions) and HNR (mean dB over voiced frames).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emoreason.perception.voice.filters import find_peaks, moving_average
from emoreason.perception.voice.pitch import HOP_S, FrameTrack
from emoreason.records import Prosody

MIN_PAUSE_S = 0.25
END_WINDOW_S = 0.5
MIN_PAIRS = 10


def semitones(f0_hz: np.ndarray) -> np.ndarray:
    """F0 in semitones re 100 Hz (NaN stays NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return 12.0 * np.log2(np.asarray(f0_hz, dtype=np.float64) / 100.0)


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _slope(t: np.ndarray, y: np.ndarray, min_frames: int, min_span: float) -> float | None:
    if len(t) < min_frames or t[-1] - t[0] < min_span:
        return None
    return float(np.polyfit(t - t[0], y, 1)[0])


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def pitch_measures(track: FrameTrack) -> dict[str, float | None]:
    """F0 statistics of a window of frames (all None when fewer than 5 frames are voiced)."""
    voiced = np.isfinite(track.f0)
    keys = ("f0_mean_hz", "f0_mean_st", "f0_sd_st", "f0_range_st", "f0_slope_st_per_s",
            "f0_end_slope_st_per_s", "f0_tremor_st")
    if voiced.sum() < 5:
        return dict.fromkeys(keys)
    t, st = track.times[voiced], semitones(track.f0[voiced])
    p10, p90 = np.percentile(st, [10, 90])
    end_mask = t >= t[-1] - END_WINDOW_S
    wobble = []
    for s, e in _runs(voiced):
        if e - s >= 30:
            run = semitones(track.f0[s:e])
            res = run - moving_average(run, 15)
            wobble.append(res[np.abs(res) <= 3.0])  # larger steps are tracking errors, not tremor
    tremor = float(np.sqrt(np.mean(np.concatenate(wobble) ** 2))) if wobble else None
    return {
        "f0_mean_hz": float(np.mean(track.f0[voiced])),
        "f0_mean_st": float(np.mean(st)),
        "f0_sd_st": float(np.std(st)),
        "f0_range_st": float(p90 - p10),
        "f0_slope_st_per_s": _slope(t, st, 10, 0.3),
        "f0_end_slope_st_per_s": _slope(t[end_mask], st[end_mask], 8, 0.2),
        "f0_tremor_st": tremor,
    }


def active_frames(track: FrameTrack) -> np.ndarray:
    """Frames within 35 dB of the loudest frame of the window (and above -60 dBFS)."""
    if len(track.level_db) == 0:
        return np.zeros(0, dtype=bool)
    return (track.level_db >= track.level_db.max() - 35.0) & (track.level_db > -60.0)


def syllable_nuclei(track: FrameTrack) -> np.ndarray:
    """Times of estimated syllable nuclei: 300-2500 Hz band-level peaks rising ≥ 2 dB, near voicing."""
    if len(track.band_db) < 5:
        return np.zeros(0)
    band = moving_average(track.band_db, 3)
    act = active_frames(track)
    band = np.where(act, band, band.min())
    peaks = find_peaks(band, prominence=2.0, distance=max(1, int(0.08 / HOP_S)))
    voiced = np.isfinite(track.f0)
    near = np.array([act[p] and voiced[max(0, p - 5) : p + 6].any() for p in peaks], dtype=bool)
    return track.times[peaks[near]] if len(peaks) else np.zeros(0)


def pause_measures(spans: Sequence[tuple[float, float]]) -> dict[str, float | int | None]:
    """Pauses between consecutive speech spans: ratio of the speaking span, count, longest."""
    if not spans:
        return {"pause_ratio": None, "pause_count": None, "longest_pause_s": None}
    gaps = [b[0] - a[1] for a, b in zip(spans[:-1], spans[1:], strict=True)]
    gaps = [g for g in gaps if g >= MIN_PAUSE_S]
    total = spans[-1][1] - spans[0][0]
    return {
        "pause_ratio": (sum(gaps) / total) if total > 0 else 0.0,
        "pause_count": len(gaps),
        "longest_pause_s": max(gaps) if gaps else 0.0,
    }


def voice_quality(track: FrameTrack) -> dict[str, float | None]:
    """jitter_local, shimmer_local (None with fewer than 10 cycle pairs) and mean HNR of voiced frames."""
    ok_p = np.isfinite(track.d_period)
    ok_a = np.isfinite(track.d_amplitude)
    jitter = shimmer = hnr = None
    if ok_p.sum() >= MIN_PAIRS:
        jitter = float(np.nanmean(track.d_period) / np.nanmean(track.periods))
    if ok_a.sum() >= MIN_PAIRS:
        shimmer = float(np.nanmean(track.d_amplitude) / np.nanmean(track.amplitudes))
    voiced = np.isfinite(track.f0)
    if voiced.sum() >= 5:
        r = np.clip(track.strength[voiced].astype(np.float64), 1e-4, 0.9999)
        hnr = float(np.mean(10 * np.log10(r / (1 - r))))
    return {"jitter_local": jitter, "shimmer_local": shimmer, "hnr_db": hnr}


def summarise(
    track: FrameTrack, start: float, end: float, spans: Sequence[tuple[float, float]] | None = None
) -> Prosody:
    """Prosody of [start, end) from `track`, with `spans` the speech segments inside it.

    Args:
        track: frame-level measurements covering at least [start, end).
        start, end: the stretch to summarise, seconds.
        spans: detected speech inside the stretch (default: the whole stretch is speech).
    """
    spans = [(max(a, start), min(b, end)) for a, b in (spans or [(start, end)]) if b > start and a < end]
    win = track.window(start, end)
    if spans and len(win.times):
        in_speech = np.zeros(len(win.times), dtype=bool)
        for a, b in spans:
            in_speech |= (win.times >= a) & (win.times < b)
        speech = FrameTrack(
            times=win.times[in_speech], f0=win.f0[in_speech], strength=win.strength[in_speech],
            level_db=win.level_db[in_speech], band_db=win.band_db[in_speech], cycle_times=win.cycle_times,
            periods=win.periods,
            amplitudes=win.amplitudes, d_period=win.d_period, d_amplitude=win.d_amplitude,
        )
    else:
        speech = win
    speech_time = sum(b - a for a, b in spans)
    act = active_frames(speech)
    nuclei = syllable_nuclei(speech)
    values: dict[str, float | int | None] = {
        "duration": end - start,
        "voiced_ratio": float(np.isfinite(speech.f0).mean()) if len(speech.f0) else None,
        "loudness_db": float(np.mean(speech.level_db[act])) if act.any() else None,
        "loudness_range_db": float(np.subtract(*np.percentile(speech.level_db[act], [90, 10])))
        if act.sum() >= 5 else None,
        "speaking_rate_syl_per_s": len(nuclei) / speech_time if speech_time >= 0.3 else None,
    }
    values.update(pitch_measures(speech))
    values.update(voice_quality(speech))
    values.update(pause_measures(spans))
    rounded = {k: (v if isinstance(v, int) or v is None else _r(v)) for k, v in values.items()}
    return Prosody(**rounded)
