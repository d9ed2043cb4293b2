"""Clues: timestamped, evidence-carrying observations that perception hands to reasoning."""

from __future__ import annotations

import hashlib

from pydantic import Field

from emoreason.records.base import Modality, Record, StageStatus, TimeSpan


class Evidence(Record):
    """One measured quantity behind a clue (an AU intensity, a pitch in semitones, a word)."""

    name: str = Field(description="What was measured, e.g. 'AU12_r', 'f0_mean_st', 'word'.")
    value: float | str | bool
    unit: str = ""
    time: float | None = Field(default=None, description="Time of the measurement, seconds.")
    frame: int | None = Field(default=None, description="Frame index, for visual evidence.")


class Clue(Record):
    """One observation in one modality over a time span, with the numbers behind it."""

    id: str = Field(default="", description="Stable id, filled from content when empty.")
    modality: Modality
    description: str = Field(description="Short natural-language phrase, e.g. 'smiles broadly'.")
    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    strength: float = Field(ge=0.0, le=1.0, description="Salience of the clue in [0, 1].")
    evidence: list[Evidence] = Field(default_factory=list)
    tags: list[str] = Field(
        default_factory=list,
        description="Machine-readable cue tags the fusion stage reads, e.g. 'smile', 'frown'.",
    )
    source: str = Field(default="", description="Extractor that produced the clue.")
    track_id: int | None = Field(default=None, description="Face/speaker track, when relevant.")

    def model_post_init(self, __context: object) -> None:
        """Derive a stable id from the clue's content when none was given."""
        if not self.id:
            key = f"{self.modality.value}|{self.description}|{self.start:.3f}|{self.end:.3f}"
            self.id = f"{self.modality.value}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"

    @property
    def span(self) -> TimeSpan:
        """The clue's time span."""
        return TimeSpan(start=self.start, end=max(self.end, self.start))


class ModalityReport(Record):
    """Status of one modality for one clip: did the stage read it, and what did it find."""

    modality: Modality
    status: StageStatus
    message: str = Field(default="", description="Why the status is not ok, in one line.")
    extractor: str = Field(default="", description="Name and version of the extractor.")
    clues: list[Clue] = Field(default_factory=list)
    seconds: float | None = Field(default=None, description="Wall time the stage took.")
