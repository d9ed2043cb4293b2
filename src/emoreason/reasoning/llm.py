"""The language-model contract shared by explanation writers and evaluation judges.

Backends (llama-cpp, OpenAI-compatible HTTP) implement :class:`ChatBackend`; callers
never touch a vendor SDK directly.
"""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

from pydantic import Field

from emoreason.records.base import Record


class ChatMessage(Record):
    """One chat turn."""

    role: Literal["system", "user", "assistant"]
    content: str


class ChatCompletion(Record):
    """A backend's reply."""

    text: str
    model: str = Field(description="Model id as the backend reports it.")
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cached: bool = False


@runtime_checkable
class ChatBackend(Protocol):
    """A chat-completion model."""

    @property
    def model_id(self) -> str:
        """Stable id of the model (used in cache keys and result records)."""
        ...

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> ChatCompletion:
        """Return the model's reply to `messages`.

        Raises:
            BackendError: the model could not be reached or loaded.
        """
        ...
