"""Settings of the HTTP API and the records it answers with."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from pydantic import Field

from emoreason.batch.records import ExplainOptions
from emoreason.errors import EmoreasonError
from emoreason.records import ExplainResult
from emoreason.records.base import Record


class ServerConfigError(EmoreasonError):
    """The server cannot start as configured (the message names the option)."""


class ServerSettings(Record):
    """Limits and access rules of one `emoreason serve` process."""

    allowed_roots: list[str] = Field(default_factory=list, description="Folders whose files may be posted by path.")
    max_upload_bytes: int = Field(default=200 * 2**20, gt=0, description="Largest accepted request body.")
    job_timeout: float = Field(default=600.0, gt=0, description="Seconds one clip may take before it is abandoned.")
    concurrency: int = Field(default=1, ge=1, description="Clips explained at once (one worker process each).")
    max_queue: int = Field(default=64, ge=1, description="Jobs waiting beyond which new ones are refused (503).")
    token: str | None = Field(default=None, repr=False, description="Bearer token every /v1 request must carry.")
    keep_jobs: int = Field(default=1000, ge=1, description="Finished jobs remembered (oldest forgotten first).")
    explain: ExplainOptions = Field(default_factory=ExplainOptions)


class JobStatus(str, Enum):
    """Where a job is."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobInfo(Record):
    """A job as the API reports it."""

    id: str
    status: JobStatus
    source: str = Field(description="'upload:<file name>' or the posted path.")
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    seconds: float | None = Field(default=None, description="Time spent explaining the clip.")
    error: str | None = Field(default=None, description="Why the job failed, in one line.")
    result_url: str | None = Field(default=None, description="Where the result is, once done.")


class JobWithResult(JobInfo):
    """A job with its result attached (``GET /v1/jobs/{id}?include_result=true``)."""

    result: ExplainResult | None = None
