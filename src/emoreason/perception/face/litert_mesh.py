"""Face landmarks from mediapipe's TFLite models run directly with ``ai-edge-litert``.

Same interface as :class:`emoreason.perception.face.mesh.FaceLandmarker` (``process``,
``counters``, ``close``, context manager), selected with ``backend="litert"``. Instead of
mediapipe's graph, every tracked face keeps a rotated square region of interest (ROI) that
is rebuilt from its previous landmarks the way mediapipe does it (axis-aligned landmark box,
rotation from the eye corners 33 → 263, 1.5 × the longer side). Each frame the 468-point
``face_landmark.tflite`` runs on the 192 × 192 warp of each ROI; a face whose presence score
drops below 0.5 is lost. With ``iris`` the separate ``iris_landmark.tflite`` runs on both
eyes (mediapipe's attention model, used by its ``refine_landmarks``, needs custom ops that
LiteRT does not ship, so iris points and the eye/lip refinement differ slightly from it).

(Re)detection uses mediapipe's full-range ``FaceDetection`` (every ``scan_interval`` s, a
quarter of it while no face is tracked), then dlib's HOG detector when that finds nothing.
Landmarks are in pixels with ``z`` in the same scale, as in ``mesh.py``.
"""

from __future__ import annotations

import importlib.util
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import DependencyError
from emoreason.perception.face.mesh import (
    MESH_GATE,
    N_LANDMARKS,
    FaceLandmarker,
    FaceObservation,
    bbox_of,
    iou,
)

logger = logging.getLogger(__name__)

#: ROI as (centre x, centre y, side, angle in radians), pixels.
Roi = tuple[float, float, float, float]
Box = tuple[float, float, float, float]

_MESH_SIZE = 192
_IRIS_SIZE = 64
#: Face-presence probability below which a tracked face is lost (mediapipe's tracking gate).
_PRESENCE = 0.5
#: Eye-corner pairs (inner/outer order as mediapipe's iris graph) and their iris slots.
_EYES = (((33, 133), 468, False), ((362, 263), 473, True))


def models_dir() -> Path:
    """``mediapipe/modules`` of the installed wheel (found without importing mediapipe)."""
    spec = importlib.util.find_spec("mediapipe")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError("the litert face backend reads its models from the mediapipe==0.10.21 wheel")
    return Path(next(iter(spec.submodule_search_locations))) / "modules"


def _interpreter(path: Path, num_threads: int | None) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise DependencyError("the litert face backend needs ai-edge-litert: pip install ai-edge-litert") from exc
    interpreter = Interpreter(model_path=str(path), num_threads=num_threads)
    interpreter.allocate_tensors()
    return interpreter


def _roi_matrix(roi: Roi, size: int) -> np.ndarray:
    """2 × 3 affine map from model-input pixels (u, v) to image pixels."""
    cx, cy, side, angle = roi
    c, s = math.cos(angle) * side / size, math.sin(angle) * side / size
    return np.array(
        [[c, -s, cx - (c - s) * size / 2], [s, c, cy - (s + c) * size / 2]],
        dtype=np.float64,
    )


def warp_roi(image: np.ndarray, roi: Roi, size: int, flip: bool = False) -> np.ndarray:
    """The ROI resampled to a (1, size, size, 3) float32 tensor in [0, 1]."""
    import cv2

    crop = cv2.warpAffine(
        image,
        _roi_matrix(roi, size),
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
    )
    if flip:
        crop = crop[:, ::-1]
    return (crop.astype(np.float32) * (1.0 / 255.0))[None]


def to_image(points: np.ndarray, roi: Roi, size: int, flip: bool = False) -> np.ndarray:
    """Model-output points (n, 3) in input pixels to image pixels (z scaled like x)."""
    pts = points.astype(np.float64).copy()
    if flip:
        pts[:, 0] = size - pts[:, 0]
    m = _roi_matrix(roi, size)
    out = np.empty_like(pts)
    out[:, :2] = pts[:, :2] @ m[:, :2].T + m[:, 2]
    out[:, 2] = pts[:, 2] * roi[2] / size
    return out.astype(np.float32)


def roi_from_points(points: np.ndarray, start: int, end: int, scale: float) -> Roi:
    """Mediapipe's rect: axis-aligned box of `points`, rotation start → end, × `scale`, square."""
    x0, y0, x1, y1 = points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max()
    dx, dy = points[end, 0] - points[start, 0], points[end, 1] - points[start, 1]
    side = scale * max(x1 - x0, y1 - y0)
    return float((x0 + x1) / 2), float((y0 + y1) / 2), float(side), float(math.atan2(dy, dx))


def roi_from_detection(box: Box, eyes: np.ndarray | None) -> Roi:
    """Mediapipe's detection-to-ROI: box centre, rotation from the eyes, 1.5 × longer side."""
    angle = 0.0
    if eyes is not None:
        angle = math.atan2(eyes[1, 1] - eyes[0, 1], eyes[1, 0] - eyes[0, 0])
    return box[0] + box[2] / 2, box[1] + box[3] / 2, 1.5 * max(box[2], box[3]), angle


def _park_iris(pts: np.ndarray) -> np.ndarray:
    """Append iris points 468–477 as copies of the eye centres (iris model off)."""
    pad = np.empty((N_LANDMARKS - len(pts), 3), dtype=np.float32)
    pad[:5] = pts[[33, 133, 159, 145]].mean(axis=0)
    pad[5:] = pts[[263, 362, 386, 374]].mean(axis=0)
    return np.vstack([pts, pad])


class LiteRTFaceLandmarker(FaceLandmarker):
    """:class:`FaceLandmarker` with the landmark (and iris) models run through LiteRT.

    Args:
        max_faces: most faces reported per frame.
        iris: run the iris model on both eyes (points 468–477).
        static: treat every frame as an unrelated image (detector on every frame).
        scan_interval: seconds between full-range detector scans in video mode.
        min_confidence: detector score below which a detection is ignored.
        num_threads: LiteRT threads per model (None: LiteRT's default).
    """

    def __init__(
        self,
        *,
        max_faces: int = 6,
        iris: bool = True,
        static: bool = False,
        scan_interval: float = 2.0,
        min_confidence: float = 0.5,
        num_threads: int | None = None,
    ) -> None:
        self._num_threads = num_threads
        super().__init__(
            max_faces=max_faces, iris=iris, static=static, scan_interval=scan_interval,
            min_confidence=min_confidence,
        )

    def _init_models(self) -> None:
        """LiteRT mesh (and iris) interpreters instead of mediapipe's graph."""
        modules = models_dir()
        self._mesh_model = _interpreter(modules / "face_landmark" / "face_landmark.tflite", self._num_threads)
        self._iris_model = (
            _interpreter(modules / "iris_landmark" / "iris_landmark.tflite", self._num_threads)
            if self.iris else None
        )
        self._mesh_io = _io(self._mesh_model, ("conv2d_21", "conv2d_31"))
        self._iris_io = _io(self._iris_model, ("output_iris",)) if self.iris else None
        self.refine_pass = True
        self._mesh = None
        self._tracks: list[Roi] = []
        self.counters["landmark_runs"] = 0

    # -- models -------------------------------------------------------------------------
    def _landmarks(self, image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
        """468 (or 478 with iris) image-pixel landmarks in `roi` and the face-presence probability."""
        self.counters["landmark_runs"] += 1
        inp, (coords, flag) = self._mesh_io
        self._mesh_model.set_tensor(inp, warp_roi(image, roi, _MESH_SIZE))
        self._mesh_model.invoke()
        logit = float(self._mesh_model.get_tensor(flag).reshape(-1)[0])
        presence = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
        raw = self._mesh_model.get_tensor(coords).reshape(-1, 3)
        pts = to_image(raw, roi, _MESH_SIZE)
        pts = self._with_iris(image, pts) if self.iris else _park_iris(pts)
        return pts, presence

    def _with_iris(self, image: np.ndarray, pts: np.ndarray) -> np.ndarray:
        """Append the iris model's 2 × 5 iris points (centre first) to the 468 mesh points."""
        assert self._iris_model is not None and self._iris_io is not None
        inp, (out,) = self._iris_io
        iris = np.empty((N_LANDMARKS - len(pts), 3), dtype=np.float32)
        for (a, b), slot, flip in _EYES:  # the model knows one eye; the other is mirrored in and out
            roi = roi_from_points(pts[[a, b]], 0, 1, 2.3)
            self._iris_model.set_tensor(inp, warp_roi(image, roi, _IRIS_SIZE, flip=flip))
            self._iris_model.invoke()
            raw = self._iris_model.get_tensor(out).reshape(-1, 3)
            if flip:  # mirrored: the points right and left of the centre swap places
                raw = raw[[0, 3, 2, 1, 4]]
            i = slot - 468
            iris[i : i + 5] = to_image(raw, roi, _IRIS_SIZE, flip=flip)
        return np.vstack([pts, iris])

    # -- main entry ---------------------------------------------------------------------
    def process(self, image: np.ndarray, time: float = 0.0) -> list[FaceObservation]:
        """Faces in one RGB uint8 frame (tracked from the previous call in video mode)."""
        image = self._begin_frame(image)
        if image is None:
            return []
        faces: list[FaceObservation] = []
        tracks: list[Roi] = []
        for roi in [] if self.static else self._tracks:
            pts, presence = self._landmarks(image, roi)
            box = bbox_of(pts)
            if presence < _PRESENCE or any(iou(box, f.bbox) > 0.5 for f in faces):
                continue
            faces.append(FaceObservation(pts, box, MESH_GATE, "mesh", self.iris))
            tracks.append(roi_from_points(pts, 33, 263, 1.5))
        self._tracks = tracks
        due = time - self._last_scan >= (self.scan_interval if faces else self.scan_interval / 4)
        if self.static or due:
            faces = self._scan_litert(image, faces, time)
        return faces[: self.max_faces]

    def _scan_litert(self, image: np.ndarray, faces: list[FaceObservation], time: float) -> list[FaceObservation]:
        """Run the detector; score tracked faces, start tracks on the faces not yet tracked."""
        self._last_scan = time
        self.counters["scans"] += 1
        detections = self._detect_keyed(image)
        if not detections and not faces:
            detections = [(box, score, None) for box, score in self._detect_dlib(image)]
        faces = list(faces)
        for i, face in enumerate(faces):
            best = max(detections, key=lambda d: iou(d[0], face.bbox), default=None)
            if best is not None and iou(best[0], face.bbox) > 0.3:
                faces[i] = FaceObservation(face.landmarks, face.bbox, best[1], face.source, face.iris, scored=True)
        uncovered = [d for d in detections if all(iou(d[0], f.bbox) < 0.3 for f in faces)]
        for box, score, eyes in sorted(uncovered, key=lambda d: -d[0][2] * d[0][3]):
            if len(faces) >= self.max_faces:
                break
            self.counters["crop_meshes"] += 1
            pts, presence = self._landmarks(image, roi_from_detection(box, eyes))
            if presence < _PRESENCE:
                continue
            if self.refine_pass:  # second pass from the first landmarks' ROI
                pts, presence = self._landmarks(image, roi_from_points(pts, 33, 263, 1.5))
            obs = FaceObservation(pts, bbox_of(pts), score, "crop", self.iris, scored=True)
            if presence < _PRESENCE or any(iou(obs.bbox, f.bbox) > 0.3 for f in faces):
                continue
            faces.append(obs)
            self._tracks.append(roi_from_points(pts, 33, 263, 1.5))
        return faces

    def close(self) -> None:
        """Release the detector graph and the interpreters."""
        if self._detector is not None:
            self._detector.close()
        self._detector = None
        self._mesh_model = self._iris_model = None


def _io(interpreter: Any, outputs: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
    """Input tensor index and the indices of the named outputs."""
    by_name = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    return interpreter.get_input_details()[0]["index"], tuple(by_name[name] for name in outputs)
