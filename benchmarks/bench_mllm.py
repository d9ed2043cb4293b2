"""Measure the tiny mllm recipe on this CPU and print the formula estimates for real model sizes.

    nice -n 15 .venv/bin/python benchmarks/bench_mllm.py [--steps 30]

Measured (tiny random-init ViT + HuBERT + Llama, synthetic set): base building, feature caching
(first build vs cached rebuild), seconds per optimizer step, peak RSS, checkpoint size, load
time and generation speed. Estimated (no GPU here): memory per part and hours per stage for
the LMs of Emotion-LLaMA and AffectGPT, with :mod:`emoreason.mllm.budget`'s formulas.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def measure(steps: int) -> None:
    """Run the tiny recipe and print what it cost."""
    import torch

    from emoreason.mllm.checkpoint import load_model
    from emoreason.mllm.dataset import build_dataset
    from emoreason.mllm.tiny import build_tiny_bases, tiny_config
    from emoreason.mllm.train import train_mllm

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        t0 = time.perf_counter()
        bases = build_tiny_bases(root / "base")
        t1 = time.perf_counter()
        config = tiny_config(bases, steps=(steps // 3, steps - steps // 3))
        build_dataset(config, ".", root / "cache-probe")
        t2 = time.perf_counter()
        build_dataset(config, ".", root / "cache-probe")
        t3 = time.perf_counter()
        summary = train_mllm(config, root / "run", ".")
        t4 = time.perf_counter()
        model = load_model(root / "run")
        t5 = time.perf_counter()
        example = "[INST] <video></video> <feature></feature> The person in video says: hi. [reason] Why? [/INST] "
        model.generate(example, {}, max_new_tokens=24)
        t6 = time.perf_counter()
        size = sum(p.stat().st_size for p in (root / "run").glob("*.safetensors"))
        print("measured (tiny, 1 CPU thread):")
        print(f"  build tiny bases            {t1 - t0:6.2f} s")
        print(f"  feature cache, first build  {t2 - t1:6.2f} s (48 clips, 3 streams)")
        print(f"  feature cache, cached       {t3 - t2:6.2f} s")
        print(f"  train {summary.steps} steps (batch 4)     {summary.seconds:6.2f} s "
              f"= {summary.seconds / summary.steps * 1000:.0f} ms/step, final loss {summary.final_loss:.3f}")
        print(f"  whole train_mllm call       {t4 - t3:6.2f} s, peak RSS {summary.peak_rss_mb:.0f} MB")
        print(f"  checkpoint (adapters+proj.) {size / 1024:6.0f} KiB")
        print(f"  load checkpoint             {t5 - t4:6.2f} s; generate 24 tokens {t6 - t5:.2f} s")


def estimates() -> None:
    """Print memory and time estimates for the field's recipes."""
    from emoreason.mllm import budget

    print("\nestimated (emoreason/mllm/budget.py; bf16 weights; trainable = LoRA r=8 all-linear + 30 M projector "
          "params; AdamW):")
    print(f"  {'LM':28s} {'batch×seq':>10s} {'weights':>8s} {'train.':>7s} {'optim':>7s} {'activ.':>7s} {'total':>7s}")
    for lm in (budget.LLAMA2_7B, budget.QWEN25_7B, budget.QWEN25_05B, budget.SMOLLM2_135M):
        for ckpt in (True, False):
            e = budget.estimate(lm, batch=4, seq=512, projector_params=30e6, checkpointing=ckpt)
            tag = "4×512" + (" gc" if ckpt else "")
            print(f"  {lm.name:28s} {tag:>10s} {e.weights_gib:7.1f}G {e.lora_params / 1e6:6.1f}M "
                  f"{e.optimizer_gib:6.2f}G {e.activations_gib:6.2f}G {e.total_gib:6.1f}G")
    tokens_coarse = 28_618 * 300  # MERR coarse: clips × ~300 tokens (prompt + features + label)
    tokens_fine = 4_487 * 400 * 3  # MERR fine: 3 epochs of ~400 tokens
    print("\n  hours on one H200 (989 TFLOP/s bf16 dense, 35 % utilisation):")
    for lm in (budget.LLAMA2_7B, budget.QWEN25_7B, budget.QWEN25_05B):
        print(f"  {lm.name:28s} coarse (1 epoch MERR-coarse) {budget.train_hours(lm, tokens_coarse):5.2f} h, "
              f"fine (3 epochs MERR-fine) {budget.train_hours(lm, tokens_fine):5.2f} h")
    frames = 28_618 * 8 * 257  # 8 frames × 257 patches (ViT-L/14 at 224)
    audio = 28_618 * 50 * 10  # HuBERT: 50 frames/s × 10 s
    print(f"  feature caching: CLIP ViT-L/14 (0.30 B) over 8 frames/clip {budget.encode_hours(0.30e9, frames):5.2f} h; "
          f"HuBERT-large (0.32 B) over 10 s/clip {budget.encode_hours(0.32e9, audio):5.2f} h")


def main() -> None:
    """Measure, then estimate."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    measure(args.steps)
    estimates()


if __name__ == "__main__":
    main()
