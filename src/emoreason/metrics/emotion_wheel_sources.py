"""Build the emotion-wheel mapping tables from their source files.

``wheel1..5.xlsx`` (columns ``level1, level2, level3``, blank cells continue the row
above), ``synonym.xlsx`` (``word_run1..8`` with ``synonym_run1..8``) and ``format.csv``
(``name, format``), read the way the OV-MER / AffectGPT reference code reads them
(``read_wheel_to_map``, ``read_candidate_synonym_merge``, ``read_format2raws``,
``func_get_wheel_cluster`` in ``my_affectgpt/evaluation/wheel.py``). These are the ``ovmer``
tables, the ones behind the published OV-MERD / MER2023 numbers; the MER2026
``wheel_mapping.npz`` equals them except for about 60 dropped ``-less`` word forms (tested).
Built tables are cached per folder (keyed by the files' sizes and modification times).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path

import pandas as pd

from emoreason.metrics.base import MetricError
from emoreason.metrics.emotion_wheel import WHEELS, parse_label_list

N_SYNONYM_RUNS = 8


def read_wheel(path: Path) -> dict[str, dict[str, list[str]]]:
    """Read one wheel as ``level1 → level2 → [level3 ...]`` (lower-cased, stripped)."""
    table = pd.read_excel(path)
    wheel: dict[str, dict[str, list[str]]] = {}
    current = {"level1": "", "level2": "", "level3": ""}
    for _, row in table.iterrows():
        for column in current:
            if not pd.isna(row[column]):
                current[column] = str(row[column])
        l1, l2, l3 = (current[c].lower().strip() for c in ("level1", "level2", "level3"))
        wheel.setdefault(l1, {}).setdefault(l2, []).append(l3)
    return wheel


def wheel_clusters(wheel: dict[str, dict[str, list[str]]]) -> dict[str, dict[str, str]]:
    """Cluster maps of one wheel: every word → its level-1 word, and → its level-2 word.

    On the ``level2`` map a level-1 word goes to its alphabetically first level-2 word.
    Later entries override earlier ones, in file order.
    """
    level1: dict[str, str] = {}
    level2: dict[str, str] = {}
    for l1, children in wheel.items():
        level1[l1] = l1
        level2[l1] = sorted(children)[0]
        for l2, leaves in children.items():
            level1[l2] = l1
            level2[l2] = l2
            for l3 in leaves:
                level1[l3] = l1
                level2[l3] = l2
    return {"level1": level1, "level2": level2}


def read_synonyms(path: Path) -> dict[str, list[str]]:
    """Base word → wheel words, merged (as sets) over the synonym runs."""
    table = pd.read_excel(path)
    merged: dict[str, set[str]] = {}
    for run in range(1, N_SYNONYM_RUNS + 1):
        for _, row in table.iterrows():
            raw = str(row[f"word_run{run}"]).strip().lower()
            merged.setdefault(raw, set()).add(raw)
            for synonym in parse_label_list(row[f"synonym_run{run}"]):
                merged.setdefault(synonym.strip().lower(), set()).add(raw)
    return {word: sorted(targets) for word, targets in merged.items()}


def read_formats(path: Path) -> dict[str, list[str]]:
    """Surface form → base words (each base word also maps to itself)."""
    table = pd.read_csv(path)
    mapping: dict[str, list[str]] = {}
    for _, row in table.iterrows():
        raw = "" if pd.isna(row["name"]) else str(row["name"])
        for form in parse_label_list(row["format"]):
            mapping.setdefault(form, []).append(raw)
        mapping.setdefault(raw, []).append(raw)
    return mapping


_Tables = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, dict[str, dict[str, str]]]]


@lru_cache(maxsize=4)
def _build(folder: str, stamp: tuple[tuple[int, int], ...]) -> _Tables:
    root = Path(folder)
    wheels = {name: wheel_clusters(read_wheel(root / f"{name}.xlsx")) for name in WHEELS}
    return read_formats(root / "format.csv"), read_synonyms(root / "synonym.xlsx"), wheels


def build_wheel_tables(folder: str | Path) -> _Tables:
    """Return ``(format_mapping, raw_mapping, wheel_maps)`` built from `folder` (a fresh copy)."""
    folder = Path(folder)
    needed = [folder / f"{name}.xlsx" for name in WHEELS] + [folder / "synonym.xlsx", folder / "format.csv"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise MetricError(f"emotion-wheel sources missing: {', '.join(missing)}")
    stamp = tuple((p.stat().st_size, p.stat().st_mtime_ns) for p in needed)
    return copy.deepcopy(_build(str(folder.resolve()), stamp))
