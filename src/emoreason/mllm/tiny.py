"""``--tiny``: random-init tiny encoders and LM, an offline tokenizer and a synthetic dataset.

Nothing downloads: a tiny ViT, a tiny HuBERT and a tiny Llama are built from configs here and
saved as HF folders (with their processors and a BPE tokenizer trained in-process on the
synthetic text), so the smoke run goes through exactly the code path of a real model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emoreason.mllm.config import MllmConfig, parse_config
from emoreason.mllm.sources import RawSample

CLASSES = ("happy", "sad", "angry", "surprise")
_FACE = {"happy": "smiles with raised cheeks", "sad": "turns the mouth corners down",
         "angry": "frowns with lowered brows", "surprise": "raises the brows with wide eyes"}
_VOICE = {"happy": "the voice is bright", "sad": "the voice is low and slow", "angry": "the voice is loud",
          "surprise": "the pitch rises"}
_SAID = {"happy": "That is wonderful news!", "sad": "I miss them so much.", "angry": "Stop doing that right now.",
         "surprise": "Wait, you did what?"}
_AUS = {"happy": ["AU06", "AU12"], "sad": ["AU01", "AU15"], "angry": ["AU04", "AU07"], "surprise": ["AU02", "AU05"]}


def synthetic_samples(count: int = 48, seed: int = 0) -> list[RawSample]:
    """Clips whose frames, audio and AUs follow their class, with coarse and fine targets."""
    from emoreason.mllm.evidence import au_from_lists

    rng = np.random.default_rng(seed)
    out = []
    for index in range(count):
        label = CLASSES[index % len(CLASSES)]
        k = CLASSES.index(label)
        base = np.zeros((32, 32, 3), dtype=np.float32)
        base[..., k % 3] = 200.0
        frames = [np.clip(base + rng.normal(0, 20, base.shape), 0, 255).astype(np.uint8) for _ in range(4)]
        t = np.arange(8000) / 16000.0
        audio = (0.3 * np.sin(2 * np.pi * (150 + 100 * k) * t) + 0.02 * rng.normal(size=t.size)).astype(np.float32)
        description = f"The person {_FACE[label]} and {_VOICE[label]}. Therefore, the emotion is {label}."
        out.append(RawSample(id=f"synthetic_{index:04d}", source="synthetic", label=label, description=description,
                             subtitle=_SAID[label], evidence={"au": au_from_lists(_AUS[label])},
                             frames=frames, audio=audio))
    return out


def _corpus() -> list[str]:
    from emoreason.mllm import templates

    lines = [s.description or "" for s in synthetic_samples(len(CLASSES))] + list(_SAID.values())
    lines += list(templates.EMOTION_LLAMA_FINE + templates.EMOTION_LLAMA_COARSE + templates.AFFECTGPT_FINE
                  + templates.AFFECTGPT_COARSE)
    lines += ["[INST] <video></video> <feature></feature> The person in video says: [emotion] [reason] [/INST]",
              "The audio content is as follows: <Audio></Audio> <Video></Video> <Subtitle></Subtitle> Answer:",
              ", ".join(CLASSES)]
    return lines * 4


def build_tokenizer(folder: Path) -> object:
    """A byte-level BPE tokenizer trained on the synthetic text, saved as an HF fast tokenizer."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<s>", "</s>", "<unk>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(_corpus(), trainers.BpeTrainer(vocab_size=600, special_tokens=specials,
                                                           initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>")
    fast.save_pretrained(str(folder))
    return fast


def build_tiny_bases(folder: str | Path, seed: int = 0) -> dict[str, Path]:
    """Write tiny ``lm``, ``vision`` and ``audio`` HF folders under `folder` (reused when present)."""
    import torch
    from transformers import (
        HubertConfig,
        HubertModel,
        LlamaConfig,
        LlamaForCausalLM,
        ViTConfig,
        ViTImageProcessor,
        ViTModel,
        Wav2Vec2FeatureExtractor,
    )

    from emoreason.mllm.encoders import quiet_transformers

    quiet_transformers()
    folder = Path(folder)
    paths = {name: folder / name for name in ("lm", "vision", "audio")}
    if all((p / "config.json").is_file() for p in paths.values()):
        return paths
    torch.manual_seed(seed)
    tokenizer = build_tokenizer(paths["lm"])
    lm = LlamaForCausalLM(LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=512, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, tie_word_embeddings=False))
    lm.save_pretrained(str(paths["lm"]))
    vit = ViTModel(ViTConfig(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                             image_size=32, patch_size=8))
    vit.save_pretrained(str(paths["vision"]))
    ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(str(paths["vision"]))
    hubert = HubertModel(HubertConfig(
        hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, conv_dim=(16, 16, 16),
        conv_stride=(5, 4, 4), conv_kernel=(10, 8, 8), num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4,
        vocab_size=8))
    hubert.save_pretrained(str(paths["audio"]))
    Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000).save_pretrained(str(paths["audio"]))
    return paths


def tiny_config(bases: dict[str, Path], *, steps: tuple[int, int] = (10, 20), template: str = "emotion-llama",
                samples: int = 48) -> MllmConfig:
    """A two-stage (coarse → fine) recipe over the tiny bases and the synthetic set."""
    return parse_config({
        "streams": [
            {"name": "frames", "kind": "vision", "encoder": str(bases["vision"]), "projector": "resampler",
             "num_queries": 4, "frames": 4},
            {"name": "speech", "kind": "audio", "encoder": str(bases["audio"]), "projector": "mlp", "max_tokens": 4},
            {"name": "aus", "kind": "evidence", "source": "au", "projector": "linear"},
        ],
        "lm": {"path": str(bases["lm"]), "lora": {"r": 8, "alpha": 16, "dropout": 0.0, "target_modules": "all-linear"},
               "max_length": 256, "max_new_tokens": 24},
        "trainable": ["projectors", "lora", "lm_head"],
        "data": {"sources": [{"kind": "synthetic", "limit": samples}], "template": template, "holdout_every": 8},
        "stages": [{"name": "coarse", "tasks": ["coarse"], "steps": steps[0], "learning_rate": 5e-3},
                   {"name": "fine", "tasks": ["fine"], "steps": steps[1], "learning_rate": 5e-3}],
        "train": {"batch_size": 4, "log_every": 1, "save_every": 10, "threads": 1, "device": "cpu"},
    }, "tiny config")
