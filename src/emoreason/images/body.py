"""Body posture and hand gestures from mediapipe 0.10.21's pose and hand models (shipped in the wheel).

The pose model follows one person per call, so it runs on one crop per person: the person's
face box expanded downward into a body box (:func:`body_crop`). A pose whose nose does not
fall inside that person's face box belongs to a neighbour and is discarded. The hand model
runs once on the whole picture; each hand goes to the person whose pose wrist is nearest (or
whose body box holds it).

Rules (image coordinates, y down; ``sw`` = shoulder width, the body's own unit):

==================  =====================================================================
arms raised         a wrist more than 0.3 sw above its shoulder
arms open           both wrists more than 1.4 sw from the shoulder centre, near shoulder height
hands on hips       a wrist within 0.45 sw of its hip, elbow outside the shoulder line
arms crossed        each wrist within 0.6 sw of the other arm's elbow
hand on face        a wrist or hand within 0.7 sw of the nose
head lowered        the nose less than 0.25 sw above the shoulder line
fist                four fingers curled, every fingertip within 0.95 palm lengths of the wrist
thumbs up / down    four fingers curled, thumb extended, tip well above / below the wrist
pointing            index extended, the other three curled
V sign              index and middle extended, ring and little finger curled
open palm           all five fingers extended
==================  =====================================================================

Each finding becomes a BODY clue with a tag that :mod:`emoreason.reasoning.cues` knows.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from emoreason.records import Clue, Evidence, Modality

SOURCE = "mediapipe-0.10.21 pose (full) + hands"
_LOCK = threading.Lock()
# pose landmark indices (BlazePose 33)
NOSE, L_SH, R_SH, L_EL, R_EL, L_WR, R_WR, L_HIP, R_HIP = 0, 11, 12, 13, 14, 15, 16, 23, 24
VISIBLE = 0.5


@dataclass
class Pose:
    """33 landmarks in analysed-image pixels with their visibility."""

    xy: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,)

    def ok(self, *idx: int) -> bool:
        return bool(all(self.visibility[i] >= VISIBLE for i in idx))


@dataclass
class Hand:
    """21 hand landmarks in analysed-image pixels."""

    xy: np.ndarray  # (21, 2)
    label: str  # 'Left' / 'Right' as mediapipe reports it


@dataclass
class BodyFindings:
    """Posture and gesture phrases of one person, each with its cue tag."""

    pose: Pose | None = None
    hands: list[Hand] = field(default_factory=list)
    posture: list[tuple[str, str, float]] = field(default_factory=list)  # (phrase, tag, strength)
    gestures: list[tuple[str, str, float]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _pose_model() -> object:
    import mediapipe as mp

    return mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1, min_detection_confidence=0.5)


@lru_cache(maxsize=4)
def _hands_model(max_hands: int) -> object:
    import mediapipe as mp

    return mp.solutions.hands.Hands(static_image_mode=True, max_num_hands=max_hands, model_complexity=1,
                                    min_detection_confidence=0.5)


def body_crop(face_box: Sequence[float], width: int, height: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the body region under a face box (x, y, w, h), clipped to the image."""
    x, y, w, h = face_box
    x0, x1 = int(max(0, x - 1.7 * w)), int(min(width, x + w + 1.7 * w))
    y0, y1 = int(max(0, y - 0.6 * h)), int(min(height, y + 6.0 * h))
    return x0, y0, x1, y1


def detect_pose(rgb: np.ndarray, crop: tuple[int, int, int, int] | None = None) -> Pose | None:
    """The pose of the most prominent person in `crop` (whole image if None), in image pixels."""
    x0, y0, x1, y1 = crop or (0, 0, rgb.shape[1], rgb.shape[0])
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    part = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    with _LOCK:
        result = _pose_model().process(part)
    if result.pose_landmarks is None:
        return None
    lm = result.pose_landmarks.landmark
    xy = np.array([[p.x * (x1 - x0) + x0, p.y * (y1 - y0) + y0] for p in lm], dtype=np.float64)
    return Pose(xy=xy, visibility=np.array([p.visibility for p in lm], dtype=np.float64))


def detect_hands(rgb: np.ndarray, max_hands: int) -> list[Hand]:
    """Hands in the whole image, in image pixels."""
    with _LOCK:
        result = _hands_model(max(1, min(max_hands, 10))).process(rgb)
    if not result.multi_hand_landmarks:
        return []
    h, w = rgb.shape[:2]
    out = []
    for marks, handed in zip(result.multi_hand_landmarks, result.multi_handedness or [], strict=False):
        xy = np.array([[p.x * w, p.y * h] for p in marks.landmark], dtype=np.float64)
        out.append(Hand(xy=xy, label=handed.classification[0].label))
    return out


def _d(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.hypot(*(a - b)))


def posture_of(pose: Pose) -> list[tuple[str, str, float]]:
    """Posture phrases (phrase, tag, strength) of one pose; empty when the shoulders are not seen."""
    if not pose.ok(L_SH, R_SH):
        return []
    p = pose.xy
    sw = max(_d(p[L_SH], p[R_SH]), 1.0)
    mid = (p[L_SH] + p[R_SH]) / 2
    out: list[tuple[str, str, float]] = []
    raised = [s for s, wr in ((L_SH, L_WR), (R_SH, R_WR)) if pose.ok(wr) and p[wr][1] < p[s][1] - 0.3 * sw]
    if raised:
        out.append(("raises both arms" if len(raised) == 2 else "raises an arm", "arms_raised",
                    0.75 if len(raised) == 2 else 0.5))
    wide = pose.ok(L_WR, R_WR) and all(abs(p[w][0] - mid[0]) > 1.4 * sw and abs(p[w][1] - mid[1]) < 1.0 * sw
                                      for w in (L_WR, R_WR))
    if wide and not raised:
        out.append(("holds the arms wide open", "arms_open", 0.55))
    on_hips = [w for w, hip, el, sh in ((L_WR, L_HIP, L_EL, L_SH), (R_WR, R_HIP, R_EL, R_SH))
               if pose.ok(w, hip, el) and _d(p[w], p[hip]) < 0.45 * sw
               and abs(p[el][0] - mid[0]) > abs(p[sh][0] - mid[0])]
    if len(on_hips) == 2:
        out.append(("stands with hands on hips", "hands_on_hips", 0.6))
    if pose.ok(L_WR, R_WR, L_EL, R_EL) and _d(p[L_WR], p[R_EL]) < 0.6 * sw and _d(p[R_WR], p[L_EL]) < 0.6 * sw:
        out.append(("crosses the arms", "arms_crossed", 0.6))
    near_face = [w for w in (L_WR, R_WR) if pose.ok(w, NOSE) and _d(p[w], p[NOSE]) < 0.7 * sw]
    if near_face:
        out.append(("holds a hand to the face", "hand_on_face", 0.5))
    if pose.ok(NOSE) and p[NOSE][1] > mid[1] - 0.25 * sw:
        out.append(("lowers the head toward the chest", "head_down", 0.5))
    return out


def _extended(hand: Hand, tip: int, pip: int) -> bool:
    wrist = hand.xy[0]
    return _d(hand.xy[tip], wrist) > 1.15 * _d(hand.xy[pip], wrist)


def gesture_of(hand: Hand) -> tuple[str, str, float] | None:
    """The gesture one hand makes (phrase, tag, strength), or None.

    A thumbs-up needs a straight thumb (tip ≥ 0.9 palm lengths from its base) whose tip is the
    hand's highest point by half a palm length; a hand resting on a shoulder is a fist at most.
    """
    index, middle, ring, little = (_extended(hand, t, p) for t, p in ((8, 6), (12, 10), (16, 14), (20, 18)))
    palm = max(_d(hand.xy[0], hand.xy[9]), 1.0)
    thumb = _extended(hand, 4, 2) and _d(hand.xy[4], hand.xy[2]) >= 0.9 * palm
    others_y = hand.xy[[5, 6, 8, 9, 12, 13, 16, 17, 20], 1]
    if not any((index, middle, ring, little)):
        if thumb and hand.xy[4][1] < others_y.min() - 0.5 * palm:
            return ("gives a thumbs-up", "thumbs_up", 0.7)
        if thumb and hand.xy[4][1] > others_y.max() + 0.5 * palm:
            return ("gives a thumbs-down", "thumbs_down", 0.7)
        reach = max(_d(hand.xy[t], hand.xy[0]) for t in (8, 12, 16, 20))
        return ("clenches a fist", "fist", 0.45) if reach < 0.95 * palm else None
    if index and not (middle or ring or little):
        return ("points with the index finger", "pointing", 0.55)
    if index and middle and not (ring or little):
        return ("makes a V sign", "v_sign", 0.6)
    if index and middle and ring and little and thumb:
        return ("shows an open palm", "open_palm", 0.4)
    return None


def body_clues(findings: BodyFindings, person: str, track_id: int | None) -> list[Clue]:
    """BODY clues of one person (posture first, then gestures)."""
    out = []
    for phrase, tag, strength in [*findings.posture, *findings.gestures]:
        out.append(Clue(
            id=f"{person}-{tag.replace('_', '-')}",
            modality=Modality.BODY, description=f"{person} {phrase}", start=0.0, end=0.0, strength=strength,
            evidence=[Evidence(name="rule", value=tag)], tags=[tag], source=SOURCE, track_id=track_id,
        ))
    return out
