"""The text head's second reader: character n-gram logistic regression, pooled with the MLP on dev.

For each regularisation ``C`` in ``ngram_c`` one reader is fitted on the training rows' texts
(same rows and sample weights as the MLP); each pooling weight ``w`` in ``ngram_weights`` is then
scored on the dev splits with the recipe's selection score, the pooled temperature refitted on
dev first. ``w = 0`` (the MLP alone) is always a candidate, so the n-gram reader ships only when
it helps on dev.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from emoreason.heads.char_ngrams import fit_char_ngrams
from emoreason.heads.head_file import HeadModel
from emoreason.heads.text_emotion import CANONICAL_CLASSES
from emoreason.heads.text_scorer import TextScorer
from emoreason.training.fit import fit_temperature
from emoreason.training.text_data import TextSet
from emoreason.training.text_eval import evaluate

log = logging.getLogger(__name__)


def _floats(value: object) -> list[float]:
    return [float(v) for v in str(value).split(",") if v.strip()]


def _pooled_temperature(scorer: TextScorer, dev: TextSet) -> float:
    if not len(dev):
        return 1.0
    return fit_temperature(scorer.pooled_logits(dev.texts, dev.features), dev.labels)


def attach_ngram_reader(head: HeadModel, train: TextSet, dev: TextSet, params: dict[str, Any],
                        dev_score: Any) -> tuple[TextScorer, list[str]]:
    """Fit the n-gram readers, pick (C, w) by `dev_score` over :func:`evaluate` rows; the scorer + a log table.

    The returned scorer's head carries the chosen reader (saved with it); with ``w = 0`` chosen
    the head is left as it was.
    """
    base = TextScorer(head)
    best: tuple[float, Any] = (dev_score(evaluate(base, dev)), None)
    lines = ["| n-gram C | pooling weight | dev score |", "|---|---|---|", f"| — | 0 | {best[0]:.4f} |"]
    weights = [w for w in _floats(params["ngram_weights"]) if w > 0.0]
    if not weights:
        return base, lines
    labelled, dev_labelled = train.where(labelled=True), dev.where(labelled=True)
    sample_weight = np.array([float(params["mer_weight"]) if u.corpus == "mer2023" else 1.0
                              for u in labelled.utterances])
    low, high = (int(v) for v in str(params["ngram_range"]).split(","))
    for c in _floats(params["ngram_c"]):
        reader = fit_char_ngrams(labelled.texts, labelled.labels, len(CANONICAL_CLASSES), c=c,
                                 ngram_range=(low, high), sample_weight=sample_weight)
        for w in weights:
            candidate = TextScorer(head, reader, w)
            candidate.temperature = _pooled_temperature(candidate, dev_labelled)
            score = dev_score(evaluate(candidate, dev))
            lines.append(f"| {c:g} | {w:g} | {score:.4f} |")
            log.info("n-gram reader C=%g w=%g: dev %.4f", c, w, score)
            if score > best[0]:
                best = (score, (reader, w, candidate.temperature))
    if best[1] is None:
        return base, lines
    reader, w, temperature = best[1]
    base.attach(reader, w, temperature)
    return base, lines

