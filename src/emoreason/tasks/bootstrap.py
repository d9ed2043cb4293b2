"""Bootstrap confidence intervals of a task's metrics, and paired differences between prediction files.

The references are drawn with replacement (a task's *unit*: its conversations for emotion–cause pair
tasks, else its samples), the same draws for every prediction file, so two files are compared on the
same resampled test sets (the paired bootstrap of Koehn, 2004). Each metric is then

* **recomputed** on every draw, through the same scoring code as :func:`emoreason.tasks.runner.evaluate`
  (corpus-level metrics: weighted F1, pair F1, BLEU, METEOR, …); a drawn reference is scored as often
  as it was drawn;
* or, when the metric is a **mean of per-sample values** (accuracy, ROUGE-L, CIDEr, BERTScore, judge
  scores), averaged over the drawn samples' values (no judge or encoder is called again; CIDEr keeps the
  document frequencies of the whole set).

Intervals are percentile intervals; a paired difference also gets the two-sided bootstrap p-value
``2·min(P(Δ* ≤ 0), P(Δ* ≥ 0))`` (at most 1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from pydantic import Field

from emoreason.metrics.base import Aggregation
from emoreason.metrics.caption.tokenize import Tokenizer
from emoreason.metrics.emotion_wheel import EmotionWheel
from emoreason.metrics.registry import metric_spec
from emoreason.records.base import Record
from emoreason.tasks.records import Dataset, PredictionSet, TaskResult
from emoreason.tasks.runner import evaluate, restrict_to_predictions
from emoreason.tasks.spec import PredictionKind, TaskSpec

DEFAULT_LEVEL = 0.95
#: Per unit: the dataset's field of references and the prediction set's field that answers them.
_FIELDS = {"conversation": ("conversations", "conversations"), "sample": ("samples", "predictions")}


class MetricInterval(Record):
    """A metric's bootstrap interval for one prediction file (or for its difference from the first file)."""

    metric: str
    value: float = Field(description="The metric on the full set (or the difference of the two files).")
    low: float
    high: float
    p_value: float | None = Field(default=None, description="Two-sided bootstrap p of a paired difference.")
    method: str = Field(description="'recomputed' on each draw, or 'per-sample mean'.")


class BootstrapReport(Record):
    """Intervals of every prediction file and, from the second file on, its paired difference from the first."""

    task: str
    unit: str = Field(description="What was drawn: 'conversation' or 'sample'.")
    n_units: int
    resamples: int
    level: float
    seed: int
    sources: list[str]
    intervals: list[list[MetricInterval]] = Field(description="Per file, one interval per metric.")
    differences: list[list[MetricInterval]] = Field(default_factory=list,
                                                    description="Per file after the first: file − first file.")
    skipped: list[str] = Field(default_factory=list, description="Metrics without an interval, with why.")


@dataclass(frozen=True)
class _Draws:
    """The resampled unit indices, one row per draw."""

    unit: str
    rows: np.ndarray  # (resamples, n_units) int

    @classmethod
    def make(cls, unit: str, n_units: int, resamples: int, seed: int) -> _Draws:
        rng = np.random.default_rng(seed)
        return cls(unit, rng.integers(0, n_units, size=(resamples, n_units)))


def _units(spec: TaskSpec, dataset: Dataset) -> tuple[str, int]:
    """What is drawn for `spec` (whole conversations for the pair tasks, else samples) and how many there are."""
    unit = "conversation" if spec.predictions is PredictionKind.CAUSE_PAIRS else "sample"
    return unit, len(getattr(dataset, _FIELDS[unit][0]))


def _drawn_set(dataset: Dataset, preds: PredictionSet, row: np.ndarray, unit: str) -> tuple[Dataset, PredictionSet]:
    """References and predictions of one draw; the k-th drawn unit gets the id ``<id>#k`` in both."""
    ref_field, pred_field = _FIELDS[unit]
    units = getattr(dataset, ref_field)
    by_id = {p.id: p for p in getattr(preds, pred_field)}
    refs = [units[i].model_copy(update={"id": f"{units[i].id}#{k}"}) for k, i in enumerate(row)]
    guesses = [by_id[units[i].id].model_copy(update={"id": ref.id})
               for ref, i in zip(refs, row, strict=True) if units[i].id in by_id]
    return dataset.model_copy(update={ref_field: refs}), preds.model_copy(update={pred_field: guesses})


def _per_sample_mean(result: TaskResult, dataset: Dataset, name: str, draws: _Draws) -> np.ndarray | None:
    """Each draw's mean of `name`'s per-sample values (None-valued samples left out), or None when the
    metric is not a mean over samples or `result`'s rows are not `dataset`'s samples in order."""
    if metric_spec(name).aggregation is not Aggregation.MEAN or not result.samples:
        return None
    if [row.id for row in result.samples] != [s.id for s in dataset.samples]:
        return None  # e.g. a second file scored with --subset on other references: recomputed instead
    values = np.array([np.nan if s.scores.get(name) is None else float(s.scores[name])  # type: ignore[arg-type]
                       for s in result.samples])
    with warnings.catch_warnings():  # a draw of only excluded samples has no mean (NaN)
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values[draws.rows], axis=1)


def _needs_judge(spec: TaskSpec) -> bool:
    return spec.judge is not None and spec.predictions is PredictionKind.TEXT


def metric_draws(spec: TaskSpec, dataset: Dataset, preds: PredictionSet, result: TaskResult, draws: _Draws, *,
                 wheel: EmotionWheel | None = None,
                 tokenizer: Tokenizer | str = Tokenizer.PTB) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Every metric's value on every draw (name → (resamples,) array) and how each was computed; a metric
    that needs the judge again on each draw is left out."""
    out: dict[str, np.ndarray] = {}
    methods: dict[str, str] = {}
    recompute = []
    for metric in result.metrics:
        means = _per_sample_mean(result, dataset, metric.name, draws)
        if means is not None:
            out[metric.name], methods[metric.name] = means, "per-sample mean"
        elif not _needs_judge(spec):
            recompute.append(metric.name)
    if recompute:
        values: dict[str, list[float]] = {name: [] for name in recompute}
        for row in draws.rows:
            drawn, guesses = _drawn_set(dataset, preds, row, draws.unit)
            scored = evaluate(spec, drawn, guesses, wheel=wheel, tokenizer=tokenizer)
            by_name = {m.name: m.value for m in scored.metrics}
            for name in recompute:
                values[name].append(by_name[name])
        for name in recompute:
            out[name], methods[name] = np.asarray(values[name]), "recomputed"
    return out, methods


def _interval(name: str, value: float, samples: np.ndarray, level: float, method: str, *,
              paired: bool = False) -> MetricInterval:
    tail = (1.0 - level) / 2.0
    low, high = np.nanquantile(samples, [tail, 1.0 - tail])
    p_value = None
    if paired:
        p_value = float(min(1.0, 2.0 * min(np.mean(samples <= 0.0), np.mean(samples >= 0.0))))
    return MetricInterval(metric=name, value=round(value, 6), low=round(float(low), 6), high=round(float(high), 6),
                          p_value=p_value, method=method)


def bootstrap(spec: TaskSpec, dataset: Dataset, prediction_sets: list[PredictionSet], results: list[TaskResult], *,
              resamples: int = 1000, seed: int = 0, level: float = DEFAULT_LEVEL, subset: bool = False,
              wheel: EmotionWheel | None = None, tokenizer: Tokenizer | str = Tokenizer.PTB) -> BootstrapReport:
    """Bootstrap intervals for `results` (from :func:`evaluate` on `prediction_sets`, in the same order) and,
    from the second file on, paired differences from the first.

    Raises:
        ValueError: fewer than 2 resamples, a level outside (0, 1), or no reference to draw.
    """
    if resamples < 2 or not 0.0 < level < 1.0:
        raise ValueError(f"bootstrap needs at least 2 resamples and a level in (0, 1), not {resamples} and {level}")
    if subset:  # the references the first file answers, as `evaluate` scored them
        dataset, _left_out = restrict_to_predictions(dataset, prediction_sets[0])
    unit, n_units = _units(spec, dataset)
    if n_units == 0:
        raise ValueError(f"{spec.name}: no reference to draw")
    draws = _Draws.make(unit, n_units, resamples, seed)
    per_file = [metric_draws(spec, dataset, p, r, draws, wheel=wheel, tokenizer=tokenizer)
                for p, r in zip(prediction_sets, results, strict=True)]
    values = [{m.name: m.value for m in r.metrics} for r in results]
    intervals = [[_interval(name, values[k][name], samples, level, methods[name])
                  for name, samples in drawn.items()] for k, (drawn, methods) in enumerate(per_file)]
    first, first_methods = per_file[0]
    differences = [[_interval(name, values[k][name] - values[0][name], drawn[name] - first[name], level,
                              first_methods[name], paired=True) for name in drawn if name in first]
                   for k, (drawn, _m) in enumerate(per_file) if k > 0]
    skipped = [f"{m.name}: a judge would have to run again on every draw"
               for m in results[0].metrics if m.name not in first]
    return BootstrapReport(task=spec.name, unit=unit, n_units=n_units, resamples=resamples, level=level, seed=seed,
                           sources=[r.predictions_source for r in results], intervals=intervals,
                           differences=differences, skipped=skipped)
