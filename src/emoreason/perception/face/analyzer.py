"""The face pass over a video or image: frames → landmarks → tracks → AUs, pose, expression.

:func:`detect_faces` is the public one-call API (py-feat style): it returns a
:class:`FaceResult` whose ``table`` is the tidy OpenFace-layout DataFrame of
:mod:`emoreason.perception.face.table`.

Speed: three threads share a video — decoding (PyAV releases the GIL while decoding), the
landmark models (LiteRT releases it while a model runs) and the main thread, which measures,
tracks and classifies faces a chunk of frames at a time (numpy over all of a chunk's faces at
once, so it holds the GIL briefly). The mesh tracks faces from frame to frame and the
detector only runs on scans (see :mod:`emoreason.perception.face.litert_mesh`); AUs are
computed once per track, vectorised.
"""

from __future__ import annotations

import logging
import queue
import threading
import time as _time
from collections.abc import Callable, Iterable, Iterator
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
    crop_matrices,
    smooth,
    warp_crop,
)
from emoreason.perception.face.geometry import FEATURES, measure
from emoreason.perception.face.mesh import FaceLandmarker, FaceObservation, make_landmarker
from emoreason.perception.face.pose import gaze_angles, head_poses, iris_offset, to_head_frame
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
#: Frames whose faces are measured together (numpy over their faces at once).
_CHUNK = 8


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
    """Per-face rows collected while the frames stream by: a block of columns per chunk of frames."""

    blocks: list[dict[str, np.ndarray]] = field(default_factory=list)
    features: list[np.ndarray] = field(default_factory=list)
    iris_dy: list[np.ndarray] = field(default_factory=list)
    count: int = 0
    probs: dict[int, np.ndarray] = field(default_factory=dict)  # row → expression probabilities
    pending: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (row, crop) awaiting the model
    empty_frames: list[tuple[int, float]] = field(default_factory=list)

    def add(self, columns: dict[str, np.ndarray], features: np.ndarray, iris_dy: np.ndarray) -> None:
        self.blocks.append(columns)
        self.features.append(features)
        self.iris_dy.append(iris_dy)
        self.count += len(features)


def _batched(items: Iterable, size: int) -> Iterator[list]:
    """Lists of up to `size` consecutive items."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prefetch(frames: Iterable, size: int = 8, name: str = "emoreason-decode") -> Iterator:
    """Iterate `frames` in a background thread (called `name`), `size` items ahead (exceptions re-raised)."""
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

    thread = threading.Thread(target=work, name=name, daemon=True)
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


def _measure_faces(
    faces: list[FaceObservation], landmarks: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Box, pose and gaze columns, features, vertical iris offsets and shape signatures of faces, at once.

    `landmarks` are the faces' landmarks stacked, (N, 478, 3).
    """
    pose = head_poses(landmarks)
    normalised = to_head_frame(landmarks, pose)
    offsets = iris_offset(normalised)
    offsets[[not f.iris for f in faces]] = np.nan
    gaze_x, gaze_y = gaze_angles(offsets[:, 0], offsets[:, 1], pose)
    boxes = np.array([f.bbox for f in faces], dtype=np.float64).reshape(-1, 4)
    columns = {
        "face_x": boxes[:, 0], "face_y": boxes[:, 1], "face_w": boxes[:, 2], "face_h": boxes[:, 3],
        "pose_Rx": pose.pitch, "pose_Ry": pose.yaw, "pose_Rz": pose.roll,
        "gaze_angle_x": gaze_x, "gaze_angle_y": gaze_y,
    }  # fmt: skip
    return columns, measure(normalised), offsets[:, 1], shape_signature(normalised)


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
    Faces are measured a chunk of frames at a time (numpy over all their faces at once:
    per-face calls held the GIL the other two threads wait for).
    """
    rows = _Rows()
    scores: dict[int, float] = {}
    last_expression: dict[int, float] = {}
    n = 0
    size = (0, 0)
    for chunk in _batched(_prefetch(_landmarked(frames, landmarker), size=4, name="emoreason-landmarks"), _CHUNK):
        n += len(chunk)
        size = (chunk[-1][0].image.shape[1], chunk[-1][0].image.shape[0])
        rows.empty_frames.extend((frame.index, frame.time) for frame, faces in chunk if not faces)
        faces = [face for _, found in chunk for face in found]
        if not faces:
            continue
        landmarks = np.stack([f.landmarks for f in faces])
        columns, features, iris_dy, signatures = _measure_faces(faces, landmarks)
        crop_maps, croppable = crop_matrices(landmarks, columns["pose_Rz"])
        ids = np.empty(len(faces), dtype=np.int64)
        frame_index, times, confidence = np.empty_like(ids), np.empty(len(faces)), np.empty(len(faces))
        i = 0
        for frame, found in chunk:
            face_ids = tracker.update([f.bbox for f in found], list(signatures[i : i + len(found)]), frame.time)
            for face_id, face in zip(face_ids, found, strict=True):
                ids[i], frame_index[i], times[i] = face_id, frame.index, frame.time
                if face.scored:  # carry the last detector score along the track
                    scores[face_id] = face.confidence
                confidence[i] = scores.get(face_id, face.confidence)
                due = frame.time - last_expression.get(face_id, -1e9) >= 1.0 / EXPRESSION_MAX_HZ - 1e-6
                if due and croppable[i]:
                    rows.pending.append((rows.count + i, warp_crop(frame.image, crop_maps[i])))
                    last_expression[face_id] = frame.time
                i += 1
        ids_columns = {"frame": frame_index, "timestamp": times, "confidence": confidence, "success": np.ones_like(ids)}
        rows.add({**ids_columns, **columns, "face_id": ids}, features, iris_dy)
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


def _assemble(rows: _Rows) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-face rows → table columns (ids, smoothed expressions, AUs per track) built in numpy, one DataFrame."""
    features = np.concatenate(rows.features) if rows.features else np.empty((0, len(FEATURES)))
    feats = pd.DataFrame(features, columns=list(FEATURES))
    if not rows.count:
        return pd.DataFrame(), feats
    columns: dict[str, np.ndarray] = {k: np.concatenate([b[k] for b in rows.blocks]) for k in rows.blocks[0]}
    probs = np.full((rows.count, len(EXPRESSIONS)), np.nan, dtype=np.float32)
    for i, p in rows.probs.items():
        probs[i] = p
    iris_dy = np.concatenate(rows.iris_dy)
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
    table, feats = _assemble(rows)
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
    decode_report: Callable[[str], None] | None = None,
) -> FaceResult:
    """Faces, AUs, head pose, gaze and expression of an image or video, in one call.

    Args:
        source: a video or image path, or an RGB uint8 array (one image).
        fps: sampling rate for videos (None = every frame).
        max_faces: most faces reported per frame.
        iris: iris model on/off (None = automatic, see :func:`analyse_frames`).
        max_side: decode videos/images with the longer side at most this many pixels.
        backend: ``auto``, ``mediapipe`` or ``litert`` (see :func:`analyse_frames`).
        decode_report: when given, undecodable video packets are skipped (not fatal) and one
            line saying what was lost goes here (see :mod:`emoreason.io.decoding`).

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
        frames_iter = _prefetch(iter_frames(path, fps=fps, max_side=max_side, threaded=False,
                                            on_error="skip" if decode_report else "raise", report=decode_report))
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
