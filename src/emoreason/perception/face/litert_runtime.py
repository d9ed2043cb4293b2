"""Where mediapipe's TFLite models live, and how they are loaded with ``ai-edge-litert``.

The mediapipe 0.10.21 wheel ships its models as plain files under ``mediapipe/modules``;
they are found without importing mediapipe (its import pulls matplotlib and jax).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from emoreason.errors import DependencyError

T = TypeVar("T")


def models_dir() -> Path:
    """``mediapipe/modules`` of the installed wheel (found without importing mediapipe)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the litert face backend reads its models from the mediapipe==0.10.21 wheel")
    return Path(next(iter(spec.submodule_search_locations))) / "modules"


def interpreter(model: Path | bytes, num_threads: int | None) -> Any:
    """A LiteRT interpreter with its tensors allocated, for a model file or an in-memory model."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise DependencyError("the face models need ai-edge-litert: pip install ai-edge-litert") from exc
    if isinstance(model, bytes):
        engine = Interpreter(model_content=model, num_threads=num_threads)
    elif model.is_file():
        engine = Interpreter(model_path=str(model), num_threads=num_threads)
    else:
        raise DependencyError(f"{model}: model file missing from the mediapipe wheel; reinstall mediapipe==0.10.21")
    engine.allocate_tensors()
    return engine


def write_unit_image(engine: Any, index: int, image: np.ndarray) -> None:
    """Write a uint8 image (h, w, c) into float input tensor `index` of shape (1, h, w, c) as values in [0, 1].

    Written in place through a view of the tensor (no intermediate array, no copy); the view
    is dropped before returning, as LiteRT requires before the next ``invoke``.
    """
    view = engine.tensor(index)()
    np.multiply(image, np.float32(1.0 / 255.0), out=view[0], casting="unsafe")
    del view


#: Built models kept for reuse, by key (model, settings). Building a LiteRT model and its first
#: run (XNNPACK packs the weights) cost ~0.05–0.1 s per face pass; a batch over many clips in
#: one process pays it once. At most this many spares per key are kept.
_MAX_SPARES = 2
_spares: dict[tuple, list[Any]] = {}
_spares_lock = threading.Lock()


def lease(key: tuple, build: Callable[[], T]) -> T:
    """A spare object kept under `key`, or a new one from `build` (give it back with :func:`release`).

    An object is used by one holder at a time, so concurrent face passes never share one.
    """
    with _spares_lock:
        spare = _spares.get(key)
        if spare:
            return spare.pop()
    return build()


def release(key: tuple, obj: Any) -> None:
    """Keep `obj` for the next :func:`lease` of `key` (dropped when enough are kept)."""
    with _spares_lock:
        spare = _spares.setdefault(key, [])
        if len(spare) < _MAX_SPARES and all(o is not obj for o in spare):
            spare.append(obj)
