"""Face perception: detection, per-person tracking, action units, head pose, gaze, expression.

Two entry points:

* :func:`detect_faces` — one call from an image/video path or an RGB array to a
  :class:`FaceResult` whose ``table`` is a tidy OpenFace-layout DataFrame;
* :class:`FaceStage` — the pipeline stage (sets ``ctx.face`` and ``ctx.face_table`` and
  returns the FACE report with time-spanned clues).

How each action unit is computed, and what it gets wrong, is in ``MODEL_CARD.md``.
"""

from emoreason.perception.face.analyzer import FaceResult, detect_faces
from emoreason.perception.face.stage import FaceStage, summarise
from emoreason.perception.face.table import COLUMNS, write_table

__all__ = ["COLUMNS", "FaceResult", "FaceStage", "detect_faces", "summarise", "write_table"]
