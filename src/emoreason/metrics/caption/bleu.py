"""BLEU-1..4 exactly as pycocoevalcap's ``Bleu(4)`` computes it.

Corpus BLEU from summed clipped n-gram matches with the *closest* reference length
(ties go to the shorter reference) and pycocoevalcap's smoothing constants
(``1e-15`` added to matches, ``1e-9`` to guesses); per-sample BLEU the same way on one
sample. Inputs are whitespace-tokenised strings.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length

_TINY = 1e-15
_SMALL = 1e-9


def _ngrams(words: list[str], k: int) -> Counter[tuple[str, ...]]:
    return Counter(zip(*(words[i:] for i in range(k)), strict=False))


def _sample_stats(hypothesis: str, references: Sequence[str], n: int) -> tuple[int, int, list[int], list[int]]:
    ref_lens: list[int] = []
    max_counts: list[dict[tuple[str, ...], int]] = [{} for _ in range(n)]
    for ref in references:
        words = ref.split()
        ref_lens.append(len(words))
        for k in range(n):
            table = max_counts[k]
            for gram, count in _ngrams(words, k + 1).items():
                if count > table.get(gram, 0):
                    table[gram] = count
    words = hypothesis.split()
    test_len = len(words)
    ref_len = min((abs(length - test_len), length) for length in ref_lens)[1]
    guess = [max(0, test_len - k) for k in range(n)]
    correct = []
    for k in range(n):
        table = max_counts[k]
        correct.append(sum(min(table.get(g, 0), c) for g, c in _ngrams(words, k + 1).items()))
    return test_len, ref_len, guess, correct


def _score(correct: Sequence[float], guess: Sequence[float], test_len: float, ref_len: float, n: int) -> list[float]:
    scores = []
    value = 1.0
    for k in range(n):
        value *= (float(correct[k]) + _TINY) / (float(guess[k]) + _SMALL)
        scores.append(value ** (1.0 / (k + 1)))
    ratio = (test_len + _TINY) / (ref_len + _SMALL)
    if ratio < 1:
        scores = [s * math.exp(1 - 1 / ratio) for s in scores]
    return scores


def bleu(references: Sequence[Sequence[str]], hypotheses: Sequence[str], *, n: int = 4) -> list[MetricOutput]:
    """BLEU-1..n of `hypotheses` against their reference lists.

    Args:
        references: For each sample, one or more tokenised reference strings.
        hypotheses: One tokenised hypothesis per sample.
        n: Highest n-gram order.

    Returns:
        One :class:`MetricOutput` per order (``bleu_1`` ... ``bleu_n``), each with the
        corpus value and per-sample values.
    """
    check_same_length(references, hypotheses, "bleu")
    if not hypotheses:
        raise MetricError("bleu: no samples to score")
    total_test = total_ref = 0
    total_guess, total_correct = [0] * n, [0] * n
    per_sample: list[list[float]] = [[] for _ in range(n)]
    for hyp, refs in zip(hypotheses, references, strict=True):
        if not refs:
            raise MetricError("bleu: every sample needs at least one reference")
        test_len, ref_len, guess, correct = _sample_stats(hyp, refs, n)
        total_test += test_len
        total_ref += ref_len
        for k in range(n):
            total_guess[k] += guess[k]
            total_correct[k] += correct[k]
        for k, value in enumerate(_score(correct, guess, test_len, ref_len, n)):
            per_sample[k].append(value)
    corpus = _score(total_correct, total_guess, total_test, total_ref, n)
    return [
        MetricOutput(name=f"bleu_{k + 1}", value=corpus[k], per_sample=list(per_sample[k]),
                     n_scored=len(hypotheses), components={"ref_len": float(total_ref), "hyp_len": float(total_test)})
        for k in range(n)
    ]
