"""The multimodal LM: stream features → projectors → spliced into a causal LM's input embeddings (+ LoRA).

A prompt's ``<|stream:NAME|>`` markers are replaced by that stream's projected tokens; the
answer's tokens (and EOS) carry the loss, everything before them is masked with -100.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from emoreason.mllm.config import MllmConfig, MllmConfigError
from emoreason.mllm.templates import split_prompt

IGNORE = -100


@dataclass
class Built:
    """An example turned into embeddings (``(L, H)``) and labels (``(L,)``)."""

    embeds: Any
    labels: Any


def load_lm(config: MllmConfig, dtype: Any = None) -> tuple[Any, Any]:
    """(causal LM with LoRA applied as the config says, tokenizer) from ``lm.path``."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from emoreason.mllm.encoders import quiet_transformers

    quiet_transformers()
    try:
        tokenizer = AutoTokenizer.from_pretrained(config.lm.path)
        lm = AutoModelForCausalLM.from_pretrained(config.lm.path, dtype=dtype)
    except (OSError, ValueError) as exc:
        raise MllmConfigError(f"lm.path: cannot load a causal LM and tokenizer from {config.lm.path}: {exc}") from exc
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    lm.requires_grad_(False)
    extra = [p for p in ("lm_head", "embed_tokens") if p in config.trainable]
    if "lora" in config.trainable:
        from peft import LoraConfig, get_peft_model

        lora = config.lm.lora
        with warnings.catch_warnings():  # peft calls a transformers property deprecated in 5.x
            warnings.simplefilter("ignore", FutureWarning)
            lm = get_peft_model(lm, LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout,
                                               target_modules=lora.target_modules,
                                               modules_to_save=extra or None, task_type="CAUSAL_LM"))
    else:
        for name, param in lm.named_parameters():
            param.requires_grad = any(part in name for part in extra)
    return lm, tokenizer


class MultimodalLM:
    """Projectors + LM; `build` turns an example into embeddings, `loss` and `generate` use them."""

    def __init__(self, config: MllmConfig, lm: Any, tokenizer: Any, dims: dict[str, int]) -> None:
        import torch
        from torch import nn

        from emoreason.mllm.projectors import build_projector

        self.config = config
        self.lm = lm
        self.tokenizer = tokenizer
        self.dims = dims
        hidden = int(lm.get_input_embeddings().weight.shape[1])
        torch.manual_seed(config.train.seed)
        self.projectors = nn.ModuleDict({
            s.name: build_projector(s.projector, dims[s.name], hidden, max_tokens=s.max_tokens,
                                    num_queries=s.num_queries) for s in config.streams
        })
        self.projectors.requires_grad_("projectors" in config.trainable)

    @property
    def device(self) -> Any:
        """Where the LM sits."""
        return self.lm.get_input_embeddings().weight.device

    def to(self, device: Any) -> MultimodalLM:
        """Move LM and projectors to `device`."""
        self.lm.to(device)
        self.projectors.to(device)
        return self

    def trainable_parameters(self) -> list[Any]:
        """Parameters the optimizer updates (projectors, LoRA, modules to save)."""
        params = [p for p in self.projectors.parameters() if p.requires_grad]
        return params + [p for p in self.lm.parameters() if p.requires_grad]

    def _ids(self, text: str) -> list[int]:
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def build(self, prompt: str, features: dict[str, np.ndarray], target: str | None = None) -> Built:
        """Embeddings and labels for one example (`target` None: the prompt only, for generation)."""
        import torch

        embed = self.lm.get_input_embeddings()
        dtype, device = embed.weight.dtype, embed.weight.device
        pieces, labels = [], []
        bos = self.tokenizer.bos_token_id
        parts = ([("ids", [bos])] if bos is not None else []) + split_prompt(prompt)
        for kind, value in parts:
            if kind == "stream":
                if value not in features:
                    continue
                x = torch.as_tensor(features[value], dtype=torch.float32, device=device)
                tokens = self.projectors[value](x).to(dtype)
            else:
                ids = value if kind == "ids" else self._ids(value)
                if not ids:
                    continue
                tokens = embed(torch.tensor(ids, device=device))
            pieces.append(tokens)
            labels.extend([IGNORE] * tokens.shape[0])
        if target is not None:
            ids = self._ids(target) + [self.tokenizer.eos_token_id]
            pieces.append(embed(torch.tensor(ids, device=device)))
            labels.extend(ids)
        limit = self.config.lm.max_length
        embeds = torch.cat(pieces)[:limit]
        return Built(embeds=embeds, labels=torch.tensor(labels[:limit], device=device))

    def batch(self, built: list[Built]) -> dict[str, Any]:
        """Right-padded ``inputs_embeds``, ``attention_mask`` and ``labels``."""
        import torch

        length = max(b.embeds.shape[0] for b in built)
        hidden = built[0].embeds.shape[1]
        embeds = built[0].embeds.new_zeros((len(built), length, hidden))
        mask = torch.zeros((len(built), length), dtype=torch.long, device=embeds.device)
        labels = torch.full((len(built), length), IGNORE, dtype=torch.long, device=embeds.device)
        for row, item in enumerate(built):
            n = item.embeds.shape[0]
            embeds[row, :n] = item.embeds
            mask[row, :n] = 1
            labels[row, :n] = item.labels
        return {"inputs_embeds": embeds, "attention_mask": mask, "labels": labels}

    def loss(self, examples: list[Any]) -> Any:
        """Mean next-token loss over the answers of `examples` (objects with prompt/features/target)."""
        built = [self.build(e.prompt, e.features, e.target) for e in examples]
        return self.lm(**self.batch(built)).loss

    def logits(self, prompt: str, features: dict[str, np.ndarray], target: str | None = None) -> Any:
        """Logits over one example's sequence (for checks)."""
        import torch

        with torch.no_grad():
            return self.lm(**{k: v for k, v in self.batch([self.build(prompt, features, target)]).items()
                              if k != "labels"}).logits

    def generate(self, prompt: str, features: dict[str, np.ndarray], *, max_new_tokens: int | None = None) -> str:
        """Greedy answer to one prompt."""
        import torch

        built = self.build(prompt, features)
        with torch.no_grad():
            out = self.lm.generate(
                inputs_embeds=built.embeds.unsqueeze(0),
                attention_mask=torch.ones((1, built.embeds.shape[0]), dtype=torch.long, device=self.device),
                max_new_tokens=max_new_tokens or self.config.lm.max_new_tokens, do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id, eos_token_id=self.tokenizer.eos_token_id,
            )
        return str(self.tokenizer.decode(out[0], skip_special_tokens=True)).strip()
