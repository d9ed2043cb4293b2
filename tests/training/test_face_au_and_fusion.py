"""Recipes face-au and fusion: pooling weights recovered on synthetic data; the shipped AU head reproduced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.records import DECISION_CLASSES
from emoreason.training.fusion_fit import SOURCES, _pooled, fit_logs


def test_fit_pooling_recovers_which_source_is_informative() -> None:
    rng = np.random.default_rng(0)
    n, k = 3000, len(DECISION_CLASSES)
    y = rng.integers(0, k, n)
    informative = np.full((n, k), 0.3 / (k - 1))
    informative[np.arange(n), y] = 0.7
    noise = rng.dirichlet(np.ones(k), n)
    probs = dict(zip(SOURCES, (informative, noise), strict=True))
    logs = [np.log(probs[s] + 1e-3) for s in SOURCES]
    params = fit_logs(logs, y)
    assert params[0] > 0.5 and params[1] < 0.2 * params[0]
    pooled = _pooled(params, logs)
    assert np.mean(pooled.argmax(1) == y) > 0.95


@pytest.mark.slow
@pytest.mark.shared_data
def test_face_au_recipe_reproduces_the_shipped_head(shared_data: Path, tmp_path: Path) -> None:
    from emoreason.heads.head_file import HeadModel
    from emoreason.perception.face.emotion_head import FACE_AU_HEAD
    from emoreason.training.registry import TRAINERS, TrainOptions

    result = TRAINERS.resolve("face-au")().train(TrainOptions(data_root=shared_data, out_dir=tmp_path))
    shipped = HeadModel.load(FACE_AU_HEAD).metadata["metrics"]["test"]
    retrained = HeadModel.load(result.weights).metadata["metrics"]["test"]
    assert retrained == shipped
    assert retrained["weighted_f1"] > retrained["majority_weighted_f1"] + 0.3


def _record(i: int, label: str, rng: np.random.Generator):  # noqa: ANN202
    from emoreason.batch.records import ClipRecord, ClipStatus
    from emoreason.perception.learned import learned_clue
    from emoreason.records import ExplainResult, MediaInfo, Modality, ModalityReport, StageStatus

    noisy = dict(zip(DECISION_CLASSES, rng.dirichlet(np.ones(len(DECISION_CLASSES))), strict=True))
    telling = {label: 0.6, **{c: 0.4 / 6 for c in DECISION_CLASSES if c != label}}
    clues = [learned_clue(modality=Modality.TEXT, source="text-head", probabilities=telling, start=0, end=2,
                          reliability=1.0, description="words"),
             learned_clue(modality=Modality.FACE, source="face-expression", probabilities=noisy, start=0, end=2,
                          reliability=1.0, description="face")]
    by = {}
    for c in clues:
        by.setdefault(c.modality, []).append(c)
    reports = [ModalityReport(modality=m, status=StageStatus.OK, clues=cs) for m, cs in by.items()]
    result = ExplainResult(media=MediaInfo(path=f"c{i}.mp4", duration=2.0, size_bytes=1, container="mp4"),
                           modalities=reports)
    return ClipRecord(id=f"clip{i}", path=f"c{i}.mp4", status=ClipStatus.OK, result=result)


def test_fusion_fits_on_labelled_batch_results(tmp_path: Path) -> None:
    from emoreason.training.registry import TRAINERS, TrainOptions

    rng = np.random.default_rng(1)
    gold = [DECISION_CLASSES[i % 6] for i in range(120)]
    results = tmp_path / "results.jsonl"
    results.write_text("".join(_record(i, g, rng).model_dump_json() + "\n" for i, g in enumerate(gold)))
    labels = tmp_path / "labels.csv"
    labels.write_text("id,label\n" + "".join(f"clip{i},{g}\n" for i, g in enumerate(gold)))
    options = TrainOptions(data_root=tmp_path, out_dir=tmp_path / "out",
                           overrides={"results": str(results), "labels": str(labels)})
    result = TRAINERS.resolve("fusion")().train(options)
    fitted = __import__("json").loads(result.weights.read_text())
    assert fitted["weights"]["text-head"] > 3 * fitted["weights"]["face-expression"]
    assert fitted["not_fitted"] == ["cues"]
    assert fitted["report"]["test"]["fitted"]["accuracy"] > 0.9
