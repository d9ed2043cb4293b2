"""Fitting code against scikit-learn references, and its determinism."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.heads.head_file import softmax
from emoreason.training.fit import (
    ClassifierConfig,
    class_weights,
    expected_calibration_error,
    fit_classifier,
    fit_ridge,
    fit_temperature,
    merge_ensemble,
)


def blobs(n: int = 600, dim: int = 12, k: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=2.0, size=(k, dim))
    y = rng.integers(0, k, size=n)
    return (centres[y] + rng.normal(size=(n, dim))).astype(np.float32), y


def test_linear_head_agrees_with_sklearn_logistic_regression() -> None:
    from sklearn.linear_model import LogisticRegression

    xa, ya = blobs(n=1200)
    x, y, xt, yt = xa[:600], ya[:600], xa[600:], ya[600:]
    ours = fit_classifier(x, y, 4, ClassifierConfig(epochs=60, weight_decay=1e-4, lr=1e-2))
    ref = LogisticRegression(C=10.0, max_iter=2000).fit(x, y)
    agree = np.mean(ours(xt).argmax(1) == ref.predict(xt))
    assert agree > 0.95
    assert np.mean(ours(xt).argmax(1) == yt) == pytest.approx(ref.score(xt, yt), abs=0.03)


def test_classifier_is_deterministic_given_the_seed() -> None:
    x, y = blobs(n=300)
    config = ClassifierConfig(hidden=8, epochs=5, seed=3)
    a, b = fit_classifier(x, y, 4, config), fit_classifier(x, y, 4, config)
    for wa, wb in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(wa, wb)
    c = fit_classifier(x, y, 4, ClassifierConfig(hidden=8, epochs=5, seed=4))
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_ridge_matches_sklearn() -> None:
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6))
    t = x @ rng.normal(size=6) + 0.5 + rng.normal(scale=0.1, size=200)
    w = rng.uniform(0.5, 2.0, size=200)
    ours = fit_ridge(x, t, alpha=3.0, sample_weight=w)
    ref = Ridge(alpha=3.0).fit(x, t, sample_weight=w)
    np.testing.assert_allclose(ours(x)[:, 0], ref.predict(x), rtol=1e-4, atol=1e-4)


def test_temperature_recovers_the_generating_one() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3.0, size=(4000, 5))
    probs = softmax(logits, 2.0)
    y = np.array([rng.choice(5, p=p) for p in probs])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.1)
    assert expected_calibration_error(softmax(logits, 2.0), y) < expected_calibration_error(softmax(logits, 0.5), y)


def test_class_weights() -> None:
    y = np.array([0, 0, 0, 1])
    np.testing.assert_allclose(class_weights(y, 3, "balanced"), [4 / 6, 2.0, 1.0])
    np.testing.assert_allclose(class_weights(y, 3, "sqrt"), np.sqrt([4 / 6, 2.0, 1.0]))
    np.testing.assert_array_equal(class_weights(y, 3, "none"), [1, 1, 1])
    with pytest.raises(ValueError):
        class_weights(y, 3, "weird")


def test_merged_ensemble_gives_the_mean_of_the_members_logits() -> None:
    x, y = blobs(n=200)
    members = [fit_classifier(x, y, 4, ClassifierConfig(hidden=6, epochs=2, seed=s)) for s in range(3)]
    merged = merge_ensemble(members)
    np.testing.assert_allclose(merged(x), np.mean([m(x) for m in members], axis=0), rtol=1e-4, atol=1e-5)
    linear = [fit_classifier(x, y, 4, ClassifierConfig(epochs=2, seed=s)) for s in range(2)]
    np.testing.assert_allclose(merge_ensemble(linear)(x), np.mean([m(x) for m in linear], axis=0), atol=1e-5)
