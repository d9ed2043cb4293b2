"""The text perception stage: the words (subtitles, else ASR) and their lexical emotion cues."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ClassVar

import numpy as np

from emoreason.errors import EmoreasonError
from emoreason.perception.base import ClipContext
from emoreason.perception.text.asr import (
    PocketSphinxRecognizer,
    Recognition,
    RecognizerSource,
    SpeechRecognizer,
    load_recognizer,
    primary_language,
    recognise_clip,
)
from emoreason.perception.text.cues import is_english, lexical_clues
from emoreason.perception.text.emotion import SOURCE as TEXT_HEAD_SOURCE
from emoreason.perception.text.emotion import text_emotion_clues
from emoreason.records import (
    Clue,
    Evidence,
    Modality,
    ModalityReport,
    StageStatus,
    Transcript,
    TranscriptSource,
)

#: Inputs longer than this are streamed in chunks for ASR.
STREAM_ABOVE_S = 120.0
#: Lexical clues from ASR text without a confidence (pocketsphinx) are weighted down by this.
ASR_STRENGTH_SCALE = 0.6
#: Peak level below which a clip's audio counts as digital silence (no recogniser is preloaded).
SILENCE_PEAK = 1e-4
#: Cues that only make sense on English words (skipped, with a note, on other languages).
ENGLISH_CUES = "VADER/NRC lexicons, irony and rhetorical-question rules"


class TextStage:
    """Transcript (given subtitles, else Whisper / pocketsphinx / a user's recogniser) → lexical text clues.

    With ``asr="auto"`` (default) speech goes to Whisper base with language detection; when
    Whisper cannot load, to pocketsphinx, but only for English or unknown-language speech. Sets
    ``ctx.transcript`` (source ASR, the detected or requested language) when it recognised
    speech, and returns one TEXT report.
    """

    name: ClassVar[str] = "text"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.TEXT,)

    def __init__(self, *, asr: str | SpeechRecognizer | None = "auto", language: str | None = None,
                 chunk_seconds: float = 30.0, stream_above_s: float = STREAM_ABOVE_S) -> None:
        """Configure the stage.

        Args:
            asr: 'auto' (Whisper, pocketsphinx fallback for English), 'whisper', 'pocketsphinx',
                a CTranslate2 Whisper folder, 'package.module:Class', a SpeechRecognizer instance,
                or None (no ASR: without subtitles the report is EMPTY).
            language: the spoken language when known (e.g. 'zh', 'en'): skips detection and steers
                recognition; English-only recognisers are not run on other languages.
            chunk_seconds: chunk length when streaming long inputs.
            stream_above_s: inputs longer than this are streamed.
        """
        self.asr = asr
        self.language = language
        self.chunk_seconds = chunk_seconds
        self.stream_above_s = stream_above_s
        self._loaded: dict[str, SpeechRecognizer | EmoreasonError] = {}
        self._loading: dict[str, Future] = {}

    def _sources(self) -> list[RecognizerSource]:
        if self.asr == "auto":
            return [RecognizerSource("whisper", self._cached("whisper", lambda: load_recognizer("whisper"))),
                    RecognizerSource("pocketsphinx", self._cached("pocketsphinx", PocketSphinxRecognizer))]
        spec = self.asr if self.asr is not None else "whisper"
        name = spec if isinstance(spec, str) else getattr(spec, "name", "asr")
        return [RecognizerSource(name, self._cached(name, lambda: load_recognizer(spec)))]

    def _cached(self, key: str, load: Callable[[], SpeechRecognizer]) -> Callable[[], SpeechRecognizer]:
        """`load`, run once per stage; a load error is remembered and raised again."""

        def get() -> SpeechRecognizer:
            if key not in self._loaded:
                pending = self._loading.pop(key, None)
                try:
                    preloaded = pending.result() if pending is not None else None
                    self._loaded[key] = preloaded if preloaded is not None else load()
                except EmoreasonError as exc:
                    self._loaded[key] = exc
            got = self._loaded[key]
            if isinstance(got, EmoreasonError):
                raise got
            return got

        return get

    def recognizer(self) -> SpeechRecognizer:
        """The preferred recogniser that loads, loaded on first use.

        Raises:
            DependencyError, RegistryError: none can be loaded.
        """
        errors: list[EmoreasonError] = []
        for source in self._sources():
            try:
                return source.load()
            except EmoreasonError as exc:
                errors.append(exc)
        raise errors[-1]

    def start(self, ctx: ClipContext) -> None:
        """Load Whisper in a background thread when the clip will need ASR (overlaps the voice stage)."""
        if ctx.transcript is not None or self.asr != "auto" or ctx.media.is_image or ctx.media.audio is None:
            return
        if "whisper" in self._loaded or "whisper" in self._loading:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emoreason-asr")
        self._loading["whisper"] = pool.submit(self._preload, ctx)
        pool.shutdown(wait=False)

    def _preload(self, ctx: ClipContext) -> SpeechRecognizer | None:
        """Whisper, unless the (short) clip's audio is digital silence (then None: nothing to hear)."""
        if ctx.media.duration <= self.stream_above_s:
            samples = ctx.audio().samples
            if samples.size == 0 or float(np.max(np.abs(samples))) < SILENCE_PEAK:
                return None
        return load_recognizer("whisper")

    def recognise(self, ctx: ClipContext) -> Recognition:
        """Recognise the clip's speech (bounded by the voice stage's segments when present).

        Raises:
            MissingStreamError: the file has no audio stream.
        """
        from emoreason.io import iter_audio_chunks

        long_input = ctx.media.duration > self.stream_above_s

        def chunks() -> object:
            return iter_audio_chunks(ctx.path, chunk_seconds=self.chunk_seconds) if long_input else [ctx.audio()]

        spans = _speech_spans(ctx, chunks)
        return recognise_clip(self._sources(), chunks, spans, language=self.language, fallback=self.asr == "auto")

    def transcribe(self, ctx: ClipContext) -> Transcript | None:
        """The recognised transcript, or None when no recogniser could handle the speech's language."""
        return self.recognise(ctx).transcript

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        """Read or recognise the words, set ``ctx.transcript``, return the TEXT report."""
        started = time.perf_counter()
        transcript = ctx.transcript
        if transcript is None:
            if self.asr is None:
                return [self._report(StageStatus.EMPTY, "no subtitles given and ASR is switched off", started)]
            if ctx.media.is_image or ctx.media.audio is None:
                return [self._report(StageStatus.MISSING, "no subtitles given and no audio stream to transcribe",
                                     started)]
            if ctx.voice is not None and not ctx.voice.speech_segments:
                return [self._report(StageStatus.EMPTY, "no subtitles given and no speech detected to transcribe",
                                     started)]
            heard = self.recognise(ctx)
            if heard.transcript is None:
                return [self._report(StageStatus.UNAVAILABLE, _no_recogniser_message(heard), started,
                                     extractor="ASR")]
            if heard.notes:
                ctx.warnings.append(f"text: {'; '.join(heard.notes)}; used {heard.recognizer}")
            transcript = ctx.transcript = heard.transcript
            if not transcript.text:
                return [self._report(StageStatus.EMPTY, f"{transcript.origin} recognised no words", started,
                                     extractor=transcript.origin)]
        asr = transcript.source is TranscriptSource.ASR
        learned = text_emotion_clues(transcript, duration=ctx.media.duration)
        head = f" + {TEXT_HEAD_SOURCE}" if learned else ""
        if not is_english(transcript):
            return [self._report(StageStatus.OK, _non_english_message(transcript), started, clues=learned,
                                 extractor=(transcript.origin if asr else "subtitles") + head)]
        speech = [(s.start, s.end) for s in ctx.voice.speech_segments] if ctx.voice else []
        clues = asr_clues(transcript, speech, ctx.media.duration) if asr else lexical_clues(
            transcript, speech=speech, duration=ctx.media.duration)
        message = f"words from {transcript.origin} ASR{_confidence_note(transcript)}" if asr else ""
        if not clues:
            message = (message + "; " if message else "") + "no emotional wording found"
        return [self._report(StageStatus.OK, message, started, clues=clues + learned,
                             extractor=(transcript.origin if asr else "subtitles") + " + NRC/VADER" + head)]

    def _report(self, status: StageStatus, message: str, started: float, *, clues: list | None = None,
                extractor: str = "NRC/VADER") -> ModalityReport:
        return ModalityReport(modality=Modality.TEXT, status=status, message=message, extractor=extractor,
                              clues=clues or [], seconds=round(time.perf_counter() - started, 4))


def segment_strength_scale(confidence: float | None, no_speech_prob: float | None) -> float:
    """How much to trust lexical clues from one ASR segment.

    ``confidence × (1 − no_speech_prob)`` when the recogniser gives a confidence (Whisper:
    exp of the mean token log-probability), else :data:`ASR_STRENGTH_SCALE`; within [0.1, 1].
    """
    if confidence is None:
        return ASR_STRENGTH_SCALE
    return float(np.clip(confidence * (1.0 - (no_speech_prob or 0.0)), 0.1, 1.0))


def asr_clues(transcript: Transcript, speech: list[tuple[float, float]], duration: float) -> list[Clue]:
    """Lexical clues of an ASR transcript, each segment's clues scaled by the recogniser's confidence."""
    out: list[Clue] = []
    for seg in transcript.segments:
        one = transcript.model_copy(update={"segments": [seg]})
        scale = segment_strength_scale(seg.confidence, seg.no_speech_prob)
        clues = lexical_clues(one, speech=speech, duration=duration, scale=scale)
        if seg.confidence is not None:
            for clue in clues:
                clue.evidence.append(Evidence(name="asr_confidence", value=seg.confidence, time=seg.start))
        out += clues
    return sorted(out, key=lambda c: (c.start, c.end))


def _confidence_note(transcript: Transcript) -> str:
    conf = [s.confidence for s in transcript.segments if s.confidence is not None]
    bits = [f"mean confidence {np.mean(conf):.2f}"] if conf else ["error-prone on expressive speech"]
    if transcript.language_probability is not None:
        bits.insert(0, f"language {transcript.language} p={transcript.language_probability:.2f}")
    return f" ({', '.join(bits)})"


def _non_english_message(transcript: Transcript) -> str:
    lang = transcript.language or "non-English"
    where = f"from {transcript.origin} ASR{_confidence_note(transcript)}" \
        if transcript.source is TranscriptSource.ASR else "from subtitles"
    return f"transcript in '{lang}' {where}; English lexical cues ({ENGLISH_CUES}) skipped on non-English text"


def _no_recogniser_message(heard: Recognition) -> str:
    why = "; ".join(heard.notes) or "no recogniser available"
    lang = heard.language
    if lang is not None and primary_language(lang) != "en":
        how = "detected" if heard.language_probability is not None else "given"
        return (f"speech {how} as '{lang}' and no recogniser for it could run ({why}): no transcript, "
                "rather than invented English words")
    return f"no speech recogniser could run ({why})"


def _speech_spans(ctx: ClipContext, chunks: object) -> list[tuple[float, float]]:
    """Speech spans from the voice stage, or from a VAD pass of our own when it did not run."""
    if ctx.voice is not None:
        return [(s.start, s.end) for s in ctx.voice.speech_segments]
    from emoreason.perception.voice.vad import make_vad, segments_from_probabilities

    vad = make_vad("auto")
    probs, n, start = [], 0, None
    for chunk in chunks():
        start = float(getattr(chunk, "offset", 0.0)) if start is None else start
        probs.append(vad.probabilities(chunk.samples))
        n += len(chunk.samples)
    prob = np.concatenate(probs) if probs else np.zeros(0, np.float32)
    return [(a + (start or 0.0), b + (start or 0.0))
            for a, b in segments_from_probabilities(prob, vad.hop_s, n / 16000.0)]
