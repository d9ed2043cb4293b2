"""Emotion–cause pair extraction metrics of ECF / SemEval-2024 Task 3 (ECAC).

A pair is ``(conversation, emotion utterance, cause utterance, emotion)``; in Subtask 1
it also carries the cause span as token indices ``[start, end)`` of the cause utterance
(whitespace tokens). Emotions are the six Ekman categories; ``neutral`` is never scored.

* **Weighted strict F1** (Subtask 1): a predicted pair is correct when a still unmatched
  gold pair has the same utterances, emotion and exactly the same span; per-emotion
  P/R/F1 from the resulting confusion counts, averaged with weights = gold pairs per emotion.
* **Weighted proportional F1** (Subtask 1): each predicted span is matched to the gold
  span (same utterances and emotion) it overlaps with the largest share of the gold span;
  precision and recall count overlapping *tokens*.
* **Weighted pair F1** (Subtask 2, and ECF 1.0 utterance pairs): exact pair match.

Ratios use the official ``1e-8`` guards, so values agree with the official scorer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from emoreason.metrics.base import MetricError, MetricOutput

EMOTIONS: tuple[str, ...] = ("neutral", "anger", "disgust", "fear", "joy", "sadness", "surprise")
_EPS = 1e-8


@dataclass(frozen=True, order=True)
class CausePair:
    """One emotion–cause pair (span ``[start, end)``; ``start == end == 0`` for none)."""

    conversation: str
    emotion_utterance: int
    cause_utterance: int
    emotion: str
    start: int = 0
    end: int = 0

    @property
    def key(self) -> tuple[str, int, int]:
        """The utterance pair the span belongs to."""
        return (self.conversation, self.emotion_utterance, self.cause_utterance)


def _emotion_index(pair: CausePair) -> int:
    try:
        return EMOTIONS.index(pair.emotion)
    except ValueError as exc:
        raise MetricError(f"unknown emotion {pair.emotion!r}; allowed: {', '.join(EMOTIONS)}") from exc


def _dedupe(pairs: Sequence[CausePair]) -> list[CausePair]:
    return list(dict.fromkeys(pairs))


def _weighted_from_confusion(conf: np.ndarray) -> MetricOutput:
    p = np.diagonal(conf / np.reshape(np.sum(conf, axis=0) + _EPS, [1, 7]))
    r = np.diagonal(conf / np.reshape(np.sum(conf, axis=1) + _EPS, [7, 1]))
    f = 2 * p * r / (p + r + _EPS)
    gold = np.sum(conf, axis=1)
    weight = gold[1:] / np.sum(gold[1:]) if np.sum(gold[1:]) > 0 else np.zeros(6)
    micro = np.sum(np.diagonal(conf)[1:])
    micro_p = micro / (np.sum(np.sum(conf, axis=0)[1:]) + _EPS)
    micro_r = micro / (np.sum(np.sum(conf, axis=1)[1:]) + _EPS)
    comps = {"precision": float(np.sum(p[1:] * weight)), "recall": float(np.sum(r[1:] * weight)),
             "micro_precision": float(micro_p), "micro_recall": float(micro_r),
             "micro_f1": float(2 * micro_p * micro_r / (micro_p + micro_r + _EPS))}
    comps.update({f"f1_{emo}": float(f[i]) for i, emo in enumerate(EMOTIONS) if i > 0})
    return MetricOutput(name="", value=float(np.sum(f[1:] * weight)), components=comps)


def weighted_strict_f1(gold: Sequence[CausePair], predicted: Sequence[CausePair]) -> MetricOutput:
    """Subtask-1 weighted strict F1 (exact span match, each gold pair matched once)."""
    open_gold: dict[tuple[str, int, int], list[tuple[int, int, str]]] = {}
    for g in _dedupe(gold):
        open_gold.setdefault(g.key, []).append((g.start, g.end, g.emotion))
    conf = np.zeros((7, 7))
    for pair in _dedupe(predicted):
        e = _emotion_index(pair)
        candidates = open_gold.get(pair.key, [])
        item = (pair.start, pair.end, pair.emotion)
        if item in candidates:
            candidates.remove(item)
            conf[e][e] += 1
        else:
            conf[0][e] += 1
    for spans in open_gold.values():
        for _, _, emotion in spans:
            conf[EMOTIONS.index(emotion)][0] += 1
    out = _weighted_from_confusion(conf)
    return out.model_copy(update={"name": "weighted_strict_f1", "n_scored": len(_dedupe(gold))})


def _best_match(pred: CausePair, golds: list[CausePair]) -> tuple[int, int, int]:
    """Index, gold length and overlap of the gold span `pred` matches best (-1 if none)."""
    best, best_len, best_overlap, best_score = -1, 0, 0, 0.0
    for i, g in enumerate(golds):
        if g.emotion != pred.emotion or pred.end <= g.start or pred.start >= g.end:
            continue
        overlap = min(pred.end, g.end) - max(pred.start, g.start)
        score = overlap / float(g.end - g.start)
        if score > best_score or (score == best_score and score > 0 and overlap > best_overlap):
            best, best_len, best_overlap, best_score = i, g.end - g.start, overlap, score
    return best, best_len, best_overlap


def weighted_proportional_f1(gold: Sequence[CausePair], predicted: Sequence[CausePair]) -> MetricOutput:
    """Subtask-1 weighted proportional F1 (token overlap of matched spans)."""
    gold = _dedupe(gold)
    by_key: dict[tuple[str, int, int], list[CausePair]] = {}
    for g in gold:
        by_key.setdefault(g.key, []).append(g)
    unmatched = {key: list(v) for key, v in by_key.items()}
    mat = np.zeros((7, 5))  # correct tokens, gold tokens, predicted tokens, matched gold, gold count
    for pair in _dedupe(predicted):
        e = _emotion_index(pair)
        mat[e][2] += pair.end - pair.start
        golds = by_key.get(pair.key, [])
        index, gold_len, overlap = _best_match(pair, golds)
        if overlap > 0:
            mat[e][0] += overlap
            mat[e][1] += gold_len
            mat[e][3] += 1
            if golds[index] in unmatched[pair.key]:
                unmatched[pair.key].remove(golds[index])
    for spans in unmatched.values():
        for g in spans:
            mat[EMOTIONS.index(g.emotion)][1] += g.end - g.start
            mat[EMOTIONS.index(g.emotion)][3] += 1
    for g in gold:
        mat[EMOTIONS.index(g.emotion)][4] += 1
    p = mat[1:, 0] / (mat[1:, 2] + _EPS)
    r = mat[1:, 0] / (mat[1:, 1] + _EPS)
    f = 2 * p * r / (p + r + _EPS)
    weight = mat[1:, 4] / np.sum(mat[1:, 4]) if np.sum(mat[1:, 4]) > 0 else np.zeros(6)
    comps = {"precision": float(np.sum(p * weight)), "recall": float(np.sum(r * weight))}
    comps.update({f"f1_{emo}": float(f[i]) for i, emo in enumerate(EMOTIONS[1:])})
    return MetricOutput(name="weighted_proportional_f1", value=float(np.sum(f * weight)), components=comps,
                        n_scored=len(gold))


def weighted_pair_f1(gold: Sequence[CausePair], predicted: Sequence[CausePair]) -> MetricOutput:
    """Subtask-2 weighted F1 over utterance-level pairs (spans ignored)."""
    true_pairs = _dedupe([CausePair(*p.key, p.emotion) for p in gold])
    pred_pairs = _dedupe([CausePair(*p.key, p.emotion) for p in predicted])
    true_set, pred_set = set(true_pairs), set(pred_pairs)
    conf = np.zeros((7, 7))
    for pair in pred_pairs:
        e = _emotion_index(pair)
        conf[e if pair in true_set else 0][e] += 1
    for pair in true_pairs:
        if pair not in pred_set:
            conf[_emotion_index(pair)][0] += 1
    out = _weighted_from_confusion(conf)
    return out.model_copy(update={"name": "weighted_pair_f1", "n_scored": len(true_pairs)})
