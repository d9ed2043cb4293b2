"""Tiny random-init bases for the mllm tests (built once per session, no download)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def tiny_bases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny ViT, HuBERT and Llama folders with processors and an offline BPE tokenizer."""
    import torch

    from emoreason.mllm.tiny import build_tiny_bases

    torch.set_num_threads(1)
    return build_tiny_bases(tmp_path_factory.mktemp("tiny-base"))


@pytest.fixture(scope="session")
def tiny_run(tiny_bases: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[object, Path]:
    """A finished 30-step tiny run (coarse 10 + fine 20): its in-memory model and output folder."""
    from emoreason.mllm.tiny import tiny_config
    from emoreason.mllm.train import prepare, run_training

    out = tmp_path_factory.mktemp("tiny-run")
    prep = prepare(tiny_config(tiny_bases), out, ".")
    run_training(prep, out)
    return prep.model, out
