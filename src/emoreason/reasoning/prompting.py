"""The field's prompts, kept as data files and selectable by name.

Each prompt is a YAML file in ``emoreason/reasoning/prompts/`` with a ``system`` text, a
``user`` template and its provenance. Templates use ``{name}`` slots, filled from:

``evidence`` (every modality's clues, see :class:`~emoreason.reasoning.evidence.EvidenceView`),
``face``, ``voice``, ``text`` (one modality's clues), ``subtitle``, ``duration``,
``candidates`` (fusion's labels, strongest first), ``instruction`` (the chosen variant of a
prompt with several instructions) and ``answer_format`` (the JSON contract, shared; the only
slot the ``system`` text may use).

Only those slots are replaced, so literal JSON braces in a template are safe. Few-shot
examples (``examples.yaml``) are rendered through the same template and sent as earlier
user/assistant turns; each assistant turn is the JSON answer with its reasoning first and
its labels last, as ``answer_format.txt`` asks.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files

import yaml

from emoreason.errors import RegistryError
from emoreason.reasoning.evidence import EvidenceView
from emoreason.reasoning.llm import ChatMessage
from emoreason.records import Modality

DEFAULT_PROMPT = "emoreason"
_SLOT = re.compile(r"\{([a-z_]+)\}")
SLOTS = frozenset({
    "evidence", "face", "voice", "text", "subtitle", "duration", "candidates", "instruction", "answer_format",
})


@dataclass(frozen=True)
class PromptSpec:
    """One named prompt."""

    name: str
    title: str
    source: str
    system: str
    user: str
    description: str = ""
    instructions: tuple[str, ...] = ()
    variant: int = 1

    @property
    def instruction(self) -> str:
        """The selected instruction (prompts with several variants), else ''."""
        return self.instructions[self.variant - 1] if self.instructions else ""

    @property
    def full_name(self) -> str:
        """The name including the variant, e.g. ``emotion-llama:2``."""
        return f"{self.name}:{self.variant}" if self.instructions and self.variant != 1 else self.name


@dataclass
class RenderedPrompt:
    """The chat messages of one request, and a hash of the prompt that produced them."""

    messages: list
    name: str
    prompt_hash: str = field(default="")


def _data(name: str) -> str:
    return files("emoreason.reasoning").joinpath("prompts", name).read_text(encoding="utf-8")


def list_prompts() -> list[str]:
    """Names of the shipped prompts."""
    root = files("emoreason.reasoning").joinpath("prompts")
    skip = {"examples.yaml", *(f"{n}.yaml" for n in STEP_PROMPTS)}
    names = [p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml") and p.name not in skip]
    return sorted(names)


#: Multi-step prompt files (a ``steps`` mapping of templates): EIBench's coarse-to-fine self-ask, the scene row,
#: EMER's clue/emotion summaries and MERR's merge (dataset annotation, :mod:`emoreason.annotation`).
STEP_PROMPTS = ("cfsa", "scene", "emer-merge", "merr")


@dataclass(frozen=True)
class StepPrompts:
    """A prompt file with several steps (templates with their own ``{slots}``) and lists."""

    name: str
    title: str
    source: str
    system: str
    steps: dict[str, str]
    lists: dict[str, tuple[str, ...]]


@lru_cache(maxsize=8)
def load_step_prompts(name: str) -> StepPrompts:
    """The multi-step prompt file called `name` (see :data:`STEP_PROMPTS`).

    Raises:
        RegistryError: no such multi-step prompt.
    """
    if name not in STEP_PROMPTS:
        raise RegistryError(f"unknown multi-step prompt {name!r}; choose one of: {', '.join(STEP_PROMPTS)}")
    raw = yaml.safe_load(_data(f"{name}.yaml"))
    return StepPrompts(
        name=raw["name"], title=raw["title"], source=" ".join(str(raw["source"]).split()),
        system=" ".join(str(raw["system"]).split()), steps={k: str(v).rstrip("\n") for k, v in raw["steps"].items()},
        lists={k: tuple(v) for k, v in raw.get("lists", {}).items()},
    )


@lru_cache(maxsize=32)
def load_prompt(name: str | None = None) -> PromptSpec:
    """The prompt called `name` (``emotion-llama:3`` picks the third instruction).

    Raises:
        RegistryError: no prompt has that name, or the variant does not exist.
    """
    name = name or DEFAULT_PROMPT
    base, _, variant = name.partition(":")
    if base not in list_prompts():
        raise RegistryError(f"unknown prompt {name!r}; choose one of: {', '.join(list_prompts())}")
    raw = yaml.safe_load(_data(f"{base}.yaml"))
    spec = PromptSpec(
        name=raw["name"], title=raw["title"], source=" ".join(str(raw["source"]).split()),
        system=" ".join(str(raw["system"]).split()), user=str(raw["user"]).rstrip("\n"),
        description=" ".join(str(raw.get("description", "")).split()),
        instructions=tuple(raw.get("instructions", ())),
    )
    if variant:
        if not variant.isdigit() or not 1 <= int(variant) <= max(len(spec.instructions), 1) or not spec.instructions:
            count = len(spec.instructions)
            raise RegistryError(
                f"prompt {base!r} has {count or 'no'} instruction variants; "
                + (f"use {base}:1 … {base}:{count}" if count else f"use {base!r}")
            )
        spec = PromptSpec(**{**spec.__dict__, "variant": int(variant)})
    unknown = set(_SLOT.findall(spec.user)) - SLOTS
    if unknown:
        raise RegistryError(f"prompt {base!r} uses unknown slots {sorted(unknown)}; allowed: {sorted(SLOTS)}")
    if set(_SLOT.findall(spec.system)) - {"answer_format"}:
        raise RegistryError(f"prompt {base!r}: the system text may only use the {{answer_format}} slot")
    # In the system text the answer format stays the same from clip to clip, so a local model
    # keeps it in its prompt cache and only reads the evidence anew.
    return PromptSpec(**{**spec.__dict__, "system": fill(spec.system, {"answer_format": _answer_format()})})


def _answer_format() -> str:
    return _data("answer_format.txt").strip()


@lru_cache(maxsize=1)
def _examples() -> list[dict]:
    return yaml.safe_load(_data("examples.yaml"))


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known ``{slot}`` markers of `template` (others stay as written)."""
    return _SLOT.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _evidence_block(face: str, voice: str, text: str, subtitle: str) -> str:
    sub = f'SUBTITLE: "{subtitle}"' if subtitle else "SUBTITLE: (none)"
    return f"FACE:\n{face}\nVOICE:\n{voice}\nTEXT:\n{text}\n{sub}"


def slot_values(view: EvidenceView, candidates: list[str], spec: PromptSpec) -> dict[str, str]:
    """The slot values of one request."""
    return {
        "evidence": view.render(),
        "face": view.modality_block(Modality.FACE),
        "voice": view.modality_block(Modality.VOICE),
        "text": view.modality_block(Modality.TEXT),
        "subtitle": view.subtitle() or "(none)",
        "duration": f"{view.request.media.duration:.1f}",
        "candidates": ", ".join(candidates) or "neutral",
        "instruction": spec.instruction,
        "answer_format": _answer_format(),
    }


def _example_turns(spec: PromptSpec) -> list[ChatMessage]:
    turns: list[ChatMessage] = []
    for ex in _examples():
        values = {k: str(v) for k, v in ex.items() if k != "answer"}
        values["evidence"] = _evidence_block(ex["face"], ex["voice"], ex["text"], ex["subtitle"])
        values["instruction"] = spec.instruction
        values["answer_format"] = _answer_format()
        answer = {k: " ".join(v.split()) if isinstance(v, str) else v for k, v in ex["answer"].items()}
        turns.append(ChatMessage(role="user", content=fill(spec.user, values)))
        turns.append(ChatMessage(role="assistant", content=json.dumps(answer, ensure_ascii=False)))
    return turns


def render(spec: PromptSpec, view: EvidenceView, candidates: list[str], *, few_shot: bool = True) -> RenderedPrompt:
    """The chat messages that ask for `view`'s emotions under prompt `spec`."""
    messages = [ChatMessage(role="system", content=spec.system)]
    if few_shot:
        messages += _example_turns(spec)
    messages.append(ChatMessage(role="user", content=fill(spec.user, slot_values(view, candidates, spec))))
    blob = json.dumps([m.model_dump() for m in messages], sort_keys=True)
    return RenderedPrompt(messages, spec.full_name, hashlib.sha256(blob.encode()).hexdigest()[:16])
