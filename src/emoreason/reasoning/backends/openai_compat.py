"""Any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama, llama.cpp server) over httpx.

Configuration comes from the arguments, else from ``EMOREASON_OPENAI_BASE_URL``,
``EMOREASON_OPENAI_MODEL``, ``EMOREASON_OPENAI_API_KEY`` (falling back to ``OPENAI_BASE_URL``
and ``OPENAI_API_KEY``). Transient failures (connection errors, HTTP 429 and 5xx) are retried
a bounded number of times; every other failure raises :class:`~emoreason.errors.BackendError`.
"""

from __future__ import annotations

import os
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from emoreason.errors import BackendError
from emoreason.reasoning.llm import ChatCompletion, ChatMessage

ENV_BASE_URL = "EMOREASON_OPENAI_BASE_URL"
ENV_MODEL = "EMOREASON_OPENAI_MODEL"
ENV_API_KEY = "EMOREASON_OPENAI_API_KEY"
RETRY_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


class OpenAIBackend:
    """Chat completions from ``POST {base_url}/chat/completions``.

    Args:
        base_url: endpoint root, e.g. ``http://localhost:8000/v1``.
        model: model name the endpoint serves.
        api_key: bearer token (optional for local servers).
        timeout: seconds per request (connect, read and write).
        max_retries: extra attempts after a transient failure.

    Raises:
        BackendError: no base URL or no model was given or found in the environment.
    """

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 60.0,
        *,
        max_retries: int = 2,
        backoff: float = 0.5,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or _env(ENV_BASE_URL, "OPENAI_BASE_URL") or "").rstrip("/")
        self.model = model or _env(ENV_MODEL) or ""
        if not self.base_url:
            raise BackendError(f"no endpoint: pass base_url (--base-url) or set {ENV_BASE_URL}")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BackendError(f"--base-url {self.base_url!r}: not an http(s) URL (e.g. http://127.0.0.1:8080/v1)")
        if not self.model:
            raise BackendError(f"no model name: pass model (--model) or set {ENV_MODEL}")
        self.api_key = api_key or _env(ENV_API_KEY, "OPENAI_API_KEY")
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.backoff = backoff
        self._transport = transport

    @property
    def model_id(self) -> str:
        """``openai:<model>@<base_url>``."""
        return f"openai:{self.model}@{self.base_url}"

    def _post(self, payload: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        url = f"{self.base_url}/chat/completions"
        last = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with httpx.Client(timeout=self.timeout, transport=self._transport) as client:
                    response = client.post(url, json=payload, headers=headers)
            except httpx.TimeoutException:
                raise BackendError(f"{url}: no reply within {self.timeout:g} s") from None
            except httpx.HTTPError as exc:
                last = f"{url}: {type(exc).__name__}: {exc}"
                continue
            if response.status_code in RETRY_STATUS and attempt < self.max_retries:
                last = f"{url}: HTTP {response.status_code}"
                continue
            if response.status_code >= 400:
                body = response.text[:300].replace("\n", " ")
                raise BackendError(f"{url}: HTTP {response.status_code}: {body}")
            return response
        raise BackendError(f"{last} (after {self.max_retries + 1} attempts)")

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> ChatCompletion:
        """Ask the endpoint for a reply.

        Raises:
            BackendError: the endpoint is unreachable, slow, answers an HTTP error, or its body
                is not an OpenAI chat-completion object.
        """
        payload: dict[str, Any] = {
            "model": self.model, "messages": [m.model_dump() for m in messages],
            "temperature": temperature, "max_tokens": max_tokens,
        }
        if json_mode:
            payload["response_format"] = {"type": "json_object"}
        response = self._post(payload)
        try:
            body = response.json()
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            snippet = response.text[:200].replace("\n", " ")
            raise BackendError(f"{self.base_url}: not a chat-completion reply ({exc!r}): {snippet!r}") from exc
        usage = body.get("usage") or {}
        return ChatCompletion(
            text=text, model=str(body.get("model") or self.model), finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"), completion_tokens=usage.get("completion_tokens"),
        )
