"""ECF / SemEval-2024 Task 3 metrics against hand-computed values."""

from __future__ import annotations

import pytest

from emoreason.metrics.base import MetricError
from emoreason.metrics.ecpe import CausePair, weighted_pair_f1, weighted_proportional_f1, weighted_strict_f1

GOLD = [
    CausePair("1", 3, 1, "joy", 0, 4),
    CausePair("1", 3, 3, "joy", 2, 6),
    CausePair("1", 5, 4, "anger", 0, 10),
]
PRED = [
    CausePair("1", 3, 1, "joy", 0, 4),  # exact
    CausePair("1", 3, 3, "joy", 3, 6),  # overlaps 3 of 4 gold tokens
    CausePair("1", 5, 4, "anger", 5, 15),  # overlaps 5 of 10
    CausePair("1", 6, 6, "sadness", 0, 2),  # spurious
]


def test_strict_hand_computed() -> None:
    out = weighted_strict_f1(GOLD, PRED)
    # joy: 1 correct of 2 predicted, 2 gold -> P=R=F=.5; anger: 0; sadness: 0 (no gold, weight 0).
    assert out.value == pytest.approx(2 / 3 * 0.5, abs=1e-7)
    assert out.components["f1_joy"] == pytest.approx(0.5, abs=1e-7)


def test_proportional_hand_computed() -> None:
    out = weighted_proportional_f1(GOLD, PRED)
    # joy: correct tokens 4 + 3 = 7, predicted 4 + 3 = 7, gold 4 + 4 = 8 -> P=1, R=7/8.
    f_joy = 2 * 1 * (7 / 8) / (1 + 7 / 8)
    # anger: correct 5, predicted 10, gold 10 -> P=R=.5.
    expected = (2 * f_joy + 1 * 0.5) / 3
    assert out.value == pytest.approx(expected, abs=1e-7)


def test_pair_f1_hand_computed() -> None:
    out = weighted_pair_f1(GOLD, PRED)
    # utterance pairs: joy 2/2 correct; anger 1/1; sadness spurious (weight 0).
    assert out.value == pytest.approx(1.0, abs=1e-7)
    assert out.components["micro_precision"] == pytest.approx(3 / 4, abs=1e-7)


def test_perfect_and_unknown_emotion() -> None:
    assert weighted_strict_f1(GOLD, GOLD).value == pytest.approx(1.0, abs=1e-7)
    with pytest.raises(MetricError, match="unknown emotion"):
        weighted_strict_f1(GOLD, [CausePair("1", 1, 1, "bored")])
