"""A small reviewed dataset (synthetic records with real media) and an annotator tokens file."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.annotation.records import AnnotationStatus
from tests.annotation.factory import record, write_dataset

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TOKENS = {"alice": "alice-token-123", "bob": "bob-token-4567"}


@pytest.fixture
def dataset(tmp_path: Path, sample_clip: Path) -> Path:
    """Three clips (media: the shipped h264 sample); the second's caption and transcript carry an XSS payload."""
    recs = [record("clip/one"), record("two", caption=f"He says {XSS}"),
            record("three", status=AnnotationStatus.FLAGGED)]
    recs[1].transcript = XSS
    root = write_dataset(tmp_path / "ds", recs, media_source=sample_clip)
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    return root


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    path = tmp_path / "tokens.txt"
    path.write_text("# annotators\n" + "".join(f"{n}:{t}\n" for n, t in TOKENS.items()))
    return path
