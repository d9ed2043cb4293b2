"""Voice perception: speech activity, prosody (pitch, loudness, rate, pauses, voice quality), tone clues.

Public names: :class:`VoiceStage` (the pipeline stage), :func:`analyse_voice` (an in-memory
signal), :func:`analyse_chunks` (a stream of chunks) and :func:`describe_tone` (summary → clues).
See ``MODEL_CARD.md`` in this folder for the models and their licences.
"""

from emoreason.perception.voice.analysis import VoiceAnalysis, analyse_chunks, analyse_voice
from emoreason.perception.voice.stage import VoiceStage
from emoreason.perception.voice.tone import ToneThresholds, describe_tone
from emoreason.perception.voice.vad import VadSettings

__all__ = [
    "ToneThresholds",
    "VadSettings",
    "VoiceAnalysis",
    "VoiceStage",
    "analyse_chunks",
    "analyse_voice",
    "describe_tone",
]
