"""The recipes shown in docs/mllm.md are valid configs; the budget formulas match hand counts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from emoreason.mllm import budget
from emoreason.mllm.config import parse_config

DOC = Path(__file__).resolve().parents[2] / "docs" / "mllm.md"


def test_documented_recipes_parse() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 2
    configs = [parse_config(yaml.safe_load(block), "docs/mllm.md") for block in blocks]
    assert [c.data.template for c in configs] == ["emotion-llama", "affectgpt"]
    assert [s.name for s in configs[0].stages] == ["coarse", "fine"]


def test_lora_count_matches_peft_on_a_tiny_llama() -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    shape = budget.LMShape("tiny", 0.0, hidden=64, layers=2, intermediate=128, kv_width=32)
    lm = LlamaForCausalLM(LlamaConfig(vocab_size=50, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                      num_attention_heads=4, num_key_value_heads=2))
    peft = get_peft_model(lm, LoraConfig(r=4, target_modules="all-linear"))
    counted = sum(p.numel() for n, p in peft.named_parameters() if "lora_" in n)
    assert counted == budget.lora_params(shape, 4)
