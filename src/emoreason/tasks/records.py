"""Typed records of the evaluation harness: references, predictions, per-sample scores, results."""

from __future__ import annotations

from pydantic import Field

from emoreason.metrics.base import MetricOutput
from emoreason.records.base import Record


class Sample(Record):
    """One reference item of a benchmark (fields a benchmark does not have stay ``None``)."""

    id: str
    label: str | None = Field(default=None, description="Single class label (MER2023 6-way ...).")
    labels: list[str] | None = Field(default=None, description="Open-vocabulary labels (OV-MERD).")
    valence: float | None = Field(default=None, description="Valence / sentiment score.")
    text: str | None = Field(default=None, description="Reference description / explanation / answer.")
    question: str | None = None
    subtitle: str | None = None


class CausePairRecord(Record):
    """An emotion–cause pair inside a conversation (span in whitespace tokens, ``[start, end)``)."""

    emotion_utterance: int
    cause_utterance: int
    emotion: str
    start: int = 0
    end: int = 0
    span_text: str | None = None


class Utterance(Record):
    """One turn of a conversation."""

    index: int
    speaker: str
    text: str
    emotion: str | None = None


class Conversation(Record):
    """A conversation with its emotion–cause pairs (gold or predicted)."""

    id: str
    utterances: list[Utterance] = Field(default_factory=list)
    pairs: list[CausePairRecord] = Field(default_factory=list)


class LoadIssue(Record):
    """A problem met while reading a file: repaired, or left as it was (never silently)."""

    record: str
    problem: str
    repaired: bool


class Dataset(Record):
    """A loaded benchmark split."""

    name: str
    source: str
    samples: list[Sample] = Field(default_factory=list)
    conversations: list[Conversation] = Field(default_factory=list)
    issues: list[LoadIssue] = Field(default_factory=list)


class Prediction(Record):
    """A system's output for one sample."""

    id: str
    label: str | None = None
    labels: list[str] | None = None
    valence: float | None = None
    sentiment: str | None = None
    text: str | None = None


class PredictionSet(Record):
    """Predictions read from one file."""

    source: str
    predictions: list[Prediction] = Field(default_factory=list)
    conversations: list[Conversation] = Field(default_factory=list)
    issues: list[LoadIssue] = Field(default_factory=list)


class SampleScore(Record):
    """Per-sample values of every metric (``None``: excluded by the metric's definition)."""

    id: str
    scores: dict[str, float | None] = Field(default_factory=dict)
    status: str = "ok"  # ok | missing_prediction | invalid_prediction | judge_failed


class JudgeInfo(Record):
    """Which judge produced judged scores, and how it fared."""

    name: str
    model: str
    prompt_hash: str
    temperature: float
    calls: int
    ok: int
    parse_failed: int
    errors: int
    cached: int


class TaskResult(Record):
    """The outcome of evaluating one prediction file on one task."""

    task: str
    predictions_source: str
    metrics: list[MetricOutput]
    samples: list[SampleScore]
    n_references: int
    n_predictions: int
    n_missing: int
    n_invalid: int = 0
    n_left_out: int = Field(default=0, description="References without a prediction left out (subset scoring).")
    subset: bool = False
    wheel_tables: str | None = Field(default=None, description="Emotion-wheel table revision used, if any.")
    judge: JudgeInfo | None = None
    published: dict[str, float] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
