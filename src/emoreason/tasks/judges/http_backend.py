"""A minimal OpenAI-compatible chat backend for judges (``/v1/chat/completions``).

Used by ``emoreason eval --judge-base-url`` when the reasoning package does not provide
its own HTTP backend. Implements the ``ChatBackend`` protocol of
:mod:`emoreason.reasoning.llm`.
"""

from __future__ import annotations

import httpx

from emoreason.errors import BackendError
from emoreason.reasoning.llm import ChatCompletion, ChatMessage


class OpenAICompatibleJudgeBackend:
    """POSTs chat completions to an OpenAI-compatible server."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout: float = 120.0) -> None:
        """Talk to `base_url` (e.g. ``http://127.0.0.1:8080/v1``) asking for `model`."""
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout)

    @property
    def model_id(self) -> str:
        """The requested model name."""
        return self.model

    def complete(self, messages: list[ChatMessage], *, temperature: float = 0.0, max_tokens: int = 512,
                 json_mode: bool = False) -> ChatCompletion:
        """One chat completion; transport/HTTP/format failures raise :class:`BackendError`."""
        body: dict[str, object] = {"model": self.model, "temperature": temperature, "max_tokens": max_tokens,
                                   "messages": [{"role": m.role, "content": m.content} for m in messages]}
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        url = f"{self.base_url}/chat/completions"
        try:
            response = self._client.post(url, json=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise BackendError(f"{url}: request failed: {exc}") from exc
        if response.status_code != 200:
            raise BackendError(f"{url}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            data = response.json()
            choice = data["choices"][0]
            text = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise BackendError(f"{url}: reply is not an OpenAI chat completion: {response.text[:200]}") from exc
        if not isinstance(text, str):
            raise BackendError(f"{url}: reply content is not text")
        return ChatCompletion(text=text, model=str(data.get("model", self.model)),
                              finish_reason=choice.get("finish_reason"))
