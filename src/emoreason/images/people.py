"""Every person in a still image: face (the face path's mesh, AUs, expression), body, emotions.

People are found through their faces (:func:`emoreason.perception.face.detect_faces` on the
picture); each face box is expanded into a body crop for the pose model. A picture without
any face gets one pose pass over the whole image, so a person seen from behind or far away
still counts. People are numbered left to right (``P1``, ``P2`` …).

Each person's emotions come from their own clues only (face clues of the face stage's clue
builder + body clues), fused by :func:`emoreason.reasoning.fusion.fuse` into the canonical
vocabulary, so a broad smile gives a positive valence exactly as it does in a video.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emoreason.images import body as bodies
from emoreason.images.loading import LoadedImage
from emoreason.images.records import BodyReading, Box, FaceReading, PersonReading
from emoreason.images.scene import position_of
from emoreason.records import Clue, MediaInfo, Modality, ModalityReport, StageStatus, VideoStreamInfo

#: Most people (faces) analysed in one picture.
MAX_PEOPLE = 12


@dataclass
class PeopleReading:
    """People, their clues, and what each reader reported."""

    people: list[PersonReading] = field(default_factory=list)
    clues: list[Clue] = field(default_factory=list)
    reports: list[ModalityReport] = field(default_factory=list)


def image_media(image: LoadedImage) -> MediaInfo:
    """A MediaInfo describing the picture (duration 0)."""
    w, h = image.source_size
    return MediaInfo(path=str(image.path), container="image", size_bytes=image.path.stat().st_size, duration=0.0,
                     video=VideoStreamInfo(codec=image.format, width=w, height=h, fps=0.0, frame_count=1),
                     is_image=True)


def _face_reading(row: pd.Series, face_id: int, scale: float) -> FaceReading:
    from emoreason.perception.face.action_units import AU_CODES, PRESENCE_THRESHOLD
    from emoreason.perception.face.expression import EXPRESSIONS

    expr = {k: round(float(row[k]), 3) for k in EXPRESSIONS if pd.notna(row[k])}
    aus = {c: round(float(row[f"{c}_r"]), 2) for c in AU_CODES}
    box = Box(x=float(row["face_x"]) * scale, y=float(row["face_y"]) * scale,
              w=float(row["face_w"]) * scale, h=float(row["face_h"]) * scale)
    return FaceReading(
        face_id=face_id, box=box, expression=expr, top_expression=max(expr, key=expr.get) if expr else None,
        aus=aus, active_aus=[c for c, v in aus.items() if v >= PRESENCE_THRESHOLD],
        head_pose={k: round(float(row[c]), 3)
                   for k, c in (("pitch", "pose_Rx"), ("yaw", "pose_Ry"), ("roll", "pose_Rz"))},
    )


def _face_clues(table: pd.DataFrame, face_id: int, person: str, happiness: float) -> list[Clue]:
    """The face stage's clues for one face, reworded for a still image and re-identified."""
    from emoreason.images.tracks import drop_smile_parts
    from emoreason.perception.face.clues import build_clues

    built = drop_smile_parts(build_clues(table, face_id, clip_end=0.0, peak=None), happiness)
    out = []
    for k, clue in enumerate(built, 1):
        text = clue.description.replace(" at 0.0 s", "").replace(" 0.0–0.0 s", "")
        out.append(clue.model_copy(update={"id": f"{person}-F{k}", "description": f"{person} {text}"}))
    return out


def _own_pose(pose: bodies.Pose | None, face_box: tuple[float, float, float, float]) -> bodies.Pose | None:
    """`pose` if its nose lies in (an enlarged) `face_box`, else None (it is a neighbour's)."""
    if pose is None or not pose.ok(bodies.NOSE):
        return None
    x, y, w, h = face_box
    nx, ny = pose.xy[bodies.NOSE]
    return pose if x - 0.3 * w <= nx <= x + 1.3 * w and y - 0.3 * h <= ny <= y + 1.3 * h else None


def _assign_hands(hands: list[bodies.Hand], poses: list[bodies.Pose | None],
                  boxes: list[tuple[int, int, int, int]]) -> list[list[bodies.Hand]]:
    """Each hand to the person with the nearest pose wrist, else the nearest body box centre holding it."""
    out: list[list[bodies.Hand]] = [[] for _ in poses]
    for hand in hands:
        wrist = hand.xy[0]
        best, best_d = None, np.inf
        for i, pose in enumerate(poses):
            if pose is None:
                continue
            sw = max(float(np.hypot(*(pose.xy[bodies.L_SH] - pose.xy[bodies.R_SH]))), 1.0)
            for w in (bodies.L_WR, bodies.R_WR):
                d = float(np.hypot(*(pose.xy[w] - wrist)))
                if d < 0.8 * sw and d < best_d:
                    best, best_d = i, d
        if best is None:
            holders = [i for i, (x0, y0, x1, y1) in enumerate(boxes) if x0 <= wrist[0] <= x1 and y0 <= wrist[1] <= y1]
            if holders:
                best = min(holders, key=lambda i: abs((boxes[i][0] + boxes[i][2]) / 2 - wrist[0]))
        if best is not None:
            out[best].append(hand)
    return out


def _body_reading(findings: bodies.BodyFindings) -> BodyReading:
    visible = findings.pose is not None
    return BodyReading(
        visible=visible, posture=[p for p, _, _ in findings.posture], gestures=[g for g, _, _ in findings.gestures],
        hands=len(findings.hands),
        landmarks_visible=int((findings.pose.visibility >= bodies.VISIBLE).sum()) if visible else 0,
    )


def _fuse(image: LoadedImage, clues: list[Clue]) -> tuple[list, float | None, float | None]:
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.protocol import ReasoningRequest

    by_mod: dict[Modality, list[Clue]] = {}
    for c in clues:
        by_mod.setdefault(c.modality, []).append(c)
    reports = [ModalityReport(modality=m, status=StageStatus.OK, clues=cs) for m, cs in by_mod.items()]
    fused = fuse(ReasoningRequest(media=image_media(image), modalities=reports))
    return fused.emotions[:5], fused.valence, fused.arousal


def _findings(image: LoadedImage, pose: bodies.Pose | None, hands: list[bodies.Hand]) -> bodies.BodyFindings:
    gestures = []
    for hand in hands:
        g = bodies.gesture_of(hand)
        if g is not None and g[1] not in {x[1] for x in gestures}:
            gestures.append(g)
    return bodies.BodyFindings(pose=pose, hands=hands, posture=bodies.posture_of(pose) if pose else [],
                               gestures=gestures)


def read_people(image: LoadedImage, *, with_body: bool = True) -> PeopleReading:
    """Faces, bodies and per-person emotions of a loaded picture."""
    from emoreason.perception.face import detect_faces
    from emoreason.perception.face.analyzer import EXTRACTOR

    out = PeopleReading()
    rgb, (width, height) = image.rgb, image.size
    faces = detect_faces(rgb, max_faces=MAX_PEOPLE).faces
    rows = sorted((r for _, r in faces.iterrows()), key=lambda r: float(r["face_x"] + r["face_w"] / 2))
    face_status = StageStatus.OK if rows else StageStatus.EMPTY
    out.reports.append(ModalityReport(modality=Modality.FACE, status=face_status, extractor=EXTRACTOR,
                                      message=f"{len(rows)} face(s)" if rows else "no face found"))
    face_boxes = [tuple(float(r[c]) for c in ("face_x", "face_y", "face_w", "face_h")) for r in rows]
    crops = [bodies.body_crop(b, width, height) for b in face_boxes]
    poses: list[bodies.Pose | None] = []
    if with_body:
        poses = [_own_pose(bodies.detect_pose(rgb, crop), fb) for crop, fb in zip(crops, face_boxes, strict=True)]
        if not rows:
            lone = bodies.detect_pose(rgb)
            if lone is not None and lone.ok(bodies.L_SH, bodies.R_SH):
                poses = [lone]
                xs, ys = lone.xy[lone.visibility >= bodies.VISIBLE].T
                crops = [(int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))]
        hands = bodies.detect_hands(rgb, max_hands=2 * max(len(crops), 1)) if crops else []
        hand_sets = _assign_hands(hands, poses, crops)
    else:
        poses, hand_sets = [None] * len(crops), [[] for _ in crops]
    for i, crop in enumerate(crops):
        out.people.append(_person(image, i, crop, rows[i] if i < len(rows) else None, faces, poses[i],
                                  hand_sets[i], with_body, out.clues))
    found = sum(p.body is not None and p.body.visible for p in out.people)
    out.reports.append(ModalityReport(
        modality=Modality.BODY, status=StageStatus.OK if found else StageStatus.EMPTY, extractor=bodies.SOURCE,
        message=("body not analysed" if not with_body else f"pose found for {found} of {len(out.people)} person(s)"),
        clues=[c for c in out.clues if c.modality == Modality.BODY],
    ))
    out.reports[0].clues = [c for c in out.clues if c.modality == Modality.FACE]
    return out


def _person(image: LoadedImage, i: int, crop: tuple[int, int, int, int], row: pd.Series | None,
            faces: pd.DataFrame, pose: bodies.Pose | None, hands: list[bodies.Hand], with_body: bool,
            sink: list[Clue]) -> PersonReading:
    pid, scale = f"P{i + 1}", image.scale
    width, height = image.size
    clues: list[Clue] = []
    face = None
    not_read = []
    if row is not None:
        face_id = int(row["face_id"])
        face = _face_reading(row, face_id, scale)
        clues += _face_clues(faces, face_id, pid, face.expression.get("happiness", 0.0))
    else:
        not_read.append("face not visible")
    findings = _findings(image, pose, hands) if with_body else bodies.BodyFindings()
    clues += bodies.body_clues(findings, pid, face.face_id if face else None)
    if with_body and pose is None:
        not_read.append("body pose not found (cropped, occluded or overlapping a neighbour)")
    emotions, valence, arousal = _fuse(image, clues)
    sink.extend(clues)
    x0, y0, x1, y1 = crop
    centre = (row["face_x"] + row["face_w"] / 2) if row is not None else (x0 + x1) / 2
    size = float(row["face_h"]) / height if row is not None else (y1 - y0) / height
    return PersonReading(
        id=pid, box=Box(x=x0 * scale, y=y0 * scale, w=(x1 - x0) * scale, h=(y1 - y0) * scale),
        position=position_of(float(centre), width), size=round(size, 3), face=face,
        body=_body_reading(findings) if with_body else None, emotions=emotions, valence=valence, arousal=arousal,
        clue_ids=[c.id for c in clues], not_read=not_read,
    )
