"""Files a dataset keeps beside its records: the peak-frame JPEG and a copy of each clip.

Both land *inside* the dataset folder (``frames/``, ``media/``) under names derived from the clip
id, so the review page never has to serve anything from outside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from emoreason.errors import OutputError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(clip_id: str) -> str:
    """A file-name stem for `clip_id`: readable, unique (short hash), no path separators."""
    stem = _UNSAFE.sub("_", Path(clip_id).stem or "clip").strip("._")[:60] or "clip"
    return f"{stem}-{hashlib.sha1(clip_id.encode()).hexdigest()[:8]}"


def save_peak_frame(video: str | Path, time: float, frame_index: int, dest: Path) -> bool:
    """Decode the frame nearest `time` (preferring `frame_index`) and write it as JPEG; False if none decodes."""
    import cv2

    from emoreason.io.video import iter_frames

    best = None
    for frame in iter_frames(video, start=max(0.0, time - 0.2), end=time + 0.2, on_error="stop"):
        if best is None or abs(frame.time - time) < abs(best.time - time) or frame.index == frame_index:
            best = frame
        if frame.index == frame_index:
            break
    if best is None:
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".tmp.jpg")
    if not cv2.imwrite(str(tmp), cv2.cvtColor(best.image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90]):
        raise OutputError(f"{dest}: cannot write the peak-frame JPEG")
    os.replace(tmp, dest)
    return True


def copy_clip(src: str | Path, dest: Path) -> None:
    """Hard-link `src` to `dest` (copy when linking is not possible); nothing when it is already there."""
    src = Path(src)
    if dest.exists() and dest.stat().st_size == src.stat().st_size:
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        try:
            shutil.copyfile(src, tmp)
        except OSError as exc:
            raise OutputError(f"{dest}: cannot copy the clip into the dataset ({exc.strerror or exc})") from exc
    os.replace(tmp, dest)
