"""Records describing a media file and its streams."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record


class VideoStreamInfo(Record):
    """The first video stream of a container."""

    codec: str
    width: int = Field(description="Display width after rotation, pixels.")
    height: int = Field(description="Display height after rotation, pixels.")
    fps: float = Field(description="Average frame rate.")
    frame_count: int | None = Field(default=None, description="Frames, when known.")
    duration: float | None = Field(default=None, description="Stream duration, seconds.")
    rotation: int = Field(default=0, description="Clockwise display rotation, degrees (0/90/180/270).")
    pixel_format: str | None = None


class AudioStreamInfo(Record):
    """The first audio stream of a container."""

    codec: str
    sample_rate: int
    channels: int
    duration: float | None = None


class SubtitleStreamInfo(Record):
    """An embedded subtitle stream."""

    codec: str
    language: str | None = None


class MediaInfo(Record):
    """What `emoreason probe` reports about a file."""

    path: str
    container: str
    size_bytes: int
    duration: float = Field(description="Container duration in seconds (0 for still images).")
    video: VideoStreamInfo | None = None
    audio: AudioStreamInfo | None = None
    subtitles: list[SubtitleStreamInfo] = Field(default_factory=list)
    is_image: bool = False
    warnings: list[str] = Field(
        default_factory=list, description="What probing found wrong: truncation, extra streams, appended data."
    )

    @property
    def has_video(self) -> bool:
        """Whether a video (or image) stream is present."""
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        """Whether an audio stream is present."""
        return self.audio is not None
