"""Shared base model and small value types for every record that crosses a stage."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.0"


class Record(BaseModel):
    """Base of all emoreason records: strict field names, JSON-serialisable."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Modality(str, Enum):
    """Where a clue was observed."""

    FACE = "face"
    VOICE = "voice"
    TEXT = "text"
    SCENE = "scene"
    BODY = "body"


class StageStatus(str, Enum):
    """Outcome of one perception stage on one input."""

    OK = "ok"
    MISSING = "missing"  # the input has no such stream (e.g. no audio track)
    EMPTY = "empty"  # the stream exists but holds nothing usable (no face, silence)
    UNAVAILABLE = "unavailable"  # the stage is not installed / not implemented
    FAILED = "failed"  # the stage raised; message says why


class TimeSpan(Record):
    """A closed time interval in seconds from the start of the clip."""

    start: float = Field(ge=0.0, description="Start time in seconds.")
    end: float = Field(ge=0.0, description="End time in seconds.")

    @model_validator(mode="after")
    def _ordered(self) -> TimeSpan:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def duration(self) -> float:
        """Length of the span in seconds."""
        return self.end - self.start
