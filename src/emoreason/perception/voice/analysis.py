"""Voice analysis over a stream of audio chunks: VAD → frame track → per-segment and clip prosody.

:func:`analyse_chunks` is the streaming core used by :class:`VoiceStage` (memory stays flat:
only per-frame numbers at 10 ms and per-cycle numbers are kept, never the samples).
:func:`analyse_voice` is the convenience entry for an in-memory array at any rate and
channel layout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from emoreason.perception.voice.egemaps import EgemapsAccumulator, opensmile_available
from emoreason.perception.voice.pitch import FrameAnalyser, FrameTrack
from emoreason.perception.voice.prosody import semitones, summarise
from emoreason.perception.voice.vad import SAMPLE_RATE, VadSettings, make_vad, segments_from_probabilities
from emoreason.records import SpeechSegment, VoiceSummary

log = logging.getLogger(__name__)

SILENCE_PEAK_DB = -60.0
CLIP_LEVEL = 0.999


@dataclass
class VoiceAnalysis:
    """The summary record plus the frame-level track behind it.

    Attributes:
        summary: segments, prosody, detector names, caveats.
        track: frame-level F0/level/HNR and glottal cycles (absolute times).
        peak_db: loudest sample of the input in dBFS (-inf for digital silence).
    """

    summary: VoiceSummary
    track: FrameTrack = field(default_factory=FrameTrack)
    peak_db: float = float("-inf")

    @property
    def is_silent(self) -> bool:
        """Whether the input never rises above -60 dBFS."""
        return self.peak_db < SILENCE_PEAK_DB


@dataclass(frozen=True)
class Chunk:
    """Consecutive 16 kHz mono samples starting at `offset` seconds (what io.AudioClip provides)."""

    samples: np.ndarray
    offset: float = 0.0


def analyse_chunks(
    chunks: Iterable[object],
    *,
    vad: str = "auto",
    vad_settings: VadSettings | None = None,
    egemaps: bool | None = None,
) -> VoiceAnalysis:
    """Analyse consecutive 16 kHz mono chunks (objects with `.samples` and `.offset`).

    Args:
        chunks: e.g. ``emoreason.io.iter_audio_chunks(path)`` or ``[ctx.audio()]``.
        vad: 'auto' (silero, else webrtcvad), 'silero' or 'webrtc'.
        vad_settings: segmentation thresholds.
        egemaps: compute eGeMAPS functionals; None = when openSMILE is installed.

    Raises:
        DependencyError: the requested VAD (or eGeMAPS when egemaps=True) is not installed.
    """
    detector = make_vad(vad)
    analyser = FrameAnalyser(SAMPLE_RATE)
    smile = EgemapsAccumulator() if (egemaps or (egemaps is None and opensmile_available())) else None
    probs, parts = [], []
    n_samples = n_clipped = 0
    peak = 0.0
    start: float | None = None
    for chunk in chunks:
        x = np.nan_to_num(np.asarray(chunk.samples, dtype=np.float32).reshape(-1), nan=0.0, posinf=1.0, neginf=-1.0)
        start = float(getattr(chunk, "offset", 0.0)) if start is None else start
        if not len(x):
            continue
        n_samples += len(x)
        n_clipped += int(np.count_nonzero(np.abs(x) >= CLIP_LEVEL))
        peak = max(peak, float(np.abs(x).max()))
        probs.append(detector.probabilities(x))
        parts.append(analyser.process(x, getattr(chunk, "offset", 0.0)))
        if smile is not None:
            smile.add(_speech_only(x, probs[-1], detector.hop_s), SAMPLE_RATE)
    start = start or 0.0
    duration = n_samples / SAMPLE_RATE
    prob = np.concatenate(probs) if probs else np.zeros(0, np.float32)
    spans = [(start + a, start + b) for a, b in
             segments_from_probabilities(prob, detector.hop_s, duration, vad_settings)]
    track = gate_track(FrameTrack.concat(parts), spans)
    segments = [SpeechSegment(start=a, end=b, prosody=summarise(track, a, b)) for a, b in spans]
    clip = summarise(track, spans[0][0], spans[-1][1], spans) if spans else summarise(track, start, start)
    summary = VoiceSummary(
        speech_segments=segments,
        clip_prosody=clip,
        speech_ratio=round(sum(b - a for a, b in spans) / duration, 4) if duration else 0.0,
        vad=detector.name,
        prosody_backend="numpy-autocorrelation",
        duration=round(duration, 3),
        sample_rate=SAMPLE_RATE,
        clipped_ratio=round(n_clipped / n_samples, 6) if n_samples else 0.0,
        egemaps=smile.result() if smile is not None else None,
    )
    peak_db = 20 * np.log10(peak) if peak > 0 else float("-inf")
    return VoiceAnalysis(summary=summary, track=track, peak_db=float(peak_db))


def _speech_only(x: np.ndarray, probs: np.ndarray, hop_s: float) -> np.ndarray:
    """The samples of `x` in frames that are (or are within 0.1 s of) likely speech, for eGeMAPS."""
    if not len(probs):
        return x[:0]
    likely = probs >= 0.35
    pad = max(1, int(round(0.1 / hop_s)))
    grown = np.convolve(likely.astype(np.float32), np.ones(2 * pad + 1, np.float32), mode="same") > 0
    hop = int(round(hop_s * SAMPLE_RATE))
    mask = np.repeat(grown, hop)[: len(x)]
    return x[: len(mask)][mask]


def gate_track(track: FrameTrack, spans: list[tuple[float, float]]) -> FrameTrack:
    """Keep pitch only inside speech and within the speaker's range (drops hum and octave errors).

    Voiced frames outside the speech segments, or more than 12 semitones below / 16 above the
    median F0 of the speech, become unvoiced; glottal cycles in frames that lost voicing go too.
    """
    if not len(track.times):
        return track
    in_speech = np.zeros(len(track.times), dtype=bool)
    for a, b in spans:
        in_speech |= (track.times >= a) & (track.times < b)
    f0 = np.where(in_speech, track.f0, np.nan).astype(np.float32)
    voiced = np.isfinite(f0)
    if voiced.sum() >= 5:
        st = semitones(f0)
        med = float(np.median(st[voiced]))
        f0[voiced & ((st < med - 12.0) | (st > med + 16.0))] = np.nan
    track.f0 = f0
    if len(track.cycle_times):
        idx = np.clip(np.searchsorted(track.times, track.cycle_times), 0, len(track.times) - 1)
        keep = np.isfinite(f0[idx])
        for name in ("cycle_times", "periods", "amplitudes", "d_period", "d_amplitude"):
            setattr(track, name, getattr(track, name)[keep])
    return track


def to_mono_16k(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mix to mono (channels on the shorter axis) and resample to 16 kHz.

    Raises:
        ValueError: more than two dimensions, or a sample rate below 4 kHz.
    """
    from math import gcd

    from scipy.signal import resample_poly

    x = np.asarray(samples)
    if x.ndim > 2:
        raise ValueError(f"audio must be 1-D or 2-D (samples × channels), got shape {x.shape}")
    if x.ndim == 2:
        x = x.mean(axis=0 if x.shape[0] < x.shape[1] else 1)
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(np.iinfo(x.dtype).max)
    x = x.astype(np.float32)
    if sample_rate < 4000:
        raise ValueError(f"sample rate {sample_rate} Hz is too low for speech analysis")
    if sample_rate != SAMPLE_RATE:
        g = gcd(int(sample_rate), SAMPLE_RATE)
        x = resample_poly(x, SAMPLE_RATE // g, int(sample_rate) // g).astype(np.float32)
    return x


def analyse_voice(
    samples: np.ndarray,
    sample_rate: int,
    *,
    vad: str = "auto",
    vad_settings: VadSettings | None = None,
    egemaps: bool | None = False,
    chunk_seconds: float = 30.0,
) -> VoiceAnalysis:
    """Analyse an in-memory signal of any rate/channels (resampled to 16 kHz mono, then streamed).

    Raises:
        ValueError: unusable array shape or sample rate.
        DependencyError: a requested backend is missing.
    """
    x = to_mono_16k(samples, sample_rate)
    size = max(1, int(chunk_seconds * SAMPLE_RATE))
    chunks = (Chunk(x[i : i + size], i / SAMPLE_RATE) for i in range(0, max(len(x), 1), size))
    result = analyse_chunks(chunks, vad=vad, vad_settings=vad_settings, egemaps=egemaps)
    result.summary.sample_rate = int(sample_rate)
    return result


__all__ = ["Chunk", "VoiceAnalysis", "analyse_chunks", "analyse_voice", "to_mono_16k"]
