"""Stable face ids across frames: IoU association plus re-identification after short gaps.

Each frame's faces are matched to live tracks greedily by cost:

* a face overlapping a track's last box (IoU ≥ ``min_iou``) costs ``1 − IoU``;
* otherwise, a track unseen for at most ``max_gap`` seconds can still claim the face when
  the face centre lies within ``reid_radius`` face-heights of the track's last centre,
  the sizes agree within a factor of 1.6 and the faces' *shape signatures* are close
  (expression-stable proportions of the mesh: nose length, eye width, face width and
  forehead height over inter-ocular distance). Such a re-identification costs ``1 +``
  normalised distance, so overlaps always win.

Faces left unmatched open new tracks; tracks unseen for longer than ``max_gap`` are closed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emoreason.perception.face.mesh import iou

Box = tuple[float, float, float, float]

#: (a, b) landmark pairs whose head-frame distances form the shape signature.
_SIGNATURE_PAIRS = np.array(((6, 2), (33, 133), (263, 362), (234, 454), (10, 6), (2, 152)))


def shape_signature(normalised: np.ndarray) -> np.ndarray:
    """Expression-stable proportions of a face (head-frame landmarks, IOD units).

    (478, 3) → (6,), or a batch (N, 478, 3) → (N, 6).
    """
    diff = normalised[..., _SIGNATURE_PAIRS[:, 0], :] - normalised[..., _SIGNATURE_PAIRS[:, 1], :]
    return np.sqrt((diff**2).sum(axis=-1))


@dataclass
class _Track:
    face_id: int
    box: Box
    last_time: float
    signature: np.ndarray
    n: int = 1


def _centre(box: Box) -> np.ndarray:
    return np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])


class FaceTracker:
    """Assign stable ids to faces frame by frame.

    Args:
        max_gap: seconds a track may go unseen and still be re-identified.
        min_iou: least overlap for a frame-to-frame match.
        reid_radius: largest centre shift, in face heights, for a re-identification.
        max_signature_distance: largest relative shape-signature distance for re-identification.
    """

    def __init__(
        self,
        *,
        max_gap: float = 2.0,
        min_iou: float = 0.2,
        reid_radius: float = 1.5,
        max_signature_distance: float = 0.12,
    ) -> None:
        self.max_gap = max_gap
        self.min_iou = min_iou
        self.reid_radius = reid_radius
        self.max_signature_distance = max_signature_distance
        self._tracks: list[_Track] = []
        self._next_id = 0

    def _cost(self, track: _Track, box: Box, signature: np.ndarray, time: float) -> float | None:
        overlap = iou(track.box, box)
        if overlap >= self.min_iou:
            return 1.0 - overlap
        if time - track.last_time <= 0:
            return None  # same frame: no re-identification needed
        size = max(track.box[3], 1.0)
        shift = float(np.linalg.norm(_centre(track.box) - _centre(box))) / size
        ratio = box[3] / size
        sig = float(np.linalg.norm(signature - track.signature) / (np.linalg.norm(track.signature) + 1e-9))
        if shift > self.reid_radius or not 1 / 1.6 <= ratio <= 1.6 or sig > self.max_signature_distance:
            return None
        return 1.0 + shift / self.reid_radius + sig / self.max_signature_distance

    def update(self, boxes: list[Box], signatures: list[np.ndarray], time: float) -> list[int]:
        """Face ids for this frame's faces (same order as `boxes`)."""
        self._tracks = [t for t in self._tracks if time - t.last_time <= self.max_gap]
        pairs = []
        for ti, track in enumerate(self._tracks):
            for fi, (box, sig) in enumerate(zip(boxes, signatures, strict=True)):
                cost = self._cost(track, box, sig, time)
                if cost is not None:
                    pairs.append((cost, ti, fi))
        ids: list[int | None] = [None] * len(boxes)
        used: set[int] = set()
        for _, ti, fi in sorted(pairs):
            if ti in used or ids[fi] is not None:
                continue
            used.add(ti)
            track = self._tracks[ti]
            track.box, track.last_time, track.n = boxes[fi], time, track.n + 1
            track.signature = 0.9 * track.signature + 0.1 * signatures[fi]
            ids[fi] = track.face_id
        for fi, box in enumerate(boxes):
            if ids[fi] is None:
                track = _Track(self._next_id, box, time, signatures[fi].copy())
                self._next_id += 1
                self._tracks.append(track)
                ids[fi] = track.face_id
        return [int(i) for i in ids if i is not None]
