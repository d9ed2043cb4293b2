"""`emoreason explain --language / --no-asr` end to end on a Chinese drama clip (slow: full pipeline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emoreason.cli.explain_cmd import register

pytestmark = [pytest.mark.slow, pytest.mark.shared_data]


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    return app


def _explain(app: typer.Typer, clip: Path, out: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["explain", str(clip), "--format", "json", "-o", str(out), *args])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def _text_report(data: dict) -> dict:
    return next(m for m in data["modalities"] if m["modality"] == "text")


def test_explain_no_asr_reads_no_words(app: typer.Typer, shared_clips: Path, tmp_path: Path) -> None:
    data = _explain(app, shared_clips / "sample_00004671.mp4", tmp_path / "r.json", "--no-asr")
    assert data["transcript"] is None
    assert _text_report(data)["status"] == "empty" and "ASR is switched off" in _text_report(data)["message"]


def test_explain_language_steers_asr(app: typer.Typer, shared_clips: Path, tmp_path: Path) -> None:
    data = _explain(app, shared_clips / "sample_00004671.mp4", tmp_path / "r.json", "--language", "zh")
    transcript = data["transcript"]
    assert transcript["source"] == "asr" and transcript["language"] == "zh"
    assert transcript["language_probability"] is None  # given, not detected
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(s["text"] for s in transcript["segments"]))
    lexical = [c for c in _text_report(data)["clues"] if "learned" not in c["tags"]]
    assert not lexical  # English cue rules never run on Chinese; only the multilingual head's clues
