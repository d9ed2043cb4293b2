"""Probe a media file: container, duration, streams, rotation — and reject what is not media."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

from emoreason.errors import MediaError
from emoreason.records import AudioStreamInfo, MediaInfo, SubtitleStreamInfo, VideoStreamInfo

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def check_file(path: str | Path) -> Path:
    """Return `path` as a Path after checking it is an existing, non-empty, readable file.

    Raises:
        MediaError: missing, a directory, empty or unreadable.
    """
    p = Path(path)
    if not p.exists():
        raise MediaError(p, "file not found")
    if p.is_dir():
        raise MediaError(p, "is a directory, not a media file")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise MediaError(p, f"cannot read file ({exc.strerror or exc})") from exc
    if size == 0:
        raise MediaError(p, "file is empty (0 bytes)")
    return p


def open_container(path: Path) -> av.container.InputContainer:
    """Open `path` with PyAV, translating FFmpeg errors into a one-line :class:`MediaError`."""
    try:
        return av.open(str(path), mode="r")
    except av.error.InvalidDataError as exc:
        raise MediaError(path, "not a readable media file (unknown format, truncated or corrupt)") from exc
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"cannot open media: {_ffmpeg_reason(exc)}") from exc


def _ffmpeg_reason(exc: av.error.FFmpegError) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip() or type(exc).__name__


def _rotation(stream: av.video.stream.VideoStream) -> int:
    """Clockwise display rotation in degrees, from the stream's tags or display matrix."""
    tag = stream.metadata.get("rotate")
    if tag is not None:
        try:
            return int(float(tag)) % 360
        except ValueError:
            return 0
    return 0


def _video_info(container: av.container.InputContainer, path: Path) -> VideoStreamInfo:
    stream = container.streams.video[0]
    ctx = stream.codec_context
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate or Fraction(0)
    rotation = _rotation(stream)
    first = _first_frame(container, stream, path)
    if rotation == 0 and first is not None:
        rotation = int(-getattr(first, "rotation", 0) or 0) % 360
    width, height = ctx.width or (first.width if first else 0), ctx.height or (first.height if first else 0)
    if rotation in (90, 270):
        width, height = height, width
    duration = float(stream.duration * stream.time_base) if stream.duration and stream.time_base else None
    return VideoStreamInfo(
        codec=ctx.name,
        width=int(width),
        height=int(height),
        fps=float(rate) if rate else 0.0,
        frame_count=int(stream.frames) or None,
        duration=duration,
        rotation=rotation,
        pixel_format=ctx.format.name if ctx.format else None,
    )


def _first_frame(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, path: Path
) -> av.VideoFrame | None:
    """Decode the first frame to prove the stream is decodable."""
    try:
        for frame in container.decode(stream):
            return frame
    except av.error.FFmpegError as exc:
        raise MediaError(path, f"video stream cannot be decoded ({_ffmpeg_reason(exc)})") from exc
    raise MediaError(path, "video stream holds no decodable frame (truncated or corrupt)")


def _check_tail(container: av.container.InputContainer, path: Path, duration: float) -> None:
    """Raise when the media data stops well before the duration the container declares.

    A file cut short (an interrupted download or copy) keeps its index, so it opens and its
    first frames decode; a seek near the declared end then finds no packet at all.
    """
    if duration <= 1.0:
        return
    try:
        container.seek(int(duration * 0.95 * av.time_base), any_frame=True)
        has_data = any(packet.size > 0 for packet, _ in zip(container.demux(), range(8), strict=False))
    except av.error.FFmpegError:
        has_data = False
    if not has_data:
        raise MediaError(path, f"truncated or corrupt: no media data near the declared end ({duration:.1f} s)")


def _image_info(path: Path) -> MediaInfo:
    from emoreason.io.image import read_image

    image = read_image(path)
    h, w = image.shape[:2]
    video = VideoStreamInfo(codec=path.suffix.lstrip(".").lower(), width=w, height=h, fps=0.0, frame_count=1)
    return MediaInfo(
        path=str(path), container="image", size_bytes=path.stat().st_size, duration=0.0,
        video=video, is_image=True,
    )


def probe(path: str | Path) -> MediaInfo:
    """Describe a media file (any container PyAV reads, or a still image).

    Raises:
        MediaError: the file is missing, empty, not media, or its video cannot be decoded.
    """
    p = check_file(path)
    if p.suffix.lower() in IMAGE_SUFFIXES:
        return _image_info(p)
    with open_container(p) as container:
        if not container.streams.video and not container.streams.audio:
            raise MediaError(p, "no audio or video stream")
        video = _video_info(container, p) if container.streams.video else None
        audio = None
        if container.streams.audio:
            a = container.streams.audio[0]
            a_dur = float(a.duration * a.time_base) if a.duration and a.time_base else None
            audio = AudioStreamInfo(
                codec=a.codec_context.name, sample_rate=int(a.codec_context.sample_rate or 0),
                channels=int(a.codec_context.channels or 0), duration=a_dur,
            )
        subs = [
            SubtitleStreamInfo(codec=s.codec_context.name, language=s.metadata.get("language"))
            for s in container.streams.subtitles
        ]
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        if duration == 0.0:
            duration = max((video.duration or 0.0) if video else 0.0, (audio.duration or 0.0) if audio else 0.0)
        _check_tail(container, p, duration)
        return MediaInfo(
            path=str(p), container=container.format.name, size_bytes=p.stat().st_size,
            duration=duration, video=video, audio=audio, subtitles=subs,
        )
