"""Head pose, a head-centred landmark frame, and gaze from the mesh's iris points.

The head frame is built from the mesh itself (no canonical model ships offline):
its x axis is the mean of left–right vectors between symmetric landmark pairs
(eye corners, mouth corners, face-oval sides), its y axis runs from forehead (10) to
chin (152) orthogonalised against x, and z = x × y points away from the camera. This is
the OpenFace camera convention (x right, y down, z forward), so the Euler angles match
OpenFace's ``pose_Rx`` (pitch), ``pose_Ry`` (yaw) and ``pose_Rz`` (roll), in radians,
with R = Rx·Ry·Rz. A frontal face still has the forehead–chin line tilted a little in
depth; ``PITCH_OFFSET`` removes that so a frontal face reads ≈ 0.

Gaze: the iris centre's offset from the eye-corner midpoint, divided by the eye width,
in the head frame, is converted to an angle with an eyeball-radius model and added to
the head angles (OpenFace ``gaze_angle_x/y``: left–right and up–down, radians).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Symmetric (subject-right, subject-left) landmark pairs used for the head x axis.
_LR_PAIRS = np.array([(33, 263), (133, 362), (61, 291), (234, 454), (127, 356)])
_FOREHEAD, _CHIN = 10, 152
#: Inner/outer eye corners and iris centres (subject right, subject left).
_EYE_CORNERS = ((33, 133), (362, 263))
_IRIS_CENTRES = (468, 473)
#: Measured on frontal photos: the forehead→chin axis leans back by about this much.
PITCH_OFFSET = 0.0
#: Vertical iris offset (eye widths) of a face looking into the camera: the iris centre sits
#: above the line between the eye corners (median of the project's frontal photos).
IRIS_DY_NEUTRAL = -0.05
#: Iris offset (in eye widths) per radian of eye rotation (eyeball radius ≈ 0.5 eye width).
_GAZE_GAIN = 0.45


@dataclass(frozen=True)
class HeadPose:
    """Head rotation (radians, OpenFace convention) and the head frame, of one face or a batch.

    From :func:`head_pose` the fields are scalars (one face); from :func:`head_poses` they
    are arrays with a leading face axis (``rotation`` (N, 3, 3), ``origin`` (N, 3)).

    Attributes:
        pitch: rotation about x (``pose_Rx``), positive = head tilted down.
        yaw: rotation about y (``pose_Ry``), positive = face turned to the image left.
        roll: rotation about z (``pose_Rz``), positive = clockwise in the image.
        rotation: 3×3 matrix whose columns are the head x, y, z axes in camera coordinates.
        origin: mid-point between the eye centres, pixels.
        scale: inter-ocular distance (eye centre to eye centre, 3-D), pixels.
    """

    pitch: Any
    yaw: Any
    roll: Any
    rotation: np.ndarray
    origin: np.ndarray
    scale: Any


def eye_centres(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the subject's right and left eyes (mean of the four eye-contour extremes); (..., 478, 3) in."""
    right = landmarks[..., [33, 133, 159, 145], :].mean(axis=-2)
    left = landmarks[..., [263, 362, 386, 374], :].mean(axis=-2)
    return right, left


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.sqrt((v * v).sum(axis=-1, keepdims=True)) + 1e-9)


def head_poses(landmarks: np.ndarray) -> HeadPose:
    """Head rotation and head-centred frame of N faces at once, from (N, 478, 3) pixel landmarks."""
    pts = np.asarray(landmarks, dtype=np.float64)
    x_axis = _unit((pts[:, _LR_PAIRS[:, 1]] - pts[:, _LR_PAIRS[:, 0]]).mean(axis=1))
    y_axis = pts[:, _CHIN] - pts[:, _FOREHEAD]
    y_axis = _unit(y_axis - x_axis * (y_axis * x_axis).sum(axis=-1, keepdims=True))
    rot = np.stack([x_axis, y_axis, np.cross(x_axis, y_axis)], axis=-1)  # columns x, y, z
    if PITCH_OFFSET:
        c, s = np.cos(PITCH_OFFSET), np.sin(PITCH_OFFSET)
        rot = rot @ np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    right, left = eye_centres(pts)
    pitch = np.arctan2(-rot[:, 1, 2], rot[:, 2, 2])
    yaw = np.arcsin(np.clip(rot[:, 0, 2], -1.0, 1.0))
    roll = np.arctan2(-rot[:, 0, 1], rot[:, 0, 0])
    scale = np.maximum(np.sqrt(((left - right) ** 2).sum(axis=-1)), 1e-6)
    return HeadPose(pitch, yaw, roll, rot, (left + right) / 2, scale)


def head_pose(landmarks: np.ndarray) -> HeadPose:
    """Estimate head rotation and the head-centred frame of one face from (478, 3) pixel landmarks."""
    p = head_poses(np.asarray(landmarks)[None])
    return HeadPose(float(p.pitch[0]), float(p.yaw[0]), float(p.roll[0]), p.rotation[0], p.origin[0], float(p.scale[0]))


def to_head_frame(landmarks: np.ndarray, pose: HeadPose) -> np.ndarray:
    """Landmarks in the head frame, in inter-ocular-distance units (x right, y down, z away).

    One face ((478, 3) with :func:`head_pose`) or a batch ((N, 478, 3) with :func:`head_poses`).
    """
    origin = np.asarray(pose.origin)[..., None, :]
    scale = np.asarray(pose.scale, dtype=np.float64)[..., None, None]
    return ((np.asarray(landmarks, dtype=np.float64) - origin) @ pose.rotation) / scale


def iris_offset(normalised: np.ndarray) -> np.ndarray:
    """Iris centre offset from the eye-corner mid-point, in eye widths (x right, y down), both eyes averaged.

    (..., 478, 3) head-frame landmarks in, (..., 2) offsets out.
    """
    corners = np.array(_EYE_CORNERS)
    a, b = normalised[..., corners[:, 0], :], normalised[..., corners[:, 1], :]
    width = np.sqrt(((b - a) ** 2).sum(axis=-1)) + 1e-9
    offsets = (normalised[..., _IRIS_CENTRES, :2] - (a[..., :2] + b[..., :2]) / 2) / width[..., None]
    return offsets.mean(axis=-2)


def gaze_angles(iris_dx: Any, iris_dy: Any, pose: HeadPose) -> tuple[Any, Any]:
    """Gaze angles (OpenFace ``gaze_angle_x``, ``gaze_angle_y``), radians, camera frame.

    ``x`` is positive when the eyes look toward the image left (the subject's right),
    ``y`` positive when they look down; NaN offsets (no iris model) give NaN. Scalars or
    arrays (with :func:`head_poses`).
    """
    eye_x = np.arcsin(np.clip(np.asarray(iris_dx) / _GAZE_GAIN, -1, 1))
    eye_y = np.arcsin(np.clip((np.asarray(iris_dy) - IRIS_DY_NEUTRAL) / _GAZE_GAIN, -1, 1))
    return pose.yaw - eye_x, pose.pitch + eye_y
