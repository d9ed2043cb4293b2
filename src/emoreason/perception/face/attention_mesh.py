"""Mediapipe's attention face mesh (478 points: refined lips, eyes and irises) without mediapipe.

``face_landmark_with_attention.tflite`` — the model mediapipe's ``FaceMesh(refine_landmarks=True)``
runs — predicts the 468-point mesh, then crops three regions (lips, each eye) out of an early
48 × 48 × 32 feature map, runs a small network on each 16 × 16 crop and maps the refined
points back. The crop and the mapping are three custom operators that only mediapipe's
runtime registers, so LiteRT cannot load the model whole. Here it is cut (with
:mod:`~emoreason.perception.face.tflite_split`) into the two ordinary parts around them and
the custom steps run in numpy, following mediapipe's kernels:

* ``Landmarks2TransformMatrix``: rotate the region's landmarks so the line between two of
  them (e.g. the eye corners) is horizontal, take their bounding box, and build the 4 × 4
  matrix from crop pixels to feature-map pixels (box scaled by 1.5, centred);
* ``TransformTensorBilinear``: bilinear sampling of the feature map at the matrix-mapped
  pixel centres (zero outside);
* ``TransformLandmarks``: the 2-D affine part of a matrix applied to the refined points.

The refined points replace the mesh's x, y of the same region (the region's landmark list is
the operator's own ``subset_idxs``); each iris gets the mean depth of its eye's contour, as
mediapipe's ``LandmarksRefinementCalculator`` does.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from emoreason.perception.face.litert_runtime import interpreter, models_dir
from emoreason.perception.face.tflite_split import ModelFormatError, TFLiteGraph

MODEL_FILE = "face_landmark/face_landmark_with_attention.tflite"
INPUT_SIZE = 192
N_MESH = 468
N_POINTS = 478
#: Iris slots by the first landmark of their eye's region (mediapipe's 478-point layout).
_IRIS_SLOT = {33: 468, 263: 473}
_MESH_OUTPUT, _FLAG_OUTPUT = "output_mesh_identity", "conv_faceflag"


@dataclass(frozen=True)
class _Region:
    """One refined region: its crop parameters and where its outputs go."""

    landmarks: str  # tensor (468, 3) the crop matrix is computed from (model A output)
    crop: str  # the sampled crop (model B input)
    subset: np.ndarray  # mesh indices of the region
    left: int
    right: int
    target_rotation: float
    scale: tuple[float, float]
    size: tuple[int, int]  # crop (height, width)


def _crop_matrix(points: np.ndarray, region: _Region) -> np.ndarray:
    """Mediapipe's ``Landmarks2TransformMatrix`` (v2): crop pixels → feature-map pixels, 4 × 4.

    The kernel composes shift(centre) · R(−rotation) · scale(box × 1.5 / crop size) ·
    shift(−crop size / 2), where R(a) rotates by `a` and the box is that of the region's
    points rotated by `rotation` (the angle that makes the left → right line horizontal).
    """
    left, right = points[region.left], points[region.right]
    rotation = region.target_rotation - math.atan2(float(right[1] - left[1]), float(right[0] - left[0]))
    c, s = math.cos(rotation), math.sin(rotation)
    xy = points[region.subset, :2].astype(np.float64)
    u = c * xy[:, 0] - s * xy[:, 1]  # R(rotation) · point
    v = s * xy[:, 0] + c * xy[:, 1]
    u0, u1, v0, v1 = float(u.min()), float(u.max()), float(v.min()), float(v.max())
    mu, mv = (u0 + u1) / 2, (v0 + v1) / 2
    cx, cy = c * mu + s * mv, -s * mu + c * mv  # R(−rotation) · box centre
    out_h, out_w = region.size
    sx, sy = region.scale[0] * (u1 - u0) / out_w, region.scale[1] * (v1 - v0) / out_h
    a00, a01, a10, a11 = c * sx, s * sy, -s * sx, c * sy  # R(−rotation) · scale
    return np.array(
        [
            [a00, a01, 0.0, cx - a00 * out_w / 2 - a01 * out_h / 2],
            [a10, a11, 0.0, cy - a10 * out_w / 2 - a11 * out_h / 2],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
        ],
        dtype=np.float32,
    )


@functools.lru_cache(maxsize=4)
def _grid(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Output pixel coordinates (y, x) of a crop, each (h, w)."""
    oy, ox = np.mgrid[0 : size[0], 0 : size[1]].astype(np.float64)
    return oy, ox


def _sample(features: np.ndarray, matrices: list[np.ndarray], size: tuple[int, int]) -> np.ndarray:
    """Mediapipe's ``TransformTensorBilinear`` (v2): (H, W, C) features → (n, h, w, C) crops, one per matrix."""
    height, width, channels = features.shape
    m = np.stack(matrices).astype(np.float64)  # (n, 4, 4)
    # pixel-centre correction, as the kernel does: T → S · T · A with ±0.5 shifts
    x_off = m[:, 0, 3] + 0.5 * (m[:, 0, 0] + m[:, 0, 1]) - 0.5
    y_off = m[:, 1, 3] + 0.5 * (m[:, 1, 0] + m[:, 1, 1]) - 0.5
    oy, ox = _grid(size)
    tx = m[:, 0, 0, None, None] * ox + m[:, 0, 1, None, None] * oy + x_off[:, None, None]
    ty = m[:, 1, 0, None, None] * ox + m[:, 1, 1, None, None] * oy + y_off[:, None, None]
    outside = (tx < 0) | (tx > width - 1) | (ty < 0) | (ty > height - 1)
    tx, ty = np.clip(tx, 0, width - 1), np.clip(ty, 0, height - 1)  # outside pixels are zeroed below
    x0, y0 = tx.astype(np.intp), ty.astype(np.intp)  # floor: both are ≥ 0
    fx, fy = (tx - x0).astype(np.float32)[..., None], (ty - y0).astype(np.float32)[..., None]
    padded = np.zeros((height + 1, width + 1, channels), dtype=np.float32)  # zero beyond the edge
    padded[:height, :width] = features
    base = y0 * (width + 1) + x0
    q11, q21, q12, q22 = padded.reshape(-1, channels)[np.stack([base, base + 1, base + width + 1, base + width + 2])]
    upper = q11 + fx * (q21 - q11)
    out = upper + fy * (q12 + fx * (q22 - q12) - upper)
    out[outside] = 0.0
    return out


def _transform(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Mediapipe's ``TransformLandmarks`` (v2): the 2-D affine part of `matrix` on (n, 2) points."""
    m = matrix.astype(np.float64)
    return points @ m[:2, :2].T + m[:2, 3]


@dataclass(frozen=True)
class _Layout:
    """The model cut in two around its custom operators, and how the pieces connect."""

    part_a: bytes  # crop → mesh, face flag, feature map, region landmarks
    part_b: bytes  # region crops + crop matrices → refined points + their matrices
    features: str
    regions: tuple[tuple[str, _Region], ...]  # keyed by their crop-matrix tensor
    finals: tuple[tuple[str, str, str], ...]  # (refined points, matrix, crop-matrix source)


@functools.lru_cache(maxsize=1)
def _layout() -> _Layout:
    """Read and cut the wheel's attention model (once per process)."""
    graph = TFLiteGraph((models_dir() / MODEL_FILE).read_bytes())
    matrix_ops: dict[str, tuple[str, bytes]] = {}  # crop matrix → (its landmarks tensor, options)
    crops: dict[str, str] = {}
    features = None
    finals: list[tuple[str, str]] = []
    for op in graph.operators:
        inputs = [graph.names[i] for i in op.inputs]
        output = graph.names[op.outputs[0]]
        if op.code == "Landmarks2TransformMatrix":
            matrix_ops[output] = (inputs[0], op.custom_options)
        elif op.code == "TransformTensorBilinear":
            features, crops[inputs[1]] = inputs[0], output
        elif op.code == "TransformLandmarks":
            finals.append((inputs[0], inputs[1]))
    if features is None or len(matrix_ops) != 3 or len(finals) != 5 or set(crops) != set(matrix_ops):
        raise ModelFormatError(f"{MODEL_FILE}: not the attention mesh layout this code knows")
    regions = {k: _region(landmarks, crops[k], options) for k, (landmarks, options) in matrix_ops.items()}
    if len({r.size for r in regions.values()}) != 1:
        raise ModelFormatError(f"{MODEL_FILE}: its crops differ in size")
    a_outputs = [_MESH_OUTPUT, _FLAG_OUTPUT, features, *dict.fromkeys(r.landmarks for r in regions.values())]
    b_inputs = [*(r.crop for r in regions.values()), *regions]
    b_outputs = list(dict.fromkeys(name for pair in finals for name in pair))
    return _Layout(
        part_a=graph.cut([graph.names[graph.inputs[0]]], a_outputs),
        part_b=graph.cut(b_inputs, b_outputs),
        features=features,
        regions=tuple(regions.items()),
        finals=tuple((pts, mat, _matrix_source(graph, mat, set(regions))) for pts, mat in finals),
    )


def _matrix_source(graph: TFLiteGraph, tensor: str, matrices: set[str]) -> str:
    """Which crop matrix `tensor` (a scaled copy of it, inside part B) was computed from."""
    op = graph.producer(graph.tensor(tensor))
    while op is not None:
        hit = next((graph.names[i] for i in op.inputs if i >= 0 and graph.names[i] in matrices), None)
        if hit is not None:
            return hit
        op = graph.producer(op.inputs[0])
    raise ModelFormatError(f"{tensor!r} does not come from a crop matrix")


class AttentionMesh:
    """478 landmarks (mesh + refined lips, eyes, irises) on a 192 × 192 face crop.

    Args:
        num_threads: LiteRT threads per part (None: LiteRT's default).

    Raises:
        DependencyError: the mediapipe wheel or ai-edge-litert is missing.
        ModelFormatError: the model is not the one this code was written for.
    """

    def __init__(self, *, num_threads: int | None = None) -> None:
        layout = _layout()
        self._features = layout.features
        self._regions = layout.regions
        self._finals = [(pts, mat, dict(layout.regions)[src]) for pts, mat, src in layout.finals]
        self._a = interpreter(layout.part_a, num_threads)
        self._b = interpreter(layout.part_b, num_threads)
        self._a_in = self._a.get_input_details()[0]["index"]
        self._a_out = {d["name"]: d["index"] for d in self._a.get_output_details()}
        self._b_in = {d["name"]: d["index"] for d in self._b.get_input_details()}
        self._b_out = {d["name"]: d["index"] for d in self._b.get_output_details()}

    def run(self, tensor: np.ndarray) -> tuple[np.ndarray, float]:
        """(478, 3) landmarks in input pixels and the face-presence logit for a (1, 192, 192, 3) crop in [0, 1]."""
        a, b = self._a, self._b
        a.set_tensor(self._a_in, tensor)
        a.invoke()
        mesh = a.get_tensor(self._a_out[_MESH_OUTPUT]).reshape(N_MESH, 3)  # a float32 copy
        logit = float(a.get_tensor(self._a_out[_FLAG_OUTPUT]).reshape(-1)[0])
        features = a.get_tensor(self._a_out[self._features])[0]
        regions = self._regions
        matrices = [_crop_matrix(a.get_tensor(self._a_out[r.landmarks])[0], r) for _, r in regions]
        crops = _sample(features, matrices, regions[0][1].size)
        for (name, region), matrix, crop in zip(regions, matrices, crops, strict=True):
            b.set_tensor(self._b_in[name], matrix[None])
            b.set_tensor(self._b_in[region.crop], crop[None])
        b.invoke()
        points = np.empty((N_POINTS, 3), dtype=np.float32)
        points[:N_MESH] = mesh
        for pts_name, mat_name, region in self._finals:
            refined = _transform(b.get_tensor(self._b_out[pts_name])[0], b.get_tensor(self._b_out[mat_name])[0])
            if len(refined) == len(region.subset):  # lips or eye contour: new x, y; depth kept
                points[region.subset, :2] = refined
            else:  # iris: appended, depth = mean depth of the eye contour
                slot = _IRIS_SLOT[int(region.subset[0])]
                points[slot : slot + len(refined), :2] = refined
                points[slot : slot + len(refined), 2] = mesh[region.subset[:16], 2].mean()
        return points, logit


def _region(landmarks: str, crop: str, options: bytes) -> _Region:
    """A region from its ``Landmarks2TransformMatrix`` operator's options (a FlexBuffer map)."""
    from flatbuffers import flexbuffers

    opts: dict[str, Any] = flexbuffers.Loads(options)
    return _Region(
        landmarks=landmarks,
        crop=crop,
        subset=np.asarray(opts["subset_idxs"], dtype=np.intp),
        left=int(opts["left_rotation_idx"]),
        right=int(opts["right_rotation_idx"]),
        target_rotation=float(opts.get("target_rotation_radians", 0.0)),
        scale=(float(opts["scale_x"]), float(opts["scale_y"])),
        size=(int(opts["output_height"]), int(opts["output_width"])),
    )
