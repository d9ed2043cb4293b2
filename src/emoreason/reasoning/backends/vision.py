"""Vision-language chat over any OpenAI-compatible endpoint: messages with image parts.

Images travel as base64 ``data:`` URLs in ``image_url`` content parts — the form OpenAI, vLLM,
Ollama's OpenAI API, LM Studio and llama.cpp's server accept:

.. code-block:: json

    {"role": "user", "content": [
        {"type": "text", "text": "..."},
        {"type": "image_url", "image_url": {"url": "data:image/jpeg;base64,..."}}]}

HTTP, retries and errors are :class:`~emoreason.reasoning.backends.openai_compat.OpenAIBackend`'s
(this class extends it); configuration falls back to ``EMOREASON_VISION_BASE_URL``,
``EMOREASON_VISION_MODEL`` and ``EMOREASON_VISION_API_KEY``, then to the text endpoint's
variables. Text-only :meth:`complete` still works, so a vision backend is also a
:class:`~emoreason.reasoning.llm.ChatBackend`.
"""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any, Literal

import numpy as np
from pydantic import Field

from emoreason.errors import BackendError
from emoreason.reasoning.backends.openai_compat import ENV_API_KEY, ENV_BASE_URL, ENV_MODEL, OpenAIBackend
from emoreason.reasoning.llm import ChatCompletion
from emoreason.records.base import Record

ENV_VISION_BASE_URL = "EMOREASON_VISION_BASE_URL"
ENV_VISION_MODEL = "EMOREASON_VISION_MODEL"
ENV_VISION_API_KEY = "EMOREASON_VISION_API_KEY"
#: Longer side of images sent to the model, and their JPEG quality.
SEND_MAX_SIDE = 1024
JPEG_QUALITY = 88


class ImagePart(Record):
    """One image in a message: JPEG bytes (base64) and what it shows."""

    data_b64: str = Field(repr=False)
    mime: str = "image/jpeg"
    label: str = Field(default="", description="What the image is, e.g. 'the photo' or 'peak frame 18.6 s'.")

    @property
    def sha256(self) -> str:
        """Short hash of the image bytes (recorded instead of the bytes)."""
        return hashlib.sha256(self.data_b64.encode()).hexdigest()[:16]

    def describe(self) -> str:
        """'<label> (image/jpeg, sha256 …)' for records and logs."""
        return f"{self.label or 'image'} ({self.mime}, sha256 {self.sha256})"


class VisionMessage(Record):
    """A chat turn whose content is text followed by images."""

    role: Literal["system", "user", "assistant"]
    text: str
    images: list[ImagePart] = Field(default_factory=list)

    def to_openai(self) -> dict[str, Any]:
        """The message in OpenAI's content-parts form (plain string content without images)."""
        if not self.images:
            return {"role": self.role, "content": self.text}
        parts: list[dict[str, Any]] = [{"type": "text", "text": self.text}]
        parts += [{"type": "image_url", "image_url": {"url": f"data:{i.mime};base64,{i.data_b64}"}}
                  for i in self.images]
        return {"role": self.role, "content": parts}


def encode_image(rgb: np.ndarray, *, label: str = "", max_side: int = SEND_MAX_SIDE) -> ImagePart:
    """JPEG-encode an RGB uint8 array (downscaled to `max_side`) as an :class:`ImagePart`."""
    import cv2

    arr = np.ascontiguousarray(rgb[..., :3])
    if max(arr.shape[:2]) > max_side:
        f = max_side / max(arr.shape[:2])
        arr = cv2.resize(arr, (max(1, int(arr.shape[1] * f)), max(1, int(arr.shape[0] * f))),
                         interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(arr, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise BackendError("could not JPEG-encode the image for the vision model")
    return ImagePart(data_b64=base64.b64encode(buf.tobytes()).decode("ascii"), label=label)


def _env(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def vision_configured() -> bool:
    """Whether a vision endpoint is configured in the environment (base URL and model)."""
    return bool(_env(ENV_VISION_BASE_URL)) and bool(_env(ENV_VISION_MODEL))


class VisionBackend(OpenAIBackend):
    """An OpenAI-compatible chat endpoint that also accepts images.

    Args:
        base_url, model, api_key: the endpoint (else ``EMOREASON_VISION_*``, then the text
            endpoint's ``EMOREASON_OPENAI_*`` variables).
        timeout: seconds per request (images make requests slower than text).

    Raises:
        BackendError: no base URL or no model name.
    """

    def __init__(
        self,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        timeout: float = 120.0,
        **options: Any,
    ) -> None:
        base = base_url or _env(ENV_VISION_BASE_URL, ENV_BASE_URL, "OPENAI_BASE_URL")
        name = model or _env(ENV_VISION_MODEL, ENV_MODEL)
        if not base:
            raise BackendError(f"no vision endpoint: pass --base-url or set {ENV_VISION_BASE_URL}")
        if not name:
            raise BackendError(f"no vision model name: pass --model or set {ENV_VISION_MODEL}")
        key = api_key or _env(ENV_VISION_API_KEY, ENV_API_KEY, "OPENAI_API_KEY")
        super().__init__(base, name, key, timeout, **options)

    @property
    def model_id(self) -> str:
        """``vision:<model>@<base_url>``."""
        return f"vision:{self.model}@{self.base_url}"

    def complete_vision(
        self,
        messages: list[VisionMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int = 1024,
        json_mode: bool = False,
    ) -> ChatCompletion:
        """Ask the endpoint about messages that carry images.

        Raises:
            BackendError: unreachable, slow, HTTP error, or not a chat-completion reply.
        """
        payload: dict[str, Any] = {
            "model": self.model, "messages": [m.to_openai() for m in messages],
            "temperature": temperature, "max_tokens": max_tokens,
        }
        if json_mode:
            payload["response_format"] = {"type": "json_object"}
        return self._reply(self._post(payload))

    def _reply(self, response: Any) -> ChatCompletion:
        try:
            body = response.json()
            choice = body["choices"][0]
            content = choice["message"].get("content") or ""
            if isinstance(content, list):  # some servers answer in parts too
                content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            snippet = response.text[:200].replace("\n", " ")
            raise BackendError(f"{self.base_url}: not a chat-completion reply ({exc!r}): {snippet!r}") from exc
        usage = body.get("usage") or {}
        return ChatCompletion(
            text=str(content), model=str(body.get("model") or self.model), finish_reason=choice.get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"), completion_tokens=usage.get("completion_tokens"),
        )
