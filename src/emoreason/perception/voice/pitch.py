"""Permissive frame-level voice analysis in numpy: F0, voicing, level, HNR, glottal cycles.

The F0 tracker follows Boersma's (1993) autocorrelation method, the one Praat's
``To Pitch (ac)`` uses: each 48 ms Hann-windowed frame's autocorrelation is divided
by the window's own autocorrelation, the best peak in the lag range (with a small
octave cost favouring higher candidates) gives F0, and its height r gives voicing and
the harmonics-to-noise ratio ``HNR = 10 log10(r / (1 - r))``. Octave jumps are corrected
against a running median and isolated voiced frames are dropped.

Jitter and shimmer come from glottal cycles: inside voiced runs the waveform's
peak is followed period by period (the F0 track predicts where the next peak is),
with parabolic sub-sample refinement. ``jitter_local`` and ``shimmer_local`` use
Praat's definitions (mean absolute difference of consecutive periods/peak amplitudes
over their mean, with Praat's period factor 1.3 and amplitude factor 1.6).

Everything is streaming: :class:`FrameAnalyser` consumes consecutive chunks and
keeps just enough samples between calls for frames to continue seamlessly.
Licence: this module is part of emoreason (Apache-2.0) and uses only numpy (scipy's FFT and
filters are not imported: their import alone costs ~1 s, see :mod:`.filters`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from emoreason.perception.voice.filters import median3

HOP_S = 0.01
FRAME_S = 0.048
F0_MIN = 60.0
F0_MAX = 600.0
VOICING_THRESHOLD = 0.45
SILENCE_DB = -60.0
SILENCE_REL = 0.03
OCTAVE_COST = 0.02
_EPS = 1e-10


@dataclass
class FrameTrack:
    """Frame-level measurements at a 10 ms hop (plus glottal cycles), absolute times in seconds.

    Attributes:
        times: frame centre times.
        f0: F0 in Hz, NaN where unvoiced.
        strength: normalised autocorrelation peak (0..1) of each frame.
        level_db: frame RMS level in dBFS.
        band_db: level of the 300-2500 Hz band (vowel energy) in dB, for syllable nuclei.
        cycle_times, periods, amplitudes: one entry per glottal cycle.
        d_period, d_amplitude: absolute change from the previous cycle (NaN when not consecutive).
    """

    times: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    f0: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    strength: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    level_db: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    band_db: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    cycle_times: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float64))
    periods: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    amplitudes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    d_period: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    d_amplitude: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))

    @staticmethod
    def concat(parts: list[FrameTrack]) -> FrameTrack:
        """Join consecutive tracks."""
        if not parts:
            return FrameTrack()
        names = FrameTrack.__dataclass_fields__.keys()
        return FrameTrack(**{n: np.concatenate([getattr(p, n) for p in parts]) for n in names})

    def window(self, start: float, end: float) -> FrameTrack:
        """The frames and cycles whose times fall in [start, end)."""
        fm = (self.times >= start) & (self.times < end)
        cm = (self.cycle_times >= start) & (self.cycle_times < end)
        return FrameTrack(
            times=self.times[fm], f0=self.f0[fm], strength=self.strength[fm], level_db=self.level_db[fm],
            band_db=self.band_db[fm],
            cycle_times=self.cycle_times[cm], periods=self.periods[cm], amplitudes=self.amplitudes[cm],
            d_period=self.d_period[cm], d_amplitude=self.d_amplitude[cm],
        )


def _window_autocorrelation(n: int, nfft: int) -> np.ndarray:
    w = np.hanning(n + 2)[1:-1].astype(np.float64)
    spec = np.abs(np.fft.rfft(w, nfft)) ** 2
    ac = np.fft.irfft(spec, nfft)
    return ac / ac[0]


class FrameAnalyser:
    """Streaming F0 / level / HNR / cycle extraction for 16 kHz (or any rate ≥ 8 kHz) mono audio."""

    def __init__(self, sample_rate: int = 16_000, *, f0_min: float = F0_MIN, f0_max: float = F0_MAX) -> None:
        """Set up frames, lag range and window normalisation.

        Raises:
            ValueError: sample rate below 8 kHz or an empty/invalid pitch range.
        """
        if sample_rate < 8000:
            raise ValueError(f"sample rate {sample_rate} Hz is too low for pitch analysis (need ≥ 8000)")
        if not 0 < f0_min < f0_max < sample_rate / 4:
            raise ValueError(f"invalid pitch range {f0_min}-{f0_max} Hz")
        self.sr = sample_rate
        self.f0_min, self.f0_max = f0_min, f0_max
        self.hop = int(round(HOP_S * sample_rate))
        self.n = int(round(FRAME_S * sample_rate))
        self.lag_min = int(np.floor(sample_rate / f0_max))
        self.lag_max = int(np.ceil(sample_rate / f0_min))
        self.nfft = int(2 ** np.ceil(np.log2(self.n + self.lag_max + 2)))
        self.win = np.hanning(self.n + 2)[1:-1].astype(np.float32)
        self.win_ac = _window_autocorrelation(self.n, self.nfft)[: self.lag_max + 2].astype(np.float32)
        lags = np.arange(self.lag_max + 2, dtype=np.float64)
        with np.errstate(divide="ignore"):
            self.octave_bonus = (OCTAVE_COST * np.log2(sample_rate / (f0_min * np.maximum(lags, 1)))).astype(
                np.float32
            )
        self.reset()

    def reset(self) -> None:
        """Start a new input."""
        self._carry = np.zeros(0, dtype=np.float32)
        self._carry_t0 = 0.0
        self._next_t0: float | None = None
        self._global_peak = 0.0

    def process(self, samples: np.ndarray, offset: float | None = None) -> FrameTrack:
        """Analyse the next chunk (continuing the previous one); `offset` is its start time in seconds."""
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        if self._next_t0 is None:
            self._carry_t0 = offset or 0.0
        data = np.concatenate([self._carry, x])
        t0 = self._carry_t0
        if len(data) < self.n:
            self._carry = data
            self._next_t0 = t0
            return FrameTrack()
        frames = np.lib.stride_tricks.sliding_window_view(data, self.n)[:: self.hop]
        n_frames = frames.shape[0]
        consumed = n_frames * self.hop
        self._carry = data[consumed:].copy()
        self._carry_t0 = t0 + consumed / self.sr
        self._next_t0 = self._carry_t0
        times = t0 + (np.arange(n_frames) * self.hop + self.n / 2) / self.sr
        f0, strength, level, band = self._frames(frames)
        f0 = _clean_f0(f0)
        track = FrameTrack(times=times, f0=f0, strength=strength, level_db=level, band_db=band)
        _add_cycles(track, data[: (n_frames - 1) * self.hop + self.n], t0, self.sr, f0_range=(self.f0_min, self.f0_max))
        return track

    def _frames(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """F0 (NaN unvoiced), peak strength, level and 300-2500 Hz band level of (n_frames, n) frames."""
        out_f0, out_r, out_db, out_band = [], [], [], []
        b_lo, b_hi = int(300 * self.nfft / self.sr), int(2500 * self.nfft / self.sr) + 1
        local_peak = np.abs(frames).max(axis=1)
        self._global_peak = max(self._global_peak, float(local_peak.max()) if len(local_peak) else 0.0)
        # Praat's unvoiced-candidate strength: quiet frames (re the loudest peak) need more periodicity.
        rel = local_peak / (self._global_peak + _EPS)
        unvoiced = VOICING_THRESHOLD + np.maximum(0.0, 2.0 - rel / (SILENCE_REL / (1 + VOICING_THRESHOLD)))
        for b in range(0, frames.shape[0], 1024):
            block = frames[b : b + 1024]
            block = block - block.mean(axis=1, keepdims=True)
            rms = np.sqrt(np.mean(block.astype(np.float64) ** 2, axis=1)) + _EPS
            level = (20 * np.log10(rms)).astype(np.float32)
            spec = np.fft.rfft(block * self.win, self.nfft, axis=1)
            power = (spec * spec.conj()).real
            band = power[:, b_lo:b_hi].sum(axis=1) / (self.nfft * float(self.win @ self.win))
            out_band.append((10 * np.log10(band + _EPS)).astype(np.float32))
            ac = np.fft.irfft(power, self.nfft, axis=1)[:, : self.lag_max + 2]
            r = ac / (ac[:, :1] + _EPS) / self.win_ac
            f0, peak = self._best_peak(r.astype(np.float32))
            voiced = (peak >= VOICING_THRESHOLD) & (peak > unvoiced[b : b + 1024]) & (level >= SILENCE_DB)
            out_f0.append(np.where(voiced, f0, np.nan).astype(np.float32))
            out_r.append(np.clip(peak, 0.0, 1.0).astype(np.float32))
            out_db.append(level)
        return np.concatenate(out_f0), np.concatenate(out_r), np.concatenate(out_db), np.concatenate(out_band)

    def _best_peak(self, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.lag_min, self.lag_max
        mid = r[:, lo : hi + 1]
        is_peak = (mid > r[:, lo - 1 : hi]) & (mid >= r[:, lo + 1 : hi + 2])
        score = np.where(is_peak, mid + self.octave_bonus[lo : hi + 1], -np.inf)
        k = np.argmax(score, axis=1)
        rows = np.arange(r.shape[0])
        has = np.isfinite(score[rows, k])
        lag = k + lo
        a, b, c = r[rows, lag - 1], r[rows, lag], r[rows, np.minimum(lag + 1, r.shape[1] - 1)]
        denom = a - 2 * b + c
        shift = np.where(np.abs(denom) > _EPS, 0.5 * (a - c) / np.where(np.abs(denom) > _EPS, denom, 1), 0.0)
        shift = np.clip(shift, -0.5, 0.5)
        peak = np.where(has, b - 0.25 * (a - c) * shift, 0.0)
        f0 = self.sr / (lag + shift)
        return np.where(has, f0, np.nan), peak


def _clean_f0(f0: np.ndarray) -> np.ndarray:
    """Fix octave jumps against a running median, drop voiced runs shorter than 3 frames, smooth."""
    f0 = f0.astype(np.float32).copy()
    voiced = np.isfinite(f0)
    if voiced.sum() < 3:
        return np.full_like(f0, np.nan)
    st = np.where(voiced, 12 * np.log2(np.where(voiced, f0, 100.0) / 100.0), np.nan)
    ref = _nan_running_median(st, 31)
    for factor in (12.0, -12.0):
        jump = voiced & np.isfinite(ref) & (np.abs(st - ref - factor) < 3.0)
        st[jump] -= factor
    # isolated voiced runs
    edges = np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]]))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    for s, e in zip(starts, ends, strict=True):
        if e - s < 3:
            st[s:e] = np.nan
        else:
            st[s:e] = median3(st[s:e])
    return np.where(np.isfinite(st), 100.0 * 2 ** (st / 12.0), np.nan).astype(np.float32)


def _nan_running_median(x: np.ndarray, size: int) -> np.ndarray:
    """Running median ignoring NaNs (NaN where a window holds no value)."""
    half = size // 2
    padded = np.concatenate([np.full(half, np.nan), x, np.full(half, np.nan)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, size)
    out = np.full(len(x), np.nan, dtype=np.float32)
    ok = np.isfinite(windows).any(axis=1)
    if ok.any():
        out[ok] = np.nanmedian(windows[ok], axis=1)
    return out


def _add_cycles(track: FrameTrack, data: np.ndarray, t0: float, sr: int, f0_range: tuple[float, float]) -> None:
    """Follow glottal cycles through every voiced run of `track` (filled in place)."""
    voiced = np.isfinite(track.f0)
    edges = np.diff(np.concatenate([[0], voiced.astype(np.int8), [0]]))
    hop = HOP_S * sr
    times, periods, amps, d_per, d_amp = [], [], [], [], []
    for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if e - s < 4:
            continue
        a = int(s * hop)
        b = min(len(data), int((e - 1) * hop + FRAME_S * sr))
        seg = data[a:b]
        f0_run = track.f0[s:e]
        cyc = _follow_cycles(seg, f0_run, sr, hop, int(FRAME_S * sr) // 2)
        if len(cyc) < 3:
            continue
        pos, amp = np.array([c[0] for c in cyc]), np.array([c[1] for c in cyc])
        per = np.diff(pos) / sr
        amp = amp[1:]
        ok = (per >= 1 / f0_range[1]) & (per <= 1 / f0_range[0])
        dp = np.abs(np.diff(per, prepend=np.nan))
        ratio_p = np.maximum(per, np.roll(per, 1)) / np.minimum(per, np.roll(per, 1))
        dp[(ratio_p > 1.3) | ~ok | ~np.roll(ok, 1)] = np.nan
        da = np.abs(np.diff(amp, prepend=np.nan))
        ratio_a = np.maximum(amp, np.roll(amp, 1)) / np.maximum(np.minimum(amp, np.roll(amp, 1)), _EPS)
        da[(ratio_a > 1.6) | ~ok | ~np.roll(ok, 1)] = np.nan
        dp[0] = da[0] = np.nan
        times.append(t0 + (a + pos[1:]) / sr)
        periods.append(np.where(ok, per, np.nan))
        amps.append(np.where(ok, amp, np.nan))
        d_per.append(dp)
        d_amp.append(da)
    if times:
        track.cycle_times = np.concatenate(times)
        track.periods = np.concatenate(periods).astype(np.float32)
        track.amplitudes = np.concatenate(amps).astype(np.float32)
        track.d_period = np.concatenate(d_per).astype(np.float32)
        track.d_amplitude = np.concatenate(d_amp).astype(np.float32)


def _follow_cycles(seg: np.ndarray, f0_run: np.ndarray, sr: int, hop: float, centre: int) -> list[tuple[float, float]]:
    """(sub-sample pulse position, peak amplitude) of successive cycles in one voiced run.

    Like Praat's ``To PointProcess (periodic, cc)``: the next pulse is where the waveform of
    the current period best cross-correlates with the one that follows, searched within
    0.8-1.25 of the period the F0 track predicts.
    """
    if len(seg) < 4:
        return []
    x = (seg if seg.max() >= -seg.min() else -seg).astype(np.float64)
    cum = np.concatenate([[0.0], np.cumsum(x * x)])
    periods = (sr / f0_run.astype(np.float64)).tolist()
    last = len(periods) - 1

    def period_at(p: float) -> float:
        return periods[min(last, max(0, int((p - centre) / hop)))]

    p = float(np.argmax(x[: int(period_at(centre)) + 1]))
    out: list[tuple[float, float]] = []
    n = len(x)
    while True:
        t = period_at(p)
        half = int(t / 2)
        lo, hi = int(p + 0.8 * t), int(p + 1.25 * t) + 1
        if hi + half + 1 >= n:
            break
        a = int(p) - half
        if a < 0:
            p += t
            continue
        tmpl = x[a : int(p) + half + 1]
        m = len(tmpl)
        cc = np.correlate(x[lo - half : hi + half + 1], tmpl, mode="valid")
        energy = cum[lo - half + m : hi + half + 2] - cum[lo - half : hi + half + 2 - m]
        cc = cc / np.sqrt(energy * float(tmpl @ tmpl) + _EPS)
        k = int(np.argmax(cc))
        shift = 0.0
        if 0 < k < len(cc) - 1:
            den = cc[k - 1] - 2 * cc[k] + cc[k + 1]
            if den < 0:
                shift = min(0.5, max(-0.5, 0.5 * (cc[k - 1] - cc[k + 1]) / den))
        q = lo + k + shift + (p - int(p))
        out.append((p, float(np.abs(x[int(p) : int(q) + 1]).max())))
        p = q
    return out
