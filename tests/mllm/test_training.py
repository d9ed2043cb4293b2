"""Tiny random-init models: the loss falls, save → load is exact, resume continues, the reasoner answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emoreason.mllm.checkpoint import load_model
from emoreason.mllm.tiny import synthetic_samples, tiny_config
from emoreason.mllm.train import train_mllm


def _losses(out: Path) -> dict[int, float]:
    lines = (out / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert all({"step", "loss", "learning_rate"} <= set(r) for r in rows)
    return {r["step"]: r["loss"] for r in rows}


def test_loss_falls_over_30_steps(tiny_run: tuple[object, Path]) -> None:
    _, out = tiny_run
    losses = _losses(out)
    assert sorted(losses) == list(range(1, 31))
    steps = [losses[s] for s in range(1, 31)]
    assert np.mean(steps[-5:]) < np.mean(steps[:5]) - 0.5
    fine = [losses[s] for s in range(11, 31)]  # the fine stage alone falls too
    assert np.mean(fine[-5:]) < np.mean(fine[:5]) - 0.5
    assert (out / "MODEL_CARD.md").exists() is False  # the card is the recipe's job, not the loop's
    names = {p.name for p in out.iterdir()}
    assert {"adapter.safetensors", "projectors.safetensors", "mllm.yaml", "manifest.json"} <= names
    assert not any(p.suffix in (".bin", ".pt", ".pkl") for p in out.rglob("*") if "tiny-base" not in str(p))


def test_save_load_gives_identical_logits(tiny_run: tuple[object, Path]) -> None:
    import torch

    model, out = tiny_run
    loaded = load_model(out)
    model.lm.eval()
    model.projectors.eval()
    sample = synthetic_samples(4, seed=5)[1]
    from emoreason.mllm.dataset import FeatureCache, examples_for

    cache = FeatureCache(out / "feature-cache", model.config, model.dims)
    example = examples_for(sample, cache.features(sample), model.config)[1]
    a = model.logits(example.prompt, example.features, example.target)
    b = loaded.logits(example.prompt, example.features, example.target)
    assert a.shape == b.shape and torch.equal(a, b)
    fresh = load_model(out)  # and differs from an untrained model: the adapters were really loaded
    with torch.no_grad():
        for param in fresh.projectors.parameters():
            param.zero_()
    assert not torch.equal(a, fresh.logits(example.prompt, example.features, example.target))


def test_resume_continues_the_step_count(tiny_bases: dict[str, Path], tiny_run: tuple[object, Path],
                                         tmp_path: Path) -> None:
    config = tiny_config(tiny_bases)
    first = train_mllm(config, tmp_path, ".", stop_after=12)
    assert first.steps == 12 and (tmp_path / "checkpoints" / "step-12").is_dir()
    assert not (tmp_path / "manifest.json").exists()  # no final checkpoint before the last stage ends
    second = train_mllm(tiny_config(tiny_bases), tmp_path, ".")
    assert second.steps == 30
    resumed = _losses(tmp_path)
    assert sorted(resumed) == list(range(1, 31))
    reference = _losses(tiny_run[1])  # same seed, same batches: the resumed run matches the uninterrupted one
    assert np.allclose([resumed[s] for s in range(13, 31)], [reference[s] for s in range(13, 31)], atol=2e-3)


def test_generation_through_the_reasoner(tiny_run: tuple[object, Path]) -> None:
    from emoreason.reasoning.factory import get_reasoner
    from emoreason.reasoning.protocol import ReasoningRequest
    from emoreason.records import Clue, Evidence, MediaInfo, Modality, ModalityReport, StageStatus

    clue = Clue(modality=Modality.FACE, description="smiles broadly", start=0.5, end=2.0, strength=0.8,
                tags=["smile"], evidence=[Evidence(name="AU12_r", value=3.2)])
    request = ReasoningRequest(
        media=MediaInfo(path="/nonexistent/clip.mp4", container="mp4", size_bytes=0, duration=3.0),
        modalities=[ModalityReport(modality=Modality.FACE, status=StageStatus.OK, clues=[clue])],
    )
    reasoner = get_reasoner("mllm", model=str(tiny_run[1]))
    assert reasoner.name == "mllm"
    outcome = reasoner.reason(request)
    assert outcome.explanation.writer == "mllm"
    assert outcome.explanation.text and outcome.explanation.raw_output == outcome.explanation.text
    assert isinstance(outcome.explanation.violations, list)
    assert any("not on disk" in w for w in outcome.warnings)  # encoder streams need the media file
    assert outcome.emotions  # fusion still ranks the labels


def test_reasoner_needs_a_model_folder(tmp_path: Path) -> None:
    from emoreason.errors import EmoreasonError
    from emoreason.reasoning.factory import get_reasoner

    with pytest.raises(EmoreasonError, match="--model"):
        get_reasoner("mllm")
    with pytest.raises(EmoreasonError, match="not an mllm checkpoint"):
        get_reasoner("mllm", model=str(tmp_path))
