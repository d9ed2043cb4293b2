"""Synthetic voice-like signals with known pitch, loudness and jitter (glottal pulses through formants)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.signal import lfilter

SR = 16_000


def vowel(f0: np.ndarray | float, seconds: float, *, sr: int = SR, jitter: float = 0.0, level: float = 0.3,
          seed: int = 0) -> np.ndarray:
    """A vowel-like signal: pulse train at `f0` (Hz, constant or a contour sampled every 10 ms).

    Args:
        f0: pitch in Hz, or an array giving the pitch every 10 ms.
        seconds: length.
        jitter: relative standard deviation of the period (0.01 = 1 %).
        level: peak amplitude.
    """
    rng = np.random.default_rng(seed)
    contour = np.atleast_1d(np.asarray(f0, dtype=np.float64))
    n = int(seconds * sr)
    pulses = np.zeros(n)
    t = 0.0
    while t < seconds:
        f = contour[min(int(t / 0.01), len(contour) - 1)]
        i = int(t * sr)
        if i >= n:
            break
        pulses[i] = 1.0
        t += (1.0 / f) * (1.0 + jitter * rng.standard_normal())
    y = lfilter([1.0], [1.0, -0.95], pulses)
    for fc, bw in ((700, 110), (1220, 120), (2600, 200)):
        r = np.exp(-np.pi * bw / sr)
        th = 2 * np.pi * fc / sr
        y = lfilter([1 - r], [1, -2 * r * np.cos(th), r * r], y)
    return (level * y / np.abs(y).max()).astype(np.float32)


def glide(f_start: float, f_end: float, seconds: float, **kw: object) -> np.ndarray:
    """A vowel whose pitch moves linearly in semitones from f_start to f_end."""
    steps = int(seconds / 0.01) + 1
    st = np.linspace(12 * np.log2(f_start / 100), 12 * np.log2(f_end / 100), steps)
    return vowel(100 * 2 ** (st / 12), seconds, **kw)


def silence(seconds: float, sr: int = SR) -> np.ndarray:
    """Digital silence."""
    return np.zeros(int(seconds * sr), dtype=np.float32)


def chord(seconds: float, sr: int = SR) -> np.ndarray:
    """Sustained C-major organ chord (no speech): stacked harmonics, steady envelope."""
    t = np.arange(int(seconds * sr)) / sr
    y = sum(np.sin(2 * np.pi * f * k * t) / k for f in (261.63, 329.63, 392.0, 523.25) for k in (1, 2, 3))
    return (0.2 * y / np.abs(y).max()).astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, sr: int = SR) -> Path:
    """Write float samples (1-D, or frames × channels) as 16-bit PCM WAV."""
    import soundfile as sf

    sf.write(str(path), samples, sr, subtype="PCM_16")
    return path
