"""Benchmarks as data: task registry, dataset loaders, prediction readers, judges, runner."""

from emoreason.tasks.api import bootstrap_task, run_task
from emoreason.tasks.records import Dataset, Prediction, PredictionSet, SampleScore, TaskResult
from emoreason.tasks.registry import get_task, task_names
from emoreason.tasks.runner import evaluate, save_result
from emoreason.tasks.spec import TaskSpec

__all__ = [
    "Dataset",
    "Prediction",
    "PredictionSet",
    "SampleScore",
    "TaskResult",
    "TaskSpec",
    "bootstrap_task",
    "evaluate",
    "get_task",
    "run_task",
    "save_result",
    "task_names",
]
