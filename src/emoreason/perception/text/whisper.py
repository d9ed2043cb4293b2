"""Multilingual speech recognition with Whisper (faster-whisper / CTranslate2, no torch).

By default the shipped Whisper base model (two data wheels, joined and sha256-verified into the
user cache by :mod:`~emoreason.perception.text.whisper_model`); a user may pass any CTranslate2
Whisper directory instead. Runs int8 on 2 CPU threads. Segments carry Whisper's confidence
(``exp(avg_logprob)``) and ``no_speech_prob``; Chinese is steered to simplified characters
(``language="zh"`` plus a prompt written in simplified characters).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import DependencyError, EmoreasonError
from emoreason.perception.text.asr import MULTILINGUAL, SAMPLE_RATE, primary_language
from emoreason.records import TranscriptSegment, Word

#: Prompts that steer the script Whisper writes (simplified Chinese for 'zh').
INITIAL_PROMPTS = {"zh": "以下是普通话的句子，使用简体中文。"}
#: Greedy/beam decoding at temperature 0 only: the same audio always gives the same words, and one
#: decode per window keeps latency bounded (Whisper's sampled fallbacks cost 2-4x on hard audio).
TEMPERATURES = (0.0,)
INSTALL_HINT = "pip install faster-whisper==1.2.1"


class RecognizerError(EmoreasonError):
    """The recogniser cannot handle the request (e.g. a language its model does not know)."""


@contextmanager
def _hub_offline() -> Iterator[None]:
    """Set ``HF_HUB_OFFLINE=1`` for the duration of the model load only, then restore it."""
    old = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = old


def _model_class() -> type:
    """``faster_whisper.WhisperModel`` remembering its last encoder pass (imported on first use).

    Whisper encodes a padded 30 s window whatever the input length: language detection and
    the transcription of the same window then share one encoder pass instead of two.
    """
    from faster_whisper import WhisperModel

    class ReusingWhisperModel(WhisperModel):
        _last: tuple[bytes, Any] | None = None

        def encode(self, features: np.ndarray) -> Any:
            arr = np.ascontiguousarray(features)
            key = repr(arr.shape).encode() + hashlib.blake2b(arr.tobytes(), digest_size=16).digest()
            if self._last is not None and self._last[0] == key:
                return self._last[1]
            out = super().encode(features)
            self._last = (key, out)
            return out

    return ReusingWhisperModel


@functools.lru_cache(maxsize=2)
def _load_model(model_dir: str, compute_type: str, cpu_threads: int) -> Any:
    """One loaded ``WhisperModel`` per (directory, compute type, threads) in this process."""
    with _hub_offline():
        try:
            model_class = _model_class()
        except ImportError as exc:
            raise DependencyError(f"Whisper ASR needs faster-whisper: {INSTALL_HINT}") from exc
        try:
            return model_class(model_dir, device="cpu", compute_type=compute_type, cpu_threads=cpu_threads)
        except (RuntimeError, ValueError, OSError) as exc:
            raise DependencyError(f"{model_dir}: cannot load the Whisper model: {exc}") from exc


def _segment(seg: Any, offset: float, duration: float, language: str) -> TranscriptSegment:
    words = [
        Word(text=w.word.strip(), start=round(offset + w.start, 3), end=round(offset + min(w.end, duration), 3),
             confidence=round(float(w.probability), 4))
        for w in (seg.words or []) if w.word.strip()
    ]
    return TranscriptSegment(
        start=round(offset + max(0.0, seg.start), 3), end=round(offset + min(max(seg.end, seg.start), duration), 3),
        text=seg.text.strip(), words=words, language=language,
        confidence=round(min(1.0, math.exp(float(seg.avg_logprob))), 4),
        no_speech_prob=round(float(seg.no_speech_prob), 4),
    )


class WhisperRecognizer:
    """Whisper through faster-whisper: language detection plus transcription in that language.

    ``language`` is :data:`~emoreason.perception.text.asr.MULTILINGUAL` for multilingual models
    and 'en' for English-only ones (``*.en``), so the text stage routes speech correctly.
    Whisper encodes a 30 s window whatever the input length and reads speech best in context,
    as its reference pipeline feeds it (contiguous windows, pauses included): speech spans are
    widened by ``pad_s`` and packed into windows of up to ``max_segment_s`` unless a pause of
    ``merge_gap_s`` or more separates them.
    """

    merge_gap_s = 8.0
    max_segment_s = 28.0
    pad_s = 0.2

    def __init__(self, model_dir: str | Path | None = None, *, beam_size: int = 5, cpu_threads: int = 2,
                 compute_type: str = "int8", timestamps: bool = False, word_timestamps: bool = False) -> None:
        """Load the model (about 1 s; the first run also joins the shipped model into the cache).

        Args:
            model_dir: a CTranslate2 Whisper directory; None uses the shipped Whisper base.
            beam_size: decoder beam (1 = greedy, faster and slightly worse).
            cpu_threads: CTranslate2 intra-op threads.
            compute_type: CTranslate2 compute type ('int8' on CPU).
            timestamps: let Whisper cut each window into timed sentences (slower); by default
                one segment per window of packed speech spans (the VAD gives the times).
            word_timestamps: also align words (slower).

        Raises:
            DependencyError: faster-whisper or the model files are missing or unreadable.
            ModelIntegrityError: the shipped model's joined file has the wrong sha256.
        """
        from emoreason.perception.text.whisper_model import check_model_dir, whisper_base_dir

        folder = whisper_base_dir() if model_dir is None else check_model_dir(model_dir)
        self.model_dir = folder
        self.beam_size = beam_size
        self.timestamps = timestamps or word_timestamps
        self.word_timestamps = word_timestamps
        self._model = _load_model(str(folder), compute_type, cpu_threads)
        self.supported_languages: tuple[str, ...] = tuple(self._model.supported_languages)
        self.language = MULTILINGUAL if len(self.supported_languages) > 1 else self.supported_languages[0]
        stem = "base" if model_dir is None else folder.name.removeprefix("faster-").removeprefix("whisper-")
        self.name = f"faster-whisper-{stem}"

    def check_language(self, language: str | None) -> str | None:
        """`language` as Whisper's code ('zh-CN' → 'zh'); None stays None.

        Raises:
            RecognizerError: the model does not know that language.
        """
        code = primary_language(language)
        if code is not None and code not in self.supported_languages:
            examples = [c for c in ("en", "zh", "ja", "ko", "de", "fr", "es", "ru") if c in self.supported_languages]
            raise RecognizerError(
                f"{self.name} does not recognise language {language!r}; give a two-letter code such as "
                f"{', '.join(examples)} ({len(self.supported_languages)} languages known)"
            )
        return code

    def detect_language(self, samples: np.ndarray, sample_rate: int) -> tuple[str, float]:
        """The spoken language in (the first 30 s of) `samples` and Whisper's probability for it."""
        _check_rate(sample_rate)
        if self.language != MULTILINGUAL:
            return self.language, 1.0
        features = self._model.feature_extractor(np.asarray(samples, dtype=np.float32))
        # drop the last frame as transcribe() does, so both see the same first window (one encoder pass)
        language, probability, _ = self._model.detect_language(features=features[..., :-1])
        return language, round(float(probability), 4)

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0,
                   language: str | None = None) -> list[TranscriptSegment]:
        """Recognise `samples` in `language` (detected per call when None); times are offset-based."""
        _check_rate(sample_rate)
        audio = np.asarray(samples, dtype=np.float32)
        code = self.check_language(language)
        if code is None:
            code, _ = self.detect_language(audio, sample_rate)
        segments, _info = self._model.transcribe(
            audio, language=code, beam_size=self.beam_size, temperature=list(TEMPERATURES),
            initial_prompt=INITIAL_PROMPTS.get(code), condition_on_previous_text=False,
            without_timestamps=not self.timestamps, word_timestamps=self.word_timestamps, vad_filter=False,
        )
        duration = len(audio) / SAMPLE_RATE
        prompt = INITIAL_PROMPTS.get(code, "").strip()
        out = [_segment(s, offset, duration, code) for s in segments]
        return [s for s in out if s.text and s.text != prompt]


def _check_rate(sample_rate: int) -> None:
    if sample_rate != SAMPLE_RATE:
        raise ValueError(f"Whisper expects {SAMPLE_RATE} Hz audio, got {sample_rate}")
