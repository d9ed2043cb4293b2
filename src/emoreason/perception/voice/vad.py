"""Speech-activity detection: silero-vad (ONNX, run straight on onnxruntime) with a webrtcvad fallback.

Both detectors are *streaming*: :meth:`VoiceActivityDetector.probabilities` is called on
consecutive chunks of 16 kHz mono audio and keeps its state between calls, so a long
input never has to sit in memory. The per-frame speech probabilities are turned into
segments by :func:`segments_from_probabilities` (hysteresis, minimum speech and silence
durations, padding), the same post-processing silero's ``get_speech_timestamps`` uses.

silero-vad's ONNX model ships in the ``silero-vad`` wheel (MIT); it is run here with
onnxruntime directly, so torch is never imported. webrtcvad (``webrtcvad-wheels``, BSD)
is the fallback when onnxruntime or the model file is unavailable.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from emoreason.errors import DependencyError

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class VadSettings:
    """How frame probabilities become speech segments.

    Attributes:
        threshold: probability above which a frame starts speech.
        neg_threshold: probability below which speech ends (hysteresis); default threshold - 0.15.
        min_speech_s: shorter speech bursts are dropped.
        min_silence_s: shorter silences inside speech are bridged.
        pad_s: padding added to both ends of every segment.
    """

    threshold: float = 0.5
    neg_threshold: float | None = None
    min_speech_s: float = 0.25
    min_silence_s: float = 0.15
    pad_s: float = 0.03


class VoiceActivityDetector(Protocol):
    """A streaming detector: per-frame speech probabilities for consecutive 16 kHz chunks."""

    name: str
    hop_s: float

    def reset(self) -> None:
        """Forget the state (start of a new input)."""
        ...

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability of each complete frame of `samples` (continuing the previous call)."""
        ...


def _silero_model_path() -> Path | None:
    spec = importlib.util.find_spec("silero_vad")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "silero_vad.onnx"
    return path if path.is_file() else None


@lru_cache(maxsize=2)
def _onnx_session(path: str) -> object:
    """One single-threaded onnxruntime session per model file, created on first use and shared."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.inter_op_num_threads = 1
    opts.intra_op_num_threads = 1
    opts.log_severity_level = 3
    return ort.InferenceSession(path, sess_options=opts, providers=["CPUExecutionProvider"])


class SileroVad:
    """silero-vad v5/v6 ONNX model: 512-sample frames (32 ms) with 64 samples of context."""

    name = "silero-onnx"
    hop_s = 512 / SAMPLE_RATE
    _FRAME = 512
    _CONTEXT = 64

    def __init__(self, model_path: str | Path | None = None) -> None:
        """Load the model shipped in the silero-vad wheel (or `model_path`).

        Raises:
            DependencyError: onnxruntime or the model file is missing.
        """
        try:
            import onnxruntime  # noqa: F401
        except ImportError as exc:
            raise DependencyError("silero VAD needs onnxruntime: pip install onnxruntime") from exc
        path = Path(model_path) if model_path else _silero_model_path()
        if path is None or not path.is_file():
            raise DependencyError("silero VAD model not found: pip install silero-vad")
        self._session = _onnx_session(str(path.resolve()))
        self._sr = np.array(SAMPLE_RATE, dtype=np.int64)
        self.reset()

    def reset(self) -> None:
        """Zero the recurrent state, the context and the carried-over samples."""
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, self._CONTEXT), dtype=np.float32)
        self._carry = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """Speech probability per 32 ms frame; a trailing partial frame waits for the next call."""
        data = np.concatenate([self._carry, np.asarray(samples, dtype=np.float32).reshape(-1)])
        n = len(data) // self._FRAME
        self._carry = data[n * self._FRAME :].copy()
        out = np.empty(n, dtype=np.float32)
        for i in range(n):
            frame = data[i * self._FRAME : (i + 1) * self._FRAME].reshape(1, -1)
            x = np.concatenate([self._context, frame], axis=1)
            prob, self._state = self._session.run(None, {"input": x, "state": self._state, "sr": self._sr})
            self._context = x[:, -self._CONTEXT :]
            out[i] = float(prob[0, 0])
        return out


class WebrtcVad:
    """webrtcvad (GMM, 30 ms frames): a 0/1 decision per frame, used when silero is unavailable."""

    name = "webrtcvad"
    hop_s = 0.03
    _FRAME = 480

    def __init__(self, aggressiveness: int = 2) -> None:
        """Create the detector.

        Args:
            aggressiveness: 0 (keeps most audio as speech) to 3 (strictest).

        Raises:
            DependencyError: webrtcvad is not installed.
            ValueError: aggressiveness outside 0..3.
        """
        if aggressiveness not in (0, 1, 2, 3):
            raise ValueError(f"webrtcvad aggressiveness must be 0, 1, 2 or 3, not {aggressiveness!r}")
        try:
            import webrtcvad
        except ImportError as exc:
            raise DependencyError("webrtcvad fallback needs: pip install webrtcvad-wheels") from exc
        self._vad = webrtcvad.Vad(aggressiveness)
        self.reset()

    def reset(self) -> None:
        """Drop carried-over samples."""
        self._carry = np.zeros(0, dtype=np.float32)

    def probabilities(self, samples: np.ndarray) -> np.ndarray:
        """1.0 for frames webrtcvad calls speech, else 0.0."""
        data = np.concatenate([self._carry, np.asarray(samples, dtype=np.float32).reshape(-1)])
        n = len(data) // self._FRAME
        self._carry = data[n * self._FRAME :].copy()
        pcm = (np.clip(data[: n * self._FRAME], -1.0, 1.0) * 32767).astype("<i2").tobytes()
        step = self._FRAME * 2
        return np.array(
            [self._vad.is_speech(pcm[i * step : (i + 1) * step], SAMPLE_RATE) for i in range(n)],
            dtype=np.float32,
        )


VAD_BACKENDS = ("auto", "silero", "webrtc")


def make_vad(backend: str = "auto") -> VoiceActivityDetector:
    """Build a detector: 'silero', 'webrtc', or 'auto' (silero, else webrtcvad).

    Raises:
        ValueError: unknown backend name.
        DependencyError: the requested backend (or, for 'auto', both) is not installed.
    """
    if backend not in VAD_BACKENDS:
        raise ValueError(f"unknown VAD backend {backend!r}; choose one of {', '.join(VAD_BACKENDS)}")
    if backend == "silero":
        return SileroVad()
    if backend == "webrtc":
        return WebrtcVad()
    try:
        return SileroVad()
    except DependencyError:
        return WebrtcVad()


def segments_from_probabilities(
    probs: np.ndarray, hop_s: float, duration: float, settings: VadSettings | None = None
) -> list[tuple[float, float]]:
    """Turn per-frame speech probabilities into (start, end) speech segments in seconds.

    Args:
        probs: probability per frame; frame i covers [i * hop_s, (i + 1) * hop_s).
        hop_s: frame hop in seconds.
        duration: length of the audio (segments are clipped to it).
        settings: thresholds and durations (defaults: :class:`VadSettings`).
    """
    s = settings or VadSettings()
    neg = s.neg_threshold if s.neg_threshold is not None else max(0.01, s.threshold - 0.15)
    raw: list[list[float]] = []
    start: float | None = None
    for i, p in enumerate(np.asarray(probs, dtype=np.float32)):
        if start is None and p >= s.threshold:
            start = i * hop_s
        elif start is not None and p < neg:
            raw.append([start, i * hop_s])
            start = None
    if start is not None:
        raw.append([start, len(probs) * hop_s])
    merged: list[list[float]] = []
    for seg in raw:
        if merged and seg[0] - merged[-1][1] < s.min_silence_s:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    out: list[tuple[float, float]] = []
    for a, b in merged:
        if b - a < s.min_speech_s:
            continue
        a, b = max(0.0, a - s.pad_s), min(duration, b + s.pad_s)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        elif b > a:
            out.append((round(a, 3), round(b, 3)))
    return [(round(a, 3), round(b, 3)) for a, b in out]
