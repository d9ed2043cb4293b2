"""Typed records of dialogue analysis: what goes in (utterances) and what comes out (analyses).

Emotion labels follow MELD / ECF / SemEval-2024 Task 3 (:data:`MELD_EMOTIONS`); every ranked
emotion also carries its canonical emoreason label (:data:`CANONICAL`).
"""

from __future__ import annotations

from pydantic import Field

from emoreason.records import GroundingViolation
from emoreason.records.base import SCHEMA_VERSION, Record

#: The seven labels of MELD / ECF / ECAC, in the order the metrics use.
MELD_EMOTIONS: tuple[str, ...] = ("neutral", "anger", "disgust", "fear", "joy", "sadness", "surprise")
#: MELD label → emoreason's canonical vocabulary (neutral, happy, sad, angry, worried, surprise, disgust).
CANONICAL: dict[str, str] = {
    "neutral": "neutral", "anger": "angry", "disgust": "disgust", "fear": "worried", "joy": "happy",
    "sadness": "sad", "surprise": "surprise",
}
#: The noun ECEM explanations use for each label ("the reason for his surprise …").
EMOTION_NOUN: dict[str, str] = {
    "neutral": "calm", "anger": "anger", "disgust": "disgust", "fear": "fear", "joy": "joy",
    "sadness": "sadness", "surprise": "surprise",
}


class Utterance(Record):
    """One turn of a dialogue as read from the input (gold labels are never kept)."""

    utterance_id: int = Field(description="1-based position id (the input's utterance_ID when it has one).")
    speaker: str = ""
    text: str = ""
    id: str | None = Field(default=None, description="Any external id of the row, carried through unchanged.")
    start: float | None = Field(default=None, ge=0.0, description="Start time in seconds, when known.")
    end: float | None = Field(default=None, ge=0.0, description="End time in seconds, when known.")
    clip: str | None = Field(default=None, description="Clip file name or path of this utterance, when given.")


class Dialogue(Record):
    """A conversation: utterances in order, with where it came from."""

    conversation_id: str
    utterances: list[Utterance] = Field(default_factory=list)
    source: str = ""
    format: str = Field(default="", description="Reader used: ecac-json, ecf-txt, meld-csv, jsonl, csv, subtitles.")
    encoding: str | None = None
    issues: list[str] = Field(default_factory=list, description="Problems met while reading (never fatal).")


class RankedEmotion(Record):
    """One emotion with its probability."""

    label: str = Field(description="MELD / ECF label.")
    canonical: str = Field(description="emoreason canonical label.")
    score: float = Field(ge=0.0, le=1.0)


class CauseLink(Record):
    """An utterance that caused this utterance's emotion (possibly itself)."""

    utterance_id: int
    score: float = Field(ge=0.0, le=1.0)
    speaker: str = ""


class CauseSpan(Record):
    """The words of a cause utterance that carry the cause: whitespace tokens ``[start, end)``."""

    utterance_id: int
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    score: float = Field(ge=0.0, le=1.0)


class CitedClue(Record):
    """A face or voice clue of the utterance's clip, as cited in the explanation."""

    id: str
    modality: str
    description: str
    start: float
    end: float
    strength: float


class ClipEvidence(Record):
    """What the clip of one utterance showed (``emoreason.pipeline.explain`` on that clip)."""

    clip: str
    status: str = Field(description="ok | missing | failed")
    message: str = ""
    emotions: list[RankedEmotion] = Field(default_factory=list)
    clues: list[CitedClue] = Field(default_factory=list)
    unread: list[str] = Field(default_factory=list, description="Modalities of the clip that could not be read.")


class UtteranceExplanation(Record):
    """The one-sentence explanation of an utterance's emotion and how it was written."""

    text: str
    writer: str
    model: str | None = None
    cited_utterances: list[int] = Field(default_factory=list)
    cited_clues: list[str] = Field(default_factory=list)
    violations: list[GroundingViolation] = Field(default_factory=list)
    fallback_reason: str | None = None


class UtteranceAnalysis(Record):
    """Everything concluded about one utterance."""

    conversation_id: str
    utterance_id: int
    id: str | None = None
    speaker: str
    text: str
    emotion: str = Field(description="Top MELD label.")
    canonical_emotion: str
    emotions: list[RankedEmotion] = Field(default_factory=list, description="All seven labels, best first.")
    causes: list[CauseLink] = Field(default_factory=list, description="Empty for neutral utterances.")
    spans: list[CauseSpan] = Field(default_factory=list, description="One span per cause utterance.")
    explanation: UtteranceExplanation | None = None
    evidence: ClipEvidence | None = None
    notes: list[str] = Field(default_factory=list, description="Gaps: empty text, missing clip, …")


class FlowStep(Record):
    """One step of a speaker's emotion flow."""

    utterance_id: int
    emotion: str
    score: float


class SpeakerFlow(Record):
    """How one speaker's emotion moves through the dialogue."""

    speaker: str
    steps: list[FlowStep] = Field(default_factory=list)
    summary: str = Field(default="", description="e.g. 'neutral → surprise (u3) → anger (u5)'.")


class DialogueAnalysis(Record):
    """The analysis of one dialogue."""

    schema_version: str = SCHEMA_VERSION
    conversation_id: str
    source: str = ""
    format: str = ""
    utterances: list[UtteranceAnalysis] = Field(default_factory=list)
    speakers: list[SpeakerFlow] = Field(default_factory=list)
    models: dict[str, str] = Field(default_factory=dict, description="Component → model id / version.")
    warnings: list[str] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
