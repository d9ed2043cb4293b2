"""mediapipe's models without mediapipe: the BlazeFace detector, the model cutter, the attention ops."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from emoreason.perception.face.attention_mesh import (
    AttentionMesh,
    _crop_matrices,
    _layout,
    _RegionSet,
    _sample,
    _transform,
)
from emoreason.perception.face.litert_detector import BlazeFaceDetector, weighted_nms
from emoreason.perception.face.litert_runtime import interpreter, models_dir
from emoreason.perception.face.mesh import iou
from emoreason.perception.face.tflite_split import ModelFormatError, TFLiteGraph


def _mediapipe_detections(image: np.ndarray) -> list[tuple[tuple[float, float, float, float], float]]:
    import mediapipe as mp

    h, w = image.shape[:2]
    with mp.solutions.face_detection.FaceDetection(model_selection=1, min_detection_confidence=0.5) as fd:
        out = []
        for d in fd.process(image).detections or []:
            b = d.location_data.relative_bounding_box
            out.append(((b.xmin * w, b.ymin * h, b.width * w, b.height * h), float(d.score[0])))
    return out


def _frames_and_photos(sample_clip: Path, shared: Path | None) -> list[np.ndarray]:
    from emoreason.io import iter_frames

    images = [f.image for f in iter_frames(sample_clip, fps=1)]
    if shared is not None:
        import cv2

        for path in sorted((shared / "samples").glob("*.jpg")):
            images.append(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB))
    return images


def test_detector_matches_mediapipe(sample_clip: Path) -> None:
    """Letterbox, anchors, decoding and weighted NMS reproduce mediapipe's FaceDetection."""
    from tests.conftest import SHARED_DATA

    detector = BlazeFaceDetector()
    images = _frames_and_photos(sample_clip, SHARED_DATA if SHARED_DATA.is_dir() else None)
    checked = 0
    for image in images:
        ours, ref = detector.detect(image), _mediapipe_detections(image)
        assert len(ours) == len(ref)
        for box, score in ref:
            best = max(ours, key=lambda d: iou(box, d.box))
            assert iou(box, best.box) > 0.999 and abs(best.score - score) < 1e-4
            checked += 1
    assert checked >= len(images) - 1


def test_detector_on_tiny_and_blank_frames() -> None:
    detector = BlazeFaceDetector()
    assert detector.detect(np.zeros((2, 2, 3), np.uint8)) == []
    assert detector.detect(np.full((240, 320, 3), 128, np.uint8)) == []


def test_weighted_nms_merges_by_score() -> None:
    """Overlapping boxes merge into their score-weighted mean with the best box's score."""
    coords = np.array([[0, 0, 10, 10, 5, 5], [1, 1, 11, 11, 6, 6], [50, 50, 60, 60, 55, 55]], float)
    scores = np.array([0.9, 0.3, 0.8])
    kept = weighted_nms(coords, scores)
    assert [round(s, 2) for _, s in kept] == [0.9, 0.8]
    assert np.allclose(kept[0][0], (coords[0] * 0.9 + coords[1] * 0.3) / 1.2)
    assert np.allclose(kept[1][0], coords[2])


def test_cut_reproduces_the_whole_model() -> None:
    """A model cut in two at an inner tensor, run piece by piece, equals the whole model."""
    path = models_dir() / "face_landmark" / "face_landmark.tflite"
    graph = TFLiteGraph(path.read_bytes())
    outputs = [graph.names[i] for i in graph.outputs]

    def clean_cut(op) -> bytes | None:  # a tensor every later operator depends on alone (no skip link over it)
        try:
            return graph.cut([graph.names[op.outputs[0]]], outputs)
        except ModelFormatError:
            return None

    inner, tail = next(
        (graph.names[op.outputs[0]], cut)
        for op in graph.operators[len(graph.operators) // 2 :]
        if op.code != "builtin:6" and (cut := clean_cut(op)) is not None  # 6: DEQUANTIZE of a weight
    )
    first = interpreter(graph.cut([graph.names[graph.inputs[0]]], [inner]), 1)
    second = interpreter(tail, 1)
    whole = interpreter(path, 1)
    x = np.random.default_rng(0).random((1, 192, 192, 3), dtype=np.float32)
    whole.set_tensor(whole.get_input_details()[0]["index"], x)
    whole.invoke()
    first.set_tensor(first.get_input_details()[0]["index"], x)
    first.invoke()
    middle = first.get_tensor(first.get_output_details()[0]["index"])
    second.set_tensor(second.get_input_details()[0]["index"], middle)
    second.invoke()
    got = {d["name"]: second.get_tensor(d["index"]) for d in second.get_output_details()}
    for d in whole.get_output_details():
        assert np.allclose(got[d["name"]], whole.get_tensor(d["index"]), atol=1e-4), d["name"]


def test_cut_refuses_what_it_cannot_do() -> None:
    graph = TFLiteGraph((models_dir() / "face_landmark" / "face_landmark_with_attention.tflite").read_bytes())
    with pytest.raises(ModelFormatError, match="custom operator"):
        graph.cut(["input_1"], ["output_lips"])
    with pytest.raises(ModelFormatError, match="no tensor"):
        graph.cut(["input_1"], ["no_such_tensor"])
    with pytest.raises(ModelFormatError, match="TFL3"):
        TFLiteGraph(b"not a model at all")


def _kernel_matrix(points: np.ndarray, region) -> np.ndarray:
    """Landmarks2TransformMatrix written as the kernel composes it: four explicit 4×4 products."""
    left, right = points[region.left], points[region.right]
    r = region.target_rotation - math.atan2(right[1] - left[1], right[0] - left[0])
    rot = np.array([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])
    pts = points[region.subset, :2] @ rot.T
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre = np.linalg.inv(rot) @ ((lo + hi) / 2)
    h, w = region.size

    def affine(m2: np.ndarray, t: np.ndarray) -> np.ndarray:
        m = np.eye(4)
        m[:2, :2], m[:2, 3] = m2, t
        return m

    inv = np.array([[math.cos(-r), -math.sin(-r)], [math.sin(-r), math.cos(-r)]])
    scale = np.diag([region.scale[0] * (hi - lo)[0] / w, region.scale[1] * (hi - lo)[1] / h])
    return (
        affine(np.eye(2), centre) @ affine(inv, np.zeros(2)) @ affine(scale, np.zeros(2))
        @ affine(np.eye(2), np.array([-w / 2, -h / 2]))
    )


def test_crop_matrix_matches_the_kernel_composition() -> None:
    rng = np.random.default_rng(1)
    regions = [region for _, region in _layout().regions]
    points = [rng.random((468, 3)).astype(np.float32) * 48 for _ in regions]  # one landmark set per region
    matrices = _crop_matrices(np.stack(points), _RegionSet.of(regions))
    for pts, region, matrix in zip(points, regions, matrices, strict=True):
        assert np.allclose(matrix, _kernel_matrix(pts, region), atol=1e-4)


def test_bilinear_crop_matches_a_plain_loop() -> None:
    """The vectorised sampler equals the kernel's per-pixel loop (zero outside, half-pixel shift).

    The second matrix maps crop pixels exactly onto feature pixels, so samples fall on the
    last row and column (where the far neighbour lies outside, with weight 0).
    """
    rng = np.random.default_rng(2)
    features = rng.random((6, 7, 3)).astype(np.float32)
    tilted = np.eye(4, dtype=np.float32)
    tilted[:2, :2] = [[0.9, 0.3], [-0.2, 1.1]]
    tilted[:2, 3] = [-0.7, 0.4]
    crops = _sample(features, np.stack([tilted, np.eye(4, dtype=np.float32)]), (7, 8))
    for matrix, got in zip((tilted, np.eye(4)), crops, strict=True):
        x = matrix[0].astype(float).copy()
        y = matrix[1].astype(float).copy()
        x[3] += x[0] * 0.5 + x[1] * 0.5 - 0.5
        y[3] += y[0] * 0.5 + y[1] * 0.5 - 0.5
        for oy in range(7):
            for ox in range(8):
                tx, ty = x[0] * ox + x[1] * oy + x[3], y[0] * ox + y[1] * oy + y[3]
                if tx < 0 or tx > 6 or ty < 0 or ty > 5:
                    assert np.all(got[oy, ox] == 0)
                    continue

                def read(r: int, c: int) -> np.ndarray:
                    return features[r, c] if 0 <= r < 6 and 0 <= c < 7 else np.zeros(3)

                fx, fy = math.floor(tx), math.floor(ty)
                a, b = tx - fx, ty - fy
                top = (1 - a) * read(fy, fx) + a * read(fy, fx + 1)
                bottom = (1 - a) * read(fy + 1, fx) + a * read(fy + 1, fx + 1)
                assert np.allclose(got[oy, ox], (1 - b) * top + b * bottom, atol=1e-5)
    assert np.allclose(crops[1][:6, :7], features)  # the exact map reads the features back


def test_transform_is_the_affine_part() -> None:
    """Each point takes its own output's matrix: only the 2-D linear part and the translation act."""
    scale = np.array([[2, 0, 9, 1], [0, 3, 9, -1], [0, 0, 1, 0], [0, 0, 0, 1]], np.float32)
    turn = np.array([[0, -1, 0, 5], [1, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], np.float32)
    points = np.array([[1.0, 1.0], [1.0, 2.0], [3.0, 0.0]])
    got = _transform(points, np.stack([scale, turn]), np.array([0, 1, 1]))
    assert np.allclose(got, [[3.0, 2.0], [3.0, 1.0], [5.0, 3.0]])


def test_attention_mesh_shapes_and_regions(sample_clip: Path) -> None:
    """Refined eye contours stay on the mesh's eyes; irises sit inside their eye's corners."""
    from emoreason.io import iter_frames
    from emoreason.perception.face.litert_mesh import LiteRTFaceLandmarker

    with LiteRTFaceLandmarker(iris=True) as lit:
        faces = []
        for frame in iter_frames(sample_clip, fps=2):
            faces = lit.process(frame.image, frame.time) or faces
    pts = faces[0].landmarks
    assert pts.shape == (478, 3) and np.isfinite(pts).all()
    for centre, (a, b) in ((468, (33, 133)), (473, (362, 263))):
        lo, hi = sorted((pts[a, 0], pts[b, 0]))
        assert lo < pts[centre, 0] < hi
    assert isinstance(AttentionMesh(), AttentionMesh)
