"""Readers for the CSV / XLSX / NPZ / JSON tables: EMER v1/v2, OV-MERD, MERBench, MERR."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.metrics.emotion_wheel import parse_label_list
from emoreason.tasks.records import Dataset, Sample


def _read_csv(path: Path, required: set[str]) -> pd.DataFrame:
    from emoreason.tasks.loaders import DataLoadError

    try:
        table = pd.read_csv(path, keep_default_na=False, dtype=str)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataLoadError(f"{path}: cannot read CSV: {exc}") from exc
    missing = required - set(table.columns)
    if missing:
        raise DataLoadError(f"{path}: missing columns {sorted(missing)}; found {list(table.columns)}")
    return table


def load_emer_v1(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """EMER v1 (``names, emotions, subtitles, reasons``): 100 clips with explanations."""
    table = _read_csv(path, {"names", "emotions", "subtitles", "reasons"})
    samples = [Sample(id=r["names"], label=r["emotions"], text=r["reasons"], subtitle=r["subtitles"])
               for _, r in table.iterrows()]
    return Dataset(name="emer_v1", source=str(path), samples=samples)


def load_emer_v2(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """EMER v2 / OV-MERD descriptions (``name, chinese, english``); `extra_path` adds OV labels."""
    table = _read_csv(path, {"name", "english"})
    labels: dict[str, list[str]] = {}
    if extra_path is not None:
        gt = _read_csv(extra_path, {"name", "openset"})
        labels = {r["name"]: parse_label_list(r["openset"]) for _, r in gt.iterrows()}
    samples = [Sample(id=r["name"], text=r["english"], labels=labels.get(r["name"])) for _, r in table.iterrows()]
    return Dataset(name="emer_v2", source=str(path), samples=samples)


def load_ovmerd_openset(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """OV-MERD open-vocabulary labels (``name, openset`` with list strings)."""
    table = _read_csv(path, {"name", "openset"})
    samples = [Sample(id=r["name"], labels=parse_label_list(r["openset"])) for _, r in table.iterrows()]
    return Dataset(name="ovmerd", source=str(path), samples=samples)


def load_merbench_labels(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """MERBench ``label*.npz`` (``<split>_corpus``: name → ``{'emo', 'val'}``).

    ``emo`` strings become ``label``; ``val`` becomes ``valence`` unless it is MERBench's
    ``-10`` "unknown" marker. `extra_path` (``transcription-engchi-polish.csv``) adds the
    English subtitle.
    """
    from emoreason.tasks.loaders import DataLoadError

    data = np.load(path, allow_pickle=True)
    key = split or "test_corpus"
    if key not in data.files:
        raise DataLoadError(f"{path}: no split {key!r}; choose one of {data.files}")
    corpus: dict[str, dict[str, object]] = data[key].item()
    subtitles: dict[str, str] = {}
    if extra_path is not None:
        table = _read_csv(extra_path, {"name", "english"})
        subtitles = dict(zip(table["name"], table["english"], strict=True))
    samples = []
    for name, item in corpus.items():
        emo, val = item.get("emo"), item.get("val")
        valence = None if val is None or float(val) == -10 else float(val)
        label = emo if isinstance(emo, str) else (None if emo is None else str(emo))
        samples.append(Sample(id=str(name), label=label, valence=valence, subtitle=subtitles.get(str(name))))
    return Dataset(name=f"merbench:{path.parent.name}:{key}", source=str(path), samples=samples)


def load_merr_fine_grained(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """MERR fine-grained annotations: pseudo label, subtitle and reasoning caption per clip."""
    records = json.loads(path.read_text(encoding="utf-8"))
    samples = [Sample(id=name, label=r.get("pseu_emotion"), subtitle=r.get("text"), text=r.get("smp_reason_caption"))
               for name, r in records.items()]
    return Dataset(name="merr_fine_grained", source=str(path), samples=samples)
