"""The language model of an annotation run, and a recorder that keeps every call.

``template`` needs no model: the merge is then written by a deterministic template and the
record still carries a :class:`~emoreason.annotation.records.LLMCall` (writer ``template``,
the prompt hash of what *would* have been sent) so that every dataset line says how its text
was made. ``llama-cpp`` and ``openai`` use the project's chat backends
(:mod:`emoreason.reasoning.backends`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from emoreason.annotation.records import LLMCall
from emoreason.errors import BackendError, EmoreasonError, RegistryError
from emoreason.reasoning.llm import ChatBackend, ChatMessage

WRITERS = ("template", "llama-cpp", "openai")


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def prompt_hash(messages: list[ChatMessage]) -> str:
    """sha256[:16] of the chat messages (the same rule as the explanation writers)."""
    blob = json.dumps([m.model_dump() for m in messages], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def build_backend(
    writer: str, *, model: str | None = None, base_url: str | None = None, api_key: str | None = None,
) -> ChatBackend | None:
    """The chat backend of `writer` (None for ``template``).

    Raises:
        RegistryError: unknown writer name.
        BackendError, DependencyError: the backend cannot be built as configured.
    """
    name = {"llama_cpp": "llama-cpp", "gguf": "llama-cpp", "vllm": "openai", "ollama": "openai"}.get(writer, writer)
    if name == "template":
        return None
    if name == "llama-cpp":
        from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend

        return LlamaCppBackend(model)
    if name == "openai":
        from emoreason.reasoning.backends.openai_compat import OpenAIBackend

        return OpenAIBackend(base_url=base_url, model=model, api_key=api_key)
    raise RegistryError(f"unknown reasoner {writer!r}; choose one of: {', '.join(WRITERS)}")


@dataclass
class CallOutcome:
    """The reply text (None when the call failed) and its record."""

    text: str | None
    call: LLMCall


class Recorder:
    """Calls the backend (or not, for the template) and records each call."""

    def __init__(self, backend: ChatBackend | None, *, max_tokens: int = 320, temperature: float = 0.0) -> None:
        self.backend = backend
        self.max_tokens = max_tokens
        self.temperature = temperature

    @property
    def writer(self) -> str:
        """``template``, ``llama-cpp`` or ``openai``."""
        if self.backend is None:
            return "template"
        return str(getattr(self.backend, "model_id", "llm")).split(":", 1)[0]

    def ask(self, step: str, prompt: str, messages: list[ChatMessage], *, template_reply: str,
            json_mode: bool = False) -> CallOutcome:
        """The model's reply to `messages`, or `template_reply` without a model.

        A failing backend never raises: the outcome has ``text=None`` and the error in its call.
        """
        digest = prompt_hash(messages)
        started = time.perf_counter()
        if self.backend is None:
            call = LLMCall(step=step, writer="template", prompt=prompt, prompt_hash=digest,
                           raw_output=template_reply, time=now_iso())
            return CallOutcome(template_reply, call)
        try:
            reply = self.backend.complete(messages, temperature=self.temperature, max_tokens=self.max_tokens,
                                          json_mode=json_mode)
        except EmoreasonError as exc:
            return CallOutcome(None, self._failed(step, prompt, digest, str(exc), started))
        except Exception as exc:  # noqa: BLE001 - a backend bug must not lose the clip
            return CallOutcome(None, self._failed(step, prompt, digest, f"{type(exc).__name__}: {exc}", started))
        call = LLMCall(step=step, writer=self.writer, model=reply.model or self.backend.model_id, prompt=prompt,
                       prompt_hash=digest, raw_output=reply.text, seconds=round(time.perf_counter() - started, 3),
                       time=now_iso())
        if not reply.text.strip():
            call.ok, call.error = False, "empty reply"
            return CallOutcome(None, call)
        return CallOutcome(reply.text, call)

    def _failed(self, step: str, prompt: str, digest: str, error: str, started: float) -> LLMCall:
        return LLMCall(step=step, writer=self.writer, model=getattr(self.backend, "model_id", ""), prompt=prompt,
                       prompt_hash=digest, ok=False, error=" ".join(error.split())[:500],
                       seconds=round(time.perf_counter() - started, 3), time=now_iso())


__all__ = ["WRITERS", "BackendError", "CallOutcome", "Recorder", "build_backend", "now_iso", "prompt_hash"]
