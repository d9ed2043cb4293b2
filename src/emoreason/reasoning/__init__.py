"""Reasoning: fuse clues into open-vocabulary emotions and grounded explanations.

``get_reasoner(name, ...)`` returns a :class:`Reasoner` whose ``reason(request)`` fuses the
clues of a :class:`ReasoningRequest` and explains them with the template writer or any
language model. Backends (:class:`LlamaCppBackend`, :class:`OpenAIBackend`) implement
:class:`ChatBackend` and are reusable by evaluation judges. Heavy modules load lazily.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from emoreason.reasoning.factory import REASONERS, get_reasoner
from emoreason.reasoning.llm import ChatBackend, ChatCompletion, ChatMessage
from emoreason.reasoning.protocol import Reasoner, ReasoningOutcome, ReasoningRequest

if TYPE_CHECKING:
    from emoreason.reasoning.backends import LlamaCppBackend, OpenAIBackend
    from emoreason.reasoning.cache import CachedBackend, LLMCache
    from emoreason.reasoning.fusion import FusionResult, fuse
    from emoreason.reasoning.grounding import check_grounding
    from emoreason.reasoning.prompting import list_prompts, load_prompt

_LAZY = {
    "LlamaCppBackend": "emoreason.reasoning.backends.llama_cpp",
    "OpenAIBackend": "emoreason.reasoning.backends.openai_compat",
    "CachedBackend": "emoreason.reasoning.cache",
    "LLMCache": "emoreason.reasoning.cache",
    "FusionResult": "emoreason.reasoning.fusion",
    "fuse": "emoreason.reasoning.fusion",
    "check_grounding": "emoreason.reasoning.grounding",
    "list_prompts": "emoreason.reasoning.prompting",
    "load_prompt": "emoreason.reasoning.prompting",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "REASONERS",
    "CachedBackend",
    "ChatBackend",
    "ChatCompletion",
    "ChatMessage",
    "FusionResult",
    "LLMCache",
    "LlamaCppBackend",
    "OpenAIBackend",
    "Reasoner",
    "ReasoningOutcome",
    "ReasoningRequest",
    "check_grounding",
    "fuse",
    "get_reasoner",
    "list_prompts",
    "load_prompt",
]
