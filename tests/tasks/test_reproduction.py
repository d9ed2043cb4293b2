"""Published numbers reproduced from published predictions (skipped without ../shared/data)."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.tasks import get_task, run_task


def _checkpoints(shared_data: Path, dataset: str, suffix: str) -> list[Path]:
    root = shared_data / "benchmarks" / "affectgpt_predictions" / f"results-{dataset}"
    files = sorted(root.glob(f"*/checkpoint_*{suffix}"))
    assert files, f"no AffectGPT predictions under {root}"
    return files


def _published(task: str, metric: str) -> float:
    return next(p.value for p in get_task(task).published if p.metric == metric)


def test_affectgpt_mer2023_hit_rate(shared_data: Path) -> None:
    scores = {f.name: run_task("mer2023-hit", f, data_root=shared_data).metrics[0].value
              for f in _checkpoints(shared_data, "mer2023", "-openset.npz")}
    best = max(scores, key=scores.__getitem__)
    assert best.startswith("checkpoint_000050")
    assert round(scores[best], 4) == _published("mer2023-hit", "hit_rate") == 0.7854


def test_affectgpt_cmumosi_sentiment_waf(shared_data: Path) -> None:
    results = [run_task("cmumosi-sentiment", f, data_root=shared_data)
               for f in _checkpoints(shared_data, "cmumosi", "-openset-sentiment.npz")]
    best = max(results, key=lambda r: r.metrics[0].value)
    assert round(best.metrics[0].value, 4) == _published("cmumosi-sentiment", "sentiment_waf") == 0.8130
    assert best.n_invalid == 7  # 'mixed' etc. are counted, scored as non-positive like AffectGPT


def test_ovmerd_baseline_ew_f1(shared_data: Path) -> None:
    path = shared_data / "benchmarks" / "ov_merd" / "baseline_prediction_openset.csv"
    result = run_task("ovmerd-ew", path, data_root=shared_data)
    values = {m.name: m.value for m in result.metrics}
    # The OV-MER reference code (format.csv + xlsx tables) gives 0.5537 / 0.4245 (tests/metrics).
    assert result.wheel_tables == "ovmer"
    assert round(values["ew_f_level1"], 4) == 0.5537
    assert round(values["ew_f_level2"], 4) == 0.4245
    later = run_task("ovmerd-ew", path, data_root=shared_data, ew_tables="mer2026")
    values = {m.name: m.value for m in later.metrics}
    assert later.wheel_tables == "mer2026"
    assert round(values["ew_f_level1"], 4) == 0.5546
    assert round(values["ew_f_level2"], 4) == 0.4246


def test_zeroshot_ew_f1_table(shared_data: Path) -> None:
    from tests.metrics.test_emotion_wheel import REFERENCE_EW

    rows = []
    for path in sorted((shared_data / "benchmarks" / "ovmerd_zeroshot").glob("*/*-openset.npz")):
        result = run_task("ovmerd-ew", path, data_root=shared_data)
        setting = path.name.removeprefix("output-reason-7b-").removesuffix("-eng-openset.npz")
        rows.append((path.parent.name, setting, result.metrics[0].value))
    print("\nmodel           setting               EW-F1 (L1)")
    for model, setting, value in rows:
        print(f"{model:<15} {setting:<21} {value:.4f}")
    assert len(rows) == 15
    for model, setting, value in rows:
        assert round(value, 4) == round(REFERENCE_EW[(model, setting)][0], 4), (model, setting)


@pytest.mark.slow
def test_emer_v2_caption_metrics_run(shared_data: Path, tmp_path: Path) -> None:
    import numpy as np

    reasons = np.load(shared_data / "benchmarks" / "ovmerd_zeroshot" / "VideoChat" /
                      "output-reason-7b-subtitle-eng.npz", allow_pickle=True)["name2reason"].item()
    jsonl = tmp_path / "videochat.jsonl"
    import json

    jsonl.write_text("\n".join(json.dumps({"id": k, "text": v}) for k, v in reasons.items()))
    result = run_task("emer-v2-caption", jsonl, data_root=shared_data, tokenizer="simple")
    values = {m.name: m.value for m in result.metrics}
    assert set(values) == {"bleu_1", "bleu_2", "bleu_3", "bleu_4", "meteor", "rouge_l", "cider"}
    assert 0 < values["bleu_4"] < values["bleu_1"] < 1 and result.n_missing == 0
