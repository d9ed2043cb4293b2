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
from dataclasses import dataclass
from typing import Any

import numpy as np

from emoreason.perception.face.litert_runtime import interpreter, models_dir, write_unit_image
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


@dataclass(frozen=True)
class _RegionSet:
    """Several regions' crop parameters as arrays, so their matrices are computed in one numpy pass."""

    owner: np.ndarray  # (P,) region of each subset point, regions one after another
    subset: np.ndarray  # (P,) mesh index of each subset point
    starts: np.ndarray  # (n,) first subset point of each region
    ends: np.ndarray  # (n, 2) left and right rotation landmarks
    target_rotation: np.ndarray  # (n,)
    size: np.ndarray  # (n, 2) crop height, width
    scale: np.ndarray  # (n, 2) box scale x, y

    @classmethod
    def of(cls, regions: list[_Region]) -> _RegionSet:
        counts = [len(r.subset) for r in regions]
        return cls(
            owner=np.repeat(np.arange(len(regions)), counts),
            subset=np.concatenate([r.subset for r in regions]),
            starts=np.cumsum([0, *counts[:-1]]),
            ends=np.array([(r.left, r.right) for r in regions]),
            target_rotation=np.array([r.target_rotation for r in regions], dtype=np.float64),
            size=np.array([r.size for r in regions], dtype=np.float64),
            scale=np.array([r.scale for r in regions], dtype=np.float64),
        )


def _crop_matrices(points: np.ndarray, regions: _RegionSet) -> np.ndarray:
    """Mediapipe's ``Landmarks2TransformMatrix`` (v2) for n regions: crop pixels → feature-map pixels, (n, 4, 4).

    Region i's matrix comes from ``points[i]`` ((n, 468, ≥ 2) landmarks). The kernel composes
    shift(centre) · R(−rotation) · scale(box × 1.5 / crop size) · shift(−crop size / 2), where
    R(a) rotates by `a` and the box is that of the region's points rotated by `rotation`
    (the angle that makes the left → right line horizontal).
    """
    pts = np.asarray(points, dtype=np.float64)
    n = np.arange(len(pts))
    line = pts[n, regions.ends[:, 1], :2] - pts[n, regions.ends[:, 0], :2]
    rotation = regions.target_rotation - np.arctan2(line[:, 1], line[:, 0])
    c, s = np.cos(rotation), np.sin(rotation)
    xy = pts[regions.owner, regions.subset, :2]
    cp, sp = c[regions.owner], s[regions.owner]
    u = cp * xy[:, 0] - sp * xy[:, 1]  # R(rotation) · point
    v = sp * xy[:, 0] + cp * xy[:, 1]
    u0, u1 = np.minimum.reduceat(u, regions.starts), np.maximum.reduceat(u, regions.starts)
    v0, v1 = np.minimum.reduceat(v, regions.starts), np.maximum.reduceat(v, regions.starts)
    mu, mv = (u0 + u1) / 2, (v0 + v1) / 2
    cx, cy = c * mu + s * mv, -s * mu + c * mv  # R(−rotation) · box centre
    out_h, out_w = regions.size[:, 0], regions.size[:, 1]
    sx, sy = regions.scale[:, 0] * (u1 - u0) / out_w, regions.scale[:, 1] * (v1 - v0) / out_h
    a00, a01, a10, a11 = c * sx, s * sy, -s * sx, c * sy  # R(−rotation) · scale
    m = np.zeros((len(pts), 4, 4), dtype=np.float32)
    m[:, 0, 0], m[:, 0, 1], m[:, 0, 3] = a00, a01, cx - a00 * out_w / 2 - a01 * out_h / 2
    m[:, 1, 0], m[:, 1, 1], m[:, 1, 3] = a10, a11, cy - a10 * out_w / 2 - a11 * out_h / 2
    m[:, 2, 2] = m[:, 3, 3] = 1.0
    return m


@functools.lru_cache(maxsize=4)
def _grid(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Output pixel coordinates (y, x) of a crop, each (h, w)."""
    oy, ox = np.mgrid[0 : size[0], 0 : size[1]].astype(np.float64)
    return oy, ox


def _sample(features: np.ndarray, matrices: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Mediapipe's ``TransformTensorBilinear`` (v2): (H, W, C) features → (n, h, w, C) crops, one per (4, 4) matrix."""
    height, width, channels = features.shape
    m = np.asarray(matrices, dtype=np.float64)  # (n, 4, 4)
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
    # on the last row/column the far neighbour has weight 0: reading the pixel itself is exact
    dx, dy = (x0 < width - 1).astype(np.intp), (y0 < height - 1) * width
    base = y0 * width + x0
    q11, q21, q12, q22 = features.reshape(-1, channels)[np.stack([base, base + dx, base + dy, base + dy + dx])]
    upper = q11 + fx * (q21 - q11)
    out = upper + fy * (q12 + fx * (q22 - q12) - upper)
    out[outside] = 0.0
    return out


def _transform(points: np.ndarray, matrices: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Mediapipe's ``TransformLandmarks`` (v2): point i moved by the 2-D affine part of ``matrices[owner[i]]``.

    Args:
        points: (P, 2) points of several outputs, one after another.
        matrices: (k, 4, 4) one matrix per output.
        owner: (P,) which matrix each point takes.
    """
    m = np.asarray(matrices, dtype=np.float64)[owner]
    x, y = points[:, 0], points[:, 1]
    return np.stack([m[:, 0, 0] * x + m[:, 0, 1] * y + m[:, 0, 3], m[:, 1, 0] * x + m[:, 1, 1] * y + m[:, 1, 3]], 1)


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
        regions = dict(layout.regions)
        self._regions = _RegionSet.of([region for _, region in layout.regions])
        self._crop_size = layout.regions[0][1].size
        self._a = interpreter(layout.part_a, num_threads)
        self._b = interpreter(layout.part_b, num_threads)
        self._a_in = self._a.get_input_details()[0]["index"]
        a_out = {d["name"]: d["index"] for d in self._a.get_output_details()}
        b_in = {d["name"]: d["index"] for d in self._b.get_input_details()}
        b_out = {d["name"]: d["index"] for d in self._b.get_output_details()}
        self._mesh_out, self._flag_out = a_out[_MESH_OUTPUT], a_out[_FLAG_OUTPUT]
        self._features_out = a_out[layout.features]
        self._landmarks_out = [a_out[region.landmarks] for _, region in layout.regions]
        self._b_inputs = [(b_in[name], b_in[region.crop]) for name, region in layout.regions]
        # the refined outputs, one after another: their (points, matrix) tensors and the rows
        # of the 478 their x, y replace — an eye or lip contour, or the iris points after the mesh
        self._final_points, self._final_matrices = [], []
        rows, owner, iris, contours = [], [], [], []
        for k, (pts_name, mat_name, source) in enumerate(layout.finals):
            region = regions[source]
            n = _output_points(self._b, b_out[pts_name])
            if n == len(region.subset):
                rows.append(region.subset)
            else:
                slot = _IRIS_SLOT[int(region.subset[0])]
                rows.append(np.arange(slot, slot + n))
                iris.append(rows[-1])
                contours.append(np.resize(region.subset[:16], n * 16).reshape(n, 16))
            owner.append(np.full(n, k))
            self._final_points.append(b_out[pts_name])
            self._final_matrices.append(b_out[mat_name])
        self._final_rows, self._final_owner = np.concatenate(rows), np.concatenate(owner)
        # each iris point's depth: the mean depth of its eye's contour (mediapipe's refinement)
        self._iris_rows, self._iris_contours = np.concatenate(iris), np.concatenate(contours)

    def run(self, crop: np.ndarray) -> tuple[np.ndarray, float]:
        """(478, 3) landmarks in input pixels and the face-presence logit for a 192 × 192 RGB uint8 crop."""
        a, b = self._a, self._b
        write_unit_image(a, self._a_in, crop)
        a.invoke()
        points = np.empty((N_POINTS, 3), dtype=np.float32)
        points[:N_MESH] = a.get_tensor(self._mesh_out).reshape(N_MESH, 3)
        logit = float(a.get_tensor(self._flag_out).reshape(-1)[0])
        matrices = _crop_matrices(np.stack([a.get_tensor(i)[0] for i in self._landmarks_out]), self._regions)
        crops = _sample(a.get_tensor(self._features_out)[0], matrices, self._crop_size)
        for (matrix_in, crop_in), matrix, features in zip(self._b_inputs, matrices, crops, strict=True):
            b.set_tensor(matrix_in, matrix[None])
            b.set_tensor(crop_in, features[None])
        b.invoke()
        refined = np.concatenate([b.get_tensor(i)[0] for i in self._final_points])
        transforms = np.stack([b.get_tensor(i)[0] for i in self._final_matrices])
        points[self._final_rows, :2] = _transform(refined, transforms, self._final_owner)  # contour depth kept
        points[self._iris_rows, 2] = points[self._iris_contours, 2].mean(axis=1)
        return points, logit


def _output_points(engine: Any, index: int) -> int:
    """Number of points an output tensor of shape (1, n, 2) holds."""
    shape = next(d["shape"] for d in engine.get_output_details() if d["index"] == index)
    return int(shape[1])


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
