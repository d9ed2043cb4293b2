"""The on-disk LLM-call cache."""

from __future__ import annotations

from pathlib import Path

from emoreason.reasoning.cache import CachedBackend, LLMCache, cache_key, default_cache_dir
from emoreason.reasoning.llm import ChatCompletion, ChatMessage


class CountingBackend:
    """A fake backend that counts calls."""

    model_id = "fake:1"

    def __init__(self, text: str = "reply") -> None:
        self.calls = 0
        self.text = text

    def complete(self, messages, *, temperature=0.0, max_tokens=512, json_mode=False):  # noqa: ANN001, ANN201
        self.calls += 1
        return ChatCompletion(text=self.text, model=self.model_id)


MSG = [ChatMessage(role="user", content="hi")]


def test_default_dir_honours_environment(_isolated_cache: Path) -> None:
    assert default_cache_dir() == _isolated_cache / "llm"


def test_key_depends_on_model_prompt_params_and_evidence() -> None:
    base = cache_key("m", MSG, {"t": 0})
    assert base == cache_key("m", MSG, {"t": 0})
    assert len({base, cache_key("n", MSG, {"t": 0}), cache_key("m", MSG, {"t": 1}), cache_key("m", MSG, {"t": 0}, "ev"),
                cache_key("m", [ChatMessage(role="user", content="ho")], {"t": 0})}) == 5


def test_cached_backend_calls_once(tmp_path: Path) -> None:
    inner = CountingBackend()
    cached = CachedBackend(inner, LLMCache(tmp_path), extra="evidence")
    assert not cached.complete(MSG).cached
    again = cached.complete(MSG)
    assert again.cached and again.text == "reply" and inner.calls == 1
    assert len(list(tmp_path.rglob("*.json"))) == 1


def test_empty_replies_are_not_cached(tmp_path: Path) -> None:
    inner = CountingBackend(text="")
    cached = CachedBackend(inner, LLMCache(tmp_path))
    cached.complete(MSG)
    cached.complete(MSG)
    assert inner.calls == 2


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = LLMCache(tmp_path)
    key = cache_key("m", MSG, {})
    cache.put(key, ChatCompletion(text="x", model="m"))
    next(tmp_path.rglob("*.json")).write_text("{broken")
    assert cache.get(key) is None


def test_unwritable_cache_is_only_logged(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    LLMCache(blocker).put("ab" * 32, ChatCompletion(text="x", model="m"))  # parent is a file: no raise
