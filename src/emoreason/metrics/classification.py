"""Classification metrics: accuracy, weighted F1, UAR/WAR, MER score, binary sentiment.

Conventions:

* labels are compared as strings (or any hashable); the class set is the union of the
  true and predicted labels, in sorted order, as scikit-learn does;
* **weighted F1** (WAF) is the support-weighted mean of per-class F1 over the classes
  present in the ground truth (classes only predicted get weight 0), as
  ``sklearn.metrics.f1_score(average="weighted")`` and Emotion-LLaMA's MER2023 table;
* **UAR** is the unweighted mean of per-class recall over true classes (DFEW); **WAR**
  is the weighted average recall, i.e. accuracy;
* **MER score** (MER2023 multi-task) is ``WAF − 0.25 × MSE`` of valence;
* **binary sentiment** (CMU-MOSI in AffectGPT/MERBench): samples with true valence 0
  are removed, then ``valence > 0`` is compared with ``predicted > 0``.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length


def _encode(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> tuple[np.ndarray, np.ndarray, int]:
    check_same_length(y_true, y_pred, "classification")
    if len(y_true) == 0:
        raise MetricError("classification: no samples to score")
    classes = sorted(set(y_true) | set(y_pred), key=str)
    index = {c: i for i, c in enumerate(classes)}
    return (np.array([index[c] for c in y_true]), np.array([index[c] for c in y_pred]), len(classes))


def confusion_matrix(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> np.ndarray:
    """Counts ``C[i, j]`` of true class ``i`` predicted as ``j`` (classes sorted)."""
    t, p, k = _encode(y_true, y_pred)
    matrix = np.zeros((k, k), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix


def accuracy(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> MetricOutput:
    """Fraction of exact label matches (= WAR)."""
    t, p, _ = _encode(y_true, y_pred)
    hits = (t == p).astype(float)
    return MetricOutput(name="accuracy", value=float(hits.mean()), per_sample=hits.tolist(), n_scored=len(hits))


def _per_class(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(matrix).astype(float)
    support = matrix.sum(axis=1).astype(float)
    predicted = matrix.sum(axis=0).astype(float)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1, support


def weighted_f1(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> MetricOutput:
    """Support-weighted F1 over the true classes (WAF)."""
    matrix = confusion_matrix(y_true, y_pred)
    _, _, f1, support = _per_class(matrix)
    value = float(np.sum(f1 * support) / support.sum())
    hits = [float(a == b) for a, b in zip(y_true, y_pred, strict=True)]
    return MetricOutput(name="weighted_f1", value=value, per_sample=hits, n_scored=len(hits),
                        note="per_sample holds 0/1 correctness; F1 is a corpus statistic")


def uar(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> MetricOutput:
    """Unweighted average recall over the classes present in the ground truth."""
    matrix = confusion_matrix(y_true, y_pred)
    _, recall, _, support = _per_class(matrix)
    value = float(recall[support > 0].mean())
    hits = [float(a == b) for a, b in zip(y_true, y_pred, strict=True)]
    return MetricOutput(name="uar", value=value, per_sample=hits, n_scored=len(hits))


def war(y_true: Sequence[Hashable], y_pred: Sequence[Hashable]) -> MetricOutput:
    """Weighted average recall: identical to accuracy."""
    out = accuracy(y_true, y_pred)
    return out.model_copy(update={"name": "war"})


def mer_score(
    y_true: Sequence[Hashable],
    y_pred: Sequence[Hashable],
    valence_true: Sequence[float],
    valence_pred: Sequence[float],
) -> MetricOutput:
    """MER2023 combined score ``WAF − 0.25 × MSE(valence)``."""
    check_same_length(valence_true, valence_pred, "mer_score valence")
    waf = weighted_f1(y_true, y_pred).value
    err = np.asarray(valence_true, dtype=float) - np.asarray(valence_pred, dtype=float)
    mse = float(np.mean(err**2))
    return MetricOutput(name="mer_score", value=waf - 0.25 * mse, components={"waf": waf, "mse": mse},
                        per_sample=(err**2).tolist(), n_scored=len(err))


def binary_sentiment(valence_true: Sequence[float], valence_pred: Sequence[float]) -> MetricOutput:
    """Weighted F1 of ``valence > 0`` after dropping samples whose true valence is 0.

    Args:
        valence_true: True valence scores (CMU-MOSI: −3..3).
        valence_pred: Predicted valence or sentiment mapped to +1 / 0 / −1.

    Returns:
        ``value`` is the weighted F1; ``components["accuracy"]`` the accuracy.
    """
    check_same_length(valence_true, valence_pred, "binary_sentiment")
    true = np.asarray(valence_true, dtype=float)
    pred = np.asarray(valence_pred, dtype=float)
    keep = true != 0
    if not keep.any():
        raise MetricError("binary_sentiment: every true valence is 0; nothing to score")
    t, p = (true[keep] > 0).tolist(), (pred[keep] > 0).tolist()
    waf = weighted_f1(t, p).value
    acc = accuracy(t, p).value
    per_sample: list[float | None] = [None] * len(true)
    for i, (a, b) in zip(np.flatnonzero(keep), zip(t, p, strict=True), strict=True):
        per_sample[int(i)] = float(a == b)
    return MetricOutput(name="sentiment_waf", value=waf, components={"accuracy": acc}, per_sample=per_sample,
                        n_scored=int(keep.sum()), n_excluded=int((~keep).sum()))
