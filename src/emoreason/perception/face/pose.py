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
    """Head rotation (radians, OpenFace convention) and the head frame.

    Attributes:
        pitch: rotation about x (``pose_Rx``), positive = head tilted down.
        yaw: rotation about y (``pose_Ry``), positive = face turned to the image left.
        roll: rotation about z (``pose_Rz``), positive = clockwise in the image.
        rotation: 3×3 matrix whose columns are the head x, y, z axes in camera coordinates.
        origin: mid-point between the eye centres, pixels.
        scale: inter-ocular distance (eye centre to eye centre, 3-D), pixels.
    """

    pitch: float
    yaw: float
    roll: float
    rotation: np.ndarray
    origin: np.ndarray
    scale: float


def eye_centres(landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centres of the subject's right and left eyes (mean of the four eye-contour extremes)."""
    right = landmarks[[33, 133, 159, 145]].mean(axis=0)
    left = landmarks[[263, 362, 386, 374]].mean(axis=0)
    return right, left


def head_pose(landmarks: np.ndarray) -> HeadPose:
    """Estimate head rotation and the head-centred frame from (478, 3) pixel landmarks."""
    pts = landmarks.astype(np.float64)
    x_axis = (pts[_LR_PAIRS[:, 1]] - pts[_LR_PAIRS[:, 0]]).mean(axis=0)
    x_axis /= np.linalg.norm(x_axis) + 1e-9
    y_axis = pts[_CHIN] - pts[_FOREHEAD]
    y_axis -= x_axis * (y_axis @ x_axis)
    y_axis /= np.linalg.norm(y_axis) + 1e-9
    z_axis = np.cross(x_axis, y_axis)
    rot = np.column_stack([x_axis, y_axis, z_axis])
    if PITCH_OFFSET:
        c, s = np.cos(PITCH_OFFSET), np.sin(PITCH_OFFSET)
        rot = rot @ np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    right, left = eye_centres(pts)
    pitch = float(np.arctan2(-rot[1, 2], rot[2, 2]))
    yaw = float(np.arcsin(np.clip(rot[0, 2], -1.0, 1.0)))
    roll = float(np.arctan2(-rot[0, 1], rot[0, 0]))
    scale = float(np.linalg.norm(left - right))
    return HeadPose(pitch, yaw, roll, rot, (left + right) / 2, max(scale, 1e-6))


def to_head_frame(landmarks: np.ndarray, pose: HeadPose) -> np.ndarray:
    """Landmarks in the head frame, in inter-ocular-distance units (x right, y down, z away)."""
    return ((landmarks.astype(np.float64) - pose.origin) @ pose.rotation) / pose.scale


def iris_offset(normalised: np.ndarray) -> tuple[float, float]:
    """Iris centre offset from the eye-corner mid-point, in eye widths (x right, y down), both eyes."""
    offsets = []
    for (a, b), iris_idx in zip(_EYE_CORNERS, _IRIS_CENTRES, strict=True):
        mid = (normalised[a] + normalised[b]) / 2
        width = np.linalg.norm(normalised[b] - normalised[a]) + 1e-9
        offsets.append((normalised[iris_idx, :2] - mid[:2]) / width)
    off = np.mean(offsets, axis=0)
    return float(off[0]), float(off[1])


def gaze_angles(iris_dx: float, iris_dy: float, pose: HeadPose) -> tuple[float, float]:
    """Gaze angles (OpenFace ``gaze_angle_x``, ``gaze_angle_y``), radians, camera frame.

    ``x`` is positive when the eyes look toward the image left (the subject's right),
    ``y`` positive when they look down; NaN offsets (no iris model) give NaN.
    """
    eye_x = float(np.arcsin(np.clip(iris_dx / _GAZE_GAIN, -1, 1)))
    eye_y = float(np.arcsin(np.clip((iris_dy - IRIS_DY_NEUTRAL) / _GAZE_GAIN, -1, 1)))
    return pose.yaw - eye_x, pose.pitch + eye_y
