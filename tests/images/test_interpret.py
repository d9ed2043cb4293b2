"""`interpret` offline: every person on the shared group photo, triggers tied to evidence, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emoreason.cli.app import main
from emoreason.images import TriggerKind, interpret


@pytest.fixture(scope="module")
def group_photo(shared_data: Path) -> Path:
    path = shared_data / "samples" / "multi_face.jpg"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="module")
def group_result(group_photo: Path):  # noqa: ANN201 - fixture
    return interpret(group_photo, question="What might have caused the people in the image to be happy?")


def test_every_visible_person_is_read(group_result) -> None:  # noqa: ANN001
    r = group_result
    assert r.scene.people_count == len(r.people) == 5
    assert [p.id for p in r.people] == ["P1", "P2", "P3", "P4", "P5"]
    xs = [p.box.x + p.box.w / 2 for p in r.people]
    assert xs == sorted(xs)  # numbered left to right
    assert all(p.face is not None and p.emotions for p in r.people)


def test_smiling_people_read_as_positive(group_result) -> None:  # noqa: ANN001
    smiling = [p for p in group_result.people if p.face.expression.get("happiness", 0) >= 0.8]
    assert len(smiling) >= 4  # four of the five smile broadly in the photo
    for p in smiling:
        assert p.emotions[0].family == "happy" and p.valence is not None and p.valence > 0
    assert group_result.valence > 0


def test_triggers_are_numbered_and_tied_to_evidence(group_result) -> None:  # noqa: ANN001
    r = group_result
    ids = {c.id for c in r.clues}
    assert [t.number for t in r.triggers] == list(range(1, len(r.triggers) + 1))
    assert {t.kind for t in r.triggers} == {TriggerKind.EXPLICIT, TriggerKind.IMPLICIT}
    for t in r.triggers:
        assert t.evidence and set(t.evidence) <= ids
        assert t.person is None or t.person in {p.id for p in r.people}
    lines = r.answer.splitlines()
    assert len(lines) == len(r.triggers) and all(re.match(rf"{i}\. \S", ln) for i, ln in enumerate(lines, 1))
    assert any("smile" in t.text for t in r.triggers)


def test_no_person_says_what_was_not_read(tmp_path: Path) -> None:
    path = tmp_path / "sky.png"
    grad = np.linspace(40, 220, 200, dtype=np.uint8)[None, :, None].repeat(120, 0).repeat(3, 2)
    Image.fromarray(grad).save(path)
    r = interpret(path, ocr=False)
    assert r.people == [] and r.scene.people_count == 0 and r.scene.layout == "nobody"
    assert any(line.startswith("face: empty") for line in r.not_read)
    assert len(r.triggers) == 1 and "No person" in r.triggers[0].text


@pytest.mark.parametrize("content", [b"", b"GIF89a broken"])
def test_cli_bad_image_one_line_exit_2(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.gif"
    bad.write_bytes(content)
    assert main(["interpret", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err and len(err.strip().splitlines()) == 1


def test_cli_json_output(tmp_path: Path) -> None:
    path = tmp_path / "flat.png"
    Image.fromarray(np.full((64, 64, 3), 90, np.uint8)).save(path)
    out = tmp_path / "r.json"
    assert main(["interpret", str(path), "--format", "json", "-o", str(out), "--no-ocr"]) == 0
    record = json.loads(out.read_text())
    assert record["method"] == "template" and record["people"] == [] and record["answer"].startswith("1. ")
