"""The no-pickle head format: round trip, validation, numpy inference."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from emoreason.heads.head_file import DenseStack, HeadFileError, HeadModel, softmax
from tests.heads.factory import random_head


def test_round_trip_keeps_every_array_and_the_outputs(tmp_path: Path) -> None:
    path = random_head(tmp_path / "h.npz", dim=16, hidden=8, temperature=1.7)
    head = HeadModel.load(path)
    x = np.random.default_rng(1).normal(size=(5, 16)).astype(np.float32)
    again = HeadModel.load(head.save(tmp_path / "again.npz"))
    np.testing.assert_array_equal(head.logits(x), again.logits(x))
    np.testing.assert_allclose(head.probabilities(x).sum(axis=1), 1.0, atol=1e-9)
    assert again.temperature == pytest.approx(1.7) and again.encoder == "hash-ngram"
    assert len(again.classifier.weights) == 2


def test_file_loads_without_pickle_and_holds_json_metadata(tmp_path: Path) -> None:
    path = random_head(tmp_path / "h.npz", dim=8)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["metadata"]))
        assert all(data[k].dtype != object for k in data.files)
    assert meta["format"] == "emoreason-head" and meta["classes"][0] == "neutral"


def test_mlp_forward_matches_a_hand_computed_pass() -> None:
    rng = np.random.default_rng(0)
    w1, b1, w2, b2 = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=2)
    stack = DenseStack([w1.astype(np.float32), w2.astype(np.float32)], [b1.astype(np.float32), b2.astype(np.float32)])
    x = rng.normal(size=(6, 4))
    expected = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    np.testing.assert_allclose(stack(x), expected, rtol=1e-5, atol=1e-5)


def test_temperature_softmax_flattens_and_sharpens() -> None:
    logits = np.array([[2.0, 0.0, -1.0]])
    p1, p_hot, p_cold = softmax(logits), softmax(logits, 4.0), softmax(logits, 0.5)
    assert p_hot.max() < p1.max() < p_cold.max()
    np.testing.assert_allclose(p1, np.exp(logits) / np.exp(logits).sum())


def test_valence_is_clipped_to_its_range(tmp_path: Path) -> None:
    head = HeadModel.load(random_head(tmp_path / "h.npz", dim=8))
    v = head.predict_valence(np.random.default_rng(2).normal(size=(50, 8)) * 100)
    assert v is not None and v.min() >= -1.0 and v.max() <= 1.0 and (np.abs(v) == 1.0).any()


def test_bad_files_raise_head_errors(tmp_path: Path) -> None:
    with pytest.raises(HeadFileError, match="not found"):
        HeadModel.load(tmp_path / "missing.npz")
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, metadata=np.array([{"a": 1}], dtype=object))
    with pytest.raises(HeadFileError):
        HeadModel.load(pickled)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(HeadFileError):
        HeadModel.load(junk)
    with pytest.raises(HeadFileError, match="outputs"):
        HeadModel(classes=["a", "b", "c"], classifier=DenseStack([np.zeros((4, 2), np.float32)],
                                                                  [np.zeros(2, np.float32)]), encoder="x")
    with pytest.raises(HeadFileError, match="does not feed"):
        DenseStack([np.zeros((4, 2)), np.zeros((3, 2))], [np.zeros(2), np.zeros(2)])


def test_features_of_the_wrong_width_are_refused(tmp_path: Path) -> None:
    head = HeadModel.load(random_head(tmp_path / "h.npz", dim=8))
    with pytest.raises(HeadFileError, match="input width 8"):
        head.probabilities(np.zeros((2, 9)))
