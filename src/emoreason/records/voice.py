"""Voice-stage summary records: speech activity and prosody.

Conventions: times are seconds from the start of the clip; F0 is in semitones re 100 Hz
(``12 * log2(f0 / 100)``); loudness is the mean RMS level of the speech frames in dBFS
(gain-dependent, so only compared within a clip); jitter and shimmer are fractions
(0.01 = 1 %); HNR is in dB.
"""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record


class Prosody(Record):
    """Prosodic measures over a stretch of speech (None where nothing could be measured)."""

    duration: float | None = Field(default=None, description="Seconds of audio measured.")
    voiced_ratio: float | None = Field(default=None, description="Share of frames with a pitch.")
    f0_mean_hz: float | None = None
    f0_mean_st: float | None = Field(default=None, description="Mean F0, semitones re 100 Hz.")
    f0_sd_st: float | None = Field(default=None, description="Standard deviation of F0, semitones.")
    f0_range_st: float | None = Field(default=None, description="10th-90th percentile F0 range, semitones.")
    f0_slope_st_per_s: float | None = Field(default=None, description="Linear F0 trend, semitones/s.")
    f0_end_slope_st_per_s: float | None = Field(
        default=None, description="F0 trend over the final voiced 0.5 s, semitones/s."
    )
    f0_tremor_st: float | None = Field(
        default=None, description="RMS of fast (>~3 Hz) F0 wobble inside voiced runs, semitones."
    )
    loudness_db: float | None = Field(default=None, description="Mean RMS level of speech frames, dBFS.")
    loudness_range_db: float | None = Field(default=None, description="10th-90th percentile level range, dB.")
    speaking_rate_syl_per_s: float | None = Field(
        default=None, description="Estimated syllable nuclei per second of speech (articulation rate)."
    )
    pause_ratio: float | None = Field(default=None, description="Share of the speaking span spent in pauses.")
    pause_count: int | None = Field(default=None, description="Pauses of at least 0.25 s between speech.")
    longest_pause_s: float | None = None
    jitter_local: float | None = Field(default=None, description="Mean relative period perturbation.")
    shimmer_local: float | None = Field(default=None, description="Mean relative amplitude perturbation.")
    hnr_db: float | None = Field(default=None, description="Mean harmonics-to-noise ratio of voiced frames.")


class SpeechSegment(Record):
    """A stretch of detected speech with its prosody."""

    start: float
    end: float
    prosody: Prosody = Field(default_factory=Prosody)


class VoiceSummary(Record):
    """What the voice stage found in a clip."""

    speech_segments: list[SpeechSegment] = Field(default_factory=list)
    clip_prosody: Prosody = Field(default_factory=Prosody)
    speech_ratio: float = 0.0
    vad: str = Field(default="", description="Speech-activity detector used, e.g. 'silero-onnx'.")
    prosody_backend: str = Field(default="", description="Pitch/voice-quality extractor, e.g. 'numpy-ac'.")
    duration: float = Field(default=0.0, description="Seconds of audio analysed.")
    sample_rate: int | None = Field(default=None, description="Sample rate of the source stream, Hz.")
    clipped_ratio: float = Field(default=0.0, description="Share of samples at full scale (clipping).")
    egemaps: dict[str, float] | None = Field(
        default=None, description="openSMILE eGeMAPSv02 functionals over the clip, when installed."
    )
    notes: list[str] = Field(default_factory=list, description="Caveats about the measurement.")
