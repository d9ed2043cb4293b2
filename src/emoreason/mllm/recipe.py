"""``emoreason train mllm``: the recipe behind the trainer registry.

``--config FILE`` trains the recipe in a YAML file; ``--tiny`` builds random-init tiny
encoders and LM under ``OUT/tiny-base`` and trains on a synthetic set (a smoke run in
seconds). ``--limit`` caps every data source, ``--seed`` sets ``train.seed``; ``--set
resume=0`` starts afresh instead of continuing from ``OUT/checkpoints``.
"""

from __future__ import annotations

from pathlib import Path

from emoreason.mllm.config import MllmConfig, MllmConfigError, load_config
from emoreason.training.registry import Trainer, TrainOptions, TrainResult

_LICENCES = {
    "merr": "MERR fine-grained (Emotion-LLaMA; MER2023 EULA, research only)",
    "ecem": "ECEM (FAME-Net; MELD/Friends, research only)",
    "emer": "EMER v1 (MER2023 EULA, research only)",
    "ovmerd": "EMER v2 / OV-MERD (MER2023 EULA, research only)",
    "explain": "emoreason explain results (licence of the clips explained)",
    "batch": "emoreason batch results (licence of the clips explained)",
    "synthetic": "synthetic samples generated in code (no licence restriction)",
}


def _config(options: TrainOptions) -> MllmConfig:
    tiny = options.overrides.get("tiny", "").lower() in ("1", "true", "yes")
    if tiny and options.overrides.get("config"):
        raise MllmConfigError("mllm: give --config FILE or --tiny, not both (--tiny builds its own config)")
    if tiny:
        from emoreason.mllm.tiny import build_tiny_bases, tiny_config

        config = tiny_config(build_tiny_bases(options.out_dir / "tiny-base", seed=options.seed))
    elif options.overrides.get("config"):
        config = load_config(options.overrides["config"])
    else:
        raise MllmConfigError("mllm: give --config FILE (a YAML recipe, see docs/mllm.md) or --tiny")
    config.train.seed = options.seed
    if options.limit:
        for source in config.data.sources:
            source.limit = min(source.limit or options.limit, options.limit)
    return config


def write_model_card(out_dir: Path, config: MllmConfig, summary: object) -> Path:
    """MODEL_CARD.md: base models, data and licences, stages, losses, time and memory."""
    kinds = sorted({s.kind for s in config.data.sources})
    lines = [
        "# emoreason mllm checkpoint", "",
        "Adapters (LoRA) + projectors + config only; the base models stay where `mllm.yaml` names them:", "",
        f"- language model: `{config.lm.path}` (LoRA r={config.lm.lora.r}, alpha={config.lm.lora.alpha}, "
        f"targets {config.lm.lora.target_modules})",
        *[f"- stream `{s.name}`: {s.kind} {s.encoder or s.source} → {s.projector} projector" for s in config.streams],
        f"- trainable: {', '.join(config.trainable)}", "", "## Data", "",
        *[f"- {_LICENCES.get(k, k)}" for k in kinds],
        f"- samples read: {getattr(summary, 'samples', {})}; the 17 video-evaluation clips are excluded", "",
        "The checkpoint inherits the most restrictive licence above and that of the base models.", "",
        "## Training", "",
        "| stage | tasks | steps | learning rate | eval loss |", "|---|---|---|---|---|",
        *[f"| {s.name} | {', '.join(s.tasks)} | {s.steps} | {s.learning_rate:g} | "
          f"{getattr(summary, 'eval_loss', {}).get(s.name, float('nan')):.4f} |" for s in config.stages], "",
        f"Final training loss {getattr(summary, 'final_loss', None)}, {getattr(summary, 'seconds', 0.0):.1f} s, "
        f"peak RSS {getattr(summary, 'peak_rss_mb', None)} MB. Per-step losses: `metrics.jsonl`.", "",
    ]
    path = out_dir / "MODEL_CARD.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class MllmTrainer(Trainer):
    """Multimodal LLM: feature streams → projectors → causal LM with LoRA, coarse then fine."""

    name = "mllm"
    summary = "multimodal LLM (HF encoders + emoreason evidence → projectors → any causal LM + LoRA)"

    def train(self, options: TrainOptions) -> TrainResult:
        """Build the config (``--config``/``--tiny``), train, write checkpoint + model card."""
        from emoreason.mllm.train import train_mllm

        config = _config(options)
        resume = options.overrides.get("resume", "1").lower() not in ("0", "false", "no")
        summary = train_mllm(config, options.out_dir, options.data_root, resume=resume)
        card = write_model_card(options.out_dir, config, summary)
        metrics = {"final_loss": float(summary.final_loss or 0.0), "steps": float(summary.steps),
                   "seconds": summary.seconds, **{f"eval_loss_{k}": v for k, v in summary.eval_loss.items()}}
        return TrainResult(head=self.name, weights=options.out_dir / "adapter.safetensors", model_card=card,
                           metrics=metrics, extra_files=[options.out_dir / "projectors.safetensors",
                                                         options.out_dir / "mllm.yaml",
                                                         options.out_dir / "metrics.jsonl"])
