"""An annotated image of the peak frame: face boxes, ids, the main face's peak AUs and expression."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.errors import MediaError, OutputError
from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.records import FaceSummary

#: The image formats a preview may be written as.
PREVIEW_SUFFIXES = frozenset({".png", ".jpg", ".jpeg"})


def _frame_at(path: Path, frame_index: int, time: float) -> np.ndarray:
    from emoreason.io import iter_frames

    for frame in iter_frames(path, start=max(0.0, time - 0.5), end=time + 0.5):
        if frame.index >= frame_index:
            return frame.image
    raise MediaError(path, f"frame {frame_index} ({time:.2f} s) could not be decoded for the preview")


def render_preview(
    path: str | Path,
    table: pd.DataFrame,
    summary: FaceSummary,
    out: str | Path,
) -> Path:
    """Draw the peak frame (or the first frame with a face) with boxes and labels; write a PNG/JPEG.

    Raises:
        OutputError: no face to show, or the image cannot be written.
    """
    import cv2

    faces = table[table["success"] == 1]
    if faces.empty:
        raise OutputError(f"{out}: no face was found, so there is no peak frame to preview")
    if summary.peak is not None:
        frame_index, time = summary.peak.frame, summary.peak.time
    else:
        frame_index, time = int(faces["frame"].iloc[0]), float(faces["timestamp"].iloc[0])
    image = _frame_at(Path(path), frame_index, time).copy()  # full size: boxes are in source pixels
    thickness = max(1, round(max(image.shape[:2]) / 400))
    for _, row in faces[faces["frame"] == frame_index].iterrows():
        x, y, w, h = (int(round(row[c])) for c in ("face_x", "face_y", "face_w", "face_h"))
        main = summary.main_face_id is not None and int(row["face_id"]) == summary.main_face_id
        colour = (255, 200, 0) if main else (160, 160, 160)
        cv2.rectangle(image, (x, y), (x + w, y + h), colour, thickness)
        probs = {e: float(row[e]) for e in EXPRESSIONS if not np.isnan(row[e])}
        label = f"#{int(row['face_id'])}"
        if probs:
            best = max(probs, key=probs.get)
            label += f" {best} {probs[best]:.2f}"
        _text(image, label, (x, max(12, y - 6)), colour, thickness)
    if summary.peak is not None:
        lines = [f"peak {summary.peak.time:.2f} s (frame {summary.peak.frame})"]
        lines += [f"{code} {value:.1f}" for code, value in summary.peak.au_intensities.items()]
        for i, line in enumerate(lines):
            _text(image, line, (8, 20 + 18 * i * thickness), (255, 255, 255), thickness)
    target = Path(out)
    if not target.parent.exists():
        raise OutputError(f"{target}: folder {target.parent} does not exist")
    if target.suffix.lower() not in PREVIEW_SUFFIXES:
        raise OutputError(f"{target}: the preview is an image; use a .png or .jpg name")
    if not cv2.imwrite(str(target), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        raise OutputError(f"{target}: cannot write the preview")
    return target


def _text(image: np.ndarray, text: str, origin: tuple[int, int], colour: tuple[int, int, int], thickness: int) -> None:
    import cv2

    scale = 0.45 * thickness
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.putText(image, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA)
