"""The learned decision: per-modality votes, their pooled probabilities, and the emotion timeline."""

from __future__ import annotations

from pydantic import Field

from emoreason.records.base import Record

#: The classes learned heads and the decision speak (values of the vocabulary's ``Family``).
DECISION_CLASSES: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "worried", "surprise", "disgust")


class LabelProbability(Record):
    """One class with its probability."""

    label: str
    score: float = Field(ge=0.0, le=1.0)


class ModalityVote(Record):
    """What one source of evidence says about the classes, and how much it counted."""

    source: str = Field(description="'text-head', 'face-au-head', 'face-expression', 'cues', …")
    modality: str
    probabilities: dict[str, float] = Field(description="Probability per decision class.")
    reliability: float = Field(ge=0.0, le=1.0, description="Confidence of the evidence (coverage, ASR, length).")
    weight: float = Field(ge=0.0, description="Fitted weight of the source in the pooled log-probabilities.")
    share: float = Field(default=0.0, description="Fraction of the winning label's pooled evidence from this vote.")
    clue_ids: list[str] = Field(default_factory=list)


class DecisionRecord(Record):
    """How the clip-level label was decided: which modality drove it and by how much."""

    label: str
    probabilities: list[LabelProbability] = Field(default_factory=list, description="Ranked, calibrated.")
    votes: list[ModalityVote] = Field(default_factory=list)
    driver: str | None = Field(default=None, description="Modality whose vote moved the label most.")
    margin: float = Field(default=0.0, description="Top probability minus the runner-up's.")
    calibration: str = Field(default="", description="Fusion weights' origin and their held-out ECE.")


class TimelineEntry(Record):
    """Emotions over one speech segment or window of the clip."""

    start: float = Field(ge=0.0)
    end: float = Field(ge=0.0)
    label: str
    emotions: list[LabelProbability] = Field(default_factory=list)
    valence: float | None = Field(default=None, ge=-1.0, le=1.0)
    modalities: list[str] = Field(default_factory=list, description="Modalities with evidence in the window.")
    text: str | None = Field(default=None, description="What was said in the window, if anything.")

#: Tag of clues that carry a learned head's class probabilities (read by the learned decision).
LEARNED_TAG = "learned"
#: Evidence-name prefix of a class probability on a learned clue (``p:happy``).
PROB_PREFIX = "p:"
#: Evidence name of a learned clue's reliability in [0, 1].
RELIABILITY = "reliability"
