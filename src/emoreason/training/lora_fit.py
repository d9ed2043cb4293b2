"""The training loop shared by the LoRA recipes (``dialogue-lora``, ``dialogue-cause-lora``).

:func:`fit_adapters` fits a :class:`~emoreason.heads.e5_lora.LoraClassifier`'s adapters and head
with AdamW (separate learning rates), linear warm-up and decay, length-bucketed shuffled batches
and gradient clipping; after each epoch it scores dev, keeps the best epoch by one score and fits
the softmax temperature on dev. :func:`train_device` resolves the ``device`` setting.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
#: (context or None, text) inputs of a reader.
Pairs = list[tuple[str | None, str]]


def train_device(choice: str) -> str:
    """The torch device to train on: ``auto`` is ``cuda`` when torch sees a GPU, else ``cpu``.

    Raises:
        ValueError: ``cuda`` asked for where torch sees no GPU, or an unknown choice.
    """
    import torch

    if choice not in ("auto", "cpu", "cuda") and not choice.startswith("cuda:"):
        raise ValueError(f"device must be auto, cpu or cuda, not {choice!r}")
    if choice == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device={choice}: torch sees no GPU here")
    return choice


def device_name(device: Any) -> str:
    """``cpu``, or ``cuda (<GPU name>)`` for a GPU device — how a card names the training machine."""
    import torch

    if device.type != "cuda":
        return str(device)
    return f"{device} ({torch.cuda.get_device_name(device)})"


def epoch_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Row indices in batches of similar length (buckets of 4 tokens, shuffled within and between)."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i] // 4, rng.random()))
    batches = [order[k:k + batch_size] for k in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def run_epoch(model: Any, rows: list[list[int]], labels: np.ndarray, batch_size: int, rng: random.Random,
              optimiser: Any, schedule: Any) -> float:
    """One pass over the token `rows`; the mean cross-entropy."""
    import torch
    import torch.nn.functional as F  # noqa: N812

    from emoreason.heads.e5_lora import pad_ids

    model.training, losses = True, []
    for batch in epoch_batches([len(r) for r in rows], batch_size, rng):
        ids, lengths = pad_ids([rows[i] for i in batch], model.tokenizer.pad)
        loss = F.cross_entropy(model.logits(ids, lengths), torch.from_numpy(labels[batch]).to(model.device))
        optimiser.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        losses.append(float(loss.detach()))
    model.training = False
    return float(np.mean(losses)) if losses else 0.0


def fit_adapters(model: Any, train: tuple[Pairs, np.ndarray], dev: tuple[Pairs, np.ndarray], params: dict[str, Any],
                 rng: random.Random, *, score: Callable[[np.ndarray, np.ndarray], dict[str, float]], select: str,
                 augment: Callable[[Pairs], Pairs] | None = None, name: str = "lora") -> list[dict[str, Any]]:
    """Fit `model` on `train` for ``params["epochs"]``; keep the epoch with the highest dev ``score(...)[select]``
    (temperature fitted on dev). `augment`, when given, rewrites the training inputs afresh each epoch.
    Returns the per-epoch history."""
    import torch

    from emoreason.training.fit import fit_temperature

    (train_pairs, train_y), (dev_pairs, dev_y) = train, dev

    def token_rows(pairs: Pairs) -> list[list[int]]:
        return [model.batch([p])[0][0].tolist() for p in pairs]

    rows = [] if augment is not None else token_rows(train_pairs)  # augmented: tokenised afresh each epoch
    optimiser = torch.optim.AdamW([{"params": model.adapter_parameters(), "lr": float(params["lr"])},
                                   {"params": model.head_parameters(), "lr": float(params["head_lr"])}],
                                  weight_decay=0.01)
    batch_size = int(params["batch_size"])
    steps = int(params["epochs"]) * -(-len(train_pairs) // batch_size)
    warmup = max(1, int(0.06 * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    best: tuple[float, dict[str, np.ndarray] | None, float] = (-1.0, None, 1.0)
    history: list[dict[str, Any]] = []
    for epoch in range(int(params["epochs"])):
        started = time.time()
        if augment is not None:
            rows = token_rows(augment(train_pairs))
        loss = run_epoch(model, rows, train_y, batch_size, rng, optimiser, schedule)
        logits = model.raw_logits(dev_pairs)
        history.append({"epoch": epoch + 1, "train_loss": round(loss, 4), **score(dev_y, logits),
                        "seconds": round(time.time() - started, 1)})
        log.info("%s epoch %s: %s", name, epoch + 1, history[-1])
        if history[-1][select] > best[0]:
            best = (history[-1][select], model.arrays(), fit_temperature(logits, dev_y))
    if best[1] is not None:
        model.assign(best[1], Path("(best epoch)"))
        model.config.temperature = best[2]
    return history
