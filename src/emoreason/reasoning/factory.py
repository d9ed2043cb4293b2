"""The reasoner registry and :func:`get_reasoner`, the one way callers obtain a reasoner."""

from __future__ import annotations

from emoreason.errors import RegistryError
from emoreason.reasoning.protocol import Reasoner
from emoreason.registry import ComponentSpec, Registry

#: Reasoner names → classes, imported only when resolved. Third parties register through the
#: ``emoreason.reasoners`` entry-point group (``name = "package.module:Class"``); a class is
#: built with the keyword options of :func:`get_reasoner`.
REASONERS: Registry[Reasoner] = Registry("reasoners")
REASONERS.register(ComponentSpec(
    "template", "emoreason.reasoning.writers.template:TemplateReasoner",
    "fusion + deterministic EMER-style paragraph, no model", capabilities=frozenset({"offline", "deterministic"}),
))
REASONERS.register(ComponentSpec(
    "llama-cpp", "emoreason.reasoning.writers.llm:LlamaCppReasoner",
    "fusion + a local GGUF model (Qwen2.5-Coder-1.5B when installed, else SmolLM2-135M)",
    aliases=("llama_cpp", "llamacpp", "gguf"),
    capabilities=frozenset({"offline", "llm"}),
))
REASONERS.register(ComponentSpec(
    "openai", "emoreason.reasoning.writers.llm:OpenAIReasoner",
    "fusion + any OpenAI-compatible chat endpoint", aliases=("openai-compatible", "vllm", "ollama"),
    capabilities=frozenset({"llm", "network"}),
))

REASONERS.register(ComponentSpec("mllm", "emoreason.mllm.reasoner:MllmReasoner",
                                 "fusion + a checkpoint of `emoreason train mllm` (--model DIR)",
                                 capabilities=frozenset({"offline", "llm"})))


def get_reasoner(
    name: str = "template",
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    prompt: str | None = None,
    cache: bool = True,
    fallback: str = "template",
) -> Reasoner:
    """Build the reasoner registered as `name`.

    Args:
        name: ``template`` (default), ``llama-cpp``, ``openai`` or an entry-point name.
        model: GGUF path (llama-cpp) or model name (openai).
        base_url: OpenAI-compatible endpoint root (openai).
        api_key: bearer token (openai).
        prompt: prompt name: ``emoreason`` (default), ``emer``, ``affectgpt``,
            ``emotion-llama`` (``emotion-llama:1`` … ``:5``).
        cache: reuse language-model replies cached on disk.
        fallback: for language-model reasoners, ``template`` (a failing backend is replaced by
            the template writer, with a warning) or ``none`` (its BackendError is raised).

    Raises:
        RegistryError: unknown reasoner or prompt name.
        BackendError: the model or endpoint is not usable as configured.
        DependencyError: the backend's package is not installed.
    """
    cls = REASONERS.resolve(name)
    options: dict[str, object] = {"model": model, "base_url": base_url, "api_key": api_key, "prompt": prompt,
                                  "cache": cache}
    if _accepts(cls, "fallback"):
        options["fallback"] = fallback
    reasoner = cls(**options)  # type: ignore[call-arg]
    if not isinstance(reasoner, Reasoner):
        raise RegistryError(f"reasoner {name!r} ({type(reasoner).__name__}) has no name/reason()")
    return reasoner


def _accepts(cls: type, name: str) -> bool:
    """Whether `cls`'s constructor takes the keyword `name` (directly or through ``**options``)."""
    import inspect

    params = inspect.signature(cls).parameters.values()
    return any(p.name == name or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
