"""Shared types of the metric functions: what a metric declares and what it returns.

Every metric is a pure function over plain Python / numpy inputs that returns a
:class:`MetricOutput`. Conventions:

* scores are in the metric's natural unit (fractions in [0, 1] for F1/accuracy/EW/HIT,
  CIDEr in [0, 10], judge scores in [1, 10]); nothing is multiplied by 100;
* ``per_sample`` is aligned with the input order; a sample that a metric excludes by
  definition (e.g. a ground truth that maps to no emotion-wheel word) is ``None`` there
  and counted in ``n_excluded``;
* ``components`` carries named sub-scores (precision, recall, per-wheel values).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pydantic import Field

from emoreason.errors import EmoreasonError
from emoreason.records.base import Record


class MetricError(EmoreasonError):
    """A metric received inputs it cannot score (lengths differ, unknown labels, ...)."""


class InputKind(str, Enum):
    """What a metric compares."""

    LABEL = "label"  # one class label per sample
    LABEL_SET = "label_set"  # an open-vocabulary label list per sample
    LABEL_VS_LABEL_SET = "label_vs_label_set"  # one true label, predicted label list
    VALENCE = "valence"  # true valence score, predicted sentiment / valence
    TEXT = "text"  # free-text prediction vs reference text(s)
    EMOTION_CAUSE_PAIRS = "emotion_cause_pairs"  # ECF / SemEval-2024 Task 3 pairs
    JUDGE_SCORE = "judge_score"  # a judge's numeric verdicts


class Aggregation(str, Enum):
    """How per-sample values become the reported value."""

    MEAN = "mean"  # mean of per-sample scores
    CORPUS = "corpus"  # computed from corpus-level counts (BLEU, F1, EW-F)
    MEAN_OF_WHEELS = "mean_of_wheels"  # EW metrics: per wheel, then mean over 5 wheels


@dataclass(frozen=True)
class MetricSpec:
    """A metric's declaration (kept in :mod:`emoreason.metrics.registry`).

    Attributes:
        name: Registry id (``ew_f1_level1``, ``cider`` ...).
        target: ``"module:function"`` import string, resolved lazily.
        higher_is_better: Direction of improvement.
        input_kind: What the metric compares.
        aggregation: How the reported value is formed.
        value_range: Closed range of the reported value.
        summary: One line for ``emoreason eval --list``.
        comparable_to_published: False where the number cannot be compared with papers
            (e.g. BERTScore with a substitute model).
    """

    name: str
    target: str
    higher_is_better: bool
    input_kind: InputKind
    aggregation: Aggregation
    value_range: tuple[float, float]
    summary: str
    comparable_to_published: bool = True


class MetricOutput(Record):
    """The value of one metric over a set of samples."""

    name: str
    value: float
    per_sample: list[float | None] = Field(default_factory=list)
    components: dict[str, float] = Field(default_factory=dict)
    n_scored: int = 0
    n_excluded: int = 0
    comparable_to_published: bool = True
    note: str = ""


def check_same_length(a: object, b: object, what: str) -> int:
    """Return the common length of two sized inputs or raise :class:`MetricError`.

    Args:
        a: First sized input.
        b: Second sized input.
        what: Name used in the error message.
    """
    n_a, n_b = len(a), len(b)  # type: ignore[arg-type]
    if n_a != n_b:
        raise MetricError(f"{what}: {n_a} references but {n_b} predictions; they must align")
    return n_a
