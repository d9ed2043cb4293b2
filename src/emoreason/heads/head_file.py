"""A small no-pickle weights format for learned heads, and their numpy inference.

One head is one ``.npz`` file of plain arrays (it loads with ``allow_pickle=False``):

* ``metadata`` — a 0-d unicode array holding a JSON object: ``format`` (``emoreason-head``),
  ``format_version``, ``head``, ``encoder``, ``classes`` (output order), ``temperature``,
  ``activation``, ``valence_range``, ``mappings``, ``metrics``, ``hyperparameters``, ``data``;
* ``classifier.<i>.weight`` (in × out) / ``classifier.<i>.bias`` — dense layers, the activation
  between them, the last one giving logits over ``classes``;
* ``valence.<i>.weight`` / ``valence.<i>.bias`` — optional dense layers giving one number,
  clipped to ``valence_range``;
* ``input.mean`` / ``input.scale`` — optional feature standardisation applied first;
* any other arrays — companions of the head kept verbatim in :attr:`HeadModel.extras` (e.g. the
  text head's character n-gram reader, :mod:`emoreason.heads.char_ngrams`).

Probabilities are ``softmax(logits / temperature)`` (temperature fitted on a dev split).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import EmoreasonError

FORMAT = "emoreason-head"
FORMAT_VERSION = 1
ACTIVATIONS = ("relu", "tanh", "gelu")
_OWN_PREFIXES = ("classifier", "valence", "input")


class HeadFileError(EmoreasonError):
    """A head weights file is missing, unreadable or inconsistent."""


def _activate(x: np.ndarray, kind: str) -> np.ndarray:
    if kind == "relu":
        return np.maximum(x, 0.0)
    if kind == "tanh":
        return np.tanh(x)
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x**3)))  # gelu (tanh form)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` (numerically stable)."""
    z = np.asarray(logits, dtype=np.float64) / max(float(temperature), 1e-6)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class DenseStack:
    """Dense layers with one activation between them (none after the last)."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str = "relu"

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases) or not self.weights:
            raise HeadFileError("a dense stack needs one bias per weight matrix and at least one layer")
        for w, b in zip(self.weights, self.biases, strict=True):
            if w.ndim != 2 or b.shape != (w.shape[1],):
                raise HeadFileError(f"layer shapes do not fit: weight {w.shape}, bias {b.shape}")
        for prev, nxt in zip(self.weights, self.weights[1:], strict=False):
            if prev.shape[1] != nxt.shape[0]:
                raise HeadFileError(f"layer {prev.shape} does not feed layer {nxt.shape}")
        if self.activation not in ACTIVATIONS:
            raise HeadFileError(f"unknown activation {self.activation!r}; one of {', '.join(ACTIVATIONS)}")

    @property
    def in_dim(self) -> int:
        """Input width."""
        return int(self.weights[0].shape[0])

    @property
    def out_dim(self) -> int:
        """Output width."""
        return int(self.weights[-1].shape[1])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Forward pass of a (n, in_dim) array."""
        h = np.asarray(x, dtype=np.float32)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = h @ w + b
            if i < last:
                h = _activate(h, self.activation)
        return h

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The stack as named float32 arrays (``<prefix>.<i>.weight`` / ``.bias``)."""
        out: dict[str, np.ndarray] = {}
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            out[f"{prefix}.{i}.weight"] = np.asarray(w, dtype=np.float32)
            out[f"{prefix}.{i}.bias"] = np.asarray(b, dtype=np.float32)
        return out

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str, activation: str) -> DenseStack | None:
        """Read the stack called `prefix` back; None when the file holds none."""
        weights, biases = [], []
        while f"{prefix}.{len(weights)}.weight" in arrays:
            i = len(weights)
            weights.append(np.asarray(arrays[f"{prefix}.{i}.weight"], dtype=np.float32))
            if f"{prefix}.{i}.bias" not in arrays:
                raise HeadFileError(f"{prefix}.{i}.bias is missing")
            biases.append(np.asarray(arrays[f"{prefix}.{i}.bias"], dtype=np.float32))
        return cls(weights, biases, activation) if weights else None


@dataclass
class HeadModel:
    """A learned head: classifier (+ optional valence regressor) over encoder features."""

    classes: list[str]
    classifier: DenseStack
    encoder: str
    temperature: float = 1.0
    valence: DenseStack | None = None
    valence_range: tuple[float, float] = (-1.0, 1.0)
    input_mean: np.ndarray | None = None
    input_scale: np.ndarray | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.classifier.out_dim != len(self.classes):
            raise HeadFileError(
                f"the classifier gives {self.classifier.out_dim} outputs for {len(self.classes)} classes")
        if self.valence is not None and (self.valence.out_dim != 1 or self.valence.in_dim != self.classifier.in_dim):
            raise HeadFileError("the valence regressor must map the classifier's input to one number")

    def _features(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.classifier.in_dim:
            raise HeadFileError(
                f"features of shape {x.shape} do not fit a head of input width {self.classifier.in_dim}")
        if self.input_mean is not None:
            x = x - self.input_mean
        if self.input_scale is not None:
            x = x / self.input_scale
        return x

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Class logits of feature rows `x`."""
        return self.classifier(self._features(x))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Temperature-calibrated class probabilities, shape (n, len(classes))."""
        return softmax(self.logits(x), self.temperature)

    def predict_valence(self, x: np.ndarray) -> np.ndarray | None:
        """Valence per row, clipped to ``valence_range``; None when the head has no regressor."""
        if self.valence is None:
            return None
        low, high = self.valence_range
        return np.clip(self.valence(self._features(x))[:, 0], low, high).astype(np.float64)

    def save(self, path: str | Path) -> Path:
        """Write the head to `path` (``.npz``); returns the path."""
        path = Path(path)
        meta = dict(self.metadata)
        meta.update(format=FORMAT, format_version=FORMAT_VERSION, encoder=self.encoder, classes=list(self.classes),
                    temperature=float(self.temperature), activation=self.classifier.activation,
                    valence_range=list(self.valence_range))
        arrays = self.classifier.arrays("classifier")
        if self.valence is not None:
            arrays.update(self.valence.arrays("valence"))
        if self.input_mean is not None:
            arrays["input.mean"] = np.asarray(self.input_mean, dtype=np.float32)
        if self.input_scale is not None:
            arrays["input.scale"] = np.asarray(self.input_scale, dtype=np.float32)
        arrays.update(self.extras)
        arrays["metadata"] = np.array(json.dumps(meta, sort_keys=True, ensure_ascii=False))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)
        return path

    @classmethod
    def load(cls, path: str | Path) -> HeadModel:
        """Read a head written by :meth:`save`.

        Raises:
            HeadFileError: the file is missing, pickled, not a head, or inconsistent.
        """
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except FileNotFoundError as exc:
            raise HeadFileError(f"{path}: head weights not found") from exc
        except (OSError, ValueError, EOFError) as exc:
            raise HeadFileError(f"{path}: not a readable head weights file ({exc or 'empty or truncated'})") from exc
        if "metadata" not in arrays:
            raise HeadFileError(f"{path}: no metadata array; not an emoreason head")
        try:
            meta = json.loads(str(arrays.pop("metadata")))
        except json.JSONDecodeError as exc:
            raise HeadFileError(f"{path}: metadata is not JSON ({exc})") from exc
        if meta.get("format") != FORMAT or int(meta.get("format_version", 0)) > FORMAT_VERSION:
            raise HeadFileError(f"{path}: format {meta.get('format')!r} v{meta.get('format_version')} is not supported")
        activation = meta.get("activation", "relu")
        classifier = DenseStack.from_arrays(arrays, "classifier", activation)
        if classifier is None:
            raise HeadFileError(f"{path}: no classifier layers")
        low, high = meta.get("valence_range", [-1.0, 1.0])
        extras = {k: v for k, v in arrays.items() if k.split(".")[0] not in _OWN_PREFIXES}
        return cls(classes=list(meta["classes"]), classifier=classifier, encoder=str(meta["encoder"]),
                   temperature=float(meta.get("temperature", 1.0)),
                   valence=DenseStack.from_arrays(arrays, "valence", activation), valence_range=(low, high),
                   input_mean=arrays.get("input.mean"), input_scale=arrays.get("input.scale"), metadata=meta,
                   extras=extras)
