"""Memory and time estimates for a recipe on models too large to measure here.

Formulas (bytes; ``b`` batch, ``s`` sequence, ``h`` hidden size, ``L`` layers, ``i`` MLP size):

* **weights** = parameters × bytes per parameter (bf16: 2, fp32: 4) — the frozen LM and encoders.
* **LoRA parameters** (all-linear on a Llama-style block) = ``L × r × (4h + 2·kv + 3(h + i))``
  where ``kv`` is the key/value width; projectors add their own (small) count.
* **optimizer** (AdamW, fp32 master copy + gradient + two moments) = trainable × 16 bytes.
* **activations** ≈ ``b × s × h × L × k`` with ``k`` ≈ 34 bytes (bf16, fused attention, no
  checkpointing) or ≈ 2 bytes per layer input + one layer's ``34·b·s·h`` with gradient checkpointing.
* **time** ≈ tokens × 6 × N_LM FLOPs / (peak FLOP/s × utilisation) for training (LoRA still runs
  the full forward and the backward through activations); feature caching ≈ 2 × N_encoder × inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

GIB = 1024**3


@dataclass(frozen=True)
class LMShape:
    """A decoder-only LM's size."""

    name: str
    params: float
    hidden: int
    layers: int
    intermediate: int
    kv_width: int


@dataclass(frozen=True)
class Estimate:
    """GiB per part and hours per stage."""

    weights_gib: float
    lora_params: float
    optimizer_gib: float
    activations_gib: float
    total_gib: float


def lora_params(lm: LMShape, rank: int) -> float:
    """LoRA parameters for all linear layers of a Llama-style block stack."""
    h, i, kv = lm.hidden, lm.intermediate, lm.kv_width
    per_layer = rank * ((h + h) * 2 + (h + kv) * 2 + (h + i) * 3)  # q, o; k, v; gate, up, down
    return float(lm.layers * per_layer)


def estimate(lm: LMShape, *, rank: int = 8, batch: int = 4, seq: int = 512, weight_bytes: int = 2,
             encoder_params: float = 0.0, projector_params: float = 0.0, checkpointing: bool = True) -> Estimate:
    """Peak training memory of one stage (encoders are not resident: their features are cached)."""
    weights = lm.params * weight_bytes
    trainable = lora_params(lm, rank) + projector_params
    optimizer = trainable * 16
    per_layer = batch * seq * lm.hidden * 34
    activations = (batch * seq * lm.hidden * 2 * lm.layers + per_layer) if checkpointing else per_layer * lm.layers
    total = weights + optimizer + activations
    return Estimate(weights_gib=weights / GIB, lora_params=trainable, optimizer_gib=optimizer / GIB,
                    activations_gib=activations / GIB, total_gib=total / GIB)


def train_hours(lm: LMShape, tokens: float, *, peak_tflops: float = 989.0, utilisation: float = 0.35) -> float:
    """Hours to train on `tokens` tokens (6 × N FLOPs per token) at `utilisation` of `peak_tflops` (bf16)."""
    return tokens * 6 * lm.params / (peak_tflops * 1e12 * utilisation) / 3600.0


def encode_hours(encoder_params: float, inputs: float, *, peak_tflops: float = 989.0,
                 utilisation: float = 0.25) -> float:
    """Hours to run a frozen encoder over `inputs` input tokens (patches or audio frames), 2 × N FLOPs each."""
    return inputs * 2 * encoder_params / (peak_tflops * 1e12 * utilisation) / 3600.0


#: Published shapes of the LMs the field uses (configs of the released checkpoints).
LLAMA2_7B = LMShape("LLaMA-2-7B (Emotion-LLaMA)", 6.74e9, 4096, 32, 11008, 4096)
QWEN25_7B = LMShape("Qwen2.5-7B (AffectGPT)", 7.62e9, 3584, 28, 18944, 512)
QWEN25_05B = LMShape("Qwen2.5-0.5B", 0.49e9, 896, 24, 4864, 128)
SMOLLM2_135M = LMShape("SmolLM2-135M", 0.135e9, 576, 30, 1536, 192)
