"""The evaluation table against scikit-learn, on a synthetic head and synthetic utterances."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.heads.head_file import DenseStack, HeadModel
from emoreason.heads.text_emotion import CANONICAL_CLASSES
from emoreason.heads.text_scorer import TextScorer
from emoreason.reasoning.vocabulary import LabelSet
from emoreason.training.corpora import Utterance
from emoreason.training.text_data import TextSet
from emoreason.training.text_eval import evaluate, fold_predictions, table_markdown

K = len(CANONICAL_CLASSES)


def identity_head() -> HeadModel:
    """Features are logits: the head predicts the argmax of its input; valence = first feature."""
    valence = DenseStack([np.eye(K, 1, dtype=np.float32)], [np.zeros(1, np.float32)])
    return HeadModel(classes=list(CANONICAL_CLASSES), classifier=DenseStack([np.eye(K, dtype=np.float32)],
                     [np.zeros(K, np.float32)]), encoder="none", valence=valence)


def test_table_matches_sklearn_and_scores_unread_clips_as_majority() -> None:
    from sklearn.metrics import f1_score

    rng = np.random.default_rng(0)
    truth = rng.choice(["neutral", "happy", "sad", "angry", "worried", "surprise"], size=60)
    pred_idx = np.where(rng.random(60) < 0.6, [CANONICAL_CLASSES.index(t) for t in truth], rng.integers(0, K, 60))
    feats = np.eye(K, dtype=np.float32)[pred_idx] * 5
    utts = [Utterance("mer2023", "test1", f"s{i}", "zh", "x", t, float(rng.uniform(-1, 1)))
            for i, t in enumerate(truth)]
    unread = [Utterance("mer2023", "test1", f"u{i}", "zh", "", "sad", None) for i in range(5)]
    rows = {r.metric: r for r in evaluate(TextScorer(identity_head()), TextSet(utts, feats), unread)}
    pred = fold_predictions(identity_head().probabilities(feats), LabelSet.MER6)
    assert rows["waf_6"].value == pytest.approx(f1_score(list(truth), pred, average="weighted"))
    all_truth, all_pred = list(truth) + ["sad"] * 5, pred + ["neutral"] * 5
    assert rows["waf_6_all"].value == pytest.approx(f1_score(all_truth, all_pred, average="weighted"))
    assert rows["waf_6_all"].n == 65 and rows["waf_6"].n == 60
    assert rows["waf_6"].majority == pytest.approx(f1_score(list(truth), ["neutral"] * 60, average="weighted"))
    assert "valence_pearson" in rows
    assert "| mer2023 | test1 | zh | waf_6 |" in table_markdown(list(rows.values()))


def test_mosi_rows_use_the_valence_sign() -> None:
    vals = np.array([0.5, -0.5, 0.2, -0.1, 0.0])
    feats = np.zeros((5, K), dtype=np.float32)
    feats[:, 0] = [1.0, -1.0, -0.3, -0.2, 0.4]  # predicted valence
    utts = [Utterance("cmumosi", "test", f"m{i}", "en", "x", None, float(v)) for i, v in enumerate(vals)]
    rows = {r.metric: r for r in evaluate(TextScorer(identity_head()), TextSet(utts, feats))}
    assert rows["binary_accuracy"].value == pytest.approx(3 / 4) and rows["binary_accuracy"].n == 4
    assert rows["binary_accuracy"].majority == pytest.approx(2 / 4)
