"""Seeded stand-ins for the learned parts: small random heads and a hashing sentence embedder."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from emoreason.conversations import features as feats
from emoreason.conversations.model import FILES
from emoreason.heads.head_file import DenseStack, HeadModel

DIM = 8


def hashed_vectors(texts: list[str], encoder_name: str = "", *, cache: bool = False) -> np.ndarray:
    """Deterministic unit vectors from a text hash (zero rows for empty text), like ``analyse.embed``."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for k, text in enumerate(texts):
        if text.strip():
            seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).normal(size=DIM)
            out[k] = v / np.linalg.norm(v)
    return out


def _head(in_dim: int, classes: list[str], seed: int, **meta: object) -> HeadModel:
    rng = np.random.default_rng(seed)
    stack = DenseStack([rng.normal(size=(in_dim, len(classes))).astype(np.float32)],
                       [rng.normal(size=len(classes)).astype(np.float32)])
    return HeadModel(classes=classes, classifier=stack, encoder="hash-test", metadata=dict(meta))


def write_heads(folder: Path, *, neutral_bias: float = -2.0, cause_threshold: float = 0.5) -> Path:
    """Random heads of the right shapes (the emotion head is pushed away from neutral) in `folder`."""
    labels = ["neutral", "anger", "disgust", "fear", "joy", "sadness", "surprise"]
    emotion = _head(feats.context_dim(DIM), labels, 1, head="dialogue-emotion", trained="test")
    emotion.classifier.biases[0][0] += neutral_bias
    plain = _head(DIM, labels, 2, head="dialogue-emotion_plain")
    cause = _head(feats.pair_dim(DIM), ["other", "cause"], 3, head="dialogue-cause",
                  decision={"neutral_scale": 1.0, "cause_threshold": cause_threshold, "max_causes": 3})
    span = _head(feats.SPAN_FEATURES, ["other", "span"], 4, head="dialogue-span")
    for key, head in (("emotion", emotion), ("emotion_plain", plain), ("cause", cause), ("span", span)):
        head.save(folder / FILES[key])
    return folder
