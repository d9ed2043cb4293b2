"""Probe a media file: container, duration, streams, rotation — and reject what is not media."""

from __future__ import annotations

import stat
from fractions import Fraction
from pathlib import Path

import av

from emoreason.errors import MediaError
from emoreason.io import integrity
from emoreason.records import AudioStreamInfo, MediaInfo, SubtitleStreamInfo, VideoStreamInfo

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


def check_file(path: str | Path) -> Path:
    """Return `path` as a Path after checking it is an existing, non-empty, readable regular file.

    Checked with ``stat`` before anything opens it, so a FIFO, socket or device is refused at
    once instead of blocking the caller.

    Raises:
        MediaError: missing, a directory or other non-regular file, empty or unreadable.
    """
    p = Path(path)
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise MediaError(p, "file not found") from None
    except OSError as exc:
        raise MediaError(p, f"cannot read file ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(mode):
        raise MediaError(p, "is a directory, not a media file")
    if not stat.S_ISREG(mode):
        raise MediaError(p, f"is a {_file_kind(mode)}, not a regular file; save the media to a file first")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise MediaError(p, f"cannot read file ({exc.strerror or exc})") from exc
    if size == 0:
        raise MediaError(p, "file is empty (0 bytes)")
    return p


def _file_kind(mode: int) -> str:
    """A name for a non-regular file type."""
    kinds = ((stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "character device"),
             (stat.S_ISBLK, "block device"))
    return next((name for test, name in kinds if test(mode)), "special file")


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

    A file that opens but is damaged is described as far as it can be read: ``duration`` is
    where a cut-off file's data stops, and ``warnings`` name the truncation, extra video/audio
    streams (only the first of each is analysed) and a second file appended to an MP4.

    Raises:
        MediaError: the file is missing, empty, not a regular file, not media, or nothing in it decodes.
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
        duration, cut = integrity.cut_short(container, p, duration)
        warnings = [*([cut] if cut else []), *integrity.extra_streams(container, p)]
        appended = integrity.appended_data(p, container.format.name)
        return MediaInfo(
            path=str(p), container=container.format.name, size_bytes=p.stat().st_size,
            duration=duration, video=video, audio=audio, subtitles=subs,
            warnings=warnings + ([appended] if appended else []),
        )
