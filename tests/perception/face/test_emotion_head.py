"""Face evidence → learned clues: AU features in MERR's order, the expression fold, the shipped AU head."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from emoreason.perception.face.emotion_head import (
    HEAD_AUS,
    au_features,
    au_probabilities,
    expression_probabilities,
    window_clues,
)
from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.reasoning.decision import learned_vote


def test_au_features_mark_frequent_then_peak_aus() -> None:
    x = au_features(["AU12", "AU25"], ["AU06", "AU12", "AU26"])
    assert x.shape == (30,)
    assert x[HEAD_AUS.index("AU12")] == 1 and x[15 + HEAD_AUS.index("AU06")] == 1 and x.sum() == 3


def test_expression_probabilities_fold_fear_into_worried_and_sum_to_one() -> None:
    probs = expression_probabilities({e: (0.9 if e == "fear" else 0.1 / 6) for e in EXPRESSIONS})
    assert probs is not None and max(probs, key=probs.get) == "worried"
    assert sum(probs.values()) == pytest.approx(1.0)
    assert expression_probabilities({e: float("nan") for e in EXPRESSIONS}) is None


def test_shipped_au_head_reads_a_smile_as_happy_and_a_sad_brow_as_sad() -> None:
    happy = au_probabilities(["AU25", "AU06", "AU12"], ["AU06", "AU12", "AU25"])  # a talking smile
    sad = au_probabilities(["AU01", "AU04", "AU15"], ["AU01", "AU04", "AU15"])
    assert happy is not None and sad is not None
    assert max(happy, key=happy.get) == "happy"
    assert max(sad, key=sad.get) == "sad"


def _table(n: int = 30, fps: float = 5.0) -> pd.DataFrame:
    from emoreason.perception.face.action_units import AU_CODES

    rows = {"frame": np.arange(n), "timestamp": np.arange(n) / fps, "face_id": 0, "success": 1}
    for code in AU_CODES:
        smiling = code in ("AU06", "AU12")
        rows[f"{code}_r"] = np.full(n, 3.0 if smiling else 0.0)
        rows[f"{code}_c"] = np.full(n, 1 if smiling else 0)
    rows["AU28_c"] = np.zeros(n, dtype=int)
    for e in EXPRESSIONS:
        rows[e] = np.full(n, 0.8 if e == "happiness" else 0.2 / 6)
    return pd.DataFrame(rows)


def test_window_clues_cover_the_track_with_two_votes_per_window() -> None:
    clues = window_clues(_table(), 0)
    sources = [c.source for c in clues]
    assert sources.count("face-au-head") == sources.count("face-expression") == 2  # 5.8 s → two 3-s windows
    votes = [learned_vote(c) for c in clues]
    assert all(v is not None and v.reliability == 1.0 for v in votes)
    assert all("happy" in c.description for c in clues)
