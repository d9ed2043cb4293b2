"""The registry of trainable heads: ``emoreason train HEAD`` resolves HEAD here.

A head recipe is a :class:`Trainer` subclass registered with one line::

    TRAINERS.register(ComponentSpec("face-au", "emoreason.training.face_au:FaceAUTrainer", "AU patterns → emotions"))

Third-party packages register through the ``emoreason.trainers`` entry-point group. A recipe
must be offline, CPU-only, seeded and deterministic, and write its weights plus a
``MODEL_CARD.md`` (data file hashes, class counts, label mappings, hyper-parameters,
evaluation table) into the output folder.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from emoreason.registry import ComponentSpec, Registry


def apply_overrides(defaults: dict[str, Any], overrides: dict[str, str], recipe: str) -> dict[str, Any]:
    """`defaults` with ``--set key=value`` strings applied, each cast to its default's type.

    Raises:
        ValueError: a key the recipe does not know, or a value that does not cast.
    """
    params = dict(defaults)
    for key, value in overrides.items():
        if key not in params:
            raise ValueError(f"unknown {recipe} setting {key!r}; known: {', '.join(sorted(params))}")
        if isinstance(params[key], str):
            params[key] = value
            continue
        kind = type(params[key])
        try:
            params[key] = kind(value)
        except ValueError:
            raise ValueError(f"--set {key}={value}: not a {kind.__name__}") from None
    return params


@dataclass
class TrainOptions:
    """What every recipe receives."""

    data_root: Path
    out_dir: Path
    seed: int = 0
    #: Keep at most this many training utterances per corpus split (None: all); for quick runs and tests.
    limit: int | None = None
    #: Recipe-specific overrides (``--set key=value`` on the command line).
    overrides: dict[str, str] = field(default_factory=dict)


@dataclass
class TrainResult:
    """What a recipe produced."""

    head: str
    weights: Path
    model_card: Path
    metrics: dict[str, float] = field(default_factory=dict)
    extra_files: list[Path] = field(default_factory=list)


class Trainer(ABC):
    """One trainable head's recipe."""

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    #: The recipe's default settings (``--set KEY=VALUE`` overrides them); empty when it has none.
    defaults: ClassVar[dict[str, Any]] = {}

    @abstractmethod
    def train(self, options: TrainOptions) -> TrainResult:
        """Train on `options.data_root`, write weights + model card into `options.out_dir`."""

    def describe(self) -> dict[str, Any]:
        """Name, summary and default hyper-parameters (for ``emoreason train --list``)."""
        info: dict[str, Any] = {"name": self.name, "summary": self.summary}
        return {**info, "defaults": self.defaults} if self.defaults else info


#: Trainable heads by name.
TRAINERS: Registry[Trainer] = Registry("trainers", base=Trainer)
TRAINERS.register(ComponentSpec("text-emotion", "emoreason.training.text_head:TextEmotionTrainer",
                                "text → 7 canonical emotions + valence over a frozen sentence encoder "
                                "(MER2023 + MELD + CMU-MOSI)", aliases=("text",)))
TRAINERS.register(ComponentSpec("face-au", "emoreason.training.face_au:FaceAUTrainer",
                                "face AU pattern → 6 emotion classes (MERR fine-grained)"))
TRAINERS.register(ComponentSpec("dialogue", "emoreason.training.dialogue_recipe:DialogueTrainer",
                                "dialogue emotion in context, emotion–cause pairs, cause spans (ECF 1.0)"))
TRAINERS.register(ComponentSpec("dialogue-lora", "emoreason.training.dialogue_lora:DialogueLoraTrainer",
                                "dialogue emotion in context read by e5-small fine-tuned with LoRA (ECF 1.0)"))
TRAINERS.register(ComponentSpec("dialogue-cause-lora",
                                "emoreason.training.dialogue_cause_lora:DialogueCauseLoraTrainer",
                                "dialogue emotion-cause pairs read by e5-small fine-tuned with LoRA (ECF 1.0)"))
TRAINERS.register(ComponentSpec("dialogue-decision", "emoreason.training.dialogue_decision:DialogueDecisionTrainer",
                                "dialogue decision settings (neutral prior, pair threshold) re-tuned on ECF dev"))
TRAINERS.register(ComponentSpec("fusion", "emoreason.training.fusion_fit:FusionTrainer",
                                "learned decision's pooling weights (your labelled batch results, or MERR)"))
TRAINERS.register(ComponentSpec("mllm", "emoreason.mllm.recipe:MllmTrainer",
                                "multimodal LLM: encoders + evidence → projectors → causal LM + LoRA"))
