"""The task registry: frozen manifest in sync with the YAML files, lookups, clear errors."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from emoreason.errors import RegistryError
from emoreason.tasks.registry import BENCHMARK_DIR, MANIFEST, get_task, manifest, task_names
from emoreason.tasks.spec import TaskSpecError, load_task_file


def test_manifest_matches_task_files() -> None:
    rows = json.loads(MANIFEST.read_text())["tasks"]
    files = sorted(p.name for p in BENCHMARK_DIR.glob("*.yaml"))
    assert sorted(r["file"] for r in rows) == files
    for row in rows:
        assert hashlib.sha256((BENCHMARK_DIR / row["file"]).read_bytes()).hexdigest() == row["sha256"]


def test_every_task_loads() -> None:
    for entry in manifest():
        spec = get_task(entry.name)
        assert spec.name == entry.name and spec.metrics
        for alias in entry.aliases:
            assert get_task(alias).name == entry.name


def test_unknown_task_lists_choices() -> None:
    with pytest.raises(RegistryError, match="mer2023-hit"):
        get_task("no-such-task")
    assert "ovmerd-ew" in task_names()


def test_task_yaml_by_path_and_validation(tmp_path: Path) -> None:
    good = tmp_path / "mine.yaml"
    good.write_text("name: mine\nsummary: s\ndataset: {loader: ovmerd_openset, path: x.csv}\n"
                    "predictions: labels\nmetrics: [ew_f_level1]\nwheel_path: w\n")
    assert get_task(str(good)).name == "mine"
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nsummary: s\ndataset: {loader: nope, path: x}\npredictions: labels\nmetrics: []\n")
    with pytest.raises(TaskSpecError, match="bad.yaml"):
        load_task_file(bad)
    unknown_metric = tmp_path / "m.yaml"
    unknown_metric.write_text("name: m\nsummary: s\ndataset: {loader: emer_v1, path: x}\npredictions: text\n"
                              "metrics: [bleu_9]\n")
    with pytest.raises(RegistryError, match="bleu_9"):
        load_task_file(unknown_metric)


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "the task file is empty"),
    (b"\xd8\xff\x00binary", "cannot read task file"),
    (b"name: [a, b\n", "not valid YAML at line 2"),
    (b"name: 3\nmetrics: 5\nfoo: bar\n", "invalid task: name: Input should be a valid string;"),
])
def test_bad_task_files_are_one_line_naming_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "task.yaml"
    path.write_bytes(content)
    with pytest.raises(TaskSpecError) as info:
        load_task_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_a_missing_task_file_is_not_an_unknown_task(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="nope.yaml: task file not found"):
        get_task(str(tmp_path / "nope.yaml"))
