"""The `annotate`, `emer-merge`, `export` and `review` commands through Typer (registered on a test app)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from emoreason.annotation.errors import AnnotationError
from emoreason.cli import annotate_cmd, review_cmd
from tests.io.media_factory import synth_video


def _app() -> typer.Typer:
    app = typer.Typer()
    annotate_cmd.register(app)
    review_cmd.register(app)
    return app


def test_annotate_then_export(tmp_path: Path) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    synth_video(clips / "one.mp4", seconds=1.0, fps=10, tone_hz=200.0)
    runner = CliRunner()
    result = runner.invoke(_app(), ["annotate", str(clips), "-o", str(tmp_path / "ds"), "--stages", "voice",
                                    "--no-asr", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "1 clips, 0 already done" in result.output
    result = runner.invoke(_app(), ["export", str(tmp_path / "ds"), "-o", str(tmp_path / "out"), "--to",
                                    "merr,sharegpt", "--include-flagged"])
    assert result.exit_code == 0, result.output
    assert "one.mp4" in json.loads((tmp_path / "out" / "MERR_fine_grained.json").read_text())


def test_emer_merge_command(tmp_path: Path) -> None:
    clues = tmp_path / "c.jsonl"
    row = {"id": "v", "annotator": "a", "face": "He looks sad and cries.", "tone": "His voice shakes."}
    clues.write_text(json.dumps(row) + "\n")
    result = CliRunner().invoke(_app(), ["emer-merge", str(clues), "-o", str(tmp_path / "m.jsonl")])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "m.jsonl").read_text())["emotions"] == "sad"


def test_bad_input_raises_a_named_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["export", str(tmp_path), "-o", str(tmp_path / "o")])
    assert isinstance(result.exception, AnnotationError) and str(tmp_path) in str(result.exception)
