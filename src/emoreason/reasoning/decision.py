"""The learned decision: per-modality votes pooled into calibrated class probabilities.

Perception's learned heads (the text head per transcript segment, the face AU head and the
expression model per window) emit *learned clues*: clues tagged :data:`LEARNED_TAG` whose
evidence holds one probability per decision class (``p:<class>``) and a ``reliability``.
Rule cues (voice prosody, lexical cues) join as one more vote, the rule fusion's family scores
made a distribution.

Pooling is a weighted product of experts (log-linear pooling)::

    log p(c) ∝ bias(c) + Σ_sources weight(source) · reliability · log p_source(c)

followed by a temperature. Weights, biases and temperature come from ``weights/fusion.json``,
fitted by the ``fusion`` training recipe; a missing file means equal weights. Each vote's
share of the winning label says which modality drove the decision and by how much.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from emoreason.records import Clue, DecisionRecord, LabelProbability, ModalityVote
from emoreason.records.decision import DECISION_CLASSES, LEARNED_TAG, PROB_PREFIX, RELIABILITY

FUSION_FILE = Path(__file__).resolve().parent / "weights" / "fusion.json"
EPS = 1e-3
#: Rule cues are weak evidence next to the learned heads.
DEFAULT_WEIGHTS: dict[str, float] = {
    "text-head": 1.0, "face-au-head": 0.6, "face-expression": 0.6, "cues": 0.35,
}


@dataclass(frozen=True)
class FusionWeights:
    """Fitted pooling parameters."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bias: tuple[float, ...] = (0.0,) * len(DECISION_CLASSES)
    temperature: float = 1.0
    origin: str = "default weights (no fitted fusion file)"

    def weight(self, source: str) -> float:
        """The weight of a vote source (unknown sources count like rule cues)."""
        return self.weights.get(source, self.weights.get("cues", 0.35))


@lru_cache(maxsize=4)
def load_weights(path: Path = FUSION_FILE) -> FusionWeights:
    """The fitted fusion weights shipped beside this module (defaults when absent)."""
    if not path.is_file():
        return FusionWeights()
    data = json.loads(path.read_text(encoding="utf-8"))
    bias = tuple(float(data["bias"].get(c, 0.0)) for c in DECISION_CLASSES)
    return FusionWeights(
        weights={**DEFAULT_WEIGHTS, **{k: float(v) for k, v in data["weights"].items()}},
        bias=bias, temperature=float(data.get("temperature", 1.0)), origin=str(data.get("origin", path.name)),
    )


@dataclass
class Vote:
    """One source's class probabilities over a span, with the clues behind them."""

    source: str
    modality: str
    probs: np.ndarray
    reliability: float
    start: float
    end: float
    clue_ids: list[str] = field(default_factory=list)


def learned_vote(clue: Clue) -> Vote | None:
    """The vote a learned clue carries (None for any other clue)."""
    if LEARNED_TAG not in clue.tags:
        return None
    values = {e.name: e.value for e in clue.evidence if isinstance(e.value, float | int)}
    probs = np.array([float(values.get(f"{PROB_PREFIX}{c}", 0.0)) for c in DECISION_CLASSES])
    if probs.sum() <= 0:
        return None
    reliability = float(values.get(RELIABILITY, 1.0))
    return Vote(clue.source.split(":")[0], clue.modality.value, probs / probs.sum(), reliability,
                clue.start, clue.end, [clue.id])


def merge_votes(votes: list[Vote]) -> list[Vote]:
    """One vote per source: the reliability- and duration-weighted mean of its log-probabilities."""
    grouped: dict[str, list[Vote]] = defaultdict(list)
    for vote in votes:
        grouped[vote.source].append(vote)
    out = []
    for source, group in grouped.items():
        mass = np.array([v.reliability * max(v.end - v.start, 0.5) for v in group])
        if mass.sum() <= 0:
            continue
        logs = np.stack([np.log(v.probs + EPS) for v in group])
        mean = np.exp((mass[:, None] * logs).sum(0) / mass.sum())
        out.append(Vote(
            source, group[0].modality, mean / mean.sum(), float(max(v.reliability for v in group)),
            min(v.start for v in group), max(v.end for v in group), [i for v in group for i in v.clue_ids],
        ))
    return out


def pool(votes: list[Vote], weights: FusionWeights | None = None) -> tuple[np.ndarray, list[float]]:
    """Pooled class probabilities and each vote's share of the winning class's evidence."""
    weights = weights or load_weights()
    logits = np.array(weights.bias, dtype=float)
    parts = []
    for vote in votes:
        part = weights.weight(vote.source) * vote.reliability * np.log(vote.probs + EPS)
        parts.append(part)
        logits = logits + part
    logits = logits / max(weights.temperature, 1e-3)
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    top = int(np.argmax(probs))
    # evidence for the top class relative to the mean class: how far each vote pushed it up
    pushes = [max(float(p[top] - p.mean()), 0.0) for p in parts]
    total = sum(pushes)
    shares = [round(x / total, 3) if total > 0 else 0.0 for x in pushes]
    return probs, shares


def decide(votes: list[Vote], weights: FusionWeights | None = None) -> DecisionRecord:
    """The decision record of a set of (already merged) votes."""
    weights = weights or load_weights()
    if not votes:
        return DecisionRecord(label="neutral", calibration=weights.origin,
                              probabilities=[LabelProbability(label="neutral", score=1.0)])
    probs, shares = pool(votes, weights)
    order = np.argsort(-probs)
    ranked = [LabelProbability(label=DECISION_CLASSES[i], score=round(float(probs[i]), 4)) for i in order]
    records = [
        ModalityVote(
            source=v.source, modality=v.modality, reliability=round(min(max(v.reliability, 0.0), 1.0), 3),
            probabilities={c: round(float(p), 4) for c, p in zip(DECISION_CLASSES, v.probs, strict=True)},
            weight=round(weights.weight(v.source), 4), share=s, clue_ids=v.clue_ids,
        )
        for v, s in zip(votes, shares, strict=True)
    ]
    driver = max(records, key=lambda r: r.share).modality if any(r.share for r in records) else None
    margin = float(probs[order[0]] - probs[order[1]]) if len(order) > 1 else 1.0
    return DecisionRecord(label=ranked[0].label, probabilities=ranked, votes=records, driver=driver,
                          margin=round(margin, 4), calibration=weights.origin)


def expected_valence(probs: dict[str, float] | np.ndarray) -> float:
    """Valence implied by class probabilities (each class at its head term's valence)."""
    from emoreason.reasoning.vocabulary import Family, head

    if isinstance(probs, dict):
        probs = np.array([probs.get(c, 0.0) for c in DECISION_CLASSES])
    values = np.array([head(Family(c)).valence for c in DECISION_CLASSES])
    total = float(np.sum(probs)) or 1.0
    return float(np.clip(np.dot(probs, values) / total, -1.0, 1.0))
