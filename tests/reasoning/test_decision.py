"""The learned decision: log-linear pooling, vote shares, reliability, and its use by fusion."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.learned import learned_clue
from emoreason.reasoning.decision import FusionWeights, Vote, decide, expected_valence, learned_vote, merge_votes, pool
from emoreason.reasoning.fusion import fuse
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.records import DECISION_CLASSES, MediaInfo, Modality, ModalityReport, StageStatus

EQUAL = FusionWeights(weights={"a": 1.0, "b": 1.0, "cues": 1.0}, origin="test")


def _p(**kw: float) -> np.ndarray:
    rest = (1.0 - sum(kw.values())) / (len(DECISION_CLASSES) - len(kw))
    return np.array([kw.get(c, rest) for c in DECISION_CLASSES])


def test_pool_is_the_normalised_weighted_product_of_experts() -> None:
    a, b = _p(happy=0.6, neutral=0.2), _p(sad=0.5, neutral=0.3)
    weights = FusionWeights(weights={"a": 0.7, "b": 1.3}, bias=tuple(0.1 * i for i in range(7)), temperature=1.5)
    probs, shares = pool([Vote("a", "text", a, 1.0, 0, 1), Vote("b", "face", b, 0.5, 0, 1)], weights)
    logits = (np.arange(7) * 0.1 + 0.7 * np.log(a + 1e-3) + 1.3 * 0.5 * np.log(b + 1e-3)) / 1.5
    expected = np.exp(logits) / np.exp(logits).sum()
    assert np.allclose(probs, expected)
    assert sum(shares) == pytest.approx(1.0, abs=1e-2)


def test_an_unreliable_vote_counts_less() -> None:
    happy, sad = _p(happy=0.7), _p(sad=0.7)
    both = [Vote("a", "text", happy, 1.0, 0, 1), Vote("b", "face", sad, 0.2, 0, 1)]
    record = decide(both, EQUAL)
    assert record.label == "happy"
    assert record.driver == "text"
    flipped = decide([Vote("a", "text", happy, 0.2, 0, 1), Vote("b", "face", sad, 1.0, 0, 1)], EQUAL)
    assert flipped.label == "sad" and flipped.driver == "face"


def test_merge_votes_weights_segments_by_duration_and_reliability() -> None:
    long_happy = Vote("a", "text", _p(happy=0.8), 1.0, 0.0, 9.0)
    short_sad = Vote("a", "text", _p(sad=0.8), 1.0, 9.0, 10.0)
    (merged,) = merge_votes([long_happy, short_sad])
    assert DECISION_CLASSES[int(np.argmax(merged.probs))] == "happy"
    assert (merged.start, merged.end) == (0.0, 10.0)


def test_learned_clue_round_trips_into_a_vote() -> None:
    clue = learned_clue(modality=Modality.TEXT, source="text-head", probabilities={"angry": 0.7, "neutral": 0.3},
                        start=1.0, end=2.0, reliability=0.4, description="the words read as angry (p=0.70)")
    vote = learned_vote(clue)
    assert vote is not None and vote.source == "text-head" and vote.reliability == pytest.approx(0.4)
    assert vote.probs[DECISION_CLASSES.index("angry")] == pytest.approx(0.7)


def test_expected_valence_follows_the_classes() -> None:
    assert expected_valence({"happy": 0.9, "neutral": 0.1}) > 0.5
    assert expected_valence({"sad": 0.8, "neutral": 0.2}) < -0.4


def _request(*clues) -> ReasoningRequest:  # noqa: ANN002
    media = MediaInfo(path="x.mp4", duration=4.0, size_bytes=1, container="mp4")
    by_mod: dict[Modality, list] = {}
    for c in clues:
        by_mod.setdefault(c.modality, []).append(c)
    reports = [ModalityReport(modality=m, status=StageStatus.OK, clues=cs) for m, cs in by_mod.items()]
    return ReasoningRequest(media=media, modalities=reports)


def test_fusion_answers_the_learned_decision_and_valence_follows_it() -> None:
    smile = learned_clue(modality=Modality.FACE, source="face-expression", probabilities={"happy": 0.9},
                         start=0.0, end=4.0, reliability=1.0, description="expression model reads happy (p=0.90)")
    result = fuse(_request(smile))
    assert result.decision is not None and result.decision.label == "happy"
    assert result.emotions[0].label == "happy"
    assert result.valence is not None and result.valence > 0
    assert not result.ignored_tags  # learned tags are not cue tags
