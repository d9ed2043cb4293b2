"""Records of a dataset: one :class:`AnnotationRecord` per clip, every LLM call kept with it.

A dataset folder holds ``annotations.jsonl`` (one line per clip and attempt; the last line of a
clip id wins), ``frames/`` (peak-frame JPEGs), ``media/`` (the clips, so that the review page
serves media only from inside the dataset) and, after ``emoreason export``, the exports.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from emoreason.records.base import Record

ANNOTATIONS_NAME = "annotations.jsonl"
DATASET_SCHEMA = "emoreason-annotation/1"


class AnnotationStatus(str, Enum):
    """Outcome of one clip."""

    OK = "ok"  # every check passed
    FLAGGED = "flagged"  # annotated, but modalities or labels disagree (see ``contradictions``)
    LLM_FAILED = "llm_failed"  # perception done, the LLM merge failed: retried on the next run
    ERROR = "error"  # the clip could not be read; retried with ``--retry-errors``


class LLMCall(Record):
    """One language-model call: what was asked (by hash), of which model, and the raw reply."""

    step: str = Field(description="'merr.merge', 'emer.clues', 'emer.emotions', …")
    writer: str = Field(description="'template' (no model), 'llama-cpp' or 'openai'.")
    model: str = Field(default="", description="Model id as the backend reports it ('' for the template).")
    prompt: str = Field(description="Prompt file and step, e.g. 'merr:merge'.")
    prompt_hash: str = Field(description="sha256[:16] of the rendered chat messages.")
    raw_output: str | None = None
    ok: bool = True
    error: str | None = None
    seconds: float = 0.0
    time: str = Field(default="", description="UTC time of the call, ISO 8601.")


class Contradiction(Record):
    """Why a clip was flagged: two sources of evidence that disagree."""

    kind: str = Field(description="'modalities', 'au-label', 'caption-label' or 'llm-verdict'.")
    detail: str
    sources: list[str] = Field(default_factory=list)


class ClueSpan(Record):
    """A clue as the review page draws it on the timeline."""

    modality: str
    start: float
    end: float
    description: str
    strength: float = 0.0


class AnnotationRecord(Record):
    """MERR-style annotation of one clip (coarse and fine), with its provenance."""

    id: str
    source_path: str = Field(description="The clip as given to `emoreason annotate`.")
    media: str | None = Field(default=None, description="The clip's copy inside the dataset (relative path).")
    status: AnnotationStatus
    error: str | None = None
    duration: float = 0.0
    # MERR fields
    au_list: list[str] = Field(default_factory=list, description="The track's most frequent AUs (MERR AU_list).")
    visual_prior_list: list[str] = Field(default_factory=list, description="Phrases of the AU list.")
    peak_index: int | None = Field(default=None, description="Frame index of the emotional peak.")
    peak_time: float | None = None
    peak_au_list: list[str] = Field(default_factory=list)
    peak_au_phrases: list[str] = Field(default_factory=list)
    peak_frame: str | None = Field(default=None, description="Peak-frame JPEG inside the dataset (relative path).")
    audio_tone: str = Field(default="", description="Vocal tone description (MERR audio_prior_list).")
    transcript: str = ""
    transcript_source: str | None = None
    language: str | None = None
    scene: str | None = Field(default=None, description="Scene of the peak frame (vision endpoint only).")
    pseudo_label: str | None = Field(default=None, description="Label from MERR's AU combination rules.")
    label: str | None = Field(default=None, description="emoreason's decision label.")
    label_probability: float | None = None
    top_labels: list[str] = Field(default_factory=list, description="The decision's label and runner-up.")
    emotions: list[str] = Field(default_factory=list, description="Open-vocabulary labels, strongest first.")
    coarse_caption: str = Field(default="", description="Visual expression + audio tone + text → label (template).")
    fine_caption: str = Field(default="", description="The LLM-merged reasoning caption (smp_reason_caption).")
    caption_emotion: str | None = Field(default=None, description="Emotion word the merge gave.")
    explanation: str = Field(default="", description="emoreason's own grounded explanation (for comparison).")
    contradictions: list[Contradiction] = Field(default_factory=list)
    missing: dict[str, str] = Field(default_factory=dict, description="Modality → why it was not read.")
    clues: list[ClueSpan] = Field(default_factory=list)
    llm_calls: list[LLMCall] = Field(default_factory=list)
    writer: str = "template"
    emoreason_version: str = ""
    annotated_at: str = ""
    seconds: float = 0.0

    @property
    def done(self) -> bool:
        """Whether a re-run may skip the clip."""
        return self.status in (AnnotationStatus.OK, AnnotationStatus.FLAGGED)


class EmerClueInput(Record):
    """One annotator's four-aspect clue texts for one clip (EMER's annotation step 1)."""

    id: str
    annotator: str = ""
    face: str = Field(default="", description="Facial expressions and body movements.")
    tone: str = Field(default="", description="Tone and intonation.")
    speech: str = Field(default="", description="Speech content.")
    scene: str = Field(default="", description="Video content and environment.")

    def texts(self) -> list[str]:
        """The non-empty aspect texts, in EMER's order."""
        return [t.strip() for t in (self.face, self.tone, self.speech, self.scene) if t and t.strip()]


class EmerRecord(Record):
    """EMER merge of one clip: Figure 1 clue summary, Figure 2 emotions, the combined sentence."""

    id: str
    annotators: list[str] = Field(default_factory=list)
    clue_descriptions: list[str] = Field(default_factory=list, description="The 'Clue Description N' inputs.")
    clue_summary: str = ""
    emotions: str = Field(default="", description="Figure 2 output: emotion words only.")
    description: str = Field(default="", description="The combined sentence.")
    status: AnnotationStatus = AnnotationStatus.OK
    error: str | None = None
    llm_calls: list[LLMCall] = Field(default_factory=list)
