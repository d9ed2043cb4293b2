"""Training recipes for emoreason's learned heads (offline, CPU, seeded, deterministic).

``emoreason train HEAD --data-root ../shared/data -o DIR`` resolves HEAD in :data:`TRAINERS`;
:func:`train` is the same in Python.
"""

from __future__ import annotations

from pathlib import Path

from emoreason.training.registry import TRAINERS, Trainer, TrainOptions, TrainResult


def train(head: str, data_root: str | Path, out_dir: str | Path, *, seed: int = 0, limit: int | None = None,
          overrides: dict[str, str] | None = None) -> TrainResult:
    """Run the recipe registered as `head`; returns where it wrote the weights and card."""
    trainer = TRAINERS.resolve(head)()
    return trainer.train(TrainOptions(data_root=Path(data_root), out_dir=Path(out_dir), seed=seed, limit=limit,
                                      overrides=dict(overrides or {})))


__all__ = ["TRAINERS", "TrainOptions", "TrainResult", "Trainer", "train"]
