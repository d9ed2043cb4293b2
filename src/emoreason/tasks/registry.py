"""The task registry: a frozen manifest of the YAML task files shipped with emoreason.

``benchmarks/manifest.json`` lists every built-in task (name, aliases, file, SHA-256 of
the file). A task file is parsed only when its task is asked for, and a file whose hash
no longer matches the manifest raises (regenerate with
``python -m emoreason.tasks.registry``). Third-party packages add tasks through the
``emoreason.tasks`` entry-point group; the value names an attribute holding a
:class:`TaskSpec` or the path of a task YAML file. Names and aliases must be unique.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from emoreason.errors import RegistryError
from emoreason.tasks.spec import TaskSpec, load_task_file

BENCHMARK_DIR = Path(__file__).with_name("benchmarks")
MANIFEST = BENCHMARK_DIR / "manifest.json"
ENTRY_POINT_GROUP = "emoreason.tasks"


@dataclass(frozen=True)
class TaskEntry:
    """One manifest row."""

    name: str
    file: str
    sha256: str
    summary: str
    aliases: tuple[str, ...] = ()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@cache
def manifest() -> tuple[TaskEntry, ...]:
    """The built-in tasks, as frozen in ``manifest.json``."""
    rows = json.loads(MANIFEST.read_text(encoding="utf-8"))["tasks"]
    entries = tuple(TaskEntry(r["name"], r["file"], r["sha256"], r["summary"], tuple(r["aliases"])) for r in rows)
    seen: set[str] = set()
    for entry in entries:
        for key in (entry.name, *entry.aliases):
            if key in seen:
                raise RegistryError(f"task name {key!r} is registered twice in {MANIFEST}")
            seen.add(key)
    return entries


def _plugin_specs() -> dict[str, TaskSpec]:
    specs: dict[str, TaskSpec] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        module_name, _, attr = ep.value.partition(":")
        value = getattr(importlib.import_module(module_name), attr)
        spec = value if isinstance(value, TaskSpec) else load_task_file(value)
        specs[spec.name] = spec
    return specs


def task_names() -> list[str]:
    """Names of built-in and plug-in tasks, sorted."""
    return sorted([e.name for e in manifest()] + list(_plugin_specs()))


def get_task(name: str | Path) -> TaskSpec:
    """The task called `name` (or alias), or a task YAML file given by path.

    Raises:
        RegistryError: unknown name, a name clash with a plug-in, or a task file that
            differs from the manifest.
    """
    path = Path(name)
    if path.suffix in {".yaml", ".yml"} and path.is_file():
        return load_task_file(path)
    plugins = _plugin_specs()
    for entry in manifest():
        if name == entry.name or name in entry.aliases:
            if entry.name in plugins:
                raise RegistryError(f"task {entry.name!r} is defined by emoreason and by a plug-in")
            file = BENCHMARK_DIR / entry.file
            if _sha256(file) != entry.sha256:
                raise RegistryError(f"{file} differs from {MANIFEST.name}; run `python -m emoreason.tasks.registry`")
            return load_task_file(file)
    if str(name) in plugins:
        return plugins[str(name)]
    if path.suffix in {".yaml", ".yml"}:
        raise RegistryError(f"{path}: task file not found" if not path.exists() else f"{path}: not a task file")
    raise RegistryError(f"unknown task {str(name)!r}; choose one of: {', '.join(task_names())}")


def write_manifest() -> Path:
    """Regenerate ``manifest.json`` from the YAML files (a maintainer step)."""
    rows = []
    for file in sorted(BENCHMARK_DIR.glob("*.yaml")):
        spec = load_task_file(file)
        rows.append({"name": spec.name, "file": file.name, "sha256": _sha256(file), "summary": spec.summary,
                     "aliases": list(spec.aliases)})
    MANIFEST.write_text(json.dumps({"version": 1, "tasks": rows}, indent=2) + "\n", encoding="utf-8")
    manifest.cache_clear()
    return MANIFEST


if __name__ == "__main__":  # pragma: no cover
    print(write_manifest())
