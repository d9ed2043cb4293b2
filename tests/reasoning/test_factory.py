"""get_reasoner and the reasoner registry."""

from __future__ import annotations

import pytest

from emoreason.errors import RegistryError
from emoreason.reasoning import REASONERS, Reasoner, get_reasoner


def test_registered_names_and_aliases() -> None:
    assert REASONERS.names() == ["llama-cpp", "mllm", "openai", "template"]
    assert REASONERS.spec("vllm").name == "openai"
    assert REASONERS.spec("gguf").name == "llama-cpp"
    assert "offline" in REASONERS.spec("template").capabilities


def test_default_is_the_template_reasoner() -> None:
    reasoner = get_reasoner()
    assert isinstance(reasoner, Reasoner) and reasoner.name == "template"


def test_unknown_names_raise_with_choices() -> None:
    with pytest.raises(RegistryError, match="choose one of: llama-cpp, mllm, openai, template"):
        get_reasoner("gpt-17")
    with pytest.raises(RegistryError, match="unknown prompt"):
        get_reasoner("openai", model="m", base_url="http://127.0.0.1:1/v1", prompt="nope")


def test_importing_reasoning_loads_no_backend() -> None:
    import subprocess
    import sys

    code = ("import sys, emoreason.reasoning as r; r.get_reasoner().reason; "
            "print(any(m in sys.modules for m in ('llama_cpp', 'httpx', 'emoreason.reasoning.writers.llm')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
