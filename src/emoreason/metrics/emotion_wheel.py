"""Emotion-wheel (EW) metrics of OV-MER, AffectGPT and MER2025, and the HIT rate.

Open-vocabulary labels are compared after mapping each word onto the emotion wheels:

1. *word form*: ``format_mapping`` sends a surface form (``angered``) to its base words;
2. *synonyms*: ``raw_mapping`` sends a base word to the emotion-wheel words it is a
   synonym of (merged over the eight synonym runs of ``synonym.xlsx``);
3. *wheel*: of those wheel words, taken in sorted order, the first one present on the
   chosen wheel is replaced by its cluster: the wheel's level-1 word (``level1``) or its
   level-2 word (``level2``).

A word that fails any step is dropped. Following the reference code, every metric is
computed per wheel (``wheel1`` ... ``wheel5``) and then averaged over the five wheels:

* **EW precision / recall** per sample: ``|G∩P| / |P|`` and ``|G∩P| / |G|`` over the mapped
  sets (both 0 when ``P`` is empty); samples whose ground truth maps to nothing are
  excluded. Per wheel, **EW-F** = ``2·p̄·r̄ / (p̄ + r̄)`` of the *mean* precision and recall.
* **HIT rate** (single-label datasets): per sample ``|G∩P|`` (0 or 1), mean over samples
  whose label maps onto the wheel (so ``neutral``, absent from the wheels, is excluded).

Labels are lower-cased and stripped; list strings such as ``"[happy, 'sad']"`` are split
on quotes and commas exactly like the reference ``string_to_list``.

Two versions of the tables exist (:class:`WheelTables`). ``ovmer`` builds them from
``format.csv`` + ``wheel1..5.xlsx`` + ``synonym.xlsx`` as the OV-MER / AffectGPT reference
code does (``my_affectgpt/evaluation/wheel.py``: ``read_format2raws``,
``read_candidate_synonym_merge``, ``func_get_wheel_cluster``); it reproduces the published
OV-MERD and MER2023 numbers and is the default. ``mer2026`` loads the precomputed
``wheel_mapping.npz`` of the MER2026 challenge, a later revision whose word-form table
drops about 60 ``-less`` forms (``fearless`` no longer reaches ``fear``), so its scores
differ by up to a few points.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length

WHEELS: tuple[str, ...] = ("wheel1", "wheel2", "wheel3", "wheel4", "wheel5")
_SPLIT = re.compile(r"['\",]")


class WheelTables(str, Enum):
    """Which revision of the mapping tables the EW metrics use."""

    OVMER = "ovmer"  # built from format.csv + xlsx, as the OV-MER / AffectGPT reference code does
    MER2026 = "mer2026"  # the precomputed wheel_mapping.npz of MER2026


NPZ_NAME = "wheel_mapping.npz"


class WheelLevel(str, Enum):
    """Which ring of the wheel labels are clustered to."""

    LEVEL1 = "level1"
    LEVEL2 = "level2"


def parse_label_list(value: object) -> list[str]:
    """Split an open-vocabulary label field into its words.

    Accepts a list / numpy array (returned as a list of ``str``), ``None``/NaN/empty
    (``[]``) or a string such as ``"['happy', 'sad']"`` or ``"[happy, sad]"``.

    Args:
        value: The raw field.

    Returns:
        The words, stripped, in input order (not yet lower-cased).
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value)
    if text.startswith("["):
        text = text[1:]
    if text.endswith("]"):
        text = text[:-1]
    return [item.strip() for item in _SPLIT.split(text) if item.strip() not in ("", ",")]


def normalise_labels(value: object) -> list[str]:
    """Parse a label field and lower-case / strip every word."""
    return [item.lower().strip() for item in parse_label_list(value)]


@dataclass(frozen=True)
class EmotionWheel:
    """The three mapping tables of the EW metrics.

    Attributes:
        format_mapping: surface form → base words (``format.csv``).
        raw_mapping: base word → emotion-wheel words (``synonym.xlsx``, 8 runs merged).
        wheel_maps: ``wheel_maps[wheel][level]`` maps a wheel word to its cluster word.
        tables: which revision they are (a :class:`WheelTables` value, or ``custom``).
    """

    format_mapping: dict[str, list[str]]
    raw_mapping: dict[str, list[str]]
    wheel_maps: dict[str, dict[str, dict[str, str]]]
    tables: str = "custom"
    _cache: dict[tuple[str, str, str], str | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_npz(cls, path: str | Path) -> EmotionWheel:
        """Load the precomputed MER2026 ``wheel_mapping.npz`` (keys ``format_mapping``,
        ``raw_mapping``, ``wheel_map_whole``)."""
        path = Path(path)
        if not path.is_file():
            raise MetricError(f"{path}: emotion-wheel mapping not found; the mer2026 tables need "
                              f"{NPZ_NAME} (or use the ovmer tables built from the xlsx/csv sources)")
        data = np.load(path, allow_pickle=True)
        missing = {"format_mapping", "raw_mapping", "wheel_map_whole"} - set(data.files)
        if missing:
            raise MetricError(f"{path}: missing arrays {sorted(missing)}")
        return cls(
            format_mapping=data["format_mapping"].item(),
            raw_mapping=data["raw_mapping"].item(),
            wheel_maps=data["wheel_map_whole"].item(),
            tables=WheelTables.MER2026.value,
        )

    @classmethod
    def from_sources(cls, folder: str | Path) -> EmotionWheel:
        """Build the OV-MER reference tables from ``format.csv`` + ``wheel1..5.xlsx`` + ``synonym.xlsx``."""
        from emoreason.metrics.emotion_wheel_sources import build_wheel_tables

        fmt, raw, wheels = build_wheel_tables(folder)
        return cls(format_mapping=fmt, raw_mapping=raw, wheel_maps=wheels, tables=WheelTables.OVMER.value)

    @classmethod
    def from_folder(cls, folder: str | Path, tables: WheelTables | str = WheelTables.OVMER) -> EmotionWheel:
        """Load the `tables` revision from `folder` (default: the OV-MER reference tables).

        Raises:
            MetricError: unknown revision, or its files are missing from `folder`.
        """
        try:
            version = WheelTables(tables)
        except ValueError as exc:
            choices = ", ".join(t.value for t in WheelTables)
            raise MetricError(f"unknown emotion-wheel tables {tables!r}; choose one of: {choices}") from exc
        folder = Path(folder)
        if version is WheelTables.MER2026:
            return cls.from_npz(folder / NPZ_NAME)
        return cls.from_sources(folder)

    def map_label(self, label: str, wheel: str, level: WheelLevel | str) -> str | None:
        """Map one lower-cased word to its cluster on `wheel`, or ``None`` if it has none."""
        level = WheelLevel(level).value
        key = (label, wheel, level)
        if key in self._cache:
            return self._cache[key]
        try:
            wheel_map = self.wheel_maps[wheel][level]
        except KeyError as exc:
            raise MetricError(f"unknown wheel/level {wheel}/{level}; wheels: {sorted(self.wheel_maps)}") from exc
        result: str | None = None
        if label in self.format_mapping:
            candidates = [raw for base in self.format_mapping[label] for raw in self.raw_mapping.get(base, [])]
            for word in sorted(candidates):
                if word in wheel_map:
                    result = wheel_map[word]
                    break
        self._cache[key] = result
        return result

    def map_labels(self, labels: Iterable[str], wheel: str, level: WheelLevel | str) -> set[str]:
        """Map normalised words to the set of their clusters (unmappable words dropped)."""
        mapped = (self.map_label(label, wheel, level) for label in labels)
        return {item for item in mapped if item is not None}


def _per_wheel_overlap(
    wheel: EmotionWheel, gts: Sequence[list[str]], preds: Sequence[list[str]], name: str, level: str
) -> tuple[list[float | None], list[float | None], list[float | None]]:
    precision: list[float | None] = []
    recall: list[float | None] = []
    fscore: list[float | None] = []
    for gt_words, pred_words in zip(gts, preds, strict=True):
        gt = wheel.map_labels(gt_words, name, level)
        if not gt:
            precision.append(None)
            recall.append(None)
            fscore.append(None)
            continue
        pred = wheel.map_labels(pred_words, name, level)
        p = len(gt & pred) / len(pred) if pred else 0.0
        r = len(gt & pred) / len(gt) if pred else 0.0
        precision.append(p)
        recall.append(r)
        fscore.append(2 * p * r / (p + r) if p + r > 0 else 0.0)
    return precision, recall, fscore


def _mean_ignoring_none(rows: list[list[float | None]]) -> list[float | None]:
    out: list[float | None] = []
    for values in zip(*rows, strict=True):
        kept = [v for v in values if v is not None]
        out.append(float(np.mean(kept)) if kept else None)
    return out


def ew_scores(
    references: Sequence[object],
    predictions: Sequence[object],
    wheel: EmotionWheel,
    *,
    level: WheelLevel | str = WheelLevel.LEVEL1,
) -> MetricOutput:
    """EW-F (mean over the five wheels) with EW precision and recall as components.

    Args:
        references: Ground-truth label lists (lists or list strings), one per sample.
        predictions: Predicted label lists, aligned with `references`.
        wheel: The mapping tables.
        level: ``level1`` (the papers' main EW metric) or ``level2``.

    Returns:
        ``value`` is EW-F; ``components`` holds ``precision``, ``recall`` and
        ``f_<wheel>``; ``per_sample`` is the per-sample F averaged over the wheels that
        scored the sample (the corpus value is *not* the mean of these).
    """
    check_same_length(references, predictions, "ew_scores")
    level = WheelLevel(level).value
    gts = [normalise_labels(item) for item in references]
    preds = [normalise_labels(item) for item in predictions]
    comps: dict[str, float] = {}
    wheel_f, wheel_p, wheel_r, per_sample_f = [], [], [], []
    n_scored = 0
    for name in WHEELS:
        precision, recall, fscore = _per_wheel_overlap(wheel, gts, preds, name, level)
        kept_p = [v for v in precision if v is not None]
        kept_r = [v for v in recall if v is not None]
        if not kept_p:
            raise MetricError(f"ew_scores: no ground truth maps onto {name}/{level}; check the label field")
        p, r = float(np.mean(kept_p)), float(np.mean(kept_r))
        f = 2 * p * r / (p + r) if p + r > 0 else 0.0
        wheel_f.append(f)
        wheel_p.append(p)
        wheel_r.append(r)
        comps[f"f_{name}"] = f
        per_sample_f.append(fscore)
        n_scored = max(n_scored, len(kept_p))
    comps["precision"] = float(np.mean(wheel_p))
    comps["recall"] = float(np.mean(wheel_r))
    per_sample = _mean_ignoring_none(per_sample_f)
    return MetricOutput(
        name=f"ew_f_{level}",
        value=float(np.mean(wheel_f)),
        per_sample=per_sample,
        components=comps,
        n_scored=sum(v is not None for v in per_sample),
        n_excluded=sum(v is None for v in per_sample),
    )


def hit_rate(
    references: Sequence[str],
    predictions: Sequence[object],
    wheel: EmotionWheel,
    *,
    level: WheelLevel | str = WheelLevel.LEVEL1,
) -> MetricOutput:
    """HIT rate of open-vocabulary predictions against one true label per sample.

    Args:
        references: One true class label per sample (``happy``, ``worried`` ...).
        predictions: Predicted label lists, aligned with `references`.
        wheel: The mapping tables.
        level: Wheel ring used for clustering (the papers use ``level1``).

    Returns:
        ``value`` is the HIT rate averaged over the five wheels; ``components`` holds
        ``hit_<wheel>``; ``per_sample`` is the fraction of wheels on which the sample hit.
    """
    check_same_length(references, predictions, "hit_rate")
    level = WheelLevel(level).value
    gts = [normalise_labels([str(item)]) for item in references]
    preds = [normalise_labels(item) for item in predictions]
    comps: dict[str, float] = {}
    rows: list[list[float | None]] = []
    for name in WHEELS:
        hits: list[float | None] = []
        for gt_words, pred_words in zip(gts, preds, strict=True):
            gt = wheel.map_labels(gt_words, name, level)
            if not gt:
                hits.append(None)
                continue
            hits.append(float(len(gt & wheel.map_labels(pred_words, name, level))))
        kept = [v for v in hits if v is not None]
        if not kept:
            raise MetricError(f"hit_rate: no true label maps onto {name}/{level}")
        comps[f"hit_{name}"] = float(np.mean(kept))
        rows.append(hits)
    per_sample = _mean_ignoring_none(rows)
    return MetricOutput(
        name=f"hit_rate_{level}",
        value=float(np.mean([comps[f"hit_{name}"] for name in WHEELS])),
        per_sample=per_sample,
        components=comps,
        n_scored=sum(v is not None for v in per_sample),
        n_excluded=sum(v is None for v in per_sample),
    )
