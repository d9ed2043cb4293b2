"""A local GGUF model through llama-cpp-python (imported only when the model is loaded).

Every call has a hard wall-clock limit (``time_limit``): the reply is streamed and cut at the
limit, and the call then raises :class:`~emoreason.errors.ModelOutputError` saying so, so the
explanation writer falls back to the template with the reason recorded. The default model is
Qwen2.5-Coder-1.5B-Instruct when its wheels are installed, else SmolLM2-135M-Instruct
(:mod:`emoreason.reasoning.backends.gguf_models`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
import time
from pathlib import Path
from typing import Any

from emoreason.errors import BackendError, DependencyError, ModelOutputError
from emoreason.reasoning.backends.gguf_models import (
    ModelProfile,
    default_gguf_path,
    profile_for,
    smollm2_gguf_path,
)
from emoreason.reasoning.llm import ChatCompletion, ChatMessage

__all__ = ["INSTALL_HINT", "LlamaCppBackend", "default_gguf_path", "smollm2_gguf_path"]

INSTALL_HINT = (
    "install llama-cpp-python with portable CPU flags: CMAKE_ARGS=\"-DGGML_NATIVE=OFF -DGGML_AVX=ON "
    "-DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON\" pip install llama-cpp-python==0.3.36 "
    "(or run scripts/setup.sh)"
)


def default_threads() -> int:
    """CPU threads for llama.cpp: the cores this process may use, minus those other work keeps busy.

    llama.cpp threads spin while they wait for each other, so on a loaded machine more threads
    are slower (measured on 2 shared cores at load 8: 1 thread generated 6 tokens/s, 2 threads 1).
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    try:
        busy = os.getloadavg()[0]
    except OSError:  # pragma: no cover
        busy = 0.0
    return max(1, min(cores, round(cores - busy)))


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha1(f"{path.name}|{stat.st_size}".encode()).hexdigest()[:8]


class LlamaCppBackend:
    """Chat completions from a local GGUF file.

    Args:
        model_path: the GGUF file (default: :func:`default_gguf_path`).
        n_ctx: context window in tokens.
        n_threads: CPU threads (default: :func:`default_threads`, chosen when the backend is built).
        seed: sampling seed (replies are deterministic at temperature 0 anyway).
        chat_format: llama-cpp chat format; default: the template stored in the GGUF.
        time_limit: wall-clock seconds one call may take (default: the model's profile);
            ``None`` or 0 turns the limit off.
        json_schema: with ``json_mode``, constrain the reply to this JSON schema (else to any
            JSON object).

    Raises:
        BackendError: `model_path` does not exist.
        DependencyError: llama-cpp-python is not installed.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        seed: int = 0,
        chat_format: str | None = None,
        time_limit: float | None | str = "profile",
        json_schema: dict | None = None,
    ) -> None:
        self.model_path = Path(model_path).expanduser() if model_path else default_gguf_path()
        if not self.model_path.is_file():
            raise BackendError(f"{self.model_path}: no such GGUF file")
        if importlib.util.find_spec("llama_cpp") is None:
            raise DependencyError(f"the llama-cpp reasoner needs llama-cpp-python: {INSTALL_HINT}")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or default_threads()
        self.seed = seed
        self.chat_format = chat_format
        self.profile: ModelProfile = profile_for(self.model_path)
        self.json_schema = json_schema
        self.time_limit = self.profile.time_limit if time_limit == "profile" else (float(time_limit or 0) or None)
        self._llm: Any = None
        self._lock = threading.Lock()
        self._model_id = f"llama-cpp:{self.model_path.name}@{_file_fingerprint(self.model_path)}"

    @property
    def model_id(self) -> str:
        """``llama-cpp:<file name>@<fingerprint of name and size>``."""
        return self._model_id

    def load(self) -> Any:
        """Load the model now (otherwise the first call does).

        Raises:
            BackendError: llama.cpp cannot load the file.
        """
        with self._lock:
            if self._llm is None:
                from llama_cpp import Llama

                try:
                    self._llm = Llama(
                        model_path=str(self.model_path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                        seed=self.seed, chat_format=self.chat_format, verbose=False,
                    )
                except (ValueError, RuntimeError, OSError) as exc:
                    raise BackendError(f"{self.model_path}: llama.cpp cannot load it: {exc}") from exc
        return self._llm

    def complete(
        self,
        messages: list[ChatMessage],
        *,
        temperature: float = 0.0,
        max_tokens: int = 512,
        json_mode: bool = False,
    ) -> ChatCompletion:
        """Generate a reply (greedy at temperature 0), stopped at ``time_limit`` seconds.

        Raises:
            BackendError: loading or generation failed.
            ModelOutputError: the reply was cut at the time limit.
        """
        llm = self.load()
        kwargs: dict[str, Any] = {}
        if json_mode:
            kwargs["response_format"] = {"type": "json_object", **({"schema": self.json_schema} if self.json_schema
                                                                    else {})}
        started = time.monotonic()
        pieces: list[str] = []
        finish: str | None = None
        timed_out = False
        try:
            with self._lock:
                stream = llm.create_chat_completion(
                    messages=[m.model_dump() for m in messages], temperature=temperature,
                    max_tokens=max_tokens, seed=self.seed, stream=True, **kwargs,
                )
                for chunk in stream:
                    choice = chunk["choices"][0]
                    pieces.append(choice.get("delta", {}).get("content") or "")
                    finish = choice.get("finish_reason") or finish
                    if self.time_limit and time.monotonic() - started > self.time_limit and finish is None:
                        timed_out = True
                        stream.close()
                        break
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp generation failed: {exc}") from exc
        elapsed = time.monotonic() - started
        tokens = sum(1 for p in pieces if p)
        if timed_out:
            raise ModelOutputError(f"{self.model_path.name} stopped at the {self.time_limit:.0f} s time limit "
                                   f"after {tokens} tokens ({elapsed:.1f} s)")
        return ChatCompletion(
            text="".join(pieces), model=self.model_id, finish_reason=finish, prompt_tokens=None,
            completion_tokens=tokens,
        )
