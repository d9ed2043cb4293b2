"""Records of a batch run: the clip to explain, the explain options, one result line per clip."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import Field

from emoreason.records import ExplainResult
from emoreason.records.base import Record


class ClipTask(Record):
    """One clip of a batch: a manifest row or a file found in a folder."""

    id: str = Field(description="Unique id of the clip in the batch (manifest `id`, else its relative path).")
    path: str = Field(description="Absolute path of the media file.")
    subtitle: str | None = Field(default=None, description="Subtitle file path or literal text.")
    language: str | None = Field(default=None, description="Language tag of the subtitles, e.g. 'en'.")
    problem: str | None = Field(default=None, description="Why the clip cannot be read, found when listing it "
                                                          "(it is then recorded as an error without being opened).")


class ExplainOptions(Record):
    """How every clip of a batch (or every API job) is explained; built once per worker."""

    stages: list[str] | None = Field(default=None, description="Perception stages to run (None: all).")
    reasoner: str = "template"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False)
    prompt: str | None = None
    cache: bool = True
    egemaps: bool = False
    asr: bool = True


class ClipStatus(str, Enum):
    """Outcome of one clip."""

    OK = "ok"
    ERROR = "error"


class ClipRecord(Record):
    """One line of ``results.jsonl``: the clip's full result, or why there is none."""

    id: str
    path: str
    status: ClipStatus
    error: str | None = Field(default=None, description="One line naming the file and the problem.")
    error_kind: str | None = Field(default=None, description="Exception class behind the error.")
    result: ExplainResult | None = None
    seconds: float = Field(default=0.0, description="Wall time spent on the clip by its worker.")
    worker: str = Field(default="", description="Which worker explained it, e.g. 'local-1234'.")

    @property
    def top_label(self) -> str | None:
        """The highest-scoring emotion label, if the clip was explained."""
        if self.result is None or not self.result.emotions:
            return None
        return self.result.emotions[0].label


#: Fields that vary from run to run (wall times, worker names); left out when records are compared.
VOLATILE_FIELDS = frozenset({"seconds", "worker"})


def comparable(record: ClipRecord) -> dict[str, Any]:
    """The record as a dict without wall times or worker names (equal across engines and runs)."""
    data = record.model_dump(mode="json", exclude=set(VOLATILE_FIELDS))
    result = data.get("result")
    if result is not None:
        result.pop("timings", None)
        for report in result.get("modalities", []):
            report.pop("seconds", None)
    return data
