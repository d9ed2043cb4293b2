"""The peak-frame thumbnail of a clip, as an inline ``data:image/jpeg;base64`` URI."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.records import ExplainResult

log = logging.getLogger(__name__)


def thumbnail_time(result: ExplainResult) -> tuple[float, str] | None:
    """When to take the thumbnail, and what it shows: the face summary's peak, else mid-clip."""
    if not result.media.has_video:
        return None
    face = result.face
    if face is not None and face.peak is not None:
        aus = ", ".join(face.peak.phrases[:4])
        return face.peak.time, f"peak frame at {face.peak.time:.1f} s" + (f": {aus}" if aus else "")
    if result.media.is_image:
        return 0.0, "the image"
    return result.media.duration / 2, f"middle frame at {result.media.duration / 2:.1f} s (no face peak)"


def frame_jpeg(path: str | Path, time: float, *, max_side: int = 360, quality: int = 85) -> str:
    """The frame of `path` at `time` seconds (display rotation applied) as a base64 JPEG data URI.

    Raises:
        MediaError: the file is missing or undecodable, or has no frame at that time.
    """
    import cv2

    from emoreason.errors import MediaError
    from emoreason.io.video import iter_frames

    frame = None
    for candidate in iter_frames(path, start=max(0.0, time), max_side=max_side, threaded=False, on_error="stop"):
        frame = candidate
        break
    if frame is None:  # time past the last frame: keep the last one
        for candidate in iter_frames(path, start=max(0.0, time - 1.0), max_side=max_side, on_error="stop"):
            frame = candidate
    if frame is None:
        raise MediaError(path, f"no video frame at {time:.2f} s")
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise MediaError(path, "the frame could not be encoded as JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buf.tobytes()).decode("ascii")


def clip_thumbnail(result: ExplainResult, *, max_side: int = 360) -> tuple[str | None, str]:
    """(data URI or None, caption) for the clip; the caption says why when there is no picture."""
    when = thumbnail_time(result)
    if when is None:
        return None, "no video stream"
    time, caption = when
    try:
        return frame_jpeg(result.media.path, time, max_side=max_side), caption
    except EmoreasonError as exc:
        log.warning("no thumbnail for %s: %s", result.media.path, exc)
        return None, f"thumbnail unavailable: {exc}"
