"""Conversations: per utterance, the speaker's emotion in context, the utterances that caused it, and why.

``converse(path)`` reads a dialogue file (SemEval-2024 ECAC JSON, ECF 1.0 txt, MELD/plain CSV,
JSONL, speaker-named subtitles, or one video + subtitles) and returns one
:class:`DialogueAnalysis` per dialogue. See ``docs/conversations.md``.
"""

from __future__ import annotations

from emoreason.conversations.api import DialogueBatchError, DialogueOutcome, converse, iter_converse
from emoreason.conversations.readers import DialogueInputError, iter_dialogues, read_dialogues
from emoreason.conversations.records import (
    CauseLink,
    CauseSpan,
    ClipEvidence,
    Dialogue,
    DialogueAnalysis,
    RankedEmotion,
    SpeakerFlow,
    Utterance,
    UtteranceAnalysis,
    UtteranceExplanation,
)

__all__ = [
    "CauseLink",
    "CauseSpan",
    "ClipEvidence",
    "Dialogue",
    "DialogueAnalysis",
    "DialogueBatchError",
    "DialogueInputError",
    "DialogueOutcome",
    "RankedEmotion",
    "SpeakerFlow",
    "Utterance",
    "UtteranceAnalysis",
    "UtteranceExplanation",
    "converse",
    "iter_converse",
    "iter_dialogues",
    "read_dialogues",
]
