"""Reasoning fixtures: an isolated LLM cache for every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the LLM cache at a temporary folder (never the user's cache)."""
    root = tmp_path / "cache"
    monkeypatch.setenv("EMOREASON_CACHE_DIR", str(root))
    return root
