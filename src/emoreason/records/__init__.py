"""Typed records that cross emoreason's stages (pydantic v2)."""

from emoreason.records.base import SCHEMA_VERSION, Modality, Record, StageStatus, TimeSpan
from emoreason.records.clues import Clue, Evidence, ModalityReport
from emoreason.records.decision import (
    DECISION_CLASSES,
    DecisionRecord,
    LabelProbability,
    ModalityVote,
    TimelineEntry,
)
from emoreason.records.emotions import EmotionScore, Explanation, GroundingViolation
from emoreason.records.face import FaceSummary, FaceTrackSummary, PeakFrame, PersonEmotions
from emoreason.records.media import AudioStreamInfo, MediaInfo, SubtitleStreamInfo, VideoStreamInfo
from emoreason.records.result import ExplainResult
from emoreason.records.text import Transcript, TranscriptSegment, TranscriptSource, Word
from emoreason.records.voice import Prosody, SpeechSegment, VoiceSummary

__all__ = [
    "DECISION_CLASSES",
    "SCHEMA_VERSION",
    "AudioStreamInfo",
    "Clue",
    "DecisionRecord",
    "EmotionScore",
    "Evidence",
    "ExplainResult",
    "Explanation",
    "FaceSummary",
    "FaceTrackSummary",
    "GroundingViolation",
    "LabelProbability",
    "MediaInfo",
    "Modality",
    "ModalityReport",
    "ModalityVote",
    "PeakFrame",
    "PersonEmotions",
    "Prosody",
    "Record",
    "SpeechSegment",
    "StageStatus",
    "SubtitleStreamInfo",
    "TimeSpan",
    "TimelineEntry",
    "Transcript",
    "TranscriptSegment",
    "TranscriptSource",
    "VideoStreamInfo",
    "VoiceSummary",
    "Word",
]
