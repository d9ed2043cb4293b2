"""Evaluation metrics: pure functions returning :class:`MetricOutput`, declared in a registry."""

from emoreason.metrics.base import Aggregation, InputKind, MetricError, MetricOutput, MetricSpec
from emoreason.metrics.registry import METRICS, metric_spec, resolve_metric

__all__ = [
    "METRICS",
    "Aggregation",
    "InputKind",
    "MetricError",
    "MetricOutput",
    "MetricSpec",
    "metric_spec",
    "resolve_metric",
]
