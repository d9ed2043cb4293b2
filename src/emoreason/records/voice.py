"""Voice-stage summary records: speech activity and prosody."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record


class Prosody(Record):
    """Prosodic measures over a stretch of speech."""

    f0_mean_hz: float | None = None
    f0_mean_st: float | None = Field(default=None, description="Mean F0, semitones re 100 Hz.")
    f0_range_st: float | None = None
    f0_slope_st_per_s: float | None = None
    loudness_db: float | None = None
    speaking_rate_syl_per_s: float | None = None
    pause_ratio: float | None = None
    jitter_local: float | None = None
    shimmer_local: float | None = None
    hnr_db: float | None = None


class SpeechSegment(Record):
    """A stretch of detected speech with its prosody."""

    start: float
    end: float
    prosody: Prosody = Field(default_factory=Prosody)


class VoiceSummary(Record):
    """What the voice stage found in a clip."""

    speech_segments: list[SpeechSegment] = Field(default_factory=list)
    clip_prosody: Prosody = Field(default_factory=Prosody)
    speech_ratio: float = 0.0
    vad: str = ""
