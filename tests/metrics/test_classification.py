"""Classification metrics against scikit-learn and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score

from emoreason.metrics.base import MetricError
from emoreason.metrics.classification import accuracy, binary_sentiment, mer_score, uar, war, weighted_f1

LABELS = ["neutral", "happy", "sad", "angry", "worried", "surprise"]


@pytest.mark.parametrize("seed", range(5))
def test_against_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y_true = list(rng.choice(LABELS, size=300, p=[0.3, 0.2, 0.2, 0.15, 0.1, 0.05]))
    y_pred = list(rng.choice(LABELS + ["disgust"], size=300))
    assert accuracy(y_true, y_pred).value == pytest.approx(accuracy_score(y_true, y_pred))
    assert war(y_true, y_pred).value == pytest.approx(accuracy_score(y_true, y_pred))
    assert weighted_f1(y_true, y_pred).value == pytest.approx(f1_score(y_true, y_pred, average="weighted"))
    with pytest.warns(UserWarning):  # sklearn warns that 'disgust' never occurs in y_true
        expected_uar = balanced_accuracy_score(y_true, y_pred)
    assert uar(y_true, y_pred).value == pytest.approx(expected_uar)


def test_mer_score_hand_computed() -> None:
    out = mer_score(["a", "a", "b", "b"], ["a", "b", "b", "b"], [1.0, -1.0, 0.0, 2.0], [1.0, 0.0, 0.0, 0.0])
    # per-class F1: a: p=1, r=.5 -> 2/3; b: p=2/3, r=1 -> 0.8; weighted = (2/3 + 0.8) / 2; MSE = (0+1+0+4)/4.
    assert out.components["waf"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert out.components["mse"] == pytest.approx(1.25)
    assert out.value == pytest.approx((2 / 3 + 0.8) / 2 - 0.25 * 1.25)


def test_binary_sentiment_drops_zero_valence() -> None:
    truth = [1.2, -0.4, 0.0, 2.0, -3.0]
    pred = [1, 1, -1, 0, -1]
    out = binary_sentiment(truth, pred)
    t = np.array(truth)
    keep = t != 0
    assert out.value == pytest.approx(f1_score(t[keep] > 0, np.array(pred)[keep] > 0, average="weighted"))
    assert out.components["accuracy"] == pytest.approx(0.5)
    assert out.per_sample[2] is None and out.n_excluded == 1


def test_errors() -> None:
    with pytest.raises(MetricError):
        accuracy([], [])
    with pytest.raises(MetricError):
        binary_sentiment([0.0, 0.0], [1, -1])
