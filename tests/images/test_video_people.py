"""`explain --all-people` (every tracked face described) and the optional scene stage (vision endpoint)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.pipeline import explain
from emoreason.records import Modality, StageStatus
from tests.images.vision_server import VisionScript, serve


def test_all_people_and_scene_stage(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = shared_data / "samples" / "multi_face.jpg"
    script = VisionScript()
    with serve(script) as url:
        monkeypatch.setenv("EMOREASON_VISION_BASE_URL", url)
        monkeypatch.setenv("EMOREASON_VISION_MODEL", "scene-model")
        result = explain(photo, all_people=True)
    assert len(result.people) == len(result.face.tracks) == 5
    assert result.people[0].is_main and sum(p.is_main for p in result.people) == 1
    happy = [p for p in result.people if p.emotions and p.emotions[0].family == "happy"]
    assert len(happy) >= 4 and all(p.valence > 0 for p in happy)
    scene = result.report(Modality.SCENE)
    assert scene is not None and scene.status is StageStatus.OK, scene
    assert script.problems == [] and len(script.requests) == 1
    assert any("object:sea" in c.tags for c in scene.clues) and any("crowd" in c.tags for c in scene.clues)


def test_without_flag_or_endpoint_nothing_changes(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMOREASON_VISION_BASE_URL", raising=False)
    monkeypatch.delenv("EMOREASON_VISION_MODEL", raising=False)
    result = explain(shared_data / "samples" / "0-f15-hao-ph.jpg")
    assert result.people == []
    scene = result.report(Modality.SCENE)
    assert scene is not None and scene.status is StageStatus.UNAVAILABLE
