"""Reasoning outputs: emotion scores and the explanation."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record


class EmotionScore(Record):
    """One open-vocabulary emotion label with its score."""

    label: str
    score: float = Field(ge=0.0, le=1.0)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    drivers: list[str] = Field(default_factory=list, description="Ids of clues behind the label.")


class GroundingViolation(Record):
    """A claim in the explanation that no evidence supports."""

    kind: str = Field(description="'modality', 'clue' or 'time'.")
    claim: str
    detail: str = ""


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
