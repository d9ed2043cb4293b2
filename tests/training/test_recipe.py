"""The training recipe: registry, CLI, deterministic retraining on a small slice, model card contents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.cli.app import main
from emoreason.errors import RegistryError
from emoreason.heads.head_file import HeadModel
from emoreason.heads.text_emotion import TEXT_HEAD_FILE, TextEmotionHead
from emoreason.training import TRAINERS, train
from emoreason.training.text_head import resolve_params

SLICE = {"encoder": "hash-ngram", "epochs": "4", "hidden": "16", "valence_alphas": "1,10"}


def test_registry_and_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert "text-emotion" in TRAINERS.names() and TRAINERS.spec("text").name == "text-emotion"
    with pytest.raises(RegistryError):
        TRAINERS.resolve("no-such-head")
    assert main(["train", "--list"]) == 0
    assert "text-emotion" in capsys.readouterr().out


def test_settings_are_typed_and_unknown_ones_refused() -> None:
    params = resolve_params({"hidden": "64", "class_weight": "sqrt", "weight_decay": "0.01"})
    assert params["hidden"] == 64 and params["weight_decay"] == 0.01 and params["class_weight"] == "sqrt"
    with pytest.raises(ValueError, match="unknown text-emotion setting"):
        resolve_params({"hiden": "3"})
    with pytest.raises(ValueError, match="--set hidden=wide: not a int"):
        resolve_params({"hidden": "wide"})


def test_cli_errors_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["train", "text-emotion", "--data-root", str(tmp_path / "none"), "-o", str(tmp_path)]) == 2
    assert "data root not found" in capsys.readouterr().err
    assert main(["train", "text-emotion", "--data-root", str(tmp_path), "-o", str(tmp_path / "o"),
                 "--set", "bogus"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


@pytest.mark.shared_data
def test_small_slice_retrains_identically(shared_data: Path, tmp_path: Path) -> None:
    first = train("text-emotion", shared_data, tmp_path / "a", limit=40, overrides=SLICE)
    second = train("text-emotion", shared_data, tmp_path / "b", limit=40, overrides=SLICE)
    assert first.metrics == second.metrics and first.metrics
    a, b = (np.load(r.weights, allow_pickle=False) for r in (first, second))
    assert a.files == b.files
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])
    card = first.model_card.read_text(encoding="utf-8")
    assert first.model_card.read_text(encoding="utf-8") == second.model_card.read_text(encoding="utf-8")
    for needle in ("meld-process/label.npz", "MER2023 dataset EULA", "anger, joy, sadness, neutral, disgust, fear",
                   "fear → worried", "| meld | test | en | weighted_f1_7 |", "\"hidden\": 16", "--limit 40"):
        assert needle in card, needle
    head = TextEmotionHead(first.weights)  # the recipe's output is a loadable head
    assert head.predict(["what a lovely day"])[0].status == "ok"
    other = train("text-emotion", shared_data, tmp_path / "c", limit=40, seed=1, overrides=SLICE)
    assert not np.array_equal(HeadModel.load(other.weights).classifier.weights[0], a["classifier.0.weight"])


def test_shipped_head_records_its_recipe_and_metrics() -> None:
    if not TEXT_HEAD_FILE.is_file():
        pytest.skip("no shipped text head")
    head = HeadModel.load(TEXT_HEAD_FILE)
    meta = head.metadata
    assert meta["head"] == "text-emotion" and meta["encoder"] == head.encoder
    assert meta["metrics"]["meld/test/en/weighted_f1_7"] > 0.3
    assert (TEXT_HEAD_FILE.parent / "MODEL_CARD-text-emotion.md").is_file()
    assert TEXT_HEAD_FILE.stat().st_size < 5_000_000
