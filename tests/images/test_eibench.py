"""`emoreason eval eibench-basic|eibench-complex --images DIR`: interpret over a folder, judged, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from emoreason.cli.app import main
from emoreason.images.eibench import image_for, predict_folder
from emoreason.tasks.loaders.eibench import load_eibench_complex
from tests.tasks.judge_server import Script, serve

QUESTIONS = {
    "CAER-S/train/Happy/0001.png": "What might have caused the woman to be happy?",
    "CAER-S/train/Sad/0002.png": "Why might the man look sad?",
    "EmoSet-118k/image/anger/anger_1.jpg": "What might have caused the anger?",
}


@pytest.fixture()
def bench(tmp_path: Path) -> tuple[Path, Path]:
    root, images = tmp_path / "data", tmp_path / "images"
    basic = root / "benchmarks" / "eibench" / "EI_Basic"
    basic.mkdir(parents=True)
    (basic / "user.jsonl").write_text("".join(json.dumps({k: v}) + "\n" for k, v in QUESTIONS.items()))
    (basic / "basic_ground_truth.json").write_text(json.dumps({k: "1. a smile.\n2. friends." for k in QUESTIONS}))
    for i, rel in enumerate(list(QUESTIONS)[:2]):  # the third image is not in the user's folder
        path = images / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.full((48, 64, 3), 60 + 80 * i, np.uint8)).save(path)
    return root, images


def test_eval_with_images_runs_end_to_end(bench: tuple[Path, Path], tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root, images = bench
    script = Script(default='{"correct": 1, "total": 2}')
    out = tmp_path / "out"
    with serve(script) as url:
        code = main(["eval", "eibench-basic", "--images", str(images), "--data-root", str(root),
                     "--judge-base-url", url, "--judge-model", "judge", "-o", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "2 answered" in text and "1 without an image" in text
    assert len(script.requests) == 2  # only the answered questions are judged (subset)
    predictions = Path(text.split("-> ", 1)[1].split()[0])
    answers = [json.loads(line)["text"] for line in predictions.read_text().splitlines()]
    judged = " ".join(str(r["messages"][-1]["content"]) for r in script.requests)
    assert all(a.startswith("1. ") and a in judged for a in answers)  # the interpret answers reached the judge
    saved = json.loads(next(out.glob("*.json")).read_text())
    assert saved["metrics"][0]["value"] == pytest.approx(0.5)


def test_predictions_resume_and_survive_a_cut_line(bench: tuple[Path, Path], tmp_path: Path) -> None:
    root, images = bench
    out = tmp_path / "preds.jsonl"
    first = predict_folder("eibench-basic", images, data_root=root, output=out, limit=1)
    assert first.answered == 1 and out.read_text().count("\n") == 1
    with out.open("a") as fh:
        fh.write('{"id": "CAER-S/train/Sad/00')  # an interrupted write
    second = predict_folder("eibench-basic", images, data_root=root, output=out)
    assert second.reused == 1 and second.answered == 1 and second.missing == ["EmoSet-118k/image/anger/anger_1.jpg"]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == list(QUESTIONS)[:2] and all(r["text"].startswith("1. ") for r in rows)


def test_complex_ids_are_unique_per_question(shared_data: Path) -> None:
    data = load_eibench_complex(shared_data / "benchmarks" / "eibench" / "EI_Complex" / "ec_complex.jsonl")
    ids = [s.id for s in data.samples]
    assert len(ids) == 50 and len(set(ids)) == 50
    assert ids[0] == "EmoSet-118k/image/anger/anger_00189.jpg#1" and ids[1].endswith("#2")


def test_image_lookup(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(b"x")
    assert image_for("EmoSet-118k/image/anger/a.jpg#2", tmp_path) == tmp_path / "a.jpg"
    assert image_for("nope.jpg", tmp_path) is None
