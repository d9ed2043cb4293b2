"""Chat backends: a local GGUF through llama-cpp-python, or any OpenAI-compatible endpoint.

Both implement :class:`emoreason.reasoning.llm.ChatBackend` and are shared by the explanation
writers and the evaluation judges.
"""

from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend, default_gguf_path
from emoreason.reasoning.backends.openai_compat import OpenAIBackend

__all__ = ["LlamaCppBackend", "OpenAIBackend", "default_gguf_path"]
