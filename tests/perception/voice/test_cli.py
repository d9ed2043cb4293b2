"""`emoreason voice`: the prosody table, clues and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emoreason.cli.voice_cmd import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    return app


@pytest.mark.shared_data
def test_voice_text_output_with_subtitle(app: typer.Typer, shared_clips: Path) -> None:
    result = CliRunner().invoke(app, ["voice", str(shared_clips / "sample_00004671.mp4"), "-s",
                                      "Really? Impossible, Fan Xiaomei is not that kind of person.", "--no-asr"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Prosody" in result.output and "clip" in result.output
    assert "Clues" in result.output and "incredulous" in result.output


@pytest.mark.shared_data
def test_voice_json(app: typer.Typer, speech_wav: Path) -> None:
    result = CliRunner().invoke(app, ["voice", str(speech_wav), "--format", "json", "--no-asr"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["voice"]["speech_segments"]
    assert [r["modality"] for r in data["reports"]] == ["voice", "text"]


def test_voice_on_silent_clip_says_why(app: typer.Typer, sample_clip: Path) -> None:
    result = CliRunner().invoke(app, ["voice", str(sample_clip)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "silent" in result.output and "no speech detected" in result.output
