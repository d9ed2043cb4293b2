"""What probing finds wrong with a media file that still opens: a cut-off end, extra streams, appended data.

Each check returns warnings (one line each) rather than refusing the file, so a damaged clip
is analysed as far as it goes and the result says what was left out.
"""

from __future__ import annotations

from pathlib import Path

import av

from emoreason.errors import MediaError

#: MP4/QuickTime family as FFmpeg names it.
_ISO_BMFF = "mov,mp4,m4a,3gp,3g2,mj2"
#: Unknown bytes after the last MP4 box worth a warning (smaller tails are padding).
_TAIL_BYTES = 64 * 1024


def tail_is_present(container: av.container.InputContainer, duration: float) -> bool:
    """Whether packets exist near the declared end (a file cut short keeps its index, but not its data)."""
    if duration <= 1.0:
        return True
    try:
        container.seek(int(duration * 0.95 * av.time_base), any_frame=True)
        return any(packet.size > 0 for packet, _ in zip(container.demux(), range(8), strict=False))
    except av.error.FFmpegError:
        return False


def readable_end(container: av.container.InputContainer) -> float:
    """Seconds up to which the video and audio streams have packets (demuxed from the start, no decoding)."""
    ends: list[float] = []
    streams = [*container.streams.video[:1], *container.streams.audio[:1]]
    try:
        container.seek(0)
        for packet in container.demux(streams):
            if packet.pts is None or packet.size == 0 or packet.time_base is None:
                continue
            ends.append(float((packet.pts + (packet.duration or 0)) * packet.time_base))
    except av.error.FFmpegError:
        pass
    return max(ends, default=0.0)


def cut_short(container: av.container.InputContainer, path: Path, duration: float) -> tuple[float, str | None]:
    """The duration to analyse and a warning when the data stops before the declared end.

    Raises:
        MediaError: no media data can be read at all.
    """
    if tail_is_present(container, duration):
        return duration, None
    end = min(readable_end(container), duration)
    if end < 0.1:
        raise MediaError(path, f"truncated or corrupt: no media data can be read (declared {duration:.1f} s)")
    return end, (f"{path.name} is truncated or corrupt: its media data stops near {end:.1f} s of the declared "
                 f"{duration:.1f} s; analysed up to there")


def extra_streams(container: av.container.InputContainer, path: Path) -> list[str]:
    """A warning per kind (video, audio) with more than one stream: only the first is analysed."""
    warnings = []
    for kind, streams in (("video", container.streams.video), ("audio", container.streams.audio)):
        real = [s for s in streams if not _is_cover_art(s)]
        if len(real) > 1:
            described = ", ".join(f"#{s.index} {_describe(s)}" for s in real)
            warnings.append(f"{path.name} has {len(real)} {kind} streams ({described}); only the first is analysed")
    return warnings


def _is_cover_art(stream: av.stream.Stream) -> bool:
    disposition = getattr(stream, "disposition", None)
    flag = getattr(getattr(av.stream, "Disposition", None), "attached_pic", None)
    try:
        return bool(disposition is not None and flag is not None and disposition & flag)
    except TypeError:
        return False


def _describe(stream: av.stream.Stream) -> str:
    ctx = stream.codec_context
    lang = stream.metadata.get("language")
    size = f" {ctx.width}x{ctx.height}" if stream.type == "video" and ctx.width else ""
    return f"{ctx.name}{size}" + (f" [{lang}]" if lang and lang != "und" else "")


def appended_data(path: Path, container_format: str) -> str | None:
    """A warning when an MP4/MOV file holds a second file (or much unknown data) after its own boxes.

    FFmpeg reads only the first file of ``cat a.mp4 b.mp4 > c.mp4`` and says nothing; walking the
    top-level box headers (a few reads) finds the second ``ftyp``.
    """
    if container_format != _ISO_BMFF:
        return None
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as fh:
        while offset + 8 <= size:
            fh.seek(offset)
            header = fh.read(16)
            box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if box_size == 1 and len(header) >= 16:
                box_size = int.from_bytes(header[8:16], "big")
            elif box_size == 0:
                box_size = size - offset
            if kind == b"ftyp" and offset > 0:
                return (f"{path.name} holds a second MP4 file from byte {offset:,} of {size:,} (files joined end "
                        "to end?); only the first is analysed")
            if box_size < 8 or not kind.isalnum() and kind not in (b"free", b"skip", b"\xa9too"):
                break
            offset += box_size
    tail = size - offset
    if 0 < tail and offset < size and tail >= _TAIL_BYTES:
        return f"{path.name} has {tail:,} bytes of unknown data after its last MP4 box (byte {offset:,}); ignored"
    return None
