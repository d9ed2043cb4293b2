"""Synthetic heads for tests: a tiny head over the model-free hash-ngram encoder."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emoreason.heads.head_file import DenseStack, HeadModel
from emoreason.heads.text_emotion import CANONICAL_CLASSES


def random_head(path: Path, *, encoder: str = "hash-ngram", dim: int = 1024, hidden: int = 0, seed: int = 0,
                valence: bool = True, temperature: float = 1.0) -> Path:
    """Write a head with random weights over `encoder` and return its path."""
    rng = np.random.default_rng(seed)
    sizes = [dim, hidden, len(CANONICAL_CLASSES)] if hidden else [dim, len(CANONICAL_CLASSES)]
    layers = DenseStack([rng.normal(size=(a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:], strict=False)],
                        [rng.normal(size=b).astype(np.float32) for b in sizes[1:]])
    reg = DenseStack([rng.normal(size=(dim, 1)).astype(np.float32)], [np.zeros(1, np.float32)]) if valence else None
    head = HeadModel(classes=list(CANONICAL_CLASSES), classifier=layers, encoder=encoder, temperature=temperature,
                     valence=reg, metadata={"head": "test"})
    return head.save(path)
