"""The training loop: curriculum stages, resumable checkpoints, ``metrics.jsonl``.

A plain torch loop with accelerate-style device handling: CPU for tiny models; on a GPU,
bf16 autocast (where supported) and gradient checkpointing unless the config turns them
off. Batches are drawn by a generator seeded with (seed, step), so a resumed run sees
exactly the batches an uninterrupted one would. Everything that can be wrong with the
config or the data fails in :func:`prepare`, before the first step.
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import time
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.mllm.checkpoint import load_optimizer_state, read_manifest, restore_weights, save_checkpoint
from emoreason.mllm.config import MllmConfig, MllmConfigError, check_paths
from emoreason.mllm.dataset import DatasetSplit, Example, build_dataset
from emoreason.mllm.sources import RawSample

log = logging.getLogger(__name__)
METRICS = "metrics.jsonl"
EVAL = "eval.jsonl"
KEEP_CHECKPOINTS = 2


@dataclass
class Prepared:
    """A model, its optimizer and its data, ready for step `start`."""

    model: Any
    optimizer: Any
    data: DatasetSplit
    device: Any
    autocast: Any
    start: int = 0


@dataclass
class TrainSummary:
    """What a run did."""

    out_dir: Path
    steps: int
    final_loss: float | None
    eval_loss: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    samples: dict[str, int] = field(default_factory=dict)


def _device(config: MllmConfig) -> Any:
    import torch

    if config.train.device == "cuda" and not torch.cuda.is_available():
        raise MllmConfigError("train.device: cuda asked for but no GPU is visible")
    use_cuda = config.train.device == "cuda" or (config.train.device == "auto" and torch.cuda.is_available())
    return torch.device("cuda" if use_cuda else "cpu")


def _autocast(config: MllmConfig, device: Any) -> Any:
    import torch

    on_gpu = device.type == "cuda"
    want = config.train.bf16 == "on" or (config.train.bf16 == "auto" and on_gpu and torch.cuda.is_bf16_supported())
    return (lambda: torch.autocast(device.type, dtype=torch.bfloat16)) if want else nullcontext


def latest_checkpoint(out_dir: Path) -> Path | None:
    """The newest ``checkpoints/step-N`` folder with a manifest, if any."""
    folders = [p for p in (out_dir / "checkpoints").glob("step-*") if (p / "manifest.json").is_file()]
    return max(folders, key=lambda p: int(p.name.split("-")[1]), default=None)


def prepare(config: MllmConfig, out_dir: Path, data_root: str | Path, *, resume: bool = True,
            samples: list[RawSample] | None = None) -> Prepared:
    """Check paths, build the dataset (features cached), load LM + LoRA + projectors, restore a checkpoint."""
    import torch

    from emoreason.mllm.dataset import stream_dims
    from emoreason.mllm.model import MultimodalLM, load_lm

    check_paths(config)
    torch.set_num_threads(config.train.threads)
    device = _device(config)
    cache = Path(config.data.cache_dir) if config.data.cache_dir else out_dir / "feature-cache"
    data = build_dataset(config, data_root, cache, samples=samples)
    torch.manual_seed(config.train.seed)  # LoRA's initial weights
    lm, tokenizer = load_lm(config)
    model = MultimodalLM(config, lm, tokenizer, stream_dims(config))
    if config.train.gradient_checkpointing == "on" or (config.train.gradient_checkpointing == "auto"
                                                        and device.type == "cuda"):
        lm.gradient_checkpointing_enable()
        if hasattr(lm, "enable_input_require_grads"):
            lm.enable_input_require_grads()
    model.to(device)
    params = model.trainable_parameters()
    if not params:
        raise MllmConfigError("trainable: nothing to train (name projectors, lora, lm_head or embed_tokens)")
    optimizer = torch.optim.AdamW(params, lr=config.stages[0].learning_rate, weight_decay=config.train.weight_decay)
    prepared = Prepared(model=model, optimizer=optimizer, data=data, device=device, autocast=_autocast(config, device))
    checkpoint = latest_checkpoint(out_dir) if resume else None
    if checkpoint is not None:
        manifest = read_manifest(checkpoint)
        restore_weights(model, checkpoint)
        state = load_optimizer_state(checkpoint)
        if state is not None:
            optimizer.load_state_dict(state)
        prepared.start = int(manifest["step"])
        log.info("resuming from %s (step %d)", checkpoint, prepared.start)
    return prepared


def learning_rate(config: MllmConfig, step: int) -> float:
    """The stage's rate with linear warm-up, then cosine decay to 10 % over the stage."""
    _, stage, inner = config.stage_at(step)
    if stage.warmup_steps and inner < stage.warmup_steps:
        return stage.learning_rate * (inner + 1) / stage.warmup_steps
    span = max(stage.steps - stage.warmup_steps, 1)
    progress = min(max(inner - stage.warmup_steps, 0) / span, 1.0)
    return stage.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def _batch(pool: list[Example], size: int, seed: int, step: int) -> list[Example]:
    rng = np.random.default_rng([seed, step])
    return [pool[i] for i in rng.choice(len(pool), size=min(size, len(pool)), replace=False)]


def _metrics_file(out_dir: Path, start: int) -> Path:
    """``metrics.jsonl`` with lines after `start` dropped (a resumed run rewrites them)."""
    path = out_dir / METRICS
    if path.is_file():
        kept = [ln for ln in path.read_text(encoding="utf-8").splitlines()
                if ln.strip() and json.loads(ln).get("step", 0) <= start]
        path.write_text("".join(ln + "\n" for ln in kept), encoding="utf-8")
    return path


def _evaluate(prep: Prepared, tasks: list[str]) -> float | None:
    import torch

    items = [e for e in prep.data.validation if e.task in tasks][:32]
    if not items:
        return None
    losses = []
    with torch.no_grad(), prep.autocast():
        for start in range(0, len(items), 8):
            losses.append(float(prep.model.loss(items[start:start + 8])))
    return float(np.mean(losses))


def _save(prep: Prepared, out_dir: Path, step: int) -> None:
    save_checkpoint(prep.model, out_dir / "checkpoints" / f"step-{step}", step=step, optimizer=prep.optimizer)
    old = sorted((out_dir / "checkpoints").glob("step-*"), key=lambda p: int(p.name.split("-")[1]))
    for folder in old[:-KEEP_CHECKPOINTS]:
        shutil.rmtree(folder, ignore_errors=True)


def _one_step(prep: Prepared, pool: list[Example], step: int) -> float:
    import torch

    config = prep.model.config
    lr = learning_rate(config, step)
    for group in prep.optimizer.param_groups:
        group["lr"] = lr
    prep.optimizer.zero_grad(set_to_none=True)
    total = 0.0
    for micro in range(config.train.grad_accum):
        batch = _batch(pool, config.train.batch_size, config.train.seed, step * config.train.grad_accum + micro)
        with prep.autocast():
            loss = prep.model.loss(batch) / config.train.grad_accum
        if not torch.isfinite(loss):
            raise MllmConfigError(f"step {step + 1}: the loss is not finite ({float(loss)}); lower the learning "
                                  "rate of this stage or check the features")
        loss.backward()
        total += float(loss.detach())
    torch.nn.utils.clip_grad_norm_(prep.model.trainable_parameters(), 1.0)
    prep.optimizer.step()
    return total


def run_training(prep: Prepared, out_dir: Path, *, stop_after: int | None = None) -> TrainSummary:
    """Train from `prep.start` to the end of the last stage (or `stop_after` steps in all)."""
    config = prep.model.config
    started = time.monotonic()
    metrics = _metrics_file(out_dir, prep.start)
    end = min(config.total_steps, stop_after) if stop_after else config.total_steps
    prep.model.lm.train()
    prep.model.projectors.train()
    last_loss, eval_loss = None, {}
    with metrics.open("a", encoding="utf-8") as sink:
        for step in range(prep.start, end):
            index, stage, inner = config.stage_at(step)
            pool = [e for e in prep.data.train if e.task in stage.tasks]
            if not pool:
                raise MllmConfigError(f"stages[{index}] ({stage.name}): no training example for tasks {stage.tasks}")
            last_loss = _one_step(prep, pool, step)
            done = step + 1
            if done % config.train.log_every == 0 or done == end:
                sink.write(json.dumps({"step": done, "loss": round(last_loss, 6),
                                       "learning_rate": learning_rate(config, step), "stage": stage.name}) + "\n")
                sink.flush()
            if inner + 1 == stage.steps:
                value = _evaluate(prep, list(stage.tasks))
                if value is not None:
                    eval_loss[stage.name] = value
                    with (out_dir / EVAL).open("a", encoding="utf-8") as fh:
                        fh.write(json.dumps({"step": done, "stage": stage.name, "eval_loss": round(value, 6)}) + "\n")
            if done % config.train.save_every == 0 or done == end:
                _save(prep, out_dir, done)
    if end == config.total_steps:
        save_checkpoint(prep.model, out_dir, step=end, extra={"samples": prep.data.counts})
    return TrainSummary(out_dir=out_dir, steps=end, final_loss=last_loss, eval_loss=eval_loss,
                        seconds=time.monotonic() - started, peak_rss_mb=_peak_rss_mb(), samples=prep.data.counts)


def _peak_rss_mb() -> float | None:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    except (ImportError, OSError):  # pragma: no cover - not on POSIX
        return None


def train_mllm(config: MllmConfig, out_dir: str | Path, data_root: str | Path = ".", *, resume: bool = True,
               samples: list[RawSample] | None = None, stop_after: int | None = None) -> TrainSummary:
    """Prepare (all checks first) and train; the final adapters + projectors + config land in `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    prep = prepare(config, out_dir, data_root, resume=resume, samples=samples)
    return run_training(prep, out_dir, stop_after=stop_after)
