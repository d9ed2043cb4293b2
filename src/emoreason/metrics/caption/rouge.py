"""ROUGE-L exactly as pycocoevalcap's ``Rouge`` computes it.

Per sample: LCS over tokens split on single spaces, precision and recall maximised
separately over the references, ``F = (1 + β²)·P·R / (R + β²·P)`` with ``β = 1.2``;
the corpus value is the mean over samples. The LCS length is computed with a
bit-parallel algorithm (Hyyrö 2004) on Python integers instead of a quadratic table.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length

BETA = 1.2


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence of two token sequences."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, token in enumerate(b):
        masks[token] = masks.get(token, 0) | (1 << i)
    full = (1 << len(b)) - 1
    v = full
    for token in a:
        u = v & masks.get(token, 0)
        v = ((v + u) | (v - u)) & full
    return len(b) - v.bit_count()


def rouge_l_sample(hypothesis: str, references: Sequence[str]) -> float:
    """ROUGE-L F of one hypothesis against its references."""
    hyp = hypothesis.split(" ")
    precision, recall = [], []
    for reference in references:
        ref = reference.split(" ")
        lcs = lcs_length(ref, hyp)
        precision.append(lcs / float(len(hyp)))
        recall.append(lcs / float(len(ref)))
    p, r = max(precision), max(recall)
    if p != 0 and r != 0:
        return ((1 + BETA**2) * p * r) / float(r + BETA**2 * p)
    return 0.0


def rouge_l(references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> MetricOutput:
    """Mean ROUGE-L over samples (tokenised strings)."""
    check_same_length(references, hypotheses, "rouge_l")
    if not hypotheses:
        raise MetricError("rouge_l: no samples to score")
    scores = []
    for hyp, refs in zip(hypotheses, references, strict=True):
        if not refs:
            raise MetricError("rouge_l: every sample needs at least one reference")
        scores.append(rouge_l_sample(hyp, refs))
    return MetricOutput(name="rouge_l", value=float(np.mean(np.array(scores))), per_sample=scores,
                        n_scored=len(scores))
