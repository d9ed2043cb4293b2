"""Typed records of `emoreason interpret`: people, scene, triggers, self-ask rounds, the result."""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from emoreason.records import Clue, EmotionScore, GroundingViolation, ModalityReport, Record
from emoreason.records.base import SCHEMA_VERSION


class Box(Record):
    """An axis-aligned box in source-image pixels."""

    x: float
    y: float
    w: float
    h: float


class FaceReading(Record):
    """What the face path read on one person's face."""

    face_id: int
    box: Box
    expression: dict[str, float] = Field(default_factory=dict, description="FER2013 class probabilities.")
    top_expression: str | None = None
    aus: dict[str, float] = Field(default_factory=dict, description="Action-unit intensities 0-5 (geometric).")
    active_aus: list[str] = Field(default_factory=list, description="AUs at or above presence.")
    head_pose: dict[str, float] = Field(default_factory=dict, description="pitch/yaw/roll, radians.")


class BodyReading(Record):
    """Posture and gestures of one person, from the pose and hand models."""

    visible: bool = Field(description="Whether the pose model found this person's body.")
    posture: list[str] = Field(default_factory=list, description="e.g. 'arms raised', 'head lowered'.")
    gestures: list[str] = Field(default_factory=list, description="e.g. 'thumbs up', 'pointing'.")
    hands: int = Field(default=0, description="Hands found and assigned to this person.")
    landmarks_visible: int = Field(default=0, description="Pose landmarks with visibility ≥ 0.5 (of 33).")


class PersonReading(Record):
    """One person in the image: where, face, body, and the emotions the evidence supports."""

    id: str = Field(description="'P1', 'P2' … left to right.")
    box: Box = Field(description="Body box (face box expanded, or the pose extent).")
    position: str = Field(description="Where in the picture: left, centre-left, centre, centre-right, right.")
    size: float = Field(description="Face (or body) height as a fraction of the image height.")
    face: FaceReading | None = None
    body: BodyReading | None = None
    emotions: list[EmotionScore] = Field(default_factory=list)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    arousal: float | None = Field(default=None, ge=-1.0, le=1.0)
    clue_ids: list[str] = Field(default_factory=list, description="Clues observed on this person.")
    not_read: list[str] = Field(default_factory=list)


class ImageStats(Record):
    """Whole-image statistics (all in [0, 1] unless said)."""

    brightness: float = Field(description="Mean luma.")
    contrast: float = Field(description="Luma standard deviation.")
    colourfulness: float = Field(description="Hasler & Süsstrunk (2003) M, divided by 100.")
    saturation: float = Field(description="Mean HSV saturation.")
    warmth: float = Field(description="Share of saturated pixels with warm hues (red-yellow).")
    sharpness: float = Field(description="Variance of the Laplacian, divided by 1000 (capped at 1).")


class SceneReading(Record):
    """The image as a whole: statistics, people layout, text in the image."""

    width: int
    height: int
    stats: ImageStats
    people_count: int
    layout: str = Field(description="One phrase: 'nobody', 'one person, centre', 'a row of 4 people' …")
    text: list[str] = Field(default_factory=list, description="Text lines read by OCR.")
    clue_ids: list[str] = Field(default_factory=list)


class TriggerKind(str, Enum):
    """EIBench's two kinds of emotional cause."""

    EXPLICIT = "explicit"  # can be seen: an expression, a gesture, an object, an interaction
    IMPLICIT = "implicit"  # must be inferred: an occasion, a relationship, an off-screen event


class Trigger(Record):
    """One numbered cause of an emotion."""

    number: int
    text: str
    kind: TriggerKind
    person: str | None = Field(default=None, description="Person id it concerns; None for the whole scene.")
    emotion: str | None = None
    evidence: list[str] = Field(default_factory=list, description="Ids of the clues it rests on.")
    source: str = Field(default="template", description="'template', 'vlm' or 'cfsa'.")


class VisionRound(Record):
    """One exchange with the vision-language model (every round of CFSA is kept)."""

    step: str = Field(description="'direct', 'coarse', 'questions', 'answers' or 'refine'.")
    prompt: str = Field(description="The text sent (images are listed, not inlined).")
    images: list[str] = Field(default_factory=list, description="What each attached image is, with its sha256.")
    reply: str = ""
    parsed: dict[str, object] | None = None
    error: str | None = None
    seconds: float = 0.0


class InterpretResult(Record):
    """Everything `emoreason interpret` concluded about one image, and why."""

    schema_version: str = SCHEMA_VERSION
    emoreason_version: str = ""
    path: str
    question: str | None = None
    method: str = Field(description="'template' (offline), 'direct' or 'cfsa' (vision-language model).")
    model: str | None = None
    people: list[PersonReading] = Field(default_factory=list)
    scene: SceneReading
    clues: list[Clue] = Field(default_factory=list, description="Every observation, each with its id.")
    emotions: list[EmotionScore] = Field(default_factory=list, description="The image's overall emotions.")
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    triggers: list[Trigger] = Field(default_factory=list)
    answer: str = Field(default="", description="EIBench-style numbered answer to the question.")
    modalities: list[ModalityReport] = Field(default_factory=list, description="What each reader found.")
    not_read: list[str] = Field(default_factory=list, description="What could not be read, one line each.")
    notes: list[str] = Field(default_factory=list, description="Input notes (EXIF, alpha, animation …).")
    rounds: list[VisionRound] = Field(default_factory=list)
    violations: list[GroundingViolation] = Field(default_factory=list)
    fallback_reason: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)
