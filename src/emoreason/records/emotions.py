"""Reasoning outputs: emotion scores, the explanation, and grounding violations."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record


class EmotionScore(Record):
    """One open-vocabulary emotion label with its score and what drove it."""

    label: str
    score: float = Field(ge=0.0, le=1.0)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    drivers: list[str] = Field(default_factory=list, description="Ids of clues behind the label.")
    family: str | None = Field(
        default=None, description="Coarse family (neutral, happy, sad, angry, worried, surprise, …)."
    )
    source: str = Field(default="fusion", description="'fusion', 'rule:<name>' or 'llm'.")
    rationale: list[str] = Field(
        default_factory=list, description="Why the label was chosen, one short line per driver."
    )


class GroundingViolation(Record):
    """A claim in the explanation that no evidence supports."""

    kind: str = Field(description="'modality', 'clue', 'time' or 'quote'.")
    claim: str
    detail: str = ""
    modality: str | None = Field(default=None, description="Modality the claim is about, if any.")
    start: int | None = Field(default=None, description="Character offset of the claim in the text.")
    end: int | None = Field(default=None, description="Character offset just after the claim.")


class Explanation(Record):
    """The natural-language explanation and how it was produced."""

    text: str
    writer: str = Field(description="template, llama-cpp, openai, …")
    model: str | None = None
    prompt: str | None = Field(default=None, description="Prompt name.")
    cited_clues: list[str] = Field(default_factory=list)
    violations: list[GroundingViolation] = Field(default_factory=list)
    fallback_reason: str | None = Field(
        default=None, description="Why the requested writer fell back to the template, if it did."
    )
    model_labels: list[str] = Field(
        default_factory=list, description="Labels the language model proposed (validated JSON only)."
    )
    attempts: int = Field(default=0, description="Model calls made (0 for the template writer).")
    cached: bool = Field(default=False, description="Whether the model reply came from the cache.")
    raw_output: str | None = Field(default=None, description="The model's last raw reply.")
