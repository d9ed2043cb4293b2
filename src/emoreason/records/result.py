"""The top-level record `emoreason explain` returns."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import SCHEMA_VERSION, Modality, Record, StageStatus
from emoreason.records.clues import Clue, ModalityReport
from emoreason.records.decision import DecisionRecord, TimelineEntry
from emoreason.records.emotions import EmotionScore, Explanation
from emoreason.records.face import FaceSummary, PersonEmotions
from emoreason.records.media import MediaInfo
from emoreason.records.text import Transcript
from emoreason.records.voice import VoiceSummary


class ExplainResult(Record):
    """Everything emoreason concluded about one clip, and why."""

    schema_version: str = SCHEMA_VERSION
    emoreason_version: str = ""
    media: MediaInfo
    modalities: list[ModalityReport] = Field(default_factory=list)
    transcript: Transcript | None = None
    face: FaceSummary | None = None
    voice: VoiceSummary | None = None
    emotions: list[EmotionScore] = Field(default_factory=list)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    explanation: Explanation | None = None
    decision: DecisionRecord | None = Field(default=None, description="How the label was decided (learned fusion).")
    timeline: list[TimelineEntry] = Field(default_factory=list, description="Emotions per speech segment or window.")
    people: list[PersonEmotions] = Field(default_factory=list, description="Every tracked person (--all-people).")
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")

    @property
    def clues(self) -> list[Clue]:
        """All clues of all modalities, in time order."""
        out = [c for m in self.modalities for c in m.clues]
        return sorted(out, key=lambda c: (c.start, c.modality.value))

    def report(self, modality: Modality) -> ModalityReport | None:
        """The report of one modality, if the pipeline produced one."""
        return next((m for m in self.modalities if m.modality == modality), None)

    @property
    def unread_modalities(self) -> list[ModalityReport]:
        """Reports of modalities that could not be read."""
        return [m for m in self.modalities if m.status != StageStatus.OK]
