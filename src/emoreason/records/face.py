"""Face-stage summary records (the per-frame table travels as a DataFrame beside them)."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record
from emoreason.records.emotions import EmotionScore


class FaceTrackSummary(Record):
    """One tracked face over the clip."""

    face_id: int
    start: float
    end: float
    n_frames: int
    mean_size: float = Field(description="Mean face height as a fraction of frame height.")
    is_main: bool = False
    expression: dict[str, float] = Field(
        default_factory=dict, description="Mean expression probabilities over the track."
    )
    main_score: float = Field(default=0.0, description="Main-character score (screen time × size × speech).")
    speaking_score: float | None = Field(
        default=None, description="Mouth motion during detected speech (IOD/s); None without speech segments."
    )
    au_means: dict[str, float] = Field(default_factory=dict, description="Mean AU intensity (0–5) over the track.")


class PeakFrame(Record):
    """MERR's peak frame: argmax over frames of the summed intensity of the most frequent AUs."""

    frame: int
    time: float
    face_id: int
    aus: list[str] = Field(default_factory=list, description="AUs active at the peak, e.g. 'AU12'.")
    au_intensities: dict[str, float] = Field(default_factory=dict)
    phrases: list[str] = Field(default_factory=list, description="AU phrases, e.g. 'lip corner puller'.")
    frequent_aus: list[str] = Field(
        default_factory=list, description="The track's most frequent AUs (MERR's AU list) that chose the peak."
    )


class FaceSummary(Record):
    """What the face stage found in a clip."""

    tracks: list[FaceTrackSummary] = Field(default_factory=list)
    main_face_id: int | None = None
    peak: PeakFrame | None = None
    frames_analysed: int = 0
    sample_fps: float | None = None
    frames_with_face: int = 0
    extractor: str = Field(default="", description="Models behind the summary (detector, mesh, AUs, expression).")


class PersonEmotions(Record):
    """One tracked person's own emotions, from that face's clues alone (``explain --all-people``)."""

    face_id: int
    is_main: bool = False
    start: float
    end: float
    n_frames: int
    emotions: list[EmotionScore] = Field(default_factory=list)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    clues: list[str] = Field(default_factory=list, description="The face's strongest clues, as phrases.")
