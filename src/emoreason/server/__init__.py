"""`emoreason serve`: an HTTP API (FastAPI) over the explain pipeline, with limits and a job queue.

Import :func:`emoreason.server.app.create_app` (it needs the ``serve`` extra: fastapi, uvicorn,
python-multipart).
"""

from __future__ import annotations

from emoreason.server.models import JobInfo, JobStatus, ServerSettings

__all__ = ["JobInfo", "JobStatus", "ServerSettings"]
