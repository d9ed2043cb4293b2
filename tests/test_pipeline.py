"""The pipeline's contract with stages: background start, failures reported, missing streams."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from emoreason.errors import MissingStreamError, RegistryError
from emoreason.perception.base import ClipContext
from emoreason.pipeline import explain, load_stages
from emoreason.records import Clue, Modality, ModalityReport, StageStatus


class RecordingStage:
    """A real stage that emits one text clue and records the order of calls."""

    name: ClassVar[str] = "recording"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.TEXT,)

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def start(self, ctx: ClipContext) -> None:
        self.log.append(f"start {ctx.path.name}")

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        self.log.append("run")
        clue = Clue(modality=Modality.TEXT, description="says something bitter", start=0.0, end=1.0,
                    strength=0.8, tags=["negative_words"])
        return [ModalityReport(modality=Modality.TEXT, status=StageStatus.OK, clues=[clue])]


class BrokenStage:
    name: ClassVar[str] = "broken"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.FACE,)

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        raise RuntimeError("model exploded")


class NoAudioStage:
    name: ClassVar[str] = "noaudio"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.VOICE,)

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        raise MissingStreamError(ctx.path, "no audio stream")


def test_stages_start_before_any_runs_and_failures_become_reports(sample_clip: Path) -> None:
    log: list[str] = []
    stages = [RecordingStage(log), BrokenStage(), NoAudioStage(), RecordingStage(log)]
    result = explain(sample_clip, stages=stages)
    assert log == [f"start {sample_clip.name}"] * 2 + ["run", "run"]
    face, voice = result.report(Modality.FACE), result.report(Modality.VOICE)
    assert face.status is StageStatus.FAILED and "RuntimeError: model exploded" in face.message
    assert voice.status is StageStatus.MISSING and "no audio stream" in voice.message
    assert any("broken stage failed" in w for w in result.warnings)
    assert result.report(Modality.SCENE).status is StageStatus.UNAVAILABLE
    assert result.emotions and "bitter" in " ".join(c.description for c in result.clues)


def test_strict_mode_reraises(sample_clip: Path) -> None:
    with pytest.raises(RuntimeError, match="model exploded"):
        explain(sample_clip, stages=[BrokenStage()], strict=True)


def test_load_stages_keeps_order_and_reports_unknown_names() -> None:
    stages, missing = load_stages(("voice", "text"))
    assert [s.name for s in stages] == ["voice", "text"] and missing == []
    with pytest.raises(RegistryError, match="unknown stages 'nonexistent'; choose one of: face, scene, text, voice"):
        load_stages(("voice", "nonexistent"))
    with pytest.raises(TypeError):
        load_stages(("voice",), **{"voice.no_such_option": 1})
