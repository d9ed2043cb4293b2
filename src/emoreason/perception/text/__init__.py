"""Text perception: the words (subtitles or ASR) and their lexical emotion cues.

Public names: :class:`TextStage` (the pipeline stage), :class:`SpeechRecognizer` (the
protocol a user's local ASR model implements), :class:`WhisperRecognizer` (the default:
Whisper base, multilingual, shipped in data wheels), :class:`PocketSphinxRecognizer` (English
fallback), :func:`lexical_clues` and :func:`analyse_sentence`.
See ``MODEL_CARD.md`` in this folder for the resources and their licences.
"""

from emoreason.perception.text.asr import PocketSphinxRecognizer, SpeechRecognizer, load_recognizer
from emoreason.perception.text.cues import lexical_clues
from emoreason.perception.text.lexicon import analyse_sentence
from emoreason.perception.text.stage import TextStage
from emoreason.perception.text.whisper import WhisperRecognizer

__all__ = [
    "PocketSphinxRecognizer",
    "SpeechRecognizer",
    "TextStage",
    "WhisperRecognizer",
    "analyse_sentence",
    "lexical_clues",
    "load_recognizer",
]
