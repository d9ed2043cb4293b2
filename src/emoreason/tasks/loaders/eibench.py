"""Readers for EIBench (emotion-trigger questions; images are not distributed).

* Basic: ``EI_Basic/user.jsonl`` (one ``{image: question}`` per line) with
  ``basic_ground_truth.json`` (``{image: "1. trigger\\n2. trigger"}``) as `extra_path`.
* Complex: ``EI_Complex/ec_complex.jsonl`` (``{image: {question: numbered triggers}}``).
"""

from __future__ import annotations

import json
from pathlib import Path

from emoreason.tasks.records import Dataset, LoadIssue, Sample


def _jsonl(path: Path) -> list[dict[str, object]]:
    from emoreason.tasks.loaders import DataLoadError

    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise DataLoadError(f"{path}:{number}: invalid JSON line: {exc}") from exc
    return rows


def load_eibench_basic(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """EI_Basic questions with their numbered ground-truth triggers."""
    truth: dict[str, str] = {}
    if extra_path is not None:
        truth = json.loads(extra_path.read_text(encoding="utf-8"))
    samples, issues = [], []
    for row in _jsonl(path):
        for image, question in row.items():
            if image not in truth:
                issues.append(LoadIssue(record=image, problem="no ground-truth triggers", repaired=False))
            samples.append(Sample(id=image, question=str(question), text=truth.get(image)))
    return Dataset(name="eibench_basic", source=str(path), samples=samples, issues=issues)


def load_eibench_complex(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """EI_Complex: one question and its numbered triggers per sample.

    An image can carry several questions (several viewpoints on one scene); sample ids are
    ``<image>#<n>``, n counting that image's questions from 1, so each answer is scored apart.
    """
    samples = []
    seen: dict[str, int] = {}
    for row in _jsonl(path):
        for image, qa in row.items():
            for question, answer in dict(qa).items():  # type: ignore[call-overload]
                seen[image] = seen.get(image, 0) + 1
                samples.append(Sample(id=f"{image}#{seen[image]}", question=question, text=str(answer)))
    return Dataset(name="eibench_complex", source=str(path), samples=samples)
