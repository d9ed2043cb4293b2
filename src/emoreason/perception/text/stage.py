"""The text perception stage: the words (subtitles, else ASR) and their lexical emotion cues."""

from __future__ import annotations

import time
from typing import ClassVar

import numpy as np

from emoreason.perception.base import ClipContext
from emoreason.perception.text.asr import SpeechRecognizer, load_recognizer, recognise
from emoreason.perception.text.cues import is_english, lexical_clues
from emoreason.records import Modality, ModalityReport, StageStatus, Transcript, TranscriptSource

#: Inputs longer than this are streamed in chunks for ASR.
STREAM_ABOVE_S = 120.0
#: Lexical clues from ASR text are weighted down (the shipped recogniser is error-prone).
ASR_STRENGTH_SCALE = 0.6


class TextStage:
    """Transcript (given subtitles, else pocketsphinx or a user's recogniser) → lexical text clues.

    Sets ``ctx.transcript`` (source ASR, language from the recogniser) when it had to
    recognise speech, and returns one TEXT report.
    """

    name: ClassVar[str] = "text"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.TEXT,)

    def __init__(self, *, asr: str | SpeechRecognizer | None = "pocketsphinx", chunk_seconds: float = 30.0,
                 stream_above_s: float = STREAM_ABOVE_S) -> None:
        """Configure the stage.

        Args:
            asr: 'pocketsphinx', 'package.module:Class', a SpeechRecognizer instance, or None
                (no ASR: without subtitles the report is EMPTY).
            chunk_seconds: chunk length when streaming long inputs.
            stream_above_s: inputs longer than this are streamed.
        """
        self.asr = asr
        self.chunk_seconds = chunk_seconds
        self.stream_above_s = stream_above_s
        self._recognizer: SpeechRecognizer | None = None

    def recognizer(self) -> SpeechRecognizer:
        """The recogniser, loaded on first use.

        Raises:
            DependencyError, RegistryError: it cannot be loaded.
        """
        if self._recognizer is None:
            self._recognizer = load_recognizer(self.asr or "pocketsphinx")
        return self._recognizer

    def transcribe(self, ctx: ClipContext) -> Transcript:
        """Recognise the clip's speech (bounded by the voice stage's segments when present).

        Raises:
            MissingStreamError: the file has no audio stream.
        """
        from emoreason.io import iter_audio_chunks

        duration = ctx.media.duration
        long_input = duration > self.stream_above_s

        def chunks() -> object:
            return iter_audio_chunks(ctx.path, chunk_seconds=self.chunk_seconds) if long_input else [ctx.audio()]

        spans = _speech_spans(ctx, chunks)
        rec = self.recognizer()
        segments = recognise(rec, chunks(), _merge(spans, gap=0.3))
        return Transcript(source=TranscriptSource.ASR, language=rec.language, segments=segments, origin=rec.name)

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
            transcript = self.transcribe(ctx)
            ctx.transcript = transcript
            if not transcript.text:
                return [self._report(StageStatus.EMPTY, f"{transcript.origin} recognised no words", started,
                                     extractor=transcript.origin)]
        speech = [(s.start, s.end) for s in ctx.voice.speech_segments] if ctx.voice else []
        if not is_english(transcript):
            lang = transcript.language or "non-English"
            return [self._report(StageStatus.OK, f"transcript read ({lang}); lexical emotion cues need English text",
                                 started)]
        asr = transcript.source is TranscriptSource.ASR
        clues = lexical_clues(transcript, speech=speech, duration=ctx.media.duration,
                              scale=ASR_STRENGTH_SCALE if asr else 1.0)
        message = f"words from {transcript.origin} ASR (error-prone on expressive speech)" if asr else ""
        if not clues:
            message = (message + "; " if message else "") + "no emotional wording found"
        return [self._report(StageStatus.OK, message, started, clues=clues,
                             extractor=(transcript.origin if asr else "subtitles") + " + NRC/VADER")]

    def _report(self, status: StageStatus, message: str, started: float, *, clues: list | None = None,
                extractor: str = "NRC/VADER") -> ModalityReport:
        return ModalityReport(modality=Modality.TEXT, status=status, message=message, extractor=extractor,
                              clues=clues or [], seconds=round(time.perf_counter() - started, 4))


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


def _merge(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] < gap:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out
