"""Face detection and 478-point landmarks: mediapipe face mesh, full-range detector, dlib fallback.

This is the ``mediapipe`` backend (the default for still images; video goes to the LiteRT
backend of :mod:`~emoreason.perception.face.litert_mesh`, which subclasses this one). Video
frames go through one mediapipe ``FaceMesh`` in tracking mode (its landmark model follows
each face from the previous frame and re-runs its short-range detector only when a face is
lost). Because that detector only sees large, near-frontal faces, a *scan* runs the
full-range BlazeFace model (:mod:`~emoreason.perception.face.litert_detector`, the same
model and results as mediapipe's ``FaceDetection``) every ``scan_interval`` seconds (and,
rate-limited, on frames where the mesh found nothing). Faces the scan finds that the mesh is
not tracking are landmarked on an upscaled crop with a second, static-mode mesh and then
*followed* crop by crop until lost; the tracking mesh is also rebuilt with room for more
faces. When the detector finds nothing at all, dlib's HOG detector (if installed) gets a try.

Landmarks are returned in pixels: ``x``, ``y`` in image coordinates and ``z`` in the
same pixel scale (mediapipe's normalised ``z`` times the image width), so geometry is
isotropic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from emoreason.errors import DependencyError

logger = logging.getLogger(__name__)

N_LANDMARKS = 478
#: Confidence reported for a face only the tracking mesh has seen (its tracking gate).
MESH_GATE = 0.5
#: Crops smaller than this (pixels, longer side) are upscaled before the crop mesh.
_CROP_MIN_SIDE = 256


@dataclass(frozen=True)
class FaceObservation:
    """One face in one frame.

    Attributes:
        landmarks: (478, 3) float32 pixels (x, y, z·width); iris points 468–477 are
            copies of the eye centres when the iris model was off.
        bbox: (x, y, w, h) pixels, the landmarks' bounding box.
        confidence: detector score when a detector saw the face, else the mesh gate (0.5).
        source: ``mesh`` (tracking mesh) or ``crop`` (detector box + crop mesh).
        iris: whether points 468–477 come from the iris model.
        scored: whether `confidence` is a detector score (False: only the mesh gate).
    """

    landmarks: np.ndarray
    bbox: tuple[float, float, float, float]
    confidence: float
    source: str
    iris: bool
    scored: bool = False


def bbox_of(points: np.ndarray) -> tuple[float, float, float, float]:
    """Bounding box (x, y, w, h) of 2-D/3-D points."""
    x0, y0 = points[:, 0].min(), points[:, 1].min()
    x1, y1 = points[:, 0].max(), points[:, 1].max()
    return float(x0), float(y0), float(x1 - x0), float(y1 - y0)


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def _import_mediapipe() -> Any:
    try:
        import mediapipe as mp
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise DependencyError(
            "the face stage needs mediapipe 0.10.21 (the last wheel that ships its models): "
            "pip install 'mediapipe==0.10.21'"
        ) from exc
    return mp


def _to_pixels(landmark_list: Any, width: int, height: int) -> np.ndarray:
    pts = np.array([(p.x, p.y, p.z) for p in landmark_list.landmark], dtype=np.float32)
    pts *= np.array([width, height, width], dtype=np.float32)
    if len(pts) < N_LANDMARKS:  # no iris model: park iris points on the eye centres
        pad = np.empty((N_LANDMARKS - len(pts), 3), dtype=np.float32)
        pad[:5] = pts[[33, 133, 159, 145]].mean(axis=0)
        pad[5:] = pts[[263, 362, 386, 374]].mean(axis=0)
        pts = np.vstack([pts, pad])
    return pts


class FaceLandmarker:
    """Find faces and their 478 landmarks in a stream of frames (or in one still image).

    Args:
        max_faces: most faces reported per frame.
        iris: run mediapipe's attention/iris refinement (needed for gaze; ~40 % slower).
        static: treat every frame as an unrelated image (no tracking).
        scan_interval: seconds between full-range detector scans in video mode.
        min_confidence: detector score below which a detection is ignored.
    """

    def __init__(
        self,
        *,
        max_faces: int = 6,
        iris: bool = True,
        static: bool = False,
        scan_interval: float = 2.0,
        min_confidence: float = 0.5,
    ) -> None:
        if max_faces < 1:
            raise ValueError(f"max_faces must be >= 1, got {max_faces}")
        self.max_faces = max_faces
        self.iris = iris
        self.static = static
        self.scan_interval = scan_interval
        self.min_confidence = min_confidence
        self._mp: Any = None
        self._crop_mesh: Any = None
        self._detector: Any = None
        self._dlib: Any = None
        self._last_scan = -1e9
        self._next_dlib = -1e9
        self._followed: list[tuple[tuple[float, float, float, float], float]] = []
        self.counters = {"frames": 0, "scans": 0, "crop_meshes": 0, "dlib": 0, "rebuilds": 0}
        self._init_models()

    # -- models -------------------------------------------------------------------------
    def _init_models(self) -> None:
        """Build the landmark model(s); subclasses with another backend override this."""
        self._n_mesh = self.max_faces if self.static else 1
        self._mesh = self._new_mesh(self._n_mesh, self.static)
        self._short_since: float | None = None

    def _mediapipe(self) -> Any:
        """The mediapipe module, imported on first use."""
        if self._mp is None:
            self._mp = _import_mediapipe()
        return self._mp

    def _new_mesh(self, n_faces: int, static: bool) -> Any:
        return self._mediapipe().solutions.face_mesh.FaceMesh(
            static_image_mode=static,
            max_num_faces=n_faces,
            refine_landmarks=self.iris,
            min_detection_confidence=self.min_confidence,
            min_tracking_confidence=0.5,
        )

    def _detect(self, image: np.ndarray) -> list[tuple[tuple[float, float, float, float], float]]:
        return [(box, score) for box, score, _ in self._detect_keyed(image)]

    def _detect_keyed(
        self, image: np.ndarray
    ) -> list[tuple[tuple[float, float, float, float], float, np.ndarray | None]]:
        """Full-range detections: (box, score, eyes (2, 2) pixels right-then-left eye)."""
        if self._detector is None:
            from emoreason.perception.face.litert_detector import FULL_RANGE, leased_detector

            self._detector = leased_detector(FULL_RANGE, self.min_confidence)
        return [(d.box, d.score, d.keypoints[:2]) for d in self._detector.detect(image)]

    def _detect_dlib(self, image: np.ndarray, time: float) -> list[tuple[tuple[float, float, float, float], float]]:
        """dlib's HOG detector, the last resort of a scan that found nothing (upsampled once: 0.2–0.5 s a frame).

        In a video it runs at most once per ``scan_interval`` (the faceless scans in between,
        every quarter interval, only run the BlazeFace models), so footage without faces is
        not slowed to a crawl; every still image gets it.
        """
        if not self.static and time < self._next_dlib:
            return []
        self._next_dlib = time + self.scan_interval
        if self._dlib is None:
            try:
                import dlib
            except ImportError:
                self._dlib = False
                return []
            self._dlib = dlib.get_frontal_face_detector()
        if self._dlib is False:
            return []
        import cv2

        self.counters["dlib"] += 1
        scale = min(1.0, 640.0 / max(image.shape[:2]))
        grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
        if scale < 1.0:
            grey = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        rects, scores, _ = self._dlib.run(grey, 1, 0.0)
        out = []
        for r, s in zip(rects, scores, strict=False):
            box = (r.left() / scale, r.top() / scale, r.width() / scale, r.height() / scale)
            out.append((box, float(1.0 / (1.0 + np.exp(-float(s))))))
        return out

    # -- crop mesh ----------------------------------------------------------------------
    def _mesh_on_crop(self, image: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray | None:
        """Landmark the face in `box` by running a static mesh on an upscaled square crop."""
        import cv2

        if self._crop_mesh is None:
            self._crop_mesh = self._new_mesh(1, True)
        self.counters["crop_meshes"] += 1
        h, w = image.shape[:2]
        cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
        side = 2.0 * max(box[2], box[3])
        x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
        x1, y1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
        if x1 - x0 < 8 or y1 - y0 < 8:
            return None
        crop = image[y0:y1, x0:x1]
        scale = max(1.0, _CROP_MIN_SIDE / max(crop.shape[:2]))
        if scale > 1.0:
            crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        result = self._crop_mesh.process(np.ascontiguousarray(crop))
        if not result.multi_face_landmarks:
            return None
        pts = _to_pixels(result.multi_face_landmarks[0], crop.shape[1], crop.shape[0])
        pts /= scale
        pts[:, 0] += x0
        pts[:, 1] += y0
        return pts

    # -- main entry ---------------------------------------------------------------------
    def _begin_frame(self, image: np.ndarray) -> np.ndarray | None:
        """Count the frame; return it contiguous, or None when it is too small to hold a face."""
        self.counters["frames"] += 1
        h, w = image.shape[:2]
        return None if h < 16 or w < 16 else np.ascontiguousarray(image)

    def process(self, image: np.ndarray, time: float = 0.0) -> list[FaceObservation]:
        """Faces in one RGB uint8 frame (tracked from the previous call in video mode)."""
        image = self._begin_frame(image)
        if image is None:
            return []
        h, w = image.shape[:2]
        result = self._mesh.process(image)
        faces = [
            FaceObservation(p, bbox_of(p), MESH_GATE, "mesh", self.iris)
            for p in (_to_pixels(lm, w, h) for lm in result.multi_face_landmarks or [])
        ]
        self._maybe_shrink(len(faces), time)
        faces.extend(self._follow(image, faces))
        due = time - self._last_scan >= (self.scan_interval if faces else self.scan_interval / 4)
        if self.static or due:
            faces = self._scan(image, faces, time)
        return faces[: self.max_faces]

    def _follow(self, image: np.ndarray, faces: list[FaceObservation]) -> list[FaceObservation]:
        """Re-landmark faces found by a scan that the tracking mesh does not cover."""
        found: list[FaceObservation] = []
        kept: list[tuple[tuple[float, float, float, float], float]] = []
        for box, score in self._followed:
            if any(iou(box, f.bbox) > 0.3 for f in faces):
                continue
            pts = self._mesh_on_crop(image, box)
            if pts is not None:
                obs = FaceObservation(pts, bbox_of(pts), score, "crop", self.iris, scored=True)
                found.append(obs)
                kept.append((obs.bbox, score))
        self._followed = kept
        return found

    def _scan(self, image: np.ndarray, faces: list[FaceObservation], time: float) -> list[FaceObservation]:
        """Run the full-range detector; add faces the mesh missed, grow the mesh if needed."""
        self._last_scan = time
        self.counters["scans"] += 1
        detections = self._detect(image)
        if not detections and not faces:
            detections = self._detect_dlib(image, time)
        faces = list(faces)
        for i, face in enumerate(faces):  # a detector score is a better confidence than the gate
            best = max(detections, key=lambda d: iou(d[0], face.bbox), default=None)
            if best is not None and iou(best[0], face.bbox) > 0.3:
                faces[i] = FaceObservation(face.landmarks, face.bbox, best[1], face.source, face.iris, scored=True)
        uncovered = [d for d in detections if all(iou(d[0], f.bbox) < 0.3 for f in faces)]
        for box, score in sorted(uncovered, key=lambda d: -d[0][2] * d[0][3]):
            if len(faces) >= self.max_faces:
                break
            pts = self._mesh_on_crop(image, box)
            if pts is None:
                continue
            obs = FaceObservation(pts, bbox_of(pts), score, "crop", self.iris, scored=True)
            if any(iou(obs.bbox, f.bbox) > 0.3 for f in faces):
                continue
            faces.append(obs)
            if not self.static:
                self._followed.append((obs.bbox, score))
        n_mesh_faces = sum(f.source == "mesh" for f in faces)
        if not self.static and uncovered and self._n_mesh < self.max_faces and n_mesh_faces >= self._n_mesh:
            self._rebuild(min(self.max_faces, len(faces)))
        return faces

    def _maybe_shrink(self, n_found: int, time: float) -> None:
        """Give the tracking mesh fewer slots when it keeps finding fewer faces than it has.

        A mesh with empty slots re-runs its detector on every frame (about 2× slower).
        """
        if self.static or self._n_mesh <= 1 or n_found >= self._n_mesh:
            self._short_since = None
            return
        if self._short_since is None:
            self._short_since = time
        elif time - self._short_since > 2 * self.scan_interval:
            self._short_since = None
            self._rebuild(max(1, n_found))

    def _rebuild(self, n_faces: int) -> None:
        logger.debug("face mesh rebuilt for %d faces", n_faces)
        self.counters["rebuilds"] += 1
        self._mesh.close()
        self._n_mesh = n_faces
        self._mesh = self._new_mesh(n_faces, False)

    def close(self) -> None:
        """Release the mediapipe graphs and the detector."""
        for graph in (self._mesh, self._crop_mesh, self._detector):
            if graph is not None:
                graph.close()
        self._mesh = self._crop_mesh = self._detector = None

    def __enter__(self) -> FaceLandmarker:
        """Context-manager entry."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the graphs on exit."""
        self.close()


#: Landmark backends: mediapipe's graph, its TFLite models run through LiteRT, or ``auto``
#: (LiteRT for video — the same models, ~1 % IOD from mediapipe's tracking, faster and no
#: mediapipe import; mediapipe's graph for still images, whose static mode has its own detector).
BACKENDS = ("mediapipe", "litert", "auto")


def make_landmarker(backend: str = "mediapipe", **kwargs: Any) -> FaceLandmarker:
    """A :class:`FaceLandmarker` of the named backend (keyword arguments as its constructor)."""
    if backend == "auto":
        backend = "mediapipe" if kwargs.get("static", False) else "litert"
    if backend == "mediapipe":
        return FaceLandmarker(**kwargs)
    if backend == "litert":
        from emoreason.perception.face.litert_mesh import LiteRTFaceLandmarker

        return LiteRTFaceLandmarker(**kwargs)
    raise ValueError(f"unknown face backend {backend!r}; expected one of {BACKENDS}")
