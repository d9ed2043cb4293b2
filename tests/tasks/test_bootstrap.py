"""Bootstrap intervals and paired differences of task metrics (checked against scipy.stats.bootstrap)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score
from typer.testing import CliRunner

from emoreason.tasks.bootstrap import _Draws, bootstrap, metric_draws
from emoreason.tasks.records import (
    CausePairRecord,
    Conversation,
    Dataset,
    Prediction,
    PredictionSet,
    Sample,
    Utterance,
)
from emoreason.tasks.runner import evaluate
from emoreason.tasks.spec import DatasetRef, LoaderKind, PredictionKind, TaskSpec

from .test_runner_and_cli import _app

LABELS = ["happy", "sad", "angry", "neutral"]


def _spec(predictions: PredictionKind, metrics: tuple[str, ...]) -> TaskSpec:
    return TaskSpec(name="toy", summary="toy", dataset=DatasetRef(loader=LoaderKind.OVMERD_OPENSET, path="x"),
                    predictions=predictions, metrics=metrics)


def _labelled(n: int, accuracy: float, seed: int) -> tuple[Dataset, PredictionSet, list[str], list[str]]:
    rng = np.random.default_rng(seed)
    truth = [LABELS[i] for i in rng.integers(0, 4, n)]
    guess = [t if rng.random() < accuracy else LABELS[int(rng.integers(0, 4))] for t in truth]
    data = Dataset(name="toy", source="mem", samples=[Sample(id=f"s{i}", label=t) for i, t in enumerate(truth)])
    preds = PredictionSet(source="p", predictions=[Prediction(id=f"s{i}", label=g) for i, g in enumerate(guess)])
    return data, preds, truth, guess


def test_intervals_match_scipy_percentile_bootstrap() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    spec = _spec(PredictionKind.LABEL, ("accuracy", "weighted_f1"))
    data, preds, truth, guess = _labelled(150, 0.6, seed=1)
    result = evaluate(spec, data, preds)
    report = bootstrap(spec, data, [preds], [result], resamples=4000, seed=3)
    ours = {iv.metric: iv for iv in report.intervals[0]}
    assert ours["accuracy"].method == "per-sample mean" and ours["weighted_f1"].method == "recomputed"
    t, g = np.array(truth), np.array(guess)
    reference = {
        "accuracy": scipy_stats.bootstrap((t, g), lambda a, b: np.mean(a == b), paired=True, vectorized=False,
                                          n_resamples=4000, method="percentile", random_state=5),
        "weighted_f1": scipy_stats.bootstrap((t, g), lambda a, b: f1_score(a, b, average="weighted", zero_division=0),
                                             paired=True, vectorized=False, n_resamples=4000, method="percentile",
                                             random_state=5),
    }
    for name, ref in reference.items():  # two independent draws of 4,000: bounds agree to Monte-Carlo noise
        assert ours[name].low == pytest.approx(ref.confidence_interval.low, abs=0.009), name
        assert ours[name].high == pytest.approx(ref.confidence_interval.high, abs=0.009), name
        assert ours[name].low < ours[name].value < ours[name].high
    width = ours["accuracy"].high - ours["accuracy"].low
    assert 0.1 < width < 0.2  # ≈ 2·1.96·sqrt(p(1-p)/n) ≈ 0.157 for n=150


def _conversation(cid: str, pairs: list[tuple[int, int, str]]) -> Conversation:
    return Conversation(id=cid, utterances=[Utterance(index=k, text=f"u{k}", speaker="A") for k in (1, 2, 3)],
                        pairs=[CausePairRecord(emotion_utterance=e, cause_utterance=c, emotion=m) for e, c, m in pairs])


def test_conversations_are_drawn_whole_and_a_repeat_counts_twice() -> None:
    spec = _spec(PredictionKind.CAUSE_PAIRS, ("weighted_pair_f1",))
    gold = [_conversation("c1", [(2, 1, "joy")]), _conversation("c2", [(3, 3, "anger"), (3, 2, "anger")])]
    guess = [_conversation("c1", [(2, 1, "joy")]), _conversation("c2", [(3, 1, "anger")])]
    data = Dataset(name="toy", source="mem", conversations=gold)
    preds = PredictionSet(source="p", conversations=guess)
    result = evaluate(spec, data, preds)
    rows = np.array([[0, 1], [0, 0], [1, 1]])
    values, methods = metric_draws(spec, data, preds, result, _Draws("conversation", rows))
    drawn = values["weighted_pair_f1"]
    assert methods["weighted_pair_f1"] == "recomputed"
    assert drawn[0] == pytest.approx(result.metrics[0].value)  # the identity draw is the full set
    assert drawn[1] == pytest.approx(1.0) and drawn[2] == pytest.approx(0.0)


def test_paired_difference_is_zero_for_one_file_twice_and_significant_for_a_better_one() -> None:
    spec = _spec(PredictionKind.LABEL, ("accuracy", "weighted_f1"))
    data, weak, _t, _g = _labelled(300, 0.45, seed=7)
    _d, strong, _t2, _g2 = _labelled(300, 0.75, seed=7)  # same truth (same seed), better guesses
    results = [evaluate(spec, data, p) for p in (weak, weak, strong)]
    report = bootstrap(spec, data, [weak, weak, strong], results, resamples=400, seed=0)
    same, better = report.differences
    assert all(iv.low == iv.high == iv.value == 0.0 and iv.p_value == 1.0 for iv in same)
    for iv in better:
        assert iv.value > 0.15 and iv.low > 0.0 and iv.p_value is not None and iv.p_value < 0.01


def test_bad_settings_are_refused() -> None:
    spec = _spec(PredictionKind.LABEL, ("accuracy",))
    data, preds, _t, _g = _labelled(10, 0.5, seed=0)
    with pytest.raises(ValueError, match="resamples"):
        bootstrap(spec, data, [preds], [evaluate(spec, data, preds)], resamples=1)


def test_cli_bootstrap_on_ecac(shared_data: Path, tmp_path: Path) -> None:
    gold_file = shared_data / "benchmarks/ecf/semeval2024_ecac/Subtask_2_test.json"
    if not gold_file.is_file():
        pytest.skip(f"{gold_file} is absent")
    rows = json.loads(gold_file.read_text(encoding="utf-8"))
    for k, row in enumerate(rows):  # a worse system: every third conversation loses its pairs
        if k % 3 == 0:
            row["emotion-cause_pairs"] = []
    worse = tmp_path / "worse.json"
    worse.write_text(json.dumps(rows), encoding="utf-8")
    args = ["eval", "ecac-subtask2", "--data-root", str(shared_data), "-p", str(gold_file), "-p", str(worse),
            "--bootstrap", "50", "-o", str(tmp_path / "out")]
    out = CliRunner().invoke(_app(), args, env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "50 draws of the" in out.output and "conversations" in out.output
    saved = json.loads(next((tmp_path / "out").glob("*-bootstrap.json")).read_text())
    perfect, drop = saved["intervals"][0][0], saved["differences"][0][0]
    assert perfect["low"] == perfect["high"] == 1.0
    assert drop["high"] < 0.0 and drop["p_value"] < 0.05


def test_cli_refuses_a_single_draw(tmp_path: Path) -> None:
    out = CliRunner().invoke(_app(), ["eval", "ecac-subtask2", "-p", str(tmp_path / "p.json"), "--bootstrap", "1"])
    assert out.exit_code == 2 and "at least 2 draws" in out.output
