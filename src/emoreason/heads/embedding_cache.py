"""On-disk cache of sentence embeddings, keyed by encoder (name + version) and text hash.

Layout: ``<cache root>/embeddings/<encoder name>-<version hash>/shard-<n>.npz``; each shard
holds ``keys`` (sha256 hex of the text, fixed-width unicode) and ``vectors`` (float32). The
cache root is ``$EMOREASON_CACHE_DIR`` or the platform's user cache folder (``platformdirs``).
Shards are plain arrays: they load with ``allow_pickle=False``. A training recipe that
encodes the same corpus twice reads the vectors back instead of running the encoder.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from emoreason.heads.encoders import ConcatEncoder, SentenceEncoder, l2_normalise

CACHE_ENV = "EMOREASON_CACHE_DIR"


def cache_root() -> Path:
    """``$EMOREASON_CACHE_DIR`` or the platform's user cache folder for emoreason."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("emoreason"))


def text_key(text: str) -> str:
    """The cache key of one text: sha256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings of one encoder, kept on disk between runs."""

    def __init__(self, encoder: SentenceEncoder, root: Path | None = None) -> None:
        """Open (lazily) the cache of `encoder` under `root` (default :func:`cache_root`)."""
        self.encoder = encoder
        tag = hashlib.sha256(f"{encoder.name}|{encoder.version}".encode()).hexdigest()[:12]
        safe_name = encoder.name.replace("/", "_")
        self.folder = (root or cache_root()) / "embeddings" / f"{safe_name}-{tag}"
        self._vectors: dict[str, np.ndarray] | None = None

    def _load(self) -> dict[str, np.ndarray]:
        if self._vectors is None:
            self._vectors = {}
            for shard in sorted(self.folder.glob("shard-*.npz")):
                try:
                    with np.load(shard, allow_pickle=False) as data:
                        keys, vectors = data["keys"], data["vectors"]
                except (OSError, ValueError, KeyError):
                    continue  # a torn write from an interrupted run: ignore it
                if vectors.ndim == 2 and vectors.shape[1] == self.encoder.dim:
                    self._vectors.update(zip(keys.tolist(), vectors, strict=True))
        return self._vectors

    def __len__(self) -> int:
        """How many texts the cache holds vectors of."""
        return len(self._load())

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts`, running the encoder only on texts not cached yet (then stored)."""
        stored = self._load()
        keys = [text_key(t) for t in texts]
        missing: dict[str, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in stored and key not in missing:
                missing[key] = text
        if missing:
            new = self.encoder.encode(list(missing.values()), exact=True)
            self._write(list(missing), new)
            stored.update(zip(missing, new, strict=True))
        if not keys:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([stored[k] for k in keys]).astype(np.float32)

    def _write(self, keys: list[str], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        index = len(list(self.folder.glob("shard-*.npz")))
        while (self.folder / f"shard-{index:05d}.npz").exists():
            index += 1
        final = self.folder / f"shard-{index:05d}.npz"
        partial = self.folder / f".partial-{os.getpid()}-{index:05d}.npz"
        np.savez(partial, keys=np.array(keys, dtype="<U64"), vectors=np.asarray(vectors, dtype=np.float32))
        partial.replace(final)


def cached_encode(encoder: SentenceEncoder, texts: list[str], *, root: Path | None = None) -> np.ndarray:
    """Encode `texts` with `encoder` through the on-disk cache (see :class:`EmbeddingCache`).

    A concatenation caches each of its parts, so ``e5-small+minilm-l6`` reuses both caches.
    """
    if isinstance(encoder, ConcatEncoder):
        return l2_normalise(np.concatenate([cached_encode(p, texts, root=root) for p in encoder.parts], axis=1))
    return EmbeddingCache(encoder, root).encode(texts)
