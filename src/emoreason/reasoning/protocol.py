"""What perception hands to reasoning, and what reasoning returns."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import Field

from emoreason.records import (
    Clue,
    DecisionRecord,
    EmotionScore,
    Explanation,
    FaceSummary,
    MediaInfo,
    ModalityReport,
    Record,
    TimelineEntry,
    Transcript,
    VoiceSummary,
)


class ReasoningRequest(Record):
    """All evidence about one clip: per-modality reports with their clues, plus summaries."""

    media: MediaInfo
    modalities: list[ModalityReport] = Field(default_factory=list)
    transcript: Transcript | None = None
    face: FaceSummary | None = None
    voice: VoiceSummary | None = None

    @property
    def clues(self) -> list[Clue]:
        """All clues in time order."""
        out = [c for m in self.modalities for c in m.clues]
        return sorted(out, key=lambda c: (c.start, c.modality.value))


class ReasoningOutcome(Record):
    """Labels, affect dimensions and the explanation for one clip."""

    emotions: list[EmotionScore] = Field(default_factory=list)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    explanation: Explanation
    decision: DecisionRecord | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


@runtime_checkable
class Reasoner(Protocol):
    """Turns evidence into emotions and an explanation."""

    name: str

    def reason(self, request: ReasoningRequest) -> ReasoningOutcome:
        """Fuse the clues of `request` and explain the result."""
        ...
