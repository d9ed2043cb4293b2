"""Reading a system's predictions: JSONL, CSV, AffectGPT-style NPZ, ECAC JSON.

* **JSONL**: one object per line with an id (``id``/``name``/``video_id``) and any of
  ``label``, ``labels``/``openset`` (list or list string), ``valence``, ``sentiment``,
  ``text``/``description``/``response``/``reason``.
* **CSV**: the same names as columns (list strings are parsed).
* **NPZ**: ``filenames`` + ``fileitems`` (AffectGPT ``-openset.npz`` and ``-sentiment.npz``;
  items become ``labels`` and ``sentiment``) or ``name2reason`` (descriptions → ``text``).
* **JSON**: an ECAC list of conversations with ``emotion-cause_pairs``.

Malformed rows are reported as issues, not skipped silently.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.errors import EmoreasonError
from emoreason.metrics.emotion_wheel import parse_label_list
from emoreason.tasks.records import LoadIssue, Prediction, PredictionSet

_ID_KEYS = ("id", "name", "video_id", "sample_id")
_TEXT_KEYS = ("text", "description", "response", "reason", "prediction")
_LABELS_KEYS = ("labels", "openset", "ov_labels")


class PredictionFormatError(EmoreasonError):
    """A predictions file cannot be read; the message names the file and the fix."""


def _row_to_prediction(row: dict[str, object]) -> Prediction | None:
    pid = next((str(row[k]) for k in _ID_KEYS if row.get(k) not in (None, "")), None)
    if pid is None:
        return None
    labels = next((parse_label_list(row[k]) for k in _LABELS_KEYS if k in row and row[k] is not None), None)
    text = next((str(row[k]) for k in _TEXT_KEYS if row.get(k) not in (None, "")), None)
    valence = row.get("valence")
    return Prediction(
        id=pid,
        label=None if row.get("label") in (None, "") else str(row["label"]),
        labels=labels,
        valence=None if valence in (None, "") else float(valence),  # type: ignore[arg-type]
        sentiment=None if row.get("sentiment") in (None, "") else str(row["sentiment"]).strip().lower(),
        text=text,
    )


def _from_rows(rows: list[dict[str, object]], source: Path) -> PredictionSet:
    predictions, issues = [], []
    for number, row in enumerate(rows, 1):
        try:
            pred = _row_to_prediction(row)
        except (TypeError, ValueError) as exc:
            issues.append(LoadIssue(record=f"row {number}", problem=str(exc), repaired=False))
            continue
        if pred is None:
            issues.append(LoadIssue(record=f"row {number}", problem=f"no id field ({'/'.join(_ID_KEYS)})",
                                    repaired=False))
        else:
            predictions.append(pred)
    return PredictionSet(source=str(source), predictions=predictions, issues=issues)


def _read_npz(path: Path) -> PredictionSet:
    data = np.load(path, allow_pickle=True)
    if "name2reason" in data.files:
        mapping = data["name2reason"].item()
        return PredictionSet(source=str(path), predictions=[Prediction(id=str(k), text=str(v))
                                                            for k, v in mapping.items()])
    if {"filenames", "fileitems"} <= set(data.files):
        sentiment = path.name.endswith("-sentiment.npz")
        preds = []
        for name, item in zip(data["filenames"], data["fileitems"], strict=True):
            if sentiment:
                preds.append(Prediction(id=str(name), sentiment=str(item).strip().lower()))
            else:
                preds.append(Prediction(id=str(name), labels=parse_label_list(item)))
        return PredictionSet(source=str(path), predictions=preds)
    raise PredictionFormatError(f"{path}: NPZ needs 'name2reason' or 'filenames'+'fileitems'; found {data.files}")


def read_predictions(path: str | Path) -> PredictionSet:
    """Read a predictions file; the format follows the extension."""
    path = Path(path)
    if path.is_dir():
        raise PredictionFormatError(f"{path}: is a folder; give a predictions file")
    if not path.is_file():
        raise PredictionFormatError(f"{path}: predictions file not found")
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise PredictionFormatError(f"{path}: the predictions file is empty")
    try:
        if suffix == ".npz":
            return _read_npz(path)
        if suffix == ".jsonl":
            lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            return _from_rows([json.loads(ln) for ln in lines], path)
        if suffix == ".csv":
            table = pd.read_csv(path, keep_default_na=False, dtype=str)
            return _from_rows(table.to_dict(orient="records"), path)
        if suffix == ".json":
            from emoreason.tasks.loaders.ecf import read_ecac_conversations

            conversations, issues = read_ecac_conversations(path)
            return PredictionSet(source=str(path), conversations=conversations, issues=issues)
    except (ValueError, TypeError, AttributeError, KeyError, EOFError, OSError, pickle.UnpicklingError,
            pd.errors.ParserError) as exc:  # JSON/Unicode decode errors are ValueErrors
        raise PredictionFormatError(f"{path}: cannot parse predictions ({type(exc).__name__}: {exc})") from exc
    raise PredictionFormatError(f"{path}: unsupported extension {suffix!r}; use .jsonl, .csv, .npz or .json")
