"""The frozen manifest of built-in metrics: each declares itself as a :class:`MetricSpec`.

Metric functions are imported only when resolved (:func:`resolve_metric`), so listing
metrics never imports torch or starts Java.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import MappingProxyType

from emoreason.errors import RegistryError
from emoreason.metrics.base import Aggregation, InputKind, MetricSpec

_M = "emoreason.metrics"
_UNIT = (0.0, 1.0)

_SPECS: tuple[MetricSpec, ...] = (
    MetricSpec("ew_f_level1", f"{_M}.emotion_wheel:ew_scores", True, InputKind.LABEL_SET,
               Aggregation.MEAN_OF_WHEELS, _UNIT, "EW-F on level-1 wheel clusters (OV-MER/AffectGPT main metric)"),
    MetricSpec("ew_f_level2", f"{_M}.emotion_wheel:ew_scores", True, InputKind.LABEL_SET,
               Aggregation.MEAN_OF_WHEELS, _UNIT, "EW-F on level-2 wheel clusters"),
    MetricSpec("hit_rate", f"{_M}.emotion_wheel:hit_rate", True, InputKind.LABEL_VS_LABEL_SET,
               Aggregation.MEAN_OF_WHEELS, _UNIT, "HIT rate of OV labels against one true label (level 1)"),
    MetricSpec("accuracy", f"{_M}.classification:accuracy", True, InputKind.LABEL, Aggregation.MEAN, _UNIT,
               "fraction of exact label matches"),
    MetricSpec("weighted_f1", f"{_M}.classification:weighted_f1", True, InputKind.LABEL, Aggregation.CORPUS,
               _UNIT, "support-weighted F1 (WAF), sklearn average='weighted'"),
    MetricSpec("uar", f"{_M}.classification:uar", True, InputKind.LABEL, Aggregation.CORPUS, _UNIT,
               "unweighted average recall (DFEW)"),
    MetricSpec("war", f"{_M}.classification:war", True, InputKind.LABEL, Aggregation.MEAN, _UNIT,
               "weighted average recall (= accuracy, DFEW)"),
    MetricSpec("mer_score", f"{_M}.classification:mer_score", True, InputKind.LABEL, Aggregation.CORPUS,
               (-float("inf"), 1.0), "MER2023 WAF − 0.25 × valence MSE"),
    MetricSpec("sentiment_waf", f"{_M}.classification:binary_sentiment", True, InputKind.VALENCE,
               Aggregation.CORPUS, _UNIT, "positive/negative weighted F1, true valence 0 dropped"),
    MetricSpec("bleu_1", f"{_M}.caption.bleu:bleu", True, InputKind.TEXT, Aggregation.CORPUS, _UNIT,
               "BLEU-1 as pycocoevalcap"),
    MetricSpec("bleu_2", f"{_M}.caption.bleu:bleu", True, InputKind.TEXT, Aggregation.CORPUS, _UNIT,
               "BLEU-2 as pycocoevalcap"),
    MetricSpec("bleu_3", f"{_M}.caption.bleu:bleu", True, InputKind.TEXT, Aggregation.CORPUS, _UNIT,
               "BLEU-3 as pycocoevalcap"),
    MetricSpec("bleu_4", f"{_M}.caption.bleu:bleu", True, InputKind.TEXT, Aggregation.CORPUS, _UNIT,
               "BLEU-4 as pycocoevalcap"),
    MetricSpec("meteor", f"{_M}.caption.meteor:meteor", True, InputKind.TEXT, Aggregation.CORPUS, _UNIT,
               "METEOR 1.5 (pycocoevalcap's jar)"),
    MetricSpec("rouge_l", f"{_M}.caption.rouge:rouge_l", True, InputKind.TEXT, Aggregation.MEAN, _UNIT,
               "ROUGE-L (β=1.2) as pycocoevalcap"),
    MetricSpec("cider", f"{_M}.caption.cider:cider", True, InputKind.TEXT, Aggregation.MEAN, (0.0, 10.0),
               "CIDEr as pycocoevalcap (idf from the evaluated references)"),
    MetricSpec("bertscore_f1", f"{_M}.bertscore:bertscore", True, InputKind.TEXT, Aggregation.MEAN,
               (-1.0, 1.0), "BERTScore F1 with local MiniLM (not comparable to published)", False),
    MetricSpec("weighted_strict_f1", f"{_M}.ecpe:weighted_strict_f1", True, InputKind.EMOTION_CAUSE_PAIRS,
               Aggregation.CORPUS, _UNIT, "SemEval-2024 Task 3 Subtask 1 weighted strict F1"),
    MetricSpec("weighted_proportional_f1", f"{_M}.ecpe:weighted_proportional_f1", True,
               InputKind.EMOTION_CAUSE_PAIRS, Aggregation.CORPUS, _UNIT,
               "SemEval-2024 Task 3 Subtask 1 weighted proportional F1"),
    MetricSpec("weighted_pair_f1", f"{_M}.ecpe:weighted_pair_f1", True, InputKind.EMOTION_CAUSE_PAIRS,
               Aggregation.CORPUS, _UNIT, "SemEval-2024 Task 3 Subtask 2 / ECF pair weighted F1"),
    MetricSpec("judge_mean", "emoreason.tasks.judges.base:mean_verdict_score", True, InputKind.JUDGE_SCORE,
               Aggregation.MEAN, (0.0, 10.0), "mean of a judge's parsed scores (failures counted apart)"),
)


def _build() -> MappingProxyType[str, MetricSpec]:
    table: dict[str, MetricSpec] = {}
    for spec in _SPECS:
        if spec.name in table:
            raise RegistryError(f"metric {spec.name!r} declared twice")
        table[spec.name] = spec
    return MappingProxyType(table)


METRICS: MappingProxyType[str, MetricSpec] = _build()


def metric_spec(name: str) -> MetricSpec:
    """The declaration of metric `name`; unknown names raise :class:`RegistryError`."""
    try:
        return METRICS[name]
    except KeyError:
        raise RegistryError(f"unknown metric {name!r}; choose one of: {', '.join(sorted(METRICS))}") from None


def resolve_metric(name: str) -> Callable[..., object]:
    """Import and return the function that computes metric `name`."""
    spec = metric_spec(name)
    module_name, _, attr = spec.target.partition(":")
    return getattr(importlib.import_module(module_name), attr)
