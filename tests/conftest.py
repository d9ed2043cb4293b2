"""Shared fixtures: the shipped sample clip, ../shared/data (skipped when absent), broken media."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def sample_clip() -> Path:
    """The Pexels demo clip shipped inside the package."""
    from emoreason.data import sample_clip as _sample

    return _sample()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip with a reason."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared research data not found at {SHARED_DATA} (only present in the workplace)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def shared_clips(shared_data: Path) -> Path:
    """../shared/data/clips with ground_truth.csv, or skip."""
    clips = shared_data / "clips"
    if not (clips / "ground_truth.csv").is_file():
        pytest.skip(f"shared clips not found at {clips}")
    return clips


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every on-disk cache (LLM replies, judge verdicts) at a temporary folder."""
    root = tmp_path / "cache"
    monkeypatch.setenv("EMOREASON_CACHE_DIR", str(root))
    return root
