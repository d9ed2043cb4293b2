"""The text head's evaluation table: each test split's score beside its majority baseline.

Metrics (``emoreason.metrics.classification``, checked there against scikit-learn):

* MELD — 7-class weighted F1 over MELD's labels (canonical → MELD7: worried → fear);
* MER2023 test1/test2 — WAF over the 6 MER labels (canonical → MER6: disgust → angry), on the
  clips with subtitles and (``waf_6_all``) on the whole split, clips without words answered
  with the majority label;
* CMU-MOSI — binary (positive vs negative, true sentiment ≠ 0) weighted F1 and accuracy of
  the sign of the predicted valence; MER2023 valence — Pearson r with the annotation.

The majority baseline always answers the most frequent label of the corpus's *training* split
(MELD: neutral; MER2023: neutral; CMU-MOSI: positive, 679 of 1,231 non-zero).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from emoreason.heads.text_emotion import CANONICAL_CLASSES, to_label_set
from emoreason.heads.text_scorer import TextScorer
from emoreason.metrics.classification import accuracy, binary_sentiment, weighted_f1
from emoreason.reasoning.vocabulary import LABEL_MAPS, Family, LabelSet
from emoreason.training.corpora import Utterance
from emoreason.training.text_data import TextSet

LABEL_SET_OF = {"meld": LabelSet.MELD7, "mer2023": LabelSet.MER6}
#: Majority label of each corpus's training split (computed from the data, asserted in tests).
TRAIN_MAJORITY = {"meld": "neutral", "mer2023": "neutral", "cmumosi": "positive"}
CORPUS_ORDER = ("meld", "mer2023", "cmumosi")


@dataclass(frozen=True)
class EvalRow:
    """One line of the evaluation table."""

    dataset: str
    split: str
    language: str
    metric: str
    value: float
    majority: float | None
    n: int

    def as_dict(self) -> dict[str, object]:
        """Plain values."""
        return asdict(self)


def fold_predictions(probs: np.ndarray, label_set: LabelSet) -> list[str]:
    """Top label of each row after folding canonical probabilities onto `label_set`."""
    out = []
    for row in probs:
        folded = to_label_set(dict(zip(CANONICAL_CLASSES, row.tolist(), strict=True)), label_set)
        out.append(max(folded, key=folded.__getitem__))
    return out


def _classification_rows(head: TextScorer, part: TextSet, corpus: str, split: str, lang: str,
                         unread: list[Utterance]) -> list[EvalRow]:
    label_set = LABEL_SET_OF[corpus]
    fold = LABEL_MAPS[label_set]
    truth = [fold[Family(u.label)] for u in part.utterances]
    pred = fold_predictions(head.probabilities(part.texts, part.features), label_set) if len(part) else []
    majority_label = fold[Family(TRAIN_MAJORITY[corpus])]
    metric = "weighted_f1_7" if corpus == "meld" else "waf_6"
    rows = []
    for name, t, p in ((metric, truth, pred),
                       (f"{metric}_all", truth + [fold[Family(u.label)] for u in unread],
                        pred + [majority_label] * len(unread))):
        if name.endswith("_all") and not unread:
            continue
        base = [majority_label] * len(t)
        rows.append(EvalRow(corpus, split, lang, name, weighted_f1(t, p).value, weighted_f1(t, base).value, len(t)))
    rows.append(EvalRow(corpus, split, lang, "accuracy", accuracy(truth, pred).value,
                        accuracy(truth, [majority_label] * len(truth)).value, len(truth)))
    return rows


def _valence_rows(head: TextScorer, part: TextSet, corpus: str, split: str, lang: str) -> list[EvalRow]:
    pred = head.predict_valence(part.features)
    if pred is None or not len(part):
        return []
    truth = part.valences
    if corpus == "cmumosi":
        score = binary_sentiment(truth, pred)
        base = binary_sentiment(truth, np.full(len(truth), 1.0 if TRAIN_MAJORITY[corpus] == "positive" else -1.0))
        return [EvalRow(corpus, split, lang, "binary_wf1", score.value, base.value, score.n_scored),
                EvalRow(corpus, split, lang, "binary_accuracy", score.components["accuracy"],
                        base.components["accuracy"], score.n_scored)]
    r = float(np.corrcoef(truth, pred)[0, 1]) if np.std(pred) > 0 and np.std(truth) > 0 else 0.0
    return [EvalRow(corpus, split, lang, "valence_pearson", r, 0.0, len(truth))]


def evaluate(head: TextScorer, tests: TextSet, unread: list[Utterance] | None = None) -> list[EvalRow]:
    """The evaluation table of `head` on the test parts in `tests` (one row per metric).

    `unread`: labelled utterances of the same parts that have no text; they add a
    ``<metric>_all`` row scoring the whole split, with the majority label as their answer
    (what a text-only system can say about a clip without words).
    """
    unread = unread or []
    rows: list[EvalRow] = []
    keys = sorted({(u.corpus, u.split, u.language) for u in tests.utterances},
                  key=lambda k: (CORPUS_ORDER.index(k[0]) if k[0] in CORPUS_ORDER else 9, k[1],
                                 k[2] != ("zh" if k[0] == "mer2023" else "en")))
    for corpus, split, lang in keys:
        part = tests.where(corpus=corpus, split=split, language=lang)
        if corpus in LABEL_SET_OF:
            missing = [u for u in unread if (u.corpus, u.split, u.language) == (corpus, split, lang) and u.label]
            rows.extend(_classification_rows(head, part.where(labelled=True), corpus, split, lang, missing))
        rows.extend(_valence_rows(head, part.where(valenced=True), corpus, split, lang))
    return rows


def majority_label(labels: list[str]) -> str:
    """The most frequent label (ties: alphabetical first)."""
    counts = Counter(labels)
    return min(counts, key=lambda k: (-counts[k], k))


def table_markdown(rows: list[EvalRow]) -> str:
    """The rows as a markdown table."""
    lines = ["| dataset | split | lang | metric | head | majority | n |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        base = "—" if r.majority is None else f"{r.majority:.4f}"
        lines.append(f"| {r.dataset} | {r.split} | {r.language} | {r.metric} | {r.value:.4f} | {base} | {r.n} |")
    return "\n".join(lines)
