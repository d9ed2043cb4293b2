"""Mediapipe's BlazeFace detectors (full- and short-range) run directly with ``ai-edge-litert``.

The models are the mediapipe wheel's ``face_detection_full_range_sparse.tflite`` (what its
``FaceDetection(model_selection=1)`` runs) and ``face_detection_short_range.tflite`` (what its
face-mesh graph runs to find faces to track). Pre- and post-processing follow mediapipe's
graphs, so boxes and scores match them without importing mediapipe (whose import, with
matplotlib, costs ~0.5–1 s): full range exactly, short range to IoU ≥ 0.98:

* the frame is letterboxed (aspect kept, black border) into the input square (192 px full
  range, 128 px short range), values in [-1, 1];
* SSD anchors of fixed unit size at every cell centre: full range one per cell of a 48 × 48
  grid (stride 4); short range 2 per cell at stride 8 and 6 per cell at stride 16;
* each anchor regresses (x, y, w, h) and six key points (right eye, left eye, nose tip,
  mouth, right ear, left ear) in input pixels; scores are clipped logits (±100) through a
  sigmoid;
* overlapping detections (IoU > 0.3) are merged by *weighted* non-maximum suppression:
  the highest-scoring box keeps its score and takes the score-weighted mean of the
  coordinates of the boxes it absorbs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from emoreason.perception.face.litert_runtime import interpreter, lease, models_dir, release

_SCORE_CLIP = 100.0
_NMS_IOU = 0.3
_KEYPOINTS = 6


@dataclass(frozen=True)
class DetectorSpec:
    """One BlazeFace model and its graph's fixed settings.

    Attributes:
        model: path under ``mediapipe/modules``.
        size: input side, pixels.
        anchors: (stride, anchors per cell) of each feature map, in output order.
        graph_min_score: mediapipe's graph drops anchors under this score before merging,
            whatever the caller's threshold; kept so the merged boxes match its own.
    """

    model: str
    size: int
    anchors: tuple[tuple[int, int], ...]
    graph_min_score: float


FULL_RANGE = DetectorSpec("face_detection/face_detection_full_range_sparse.tflite", 192, ((4, 1),), 0.6)
SHORT_RANGE = DetectorSpec("face_detection/face_detection_short_range.tflite", 128, ((8, 2), (16, 6)), 0.5)


@dataclass(frozen=True)
class Detection:
    """One detected face.

    Attributes:
        box: (x, y, w, h) in image pixels.
        score: face probability.
        keypoints: (6, 2) image pixels: right eye, left eye, nose tip, mouth, right ear, left ear
            (right/left = the subject's).
    """

    box: tuple[float, float, float, float]
    score: float
    keypoints: np.ndarray


def _anchors(spec: DetectorSpec) -> np.ndarray:
    """(N, 2) anchor centres in [0, 1], in mediapipe's SsdAnchorsCalculator order."""
    out = []
    for stride, per_cell in spec.anchors:
        cells = spec.size // stride
        centres = (np.arange(cells, dtype=np.float32) + 0.5) / cells
        ys, xs = np.meshgrid(centres, centres, indexing="ij")
        grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
        out.append(np.repeat(grid, per_cell, axis=0))
    return np.concatenate(out)


def _iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one (x0, y0, x1, y1) box with each row of `boxes`."""
    ix = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    iy = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def weighted_nms(coords: np.ndarray, scores: np.ndarray, threshold: float = _NMS_IOU) -> list[tuple[np.ndarray, float]]:
    """Mediapipe's weighted non-maximum suppression.

    Args:
        coords: (N, 4 + 2k) rows of (x0, y0, x1, y1, key points …).
        scores: (N,) scores.
        threshold: IoU above which a box is merged into the best-scoring one.

    Returns:
        (merged coordinates, score of the best box) per kept detection, best first.
    """
    order = np.argsort(-scores, kind="stable")
    coords, scores = coords[order], scores[order]
    kept: list[tuple[np.ndarray, float]] = []
    remaining = np.arange(len(scores))
    while len(remaining):
        top = remaining[0]
        overlap = _iou_one_to_many(coords[top, :4], coords[remaining, :4]) > threshold
        overlap[0] = True
        members = remaining[overlap]
        weights = scores[members]
        merged = (coords[members] * weights[:, None]).sum(axis=0) / weights.sum()
        kept.append((merged, float(scores[top])))
        remaining = remaining[~overlap]
    return kept


class BlazeFaceDetector:
    """Face detection on RGB uint8 frames.

    Args:
        spec: :data:`FULL_RANGE` (faces up to ~5 m; the default) or :data:`SHORT_RANGE` (near
            faces; it also finds some that are far from upright).
        min_confidence: score below which a detection is dropped (mediapipe's
            ``min_detection_confidence``; scores under the graph's own minimum are always
            dropped, as mediapipe's graph does).
        num_threads: LiteRT threads (None: LiteRT's default).
    """

    def __init__(
        self, spec: DetectorSpec = FULL_RANGE, *, min_confidence: float = 0.5, num_threads: int | None = None
    ) -> None:
        self.spec = spec
        self.min_confidence = min_confidence
        self._model = interpreter(models_dir() / spec.model, num_threads)
        self._input = self._model.get_input_details()[0]["index"]
        outputs = sorted(self._model.get_output_details(), key=lambda d: int(d["shape"][-1]))
        self._scores, self._regressors = outputs[0]["index"], outputs[1]["index"]
        self._anchors = _anchors(spec)
        if len(self._anchors) != int(np.prod(outputs[0]["shape"])):
            raise ValueError(f"{spec.model}: {len(self._anchors)} anchors, the model scores {outputs[0]['shape']}")
        self._size = spec.size
        self._lease_key: tuple | None = None
        self._tensor = np.empty((1, spec.size, spec.size, 3), dtype=np.float32)

    def _letterbox(self, image: np.ndarray) -> float:
        """Fill the input tensor with the letterboxed frame; return image pixels per tensor pixel."""
        import cv2

        h, w = image.shape[:2]
        scale = max(w, h) / self._size
        # tensor pixel (u, v) samples image pixel ((u - size / 2) * scale + w / 2, …): centred, aspect kept
        matrix = np.array([[scale, 0.0, (w - self._size * scale) / 2], [0.0, scale, (h - self._size * scale) / 2]])
        canvas = cv2.warpAffine(
            image, matrix, (self._size, self._size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0),
        )
        np.multiply(canvas, 2.0 / 255.0, out=self._tensor[0], casting="unsafe")
        self._tensor -= 1.0
        return scale

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Faces in one RGB uint8 frame, best first."""
        h, w = image.shape[:2]
        if h < 4 or w < 4:
            return []
        scale = self._letterbox(image)
        ox, oy = (self._size - w / scale) / 2, (self._size - h / scale) / 2
        self._model.set_tensor(self._input, self._tensor)
        self._model.invoke()
        logits = np.clip(self._model.get_tensor(self._scores).reshape(-1), -_SCORE_CLIP, _SCORE_CLIP)
        scores = 1.0 / (1.0 + np.exp(-logits.astype(np.float64)))
        keep = scores >= max(self.min_confidence, self.spec.graph_min_score)
        if not keep.any():
            return []
        raw = self._model.get_tensor(self._regressors).reshape(-1, 4 + 2 * _KEYPOINTS)[keep]
        anchors = self._anchors[keep]
        centre = raw[:, :2] / self._size + anchors
        half = raw[:, 2:4] / self._size / 2
        points = raw[:, 4:].reshape(-1, _KEYPOINTS, 2) / self._size + anchors[:, None, :]
        coords = np.concatenate([centre - half, centre + half, points.reshape(len(raw), -1)], axis=1)
        out = []
        for merged, score in weighted_nms(coords.astype(np.float64), scores[keep].astype(np.float64)):
            # tensor [0, 1] → tensor pixels → image pixels (undo the letterbox)
            xy = merged.reshape(-1, 2) * self._size - (ox, oy)
            xy *= scale
            x0, y0, x1, y1 = xy[0, 0], xy[0, 1], xy[1, 0], xy[1, 1]
            if not (math.isfinite(x0) and math.isfinite(y1)) or x1 - x0 <= 4 or y1 - y0 <= 4:
                continue
            out.append(Detection((float(x0), float(y0), float(x1 - x0), float(y1 - y0)), score, xy[2:].copy()))
        return out

    def close(self) -> None:
        """Done with it: a leased detector goes back for reuse."""
        if self._lease_key is not None:
            release(self._lease_key, self)


def leased_detector(spec: DetectorSpec, min_confidence: float) -> BlazeFaceDetector:
    """A built detector for `spec` (reused between face passes; :meth:`~BlazeFaceDetector.close` returns it)."""
    key = ("blazeface", spec)
    detector = lease(key, lambda: BlazeFaceDetector(spec))
    detector.min_confidence = min_confidence
    detector._lease_key = key
    return detector
