"""CIDEr exactly as pycocoevalcap's ``Cider`` (CIDEr-D style) computes it.

TF-IDF vectors of 1..4-grams with document frequencies counted over the reference
sets of the evaluated corpus (``idf = log(N) − log(max(1, df))``), clipped cosine
similarity per n-gram order, a Gaussian length penalty with ``σ = 6`` on the *bigram*
counts (pycocoevalcap's quirk, kept), averaged over orders and references, times 10.

To return pycocoevalcap's floats bit for bit, sums run in the same order as there
(n-grams in order of first occurrence) and ``log``/``exp`` are the same library calls;
the speed comes from counting n-grams with ``Counter`` over ``zip`` and from caching
the logarithms and length penalties.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length

N_ORDER = 4
SIGMA = 6.0

Grams = list[Counter[tuple[str, ...]]]


def _cook(sentence: str) -> Grams:
    words = sentence.split()
    return [Counter(zip(*(words[i:] for i in range(k)), strict=False)) for k in range(1, N_ORDER + 1)]


class _Vectoriser:
    """Maps n-gram counts to TF-IDF vectors with cached logarithms."""

    def __init__(self, doc_freq: dict[tuple[str, ...], float], n_docs: int) -> None:
        self.doc_freq = doc_freq
        self.ref_len = float(np.log(float(n_docs)))
        self._log: dict[float, float] = {}

    def _idf_log(self, df: float) -> float:
        cached = self._log.get(df)
        if cached is None:
            cached = self._log[df] = float(np.log(max(1.0, df)))
        return cached

    def vector(self, grams: Grams) -> tuple[list[dict[tuple[str, ...], float]], list[float], int]:
        vec: list[dict[tuple[str, ...], float]] = []
        norm: list[float] = []
        get_df = self.doc_freq.get
        for counts in grams:
            weights: dict[tuple[str, ...], float] = {}
            total = 0.0
            for gram, tf in counts.items():
                w = float(tf) * (self.ref_len - self._idf_log(get_df(gram, 0.0)))
                weights[gram] = w
                total += pow(w, 2)
            vec.append(weights)
            norm.append(math.sqrt(total))
        return vec, norm, sum(grams[1].values())


def _similarity(hyp: tuple, ref: tuple, penalties: dict[float, float]) -> list[float]:
    vec_h, norm_h, len_h = hyp
    vec_r, norm_r, len_r = ref
    delta = float(len_h - len_r)
    penalty = penalties.get(delta)
    if penalty is None:
        penalty = penalties[delta] = math.e ** (-(delta**2) / (2 * SIGMA**2))
    out = []
    for n in range(N_ORDER):
        ref_n = vec_r[n]
        val = 0.0
        for gram, w in vec_h[n].items():
            r = ref_n.get(gram)
            if r is not None:
                val += min(w, r) * r
        if norm_h[n] != 0 and norm_r[n] != 0:
            val /= norm_h[n] * norm_r[n]
        out.append(val * penalty)
    return out


def cider(references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> MetricOutput:
    """CIDEr of `hypotheses` against their reference lists (tokenised strings).

    Document frequencies come from the references of this call, so the value depends
    on the whole evaluated set, as in pycocoevalcap.
    """
    check_same_length(references, hypotheses, "cider")
    if not hypotheses:
        raise MetricError("cider: no samples to score")
    cooked_refs = [[_cook(r) for r in refs] for refs in references]
    doc_freq: dict[tuple[str, ...], float] = {}
    for refs in cooked_refs:
        if not refs:
            raise MetricError("cider: every sample needs at least one reference")
        seen = {gram for ref in refs for counts in ref for gram in counts}
        for gram in seen:
            doc_freq[gram] = doc_freq.get(gram, 0.0) + 1
    vectoriser = _Vectoriser(doc_freq, len(cooked_refs))
    penalties: dict[float, float] = {}
    scores = []
    for hyp, refs in zip(hypotheses, cooked_refs, strict=True):
        hyp_vec = vectoriser.vector(_cook(hyp))
        total = np.zeros(N_ORDER)
        for ref in refs:
            total += np.array(_similarity(hyp_vec, vectoriser.vector(ref), penalties))
        value = np.mean(total)
        value /= len(refs)
        value *= 10.0
        scores.append(float(value))
    return MetricOutput(name="cider", value=float(np.mean(np.array(scores))), per_sample=scores,
                        n_scored=len(scores))
