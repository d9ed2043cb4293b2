"""The voice perception stage: speech activity, prosody and tone clues for one clip."""

from __future__ import annotations

import logging
import time
from typing import ClassVar

from emoreason.perception.base import ClipContext
from emoreason.perception.voice.analysis import VoiceAnalysis, analyse_chunks
from emoreason.perception.voice.egemaps import opensmile_available
from emoreason.perception.voice.tone import ToneThresholds, describe_tone
from emoreason.perception.voice.vad import VAD_BACKENDS, VadSettings
from emoreason.records import Modality, ModalityReport, StageStatus

log = logging.getLogger(__name__)

#: Inputs longer than this are streamed in chunks instead of decoded whole (memory stays flat).
STREAM_ABOVE_S = 120.0


class VoiceStage:
    """Speech activity (silero-vad / webrtcvad), prosody and tone clues.

    Sets ``ctx.voice`` to a :class:`~emoreason.records.VoiceSummary` and returns one VOICE
    report: MISSING without an audio stream, EMPTY for silence or audio without speech,
    OK with tone clues otherwise.
    """

    name: ClassVar[str] = "voice"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.VOICE,)

    def __init__(
        self,
        *,
        vad: str = "auto",
        egemaps: bool | None = None,
        chunk_seconds: float = 30.0,
        stream_above_s: float = STREAM_ABOVE_S,
        vad_settings: VadSettings | None = None,
        thresholds: ToneThresholds | None = None,
    ) -> None:
        """Configure the stage.

        Args:
            vad: 'auto' (silero ONNX, else webrtcvad), 'silero' or 'webrtc'.
            egemaps: add openSMILE eGeMAPS functionals; None = when opensmile is installed and the
                input is not streamed (eGeMAPS costs as much as everything else together).
            chunk_seconds: chunk length when streaming long inputs.
            stream_above_s: inputs longer than this are streamed rather than decoded whole.
            vad_settings: VAD thresholds and durations.
            thresholds: tone-description cut-offs.

        Raises:
            ValueError: unknown VAD name or a non-positive chunk length.
        """
        if vad not in VAD_BACKENDS:
            raise ValueError(f"unknown VAD backend {vad!r}; choose one of {', '.join(VAD_BACKENDS)}")
        if chunk_seconds <= 0:
            raise ValueError(f"chunk_seconds must be positive, got {chunk_seconds}")
        self.vad = vad
        self.egemaps = egemaps
        self.chunk_seconds = chunk_seconds
        self.stream_above_s = stream_above_s
        self.vad_settings = vad_settings
        self.thresholds = thresholds

    def analyse(self, ctx: ClipContext) -> VoiceAnalysis:
        """Run the analysis on the clip's audio (decoded once, or streamed when long).

        Raises:
            MissingStreamError: the file has no audio stream.
        """
        from emoreason.io import iter_audio_chunks

        duration = ctx.media.audio.duration if ctx.media.audio and ctx.media.audio.duration else ctx.media.duration
        long_input = duration > self.stream_above_s
        if long_input:
            chunks = iter_audio_chunks(ctx.path, chunk_seconds=self.chunk_seconds, on_error="skip",
                                       report=ctx.warnings.append)
        else:
            chunks = [ctx.audio()]
        egemaps = self.egemaps if self.egemaps is not None else (opensmile_available() and not long_input)
        result = analyse_chunks(chunks, vad=self.vad, vad_settings=self.vad_settings, egemaps=egemaps)
        if self.egemaps is None and long_input and opensmile_available():
            result.summary.notes.append(f"eGeMAPS skipped for a {duration / 60:.0f}-minute input (it would halve "
                                        "the speed); pass egemaps=True to compute it")
        return result

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        """Analyse the clip's voice; set ``ctx.voice``; return the VOICE report."""
        started = time.perf_counter()
        if ctx.media.is_image or ctx.media.audio is None:
            what = "a still image" if ctx.media.is_image else "the file"
            return [self._report(StageStatus.MISSING, f"{what} has no audio stream", started)]
        result = self.analyse(ctx)
        summary = result.summary
        summary.sample_rate = ctx.media.audio.sample_rate or summary.sample_rate
        summary.notes += _notes(ctx, result)
        ctx.voice = summary
        if summary.duration <= 0:
            return [self._report(StageStatus.EMPTY, "the audio stream holds no samples", started)]
        if result.is_silent:
            return [self._report(StageStatus.EMPTY, f"the audio is silent ({summary.duration:.1f} s, "
                                 "no sample above -60 dBFS)", started)]
        if not summary.speech_segments:
            return [self._report(StageStatus.EMPTY, f"no speech detected by {summary.vad} in "
                                 f"{summary.duration:.1f} s of audio (non-speech sound such as music or noise)",
                                 started)]
        clues = describe_tone(summary, self.thresholds)
        for note in summary.notes:
            if "channels were mixed" not in note and "eGeMAPS skipped" not in note:
                ctx.warnings.append(f"voice: {note}")
        return [self._report(StageStatus.OK, "", started, clues=clues, extractor=_extractor(summary.vad))]

    def _report(self, status: StageStatus, message: str, started: float, *, clues: list | None = None,
                extractor: str = "") -> ModalityReport:
        return ModalityReport(
            modality=Modality.VOICE, status=status, message=message, extractor=extractor or _extractor(""),
            clues=clues or [], seconds=round(time.perf_counter() - started, 4),
        )


def _extractor(vad: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("emoreason")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        ver = "dev"
    return f"emoreason-voice {ver}" + (f" ({vad} + numpy prosody)" if vad else "")


def _notes(ctx: ClipContext, result: VoiceAnalysis) -> list[str]:
    """Caveats worth telling the user: clipping, low sample rate, channel mix-down."""
    notes = []
    s = result.summary
    if s.clipped_ratio >= 0.001:
        notes.append(f"{100 * s.clipped_ratio:.1f}% of samples are clipped at full scale; loudness, "
                     "jitter and shimmer are unreliable")
    audio = ctx.media.audio
    if audio is not None and audio.sample_rate and audio.sample_rate < 16000:
        notes.append(f"source audio is {audio.sample_rate} Hz (below 16 kHz): voice-quality measures are coarse")
    if audio is not None and audio.channels and audio.channels > 1:
        notes.append(f"{audio.channels} audio channels were mixed down to mono")
    return notes
