"""The face pass over a video or image: frames → landmarks → tracks → AUs, pose, expression.

:func:`detect_faces` is the public one-call API (py-feat style): it returns a
:class:`FaceResult` whose ``table`` is the tidy OpenFace-layout DataFrame of
:mod:`emoreason.perception.face.table`.

Speed: decoding runs in a background thread (PyAV releases the GIL while decoding)
while the main thread runs the mesh, so on two cores the two overlap. The mesh tracks
faces from frame to frame and the full-range detector only runs on scans (see
:mod:`emoreason.perception.face.mesh`); AUs are computed once per track, vectorised.
"""

from __future__ import annotations

import logging
import queue
import threading
import time as _time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.errors import MediaError, MissingStreamError
from emoreason.perception.face import action_units as aus
from emoreason.perception.face.expression import (
    BATCH,
    EXPRESSIONS,
    MODEL_ID,
    ExpressionModel,
    aligned_crop,
    smooth,
)
from emoreason.perception.face.geometry import FEATURES, measure
from emoreason.perception.face.mesh import FaceLandmarker, FaceObservation, make_landmarker
from emoreason.perception.face.pose import gaze_angles, head_pose, iris_offset, to_head_frame
from emoreason.perception.face.table import (
    AU_R_COLUMNS,
    EXPRESSION_COLUMNS,
    GAZE_COLUMNS,
    ID_COLUMNS,
    POSE_COLUMNS,
    finalise,
)
from emoreason.perception.face.tracking import FaceTracker, shape_signature

logger = logging.getLogger(__name__)

EXTRACTOR = f"mediapipe-0.10.21 face mesh models (478, attention) + full-range detector; geometric AUs; {MODEL_ID}"
#: Above this sampling rate the iris model is off by default (it costs ~40 % of the mesh time).
IRIS_MAX_FPS = 12.0
#: The expression model runs at most this often per track; the Gaussian smoothing over time
#: (σ = 0.3 s) fills the frames in between.
EXPRESSION_MAX_HZ = 10.0


@dataclass
class FaceResult:
    """Everything the face pass measured.

    Attributes:
        table: OpenFace-layout per-frame, per-face DataFrame.
        features: raw geometric features (``FEATURES`` columns) aligned with the table's face rows.
        frames_analysed: frames looked at.
        frame_size: (width, height) of the source frames, pixels (boxes are in these pixels).
        seconds: wall time of the pass.
        counters: work counters (frames, detector scans, crop meshes …).
    """

    table: pd.DataFrame
    features: pd.DataFrame
    frames_analysed: int
    frame_size: tuple[int, int]
    seconds: float
    sample_fps: float | None
    counters: dict[str, int] = field(default_factory=dict)

    @property
    def faces(self) -> pd.DataFrame:
        """Rows where a face was found (``success == 1``)."""
        return self.table[self.table["success"] == 1]

    @property
    def aus(self) -> pd.DataFrame:
        """Frame, face id, time and the AU intensity columns of the found faces."""
        return self.faces[[*ID_COLUMNS[:3], *AU_R_COLUMNS]]

    @property
    def emotions(self) -> pd.DataFrame:
        """Frame, face id, time and the expression probabilities of the found faces."""
        return self.faces[[*ID_COLUMNS[:3], *EXPRESSION_COLUMNS]]

    @property
    def poses(self) -> pd.DataFrame:
        """Frame, face id, time, head pose and gaze of the found faces."""
        return self.faces[[*ID_COLUMNS[:3], *POSE_COLUMNS, *GAZE_COLUMNS]]


@dataclass
class _Rows:
    """Per-face rows collected while the frames stream by."""

    ids: list[dict[str, float]] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    iris_dy: list[float] = field(default_factory=list)
    probs: list[np.ndarray] = field(default_factory=list)
    pending: list[tuple[int, np.ndarray]] = field(default_factory=list)
    empty_frames: list[tuple[int, float]] = field(default_factory=list)


def _prefetch(frames: Iterable, size: int = 8) -> Iterator:
    """Iterate `frames` in a background thread, `size` items ahead (exceptions re-raised)."""
    q: queue.Queue = queue.Queue(maxsize=size)
    done = object()
    stop = threading.Event()

    def work() -> None:
        try:
            for item in frames:
                if stop.is_set():
                    return
                q.put(item)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            q.put(exc)
        q.put(done)

    thread = threading.Thread(target=work, name="emoreason-decode", daemon=True)
    thread.start()
    try:
        while (item := q.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


def _measure_face(obs: FaceObservation, rows: _Rows, frame: int, time: float) -> np.ndarray:
    """Pose, features and gaze of one face (appended to `rows`); returns its shape signature."""
    pose = head_pose(obs.landmarks)
    normalised = to_head_frame(obs.landmarks, pose)
    dx, dy = iris_offset(normalised) if obs.iris else (float("nan"), float("nan"))
    gx, gy = gaze_angles(dx, dy, pose)
    x, y, w, h = obs.bbox
    rows.ids.append({
        "frame": frame, "timestamp": time, "confidence": obs.confidence, "success": 1,
        "face_x": x, "face_y": y, "face_w": w, "face_h": h,
        "pose_Rx": pose.pitch, "pose_Ry": pose.yaw, "pose_Rz": pose.roll,
        "gaze_angle_x": gx, "gaze_angle_y": gy,
    })  # fmt: skip
    rows.features.append(measure(normalised))
    rows.iris_dy.append(dy)
    rows.probs.append(np.full(len(EXPRESSIONS), np.nan, dtype=np.float32))
    return shape_signature(normalised)


def _landmarked(frames: Iterable, landmarker: FaceLandmarker) -> Iterator[tuple]:
    """(frame, faces) pairs; run through :func:`_prefetch`, the models run in their own thread."""
    for frame in frames:
        yield frame, landmarker.process(frame.image, frame.time)


def _scan_frames(
    frames: Iterable, landmarker: FaceLandmarker, tracker: FaceTracker, model: ExpressionModel
) -> tuple[_Rows, int, tuple[int, int]]:
    """Landmark, measure, track and classify every frame; returns the rows, frame count and size.

    Three threads share the work: decoding (see :func:`detect_faces`), the landmark models
    (they release the GIL while they run) and, here, measuring, tracking and expressions.
    """
    rows = _Rows()
    scores: dict[int, float] = {}
    last_expression: dict[int, float] = {}
    n = 0
    size = (0, 0)
    for frame, faces in _prefetch(_landmarked(frames, landmarker), size=4):
        n += 1
        image = frame.image
        size = (image.shape[1], image.shape[0])
        if not faces:
            rows.empty_frames.append((frame.index, frame.time))
            continue
        start = len(rows.ids)
        signatures = [_measure_face(f, rows, frame.index, frame.time) for f in faces]
        ids = tracker.update([f.bbox for f in faces], signatures, frame.time)
        for k, (face_id, face) in enumerate(zip(ids, faces, strict=True)):
            row = rows.ids[start + k]
            row["face_id"] = face_id
            if face.scored:  # carry the last detector score along the track
                scores[face_id] = face.confidence
            row["confidence"] = scores.get(face_id, face.confidence)
            if frame.time - last_expression.get(face_id, -1e9) >= 1.0 / EXPRESSION_MAX_HZ - 1e-6:
                crop = aligned_crop(image, face.landmarks, row["pose_Rz"])
                if crop is not None:
                    rows.pending.append((start + k, crop))
                    last_expression[face_id] = frame.time
        _flush_expressions(rows, model)
    _flush_expressions(rows, model, final=True)
    return rows, n, size


def _flush_expressions(rows: _Rows, model: ExpressionModel, *, final: bool = False) -> None:
    """Classify pending crops in model-sized batches (so crops never pile up in memory)."""
    if len(rows.pending) < BATCH and not (final and rows.pending):
        return
    rows_idx, crops = zip(*rows.pending, strict=True)
    for i, p in zip(rows_idx, model.predict(list(crops)), strict=True):
        rows.probs[i] = p
    rows.pending.clear()


def _track_aus(features: np.ndarray, iris_dy: np.ndarray, smooth_window: int) -> dict[str, np.ndarray]:
    """AU intensities of one track (rows in time order), median-filtered over `smooth_window` samples."""
    corrected = aus.gaze_corrected(features, iris_dy)
    baseline = aus.neutral_baseline(corrected)
    open_eye = float(np.nanpercentile(corrected[:, FEATURES.index("eye_open")], 75)) if len(features) >= 5 else None
    values = aus.estimate(corrected, baseline, open_eye=open_eye)
    if smooth_window > 1 and len(features) >= smooth_window:
        frame = pd.DataFrame(values)
        values = {k: v.to_numpy() for k, v in frame.rolling(smooth_window, center=True, min_periods=1).median().items()}
    return values


def _smooth_window(times: np.ndarray) -> int:
    """Odd median-filter length covering ~0.2 s (at least 3 samples at ≥ 4 fps, else none)."""
    steps = np.diff(np.unique(times))
    if len(steps) == 0:
        return 1
    rate = 1.0 / float(np.median(steps))
    return max(3, int(round(rate * 0.2)) | 1) if rate >= 4 else 1


def _assemble(rows: _Rows, probs: np.ndarray, sample_fps: float | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-face rows → table columns (ids, smoothed expressions, AUs per track) built in numpy, one DataFrame."""
    feats = pd.DataFrame(np.array(rows.features).reshape(-1, len(FEATURES)), columns=list(FEATURES))
    if not rows.ids:
        return pd.DataFrame(), feats
    columns: dict[str, np.ndarray] = {k: np.array([r[k] for r in rows.ids]) for k in rows.ids[0]}
    probs = probs.copy()
    features = feats.to_numpy()
    iris_dy = np.array(rows.iris_dy, dtype=float)
    times_all = columns["timestamp"].astype(float)
    smooth_window = _smooth_window(times_all)
    n = len(times_all)
    au_r = {code: np.zeros(n) for code in aus.AU_CODES}
    au28 = np.zeros(n, dtype=np.int8)
    for face_id in np.unique(columns["face_id"]):
        idx = np.flatnonzero(columns["face_id"] == face_id)
        order = idx[np.argsort(times_all[idx], kind="stable")]
        values = _track_aus(features[order], iris_dy[order], smooth_window)
        for code in aus.AU_CODES:
            au_r[code][order] = values[code]
        au28[order] = values["AU28"] > 0
        p = probs[order]
        ok = ~np.isnan(p).any(axis=1)
        if ok.any():
            probs[order] = smooth(p[ok], times_all[order][ok], at=times_all[order])
    for i, name in enumerate(EXPRESSIONS):
        columns[name] = probs[:, i]
    for code in aus.AU_CODES:
        columns[f"{code}_r"] = np.round(au_r[code], 3)
        columns[f"{code}_c"] = aus.presence(au_r[code])
    columns["AU28_c"] = au28
    return pd.DataFrame(columns), feats


def analyse_frames(
    frames: Iterable,
    *,
    sample_fps: float | None,
    iris: bool | None = None,
    max_faces: int = 6,
    static: bool = False,
    backend: str = "auto",
) -> FaceResult:
    """Run the face pass over an iterable of :class:`~emoreason.io.VideoFrame`.

    Args:
        frames: frames in time order.
        sample_fps: the sampling rate the frames were taken at (None = every frame).
        iris: run the iris model; None = on when sampling at ≤ ``IRIS_MAX_FPS`` or on images.
        max_faces: most faces per frame.
        static: frames are unrelated images (no tracking between them).
        backend: ``mediapipe`` (its face-mesh graph), ``litert`` (its TFLite models run
            directly, see :mod:`~emoreason.perception.face.litert_mesh`) or ``auto`` (litert
            for video, mediapipe for still images).
    """
    t0 = _time.perf_counter()
    use_iris = iris if iris is not None else (static or (sample_fps is not None and sample_fps <= IRIS_MAX_FPS))
    model = ExpressionModel.leased()
    try:
        with make_landmarker(backend, max_faces=max_faces, iris=use_iris, static=static) as landmarker:
            tracker = FaceTracker(max_gap=0.0 if static else 2.0)
            rows, n, size = _scan_frames(frames, landmarker, tracker, model)
            counters = dict(landmarker.counters)
    finally:
        model.close()
    probs = np.array(rows.probs, dtype=np.float32).reshape(-1, len(EXPRESSIONS))
    table, feats = _assemble(rows, probs, sample_fps)
    feats.insert(0, "face_id", table["face_id"].astype("Int64").to_numpy() if len(table) else [])
    feats.insert(0, "frame", table["frame"].to_numpy() if len(table) else [])
    empty = pd.DataFrame(
        {"frame": [f for f, _ in rows.empty_frames], "timestamp": [t for _, t in rows.empty_frames], "success": 0}
    )
    table = pd.concat([table, empty], ignore_index=True) if len(empty) else table
    meta = {"extractor": EXTRACTOR, "iris": str(use_iris), "sample_fps": str(sample_fps)}
    return FaceResult(
        table=finalise(table, meta=meta),
        features=feats,
        frames_analysed=n,
        frame_size=size,
        seconds=_time.perf_counter() - t0,
        sample_fps=sample_fps,
        counters=counters,
    )


def detect_faces(
    source: str | Path | np.ndarray,
    *,
    fps: float | None = None,
    max_faces: int = 6,
    iris: bool | None = None,
    max_side: int | None = 1280,
    backend: str = "auto",
) -> FaceResult:
    """Faces, AUs, head pose, gaze and expression of an image or video, in one call.

    Args:
        source: a video or image path, or an RGB uint8 array (one image).
        fps: sampling rate for videos (None = every frame).
        max_faces: most faces reported per frame.
        iris: iris model on/off (None = automatic, see :func:`analyse_frames`).
        max_side: decode videos/images with the longer side at most this many pixels.
        backend: ``auto``, ``mediapipe`` or ``litert`` (see :func:`analyse_frames`).

    Returns:
        A :class:`FaceResult`; ``result.table`` is the OpenFace-layout DataFrame.

    Raises:
        MediaError: the file is missing, empty, not media, or cannot be decoded.
        MissingStreamError: the file has no picture (audio only).
    """
    from emoreason.io import VideoFrame, iter_frames, probe

    if isinstance(source, np.ndarray):
        image = _as_rgb(source)
        return analyse_frames(
            [VideoFrame(0, 0.0, image)], sample_fps=None, iris=iris, max_faces=max_faces, static=True, backend=backend
        )
    path = Path(source)
    info = probe(path)  # fails fast (missing, empty, not media) before any model loads
    if info.video is None:
        raise MissingStreamError(path, "no video stream (the face stage needs a video or an image)")
    if info.is_image:
        frames = list(iter_frames(path, max_side=max_side))
        result = analyse_frames(frames, sample_fps=None, iris=iris, max_faces=max_faces, static=True, backend=backend)
    else:
        # decoded in its own thread beside the face work, so FFmpeg's extra threads only cost CPU
        frames_iter = _prefetch(iter_frames(path, fps=fps, max_side=max_side, threaded=False))
        result = analyse_frames(frames_iter, sample_fps=fps, iris=iris, max_faces=max_faces, backend=backend)
    return _to_source_pixels(result, info.video.width, info.video.height)


def _to_source_pixels(result: FaceResult, width: int, height: int) -> FaceResult:
    """Express boxes in the source's display pixels when frames were downscaled for analysis."""
    if not result.frame_size[0] or width == result.frame_size[0]:
        return result
    scale = width / result.frame_size[0]
    for column in ("face_x", "face_y", "face_w", "face_h"):
        result.table[column] = result.table[column] * scale
    result.frame_size = (width, height)
    return result


def _as_rgb(image: np.ndarray) -> np.ndarray:
    """Accept grey (H, W), RGB or RGBA arrays of any numeric type; return RGB uint8."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = np.clip(arr * (255.0 if arr.max() <= 1.0 else 1.0), 0, 255).astype(np.uint8)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise MediaError("<array>", f"expected an HxW, HxWx3 or HxWx4 image array, got shape {arr.shape}")
    return np.ascontiguousarray(arr[..., :3])
