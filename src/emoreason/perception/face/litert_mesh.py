"""Face landmarks from mediapipe's TFLite models run directly with ``ai-edge-litert``.

Same interface as :class:`emoreason.perception.face.mesh.FaceLandmarker` (``process``,
``counters``, ``close``, context manager), selected with ``backend="litert"``. Instead of
mediapipe's graph, every tracked face keeps a rotated square region of interest (ROI) that
is rebuilt from its previous landmarks the way mediapipe does it (axis-aligned landmark box,
rotation from the eye corners 33 → 263, 1.5 × the longer side). Each frame the 468-point
``face_landmark.tflite`` runs on the 192 × 192 warp of each ROI; a face whose presence score
drops below 0.5 is lost. With ``iris`` the attention model that mediapipe's
``refine_landmarks`` uses runs instead (``face_landmark_with_attention.tflite``: the mesh plus
refined lips, eyes and irises; its custom operators run in numpy, see
:mod:`~emoreason.perception.face.attention_mesh`).

(Re)detection runs the full-range BlazeFace model (every ``scan_interval`` s, a quarter of
it while no face is tracked; :mod:`~emoreason.perception.face.litert_detector`); a scan that
finds and follows nothing tries the short-range model, then dlib's HOG detector. A detection
starts a track only when the landmark model confirms a face there. Nothing here imports
mediapipe. Landmarks are in pixels with ``z`` in the same scale, as in ``mesh.py``.
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np

from emoreason.perception.face.litert_runtime import interpreter as _interpreter
from emoreason.perception.face.litert_runtime import lease, models_dir, release, write_unit_image
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
#: Face-presence probability below which a tracked face is lost (mediapipe's tracking gate).
_PRESENCE = 0.5
#: Presence a detection needs (after the refine pass) to start a track. Real faces in the
#: shipped and shared clips score ≥ 0.93; the one false detection seen (letters in
#: no_face.mp4, detector score 0.60) 0.77. Mediapipe rejects it with a second detector pass.
_START_PRESENCE = 0.9


def _roi_matrix(roi: Roi, size: int) -> np.ndarray:
    """2 × 3 affine map from model-input pixels (u, v) to image pixels."""
    cx, cy, side, angle = roi
    c, s = math.cos(angle) * side / size, math.sin(angle) * side / size
    return np.array(
        [[c, -s, cx - (c - s) * size / 2], [s, c, cy - (s + c) * size / 2]],
        dtype=np.float64,
    )


def warp_roi(image: np.ndarray, roi: Roi, size: int) -> np.ndarray:
    """The ROI resampled to a (size, size, 3) uint8 crop (bilinear, black outside the image)."""
    import cv2

    return cv2.warpAffine(
        image,
        _roi_matrix(roi, size),
        (size, size),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
    )


def to_image(points: np.ndarray, roi: Roi, size: int) -> np.ndarray:
    """Model-output points (n, 3) in input pixels to image pixels (z scaled like x)."""
    pts = points.astype(np.float64)
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
    """:class:`FaceLandmarker` with mediapipe's landmark models run through LiteRT.

    Args:
        max_faces: most faces reported per frame.
        iris: run the attention model (iris points 468–477, refined eyes and lips).
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
        """LiteRT models instead of mediapipe's graph: the attention mesh with iris, else the plain mesh."""
        if self.iris:
            from emoreason.perception.face.attention_mesh import AttentionMesh

            self._model_key: tuple = ("attention", self._num_threads)
            self._attention: AttentionMesh | None = lease(
                self._model_key, lambda: AttentionMesh(num_threads=self._num_threads)
            )
            self._mesh_model = None
        else:
            self._model_key = ("mesh", self._num_threads)
            self._attention = None
            self._mesh_model = lease(
                self._model_key,
                lambda: _interpreter(models_dir() / "face_landmark" / "face_landmark.tflite", self._num_threads),
            )
            self._mesh_io = _io(self._mesh_model, ("conv2d_21", "conv2d_31"))
        self._near: Any = None
        self._mesh = None
        self._tracks: list[Roi] = []
        self.counters["landmark_runs"] = 0

    # -- models -------------------------------------------------------------------------
    def _landmarks(self, image: np.ndarray, roi: Roi) -> tuple[np.ndarray, float]:
        """478 image-pixel landmarks in `roi` (iris points parked without iris) and the presence probability."""
        self.counters["landmark_runs"] += 1
        crop = warp_roi(image, roi, _MESH_SIZE)
        if self._attention is not None:
            raw, logit = self._attention.run(crop)
        else:
            inp, (coords, flag) = self._mesh_io
            write_unit_image(self._mesh_model, inp, crop)
            self._mesh_model.invoke()
            logit = float(self._mesh_model.get_tensor(flag).reshape(-1)[0])
            raw = self._mesh_model.get_tensor(coords).reshape(-1, 3)
        presence = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, logit))))
        pts = to_image(raw, roi, _MESH_SIZE)
        return (pts if self._attention is not None else _park_iris(pts)), presence

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
            detections = self._detect_near(image)
        if not detections and not faces:
            detections = [(box, score, None) for box, score in self._detect_dlib(image, time)]
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
            pts = self._start_landmarks(image, roi_from_detection(box, eyes))
            if pts is None:
                continue
            obs = FaceObservation(pts, bbox_of(pts), score, "crop", self.iris, scored=True)
            if any(iou(obs.bbox, f.bbox) > 0.3 for f in faces):
                continue
            faces.append(obs)
            self._tracks.append(roi_from_points(pts, 33, 263, 1.5))
        return faces

    def _detect_near(self, image: np.ndarray) -> list[tuple[Box, float, np.ndarray | None]]:
        """Short-range detections, tried when a scan finds and follows nothing.

        It finds near faces far from upright (a phone video held sideways without a rotation
        tag) that the full-range model misses. Only then: it also scores the backs of heads
        0.5–0.6, which would otherwise start tracks beside the person.
        """
        if self._near is None:
            from emoreason.perception.face.litert_detector import SHORT_RANGE, leased_detector

            self._near = leased_detector(SHORT_RANGE, self.min_confidence)
        return [(d.box, d.score, d.keypoints[:2]) for d in self._near.detect(image)]

    def _start_landmarks(self, image: np.ndarray, roi: Roi) -> np.ndarray | None:
        """Landmarks of a new face in a detector's ROI, or None when no face is confirmed there.

        The detector's eye key points give the ROI's roll, but they are unreliable on faces
        turned far in the picture plane (a phone held sideways), so when the landmark model
        finds no face the ROI is tried turned by ±90° and 180°. A found face is landmarked a
        second time from its first landmarks' ROI (as tracking would) and must then reach
        :data:`_START_PRESENCE`.
        """
        cx, cy, side, angle = roi
        for turn in (0.0, math.pi / 2, -math.pi / 2, math.pi):
            pts, presence = self._landmarks(image, (cx, cy, side, angle + turn))
            if presence < _PRESENCE:
                continue
            pts, presence = self._landmarks(image, roi_from_points(pts, 33, 263, 1.5))
            return pts if presence >= _START_PRESENCE else None
        return None

    def close(self) -> None:
        """Release the detector and the interpreters."""
        for detector in (self._detector, self._near):
            if detector is not None:
                detector.close()
        model = self._attention if self._attention is not None else self._mesh_model
        if model is not None:
            release(self._model_key, model)
        self._detector = self._near = None
        self._mesh_model = self._attention = None


def _io(interpreter: Any, outputs: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
    """Input tensor index and the indices of the named outputs."""
    by_name = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    return interpreter.get_input_details()[0]["index"], tuple(by_name[name] for name in outputs)
