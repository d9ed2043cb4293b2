"""Transcript records: what is said, when, by whom, in which language."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from emoreason.records.base import Record


class TranscriptSource(str, Enum):
    """Where the words came from."""

    SUBTITLE_FILE = "subtitle_file"
    SUBTITLE_TEXT = "subtitle_text"
    EMBEDDED = "embedded"
    ASR = "asr"


class Word(Record):
    """One recognised or aligned word."""

    text: str
    start: float | None = None
    end: float | None = None
    confidence: float | None = None


class TranscriptSegment(Record):
    """A subtitle cue or an ASR segment."""

    start: float | None = Field(default=None, description="Seconds; None when untimed.")
    end: float | None = None
    text: str
    speaker: str | None = None
    words: list[Word] = Field(default_factory=list)
    language: str | None = Field(default=None, description="Language the recogniser decoded it in (ASR).")
    confidence: float | None = Field(default=None, ge=0.0, le=1.0,
                                     description="Recogniser confidence, e.g. exp(mean token log-prob) (ASR).")
    no_speech_prob: float | None = Field(default=None, ge=0.0, le=1.0,
                                         description="Recogniser's probability that this is not speech (ASR).")


class Transcript(Record):
    """All words of a clip."""

    source: TranscriptSource
    language: str | None = Field(default=None, description="BCP-47 tag when known, e.g. 'en'.")
    language_probability: float | None = Field(
        default=None, ge=0.0, le=1.0, description="Probability of `language` when it was detected from speech."
    )
    segments: list[TranscriptSegment] = Field(default_factory=list)
    origin: str = Field(default="", description="File path or model that produced it.")
    encoding: str | None = Field(default=None, description="Text encoding the file was read in.")

    @property
    def text(self) -> str:
        """The whole transcript as one string."""
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    @property
    def is_timed(self) -> bool:
        """Whether every segment carries start and end times."""
        return bool(self.segments) and all(
            s.start is not None and s.end is not None for s in self.segments
        )
