"""End-to-end evaluation on synthetic data, result files, and the `eval` command."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from emoreason.cli.eval_cmd import register
from emoreason.metrics.emotion_wheel import WHEELS, EmotionWheel
from emoreason.reasoning.backends import OpenAIBackend
from emoreason.tasks.judges import make_judge
from emoreason.tasks.records import Dataset, Prediction, PredictionSet, Sample
from emoreason.tasks.runner import evaluate, load_result, save_result
from emoreason.tasks.spec import DatasetRef, JudgeKind, LoaderKind, PredictionKind, TaskSpec

from .judge_server import Script, serve


def _wheel() -> EmotionWheel:
    words = ["happy", "sad", "angry"]
    table = {w: {"level1": {x: x for x in words}, "level2": {x: x for x in words}} for w in WHEELS}
    return EmotionWheel({w: [w] for w in words}, {w: [w] for w in words}, table)


def _spec(predictions: PredictionKind, metrics: tuple[str, ...], judge: JudgeKind | None = None) -> TaskSpec:
    return TaskSpec(name="toy", summary="toy", dataset=DatasetRef(loader=LoaderKind.OVMERD_OPENSET, path="x"),
                    predictions=predictions, metrics=metrics, judge=judge)


def _data() -> Dataset:
    return Dataset(name="toy", source="mem", samples=[Sample(id="a", labels=["happy"], label="happy"),
                                                      Sample(id="b", labels=["sad", "angry"], label="sad"),
                                                      Sample(id="c", labels=["angry"], label="angry")])


def test_missing_predictions_counted_and_saved(tmp_path: Path) -> None:
    preds = PredictionSet(source="p.jsonl", predictions=[Prediction(id="a", labels=["happy"]),
                                                         Prediction(id="b", labels=["sad"])])
    result = evaluate(_spec(PredictionKind.LABELS, ("ew_f_level1", "hit_rate")), _data(), preds, wheel=_wheel())
    assert result.n_missing == 1 and result.samples[2].status == "missing_prediction"
    ew = result.metrics[0]
    p, r = (1 + 1 + 0) / 3, (1 + 0.5 + 0) / 3
    assert ew.value == pytest.approx(2 * p * r / (p + r))
    json_path, csv_path = save_result(result, tmp_path)
    assert load_result(json_path) == result
    rows = list(csv.DictReader(csv_path.open()))
    assert rows[2]["status"] == "missing_prediction" and rows[0]["hit_rate"] == "1.0"


def test_classification_counts_missing_as_wrong() -> None:
    preds = PredictionSet(source="p", predictions=[Prediction(id="a", label="happy")])
    result = evaluate(_spec(PredictionKind.LABEL, ("accuracy",)), _data(), preds)
    assert result.metrics[0].value == pytest.approx(1 / 3)


def test_description_judge_failures_counted() -> None:
    spec = _spec(PredictionKind.TEXT, ("ew_f_level1",), JudgeKind.DESCRIPTION_TO_LABELS)
    preds = PredictionSet(source="p", predictions=[Prediction(id=i, text=f"text {i}") for i in "abc"])
    script = Script(replies=['{"labels": ["happy"]}', '{"labels": ["sad"]}'], default="sorry, no JSON")
    with serve(script) as url:
        judge = make_judge(JudgeKind.DESCRIPTION_TO_LABELS, OpenAIBackend(url, "m", max_retries=0), max_attempts=2)
        result = evaluate(spec, _data(), preds, wheel=_wheel(), judge=judge)
    assert result.judge is not None and result.judge.ok == 2 and result.judge.parse_failed == 1
    assert result.samples[2].status == "judge_failed"
    assert result.samples[2].scores["ew_f_level1"] is None
    assert result.metrics[0].n_scored == 2


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:
        """Second command so that `eval` stays a subcommand."""

    return app


def test_cli_list() -> None:
    out = CliRunner().invoke(_app(), ["eval", "--list"], env={"COLUMNS": "200"})
    assert out.exit_code == 0 and "mer2023-hit" in out.output and "ecac-subtask1" in out.output


def test_cli_requires_predictions() -> None:
    out = CliRunner().invoke(_app(), ["eval", "mer2023-hit"])
    assert out.exit_code != 0


def test_cli_mer2023_hit(shared_data: Path, tmp_path: Path) -> None:
    folder = next((shared_data / "benchmarks" / "affectgpt_predictions" / "results-mer2023").iterdir())
    files = sorted(folder.glob("*-openset.npz"))
    args = ["eval", "mer2023-hit", "--data-root", str(shared_data), "-o", str(tmp_path)]
    for f in files:
        args += ["-p", str(f)]
    out = CliRunner().invoke(_app(), args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "0.7854" in out.output and "(best)" in out.output
    saved = json.loads(next(tmp_path.glob("*000050*.json")).read_text())
    assert round(saved["metrics"][0]["value"], 4) == 0.7854


def test_subset_scores_only_predicted_ids_and_says_how_many_were_left_out() -> None:
    preds = PredictionSet(source="p.jsonl", predictions=[Prediction(id="a", label="happy"),
                                                         Prediction(id="b", label="angry"),
                                                         Prediction(id="zz", label="sad")])
    full = evaluate(_spec(PredictionKind.LABEL, ("accuracy",)), _data(), preds)
    part = evaluate(_spec(PredictionKind.LABEL, ("accuracy",)), _data(), preds, subset=True)
    assert full.metrics[0].value == pytest.approx(1 / 3) and full.n_missing == 1 and not full.subset
    assert part.metrics[0].value == pytest.approx(1 / 2)
    assert part.subset and part.n_references == 2 and part.n_left_out == 1 and part.n_missing == 0
    assert [row.id for row in part.samples] == ["a", "b"]
    assert any("1 references without one were left out" in n for n in part.notes)
    assert any("1 prediction ids are not references" in n for n in part.notes)


def test_subset_with_no_known_id_is_an_error() -> None:
    from emoreason.errors import EmoreasonError

    preds = PredictionSet(source="p.jsonl", predictions=[Prediction(id="zz", label="sad")])
    with pytest.raises(EmoreasonError, match="none of its 1 prediction ids"):
        evaluate(_spec(PredictionKind.LABEL, ("accuracy",)), _data(), preds, subset=True)


def test_output_files_are_named_after_the_prediction_file(tmp_path: Path) -> None:
    from emoreason.tasks.runner import result_stems

    preds = PredictionSet(source=str(tmp_path / "pred_text.jsonl"), predictions=[Prediction(id="a", label="happy")])
    result = evaluate(_spec(PredictionKind.LABEL, ("accuracy",)), _data(), preds)
    json_path, csv_path = save_result(result, tmp_path / "out")
    assert json_path.name == "pred_text-toy.json" and csv_path.name == "pred_text-toy.csv"
    assert json_path.read_text().endswith("}\n")
    twins = [result.model_copy(update={"predictions_source": f"/x/{m}/out-openset.npz"}) for m in ("A", "B")]
    assert result_stems([result, *twins]) == ["pred_text-toy", "A-out-openset-toy", "B-out-openset-toy"]


def test_cli_subset_and_output_names(shared_data: Path, tmp_path: Path) -> None:
    gt = (shared_data / "benchmarks" / "ov_merd" / "ground_truth_openset.csv").read_text().splitlines()
    preds = tmp_path / "nine.csv"
    preds.write_text("\n".join(gt[:10]) + "\n")  # header + 9 references predicted perfectly
    args = ["eval", "ovmerd-ew", "-p", str(preds), "--data-root", str(shared_data), "-o", str(tmp_path / "out")]
    out = CliRunner().invoke(_app(), [*args, "--subset"], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "scored 9 references" in out.output and "left out 323" in out.output and "ovmer" in out.output
    saved = json.loads((tmp_path / "out" / "nine-ovmerd-ew.json").read_text())
    assert saved["n_references"] == 9 and saved["n_left_out"] == 323 and saved["metrics"][0]["value"] == 1.0
    full = CliRunner().invoke(_app(), [*args, "--ew-tables", "mer2026"], env={"COLUMNS": "200"})
    assert full.exit_code == 0, full.output
    saved = json.loads((tmp_path / "out" / "nine-ovmerd-ew.json").read_text())
    assert saved["n_missing"] == 323 and saved["metrics"][0]["value"] < 0.1 and saved["wheel_tables"] == "mer2026"
