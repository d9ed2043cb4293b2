"""The field's prompts, kept as data files and selectable by name.

Each prompt is a YAML file in ``emoreason/reasoning/prompts/`` with a ``system`` text, a
``user`` template and its provenance. Templates use ``{name}`` slots, filled from:

``evidence`` (every modality's clues, see :class:`~emoreason.reasoning.evidence.EvidenceView`),
``face``, ``voice``, ``text`` (one modality's clues), ``subtitle``, ``duration``,
``candidates`` (fusion's labels, strongest first), ``instruction`` (the chosen variant of a
prompt with several instructions) and ``answer_format`` (the JSON contract, shared).

Only those slots are replaced, so literal JSON braces in a template are safe. Few-shot
examples (``examples.yaml``) are rendered through the same template and sent as earlier
user/assistant turns.
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
    names = [p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml") and p.name != "examples.yaml"]
    return sorted(names)


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
    return spec


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
        "answer_format": _data("answer_format.txt").strip(),
    }


def _example_turns(spec: PromptSpec) -> list[ChatMessage]:
    turns: list[ChatMessage] = []
    for ex in _examples():
        values = {k: str(v) for k, v in ex.items() if k != "answer"}
        values["evidence"] = _evidence_block(ex["face"], ex["voice"], ex["text"], ex["subtitle"])
        values["instruction"] = spec.instruction
        values["answer_format"] = _data("answer_format.txt").strip()
        answer = {**ex["answer"], "explanation": " ".join(ex["answer"]["explanation"].split())}
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
