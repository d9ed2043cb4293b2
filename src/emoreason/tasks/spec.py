"""Task declarations: data files, not code paths.

A task is a YAML file under ``emoreason/tasks/benchmarks/`` validated into a
:class:`TaskSpec`: which loader reads which file (relative to the data root), which
prediction field it expects, which metrics it reports and which judge (if any) turns
free text into something the metrics can score.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import yaml
from pydantic import ConfigDict, Field, ValidationError

from emoreason.errors import EmoreasonError, yaml_problem
from emoreason.metrics.emotion_wheel import WheelTables
from emoreason.records.base import Record


class TaskSpecError(EmoreasonError):
    """A task file is malformed; the message names the file and the field."""


class LoaderKind(str, Enum):
    """Built-in dataset readers (see :mod:`emoreason.tasks.loaders`)."""

    EMER_V1 = "emer_v1"
    EMER_V2 = "emer_v2"
    OVMERD_OPENSET = "ovmerd_openset"
    MERBENCH_LABELS = "merbench_labels"
    ECF_TXT = "ecf_txt"
    ECAC_JSON = "ecac_json"
    ECEM_CHAT = "ecem_chat"
    EIBENCH_BASIC = "eibench_basic"
    EIBENCH_COMPLEX = "eibench_complex"
    MERR_FINE_GRAINED = "merr_fine_grained"


class PredictionKind(str, Enum):
    """Which prediction field a task scores."""

    LABEL = "label"
    LABELS = "labels"
    SENTIMENT = "sentiment"
    VALENCE = "valence"
    TEXT = "text"
    CAUSE_PAIRS = "cause_pairs"


class JudgeKind(str, Enum):
    """Built-in LLM judges (see :mod:`emoreason.tasks.judges`)."""

    EMER_CLUE_OVERLAP = "emer_clue_overlap"
    EMER_LABEL_OVERLAP = "emer_label_overlap"
    DESCRIPTION_TO_LABELS = "description_to_labels"
    EIBENCH_TRIGGER_RECALL = "eibench_trigger_recall"


class DatasetRef(Record):
    """Where a task's references come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    loader: LoaderKind
    path: str = Field(description="File path relative to the data root.")
    split: str | None = None
    extra_path: str | None = Field(default=None, description="Second file (transcriptions, ground truth).")
    max_samples: int | None = None


class PublishedValue(Record):
    """A number a paper reports for this task, kept next to the task for comparison."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    value: float
    system: str
    source: str


class TaskSpec(Record):
    """One evaluation task."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    summary: str
    dataset: DatasetRef
    predictions: PredictionKind
    metrics: tuple[str, ...]
    judge: JudgeKind | None = None
    wheel_path: str | None = Field(default=None, description="Emotion-wheel folder relative to the data root.")
    wheel_tables: WheelTables = Field(
        default=WheelTables.OVMER,
        description="Emotion-wheel table revision: ovmer (format.csv + xlsx, the reference) or mer2026 (npz).",
    )
    published: tuple[PublishedValue, ...] = ()
    aliases: tuple[str, ...] = ()


def load_task_file(path: str | Path) -> TaskSpec:
    """Read and validate one task YAML file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskSpecError(f"{path}: cannot read task file ({exc})") from exc
    except yaml.YAMLError as exc:
        raise TaskSpecError(f"{path}: {yaml_problem(exc)}") from exc
    if raw is None:
        raise TaskSpecError(f"{path}: the task file is empty")
    try:
        spec = TaskSpec.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'task'}: {e['msg']}" for e in exc.errors()[:4])
        more = f" (and {exc.error_count() - 4} more)" if exc.error_count() > 4 else ""
        raise TaskSpecError(f"{path}: invalid task: {problems}{more}") from exc
    from emoreason.metrics.registry import metric_spec

    for name in spec.metrics:
        metric_spec(name)
    return spec
