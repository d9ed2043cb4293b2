"""On-disk cache of language-model calls.

A reply is stored under ``sha256(model id + messages + sampling parameters + extra)`` where
`extra` carries the evidence hash, as one JSON file in
``<platformdirs user cache>/emoreason/llm/<key[:2]>/<key>.json`` (``EMOREASON_CACHE_DIR``
overrides the root). :class:`CachedBackend` wraps any
:class:`~emoreason.reasoning.llm.ChatBackend` so writers and judges share one cache.
Nothing is created until the first write.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from emoreason.reasoning.llm import ChatBackend, ChatCompletion, ChatMessage

log = logging.getLogger(__name__)
CACHE_ENV = "EMOREASON_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$EMOREASON_CACHE_DIR/llm`` or the platform's user cache ``…/emoreason/llm``."""
    root = os.environ.get(CACHE_ENV)
    if root:
        return Path(root) / "llm"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("emoreason")) / "llm"


def cache_key(model_id: str, messages: list[ChatMessage], params: dict[str, object], extra: str = "") -> str:
    """The cache key of one call."""
    payload = {
        "model": model_id,
        "messages": [m.model_dump() for m in messages],
        "params": params,
        "extra": extra,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


class LLMCache:
    """A directory of cached completions."""

    def __init__(self, directory: str | Path | None = None) -> None:
        """Use `directory` (default: :func:`default_cache_dir`); created on first write."""
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> ChatCompletion | None:
        """The cached completion for `key`, or None (a corrupt entry counts as a miss)."""
        path = self._path(key)
        if not path.is_file():
            return None
        try:
            return ChatCompletion.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable cache entry %s: %s", path, exc)
            return None

    def put(self, key: str, completion: ChatCompletion) -> None:
        """Store `completion` atomically; a cache that cannot be written is only logged."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp",
                                             encoding="utf-8") as fh:
                fh.write(completion.model_dump_json())
            os.replace(fh.name, path)
        except OSError as exc:
            log.warning("cannot write LLM cache entry %s: %s", path, exc)


class CachedBackend:
    """A :class:`ChatBackend` that answers repeated calls from an :class:`LLMCache`."""

    def __init__(self, backend: ChatBackend, cache: LLMCache | None = None, *, extra: str = "") -> None:
        """Wrap `backend`; `extra` (e.g. an evidence hash) joins every key."""
        self.backend = backend
        self.cache = cache or LLMCache()
        self.extra = extra

    @property
    def model_id(self) -> str:
        """The wrapped backend's model id."""
        return self.backend.model_id

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> ChatCompletion:
        """Return the cached reply, or call the backend and cache a non-empty reply."""
        params = {"temperature": temperature, "max_tokens": max_tokens, "json_mode": json_mode}
        key = cache_key(self.backend.model_id, messages, params, self.extra)
        hit = self.cache.get(key)
        if hit is not None:
            return hit.model_copy(update={"cached": True})
        reply = self.backend.complete(messages, temperature=temperature, max_tokens=max_tokens, json_mode=json_mode)
        if reply.text.strip():
            self.cache.put(key, reply)
        return reply
