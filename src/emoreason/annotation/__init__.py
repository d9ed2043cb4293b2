"""Datasets: MERR-style auto-annotation, EMER clue merging, training-format export.

``emoreason annotate CLIPS -o DATASET`` (:func:`annotate`), ``emoreason emer-merge CLUES -o OUT``
(:func:`merge_clues`) and ``emoreason export DATASET`` (:func:`export_dataset`); the human review
page lives in :mod:`emoreason.review`.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "annotate": "emoreason.annotation.runner",
    "AnnotateOptions": "emoreason.annotation.runner",
    "load_records": "emoreason.annotation.runner",
    "AnnotationRecord": "emoreason.annotation.records",
    "EmerRecord": "emoreason.annotation.records",
    "merge_clues": "emoreason.annotation.emer",
    "export_dataset": "emoreason.annotation.export",
    "AnnotationError": "emoreason.annotation.errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(name)


__all__ = sorted(_EXPORTS)
