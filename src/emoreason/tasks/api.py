"""One-call evaluation: ``run_task(name, predictions, data_root=...)``."""

from __future__ import annotations

import os
from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.metrics.caption.tokenize import Tokenizer
from emoreason.metrics.emotion_wheel import EmotionWheel, WheelTables
from emoreason.tasks.bootstrap import DEFAULT_LEVEL, BootstrapReport, bootstrap
from emoreason.tasks.judges import LLMJudge, make_judge
from emoreason.tasks.loaders import load_dataset
from emoreason.tasks.predictions import read_predictions
from emoreason.tasks.records import Dataset, TaskResult
from emoreason.tasks.registry import get_task
from emoreason.tasks.runner import evaluate
from emoreason.tasks.spec import TaskSpec

DATA_ROOT_ENV = "EMOREASON_DATA_ROOT"


def resolve_data_root(data_root: str | Path | None) -> Path:
    """`data_root`, else ``$EMOREASON_DATA_ROOT``; an error names both if neither is set."""
    value = data_root or os.environ.get(DATA_ROOT_ENV)
    if not value:
        raise EmoreasonError(f"no data root: pass --data-root DIR or set {DATA_ROOT_ENV} to the folder holding "
                             "benchmarks/ (e.g. ../shared/data)")
    root = Path(value)
    if not root.is_dir():
        raise EmoreasonError(f"data root {root} is not a folder")
    return root


def _task_data(task: str | Path, data_root: str | Path | None,
               ew_tables: WheelTables | str | None) -> tuple[TaskSpec, Dataset, EmotionWheel | None]:
    """The task, its references and its emotion-wheel tables (None when it has none)."""
    spec = get_task(task)
    root = resolve_data_root(data_root)
    dataset = load_dataset(spec.dataset, root)
    tables = ew_tables or spec.wheel_tables
    wheel = EmotionWheel.from_folder(root / spec.wheel_path, tables) if spec.wheel_path else None
    return spec, dataset, wheel


def run_task(
    task: str | Path,
    predictions: str | Path,
    *,
    data_root: str | Path | None = None,
    judge_backend: object | None = None,
    judge_model: str | None = None,
    judge_cache: str | Path | None = None,
    judge_temperature: float = 0.0,
    tokenizer: Tokenizer | str = Tokenizer.PTB,
    subset: bool = False,
    ew_tables: WheelTables | str | None = None,
) -> TaskResult:
    """Load task, references and predictions, build the judge if any, and evaluate.

    Args:
        task: Task name / alias, or the path of a task YAML file.
        predictions: Predictions file (.jsonl, .csv, .npz, .json).
        data_root: Folder holding ``benchmarks/``.
        judge_backend: A ``ChatBackend`` for judged tasks.
        judge_model: Model id recorded with verdicts (default: the backend's).
        judge_cache: Folder for cached judge replies.
        judge_temperature: Sampling temperature for the judge.
        tokenizer: Tokeniser for caption metrics.
        subset: Score only the references that have a prediction.
        ew_tables: Emotion-wheel table revision (``ovmer`` or ``mer2026``); default: the task's.
    """
    spec, dataset, wheel = _task_data(task, data_root, ew_tables)
    preds = read_predictions(predictions)
    judge: LLMJudge | None = None
    if spec.judge is not None and judge_backend is not None:
        judge = make_judge(spec.judge, judge_backend, model_id=judge_model, temperature=judge_temperature,
                           cache_dir=judge_cache)
    result = evaluate(spec, dataset, preds, wheel=wheel, judge=judge, tokenizer=tokenizer, subset=subset)
    issues = [f"{i.record}: {i.problem}" for i in (*dataset.issues, *preds.issues)]
    if issues:
        result = result.model_copy(update={"notes": [*result.notes, f"{len(issues)} load issues", *issues[:20]]})
    return result


def bootstrap_task(task: str | Path, predictions: list[str | Path], results: list[TaskResult], *,
                   data_root: str | Path | None = None, resamples: int = 1000, seed: int = 0,
                   level: float = DEFAULT_LEVEL, tokenizer: Tokenizer | str = Tokenizer.PTB, subset: bool = False,
                   ew_tables: WheelTables | str | None = None) -> BootstrapReport:
    """Bootstrap intervals (and paired differences from the first file) for `results`, which
    :func:`run_task` gave for `predictions` (same order, same settings); see :mod:`emoreason.tasks.bootstrap`."""
    spec, dataset, wheel = _task_data(task, data_root, ew_tables)
    sets = [read_predictions(p) for p in predictions]
    return bootstrap(spec, dataset, sets, results, resamples=resamples, seed=seed, level=level, subset=subset,
                     wheel=wheel, tokenizer=tokenizer)
