"""Where mediapipe's TFLite models live, and how they are loaded with ``ai-edge-litert``.

The mediapipe 0.10.21 wheel ships its models as plain files under ``mediapipe/modules``;
they are found without importing mediapipe (its import pulls matplotlib and jax).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from emoreason.errors import DependencyError


def models_dir() -> Path:
    """``mediapipe/modules`` of the installed wheel (found without importing mediapipe)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the litert face backend reads its models from the mediapipe==0.10.21 wheel")
    return Path(next(iter(spec.submodule_search_locations))) / "modules"


def interpreter(path: Path, num_threads: int | None) -> Any:
    """A LiteRT interpreter for `path` with its tensors allocated."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise DependencyError("the litert face backend needs ai-edge-litert: pip install ai-edge-litert") from exc
    if not path.is_file():
        raise DependencyError(f"{path}: model file missing from the mediapipe wheel; reinstall mediapipe==0.10.21")
    model = Interpreter(model_path=str(path), num_threads=num_threads)
    model.allocate_tensors()
    return model


def interpreter_from_bytes(model: bytes, num_threads: int | None) -> Any:
    """A LiteRT interpreter for an in-memory model with its tensors allocated."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise DependencyError("the litert face backend needs ai-edge-litert: pip install ai-edge-litert") from exc
    engine = Interpreter(model_content=model, num_threads=num_threads)
    engine.allocate_tensors()
    return engine
