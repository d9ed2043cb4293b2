"""The FastAPI application of `emoreason serve`: submit clips, poll jobs, fetch results.

Endpoints (all under ``/v1`` need the bearer token when one is set; the schema is at
``/openapi.json``): ``POST /v1/jobs`` (multipart: ``file`` upload *or* ``path`` under an allowed
root; optional ``subtitle`` text or ``subtitle_file``, ``language``), ``GET /v1/jobs/{id}``
(``?wait=S`` long-polls up to S seconds), ``GET /v1/jobs/{id}/result``, ``GET /v1/health``.
"""

from __future__ import annotations

import asyncio
import hmac
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, File, Form, HTTPException, Query, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from emoreason.batch.records import ClipTask
from emoreason.records import ExplainResult
from emoreason.server.jobs import Job, JobManager, QueueFullError
from emoreason.server.limits import BodySizeLimit, resolve_allowed
from emoreason.server.models import JobInfo, JobStatus, JobWithResult, ServerSettings

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <token>` when the server has a token.")
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The API for `settings` (worker processes start with the app's lifespan)."""
    settings = settings or ServerSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        manager = JobManager(settings, Path(tempfile.mkdtemp(prefix="emoreason-serve-")))
        app.state.jobs = manager
        await manager.start()
        try:
            yield
        finally:
            await manager.stop()

    app = FastAPI(
        title="emoreason", version=_version(), lifespan=lifespan,
        description="Explainable multimodal emotion reasoning: post a clip, get emotions and a grounded explanation.",
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)

    def authorised(credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
        if settings.token is None:
            return
        given = credentials.credentials if credentials is not None else ""
        if not hmac.compare_digest(given.encode(), settings.token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    _add_routes(app, settings, authorised)
    return app


def _add_routes(app: FastAPI, settings: ServerSettings, authorised: Callable[..., None]) -> None:
    """The /v1 endpoints (`authorised` is the bearer-token dependency)."""

    def manager_of() -> JobManager:
        return app.state.jobs

    @app.get("/v1/health", tags=["service"])
    async def health() -> dict[str, object]:
        """Liveness, job counts and limits (no token needed)."""
        return {"status": "ok", "jobs": manager_of().counts(), "concurrency": settings.concurrency,
                "max_upload_bytes": settings.max_upload_bytes, "job_timeout": settings.job_timeout}

    @app.post("/v1/jobs", status_code=202, response_model=JobInfo, tags=["jobs"], dependencies=[Depends(authorised)])
    async def submit(
        file: UploadFile | None = File(None, description="The clip (video, audio or image)."),
        path: str | None = Form(None, description="A file under the server's --allowed-root, instead of an upload."),
        subtitle: str | None = Form(None, description="Subtitle text (SRT/VTT/plain)."),
        subtitle_file: UploadFile | None = File(None, description="A subtitle file (.srt/.vtt/.json/.txt)."),
        language: str | None = Form(None, description="Language of the subtitles, e.g. en, zh."),
    ) -> JobInfo:
        """Queue one clip; answers 202 with the job (poll ``GET /v1/jobs/{id}``)."""
        if (file is None) == (path is None):
            raise HTTPException(422, "give exactly one of 'file' (an upload) or 'path'")
        manager = manager_of()
        job_id, folder = manager.new_folder()
        try:
            if file is not None:
                clip = await asyncio.to_thread(_save, file, folder, "clip")
                source = f"upload:{Path(file.filename or 'clip').name}"
            else:
                clip, source = resolve_allowed(path or "", settings.allowed_roots), path or ""
            sub = await asyncio.to_thread(_subtitle, subtitle, subtitle_file, folder)
            task = ClipTask(id=job_id, path=str(clip), subtitle=sub, language=language)
            return manager.submit(job_id, task, source=source, folder=folder).info
        except QueueFullError as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from exc
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    @app.get("/v1/jobs/{job_id}", response_model=JobWithResult, tags=["jobs"], dependencies=[Depends(authorised)])
    async def job_status(
        job_id: str,
        wait: float = Query(0.0, ge=0.0, le=60.0, description="Seconds to wait for the job to finish."),
        include_result: bool = Query(False, description="Attach the result when the job is done."),
    ) -> JobWithResult:
        """The job's status (and result, when asked and done)."""
        job = _job(manager_of(), job_id)
        if wait > 0 and not job.finished.is_set():
            try:
                await asyncio.wait_for(job.finished.wait(), timeout=wait)
            except TimeoutError:
                pass
        return JobWithResult(**job.info.model_dump(), result=job.result if include_result else None)

    @app.get("/v1/jobs/{job_id}/result", response_model=ExplainResult, tags=["jobs"],
             dependencies=[Depends(authorised)], responses={409: {"description": "not finished"},
                                                             422: {"description": "the clip failed"}})
    async def job_result(job_id: str) -> ExplainResult:
        """The full result record of a finished job (the same as ``explain --format json``)."""
        job = _job(manager_of(), job_id)
        if job.info.status is JobStatus.FAILED:
            raise HTTPException(422, job.info.error or "the job failed")
        if job.result is None:
            raise HTTPException(409, f"job is {job.info.status.value}; poll GET /v1/jobs/{job_id}?wait=30")
        return job.result


def _job(manager: JobManager, job_id: str) -> Job:
    job = manager.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    return job


def _save(upload: UploadFile, folder: Path, stem: str) -> Path:
    """Copy an upload into the job folder under a safe name (only its suffix is kept)."""
    suffix = Path(upload.filename or "").suffix.lower()
    target = folder / (stem + (suffix if _SUFFIX.match(suffix) else ""))
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, 1 << 20)
    return target


def _subtitle(text: str | None, upload: UploadFile | None, folder: Path) -> str | None:
    """Subtitles as a file in the job folder (text is never read as a server-side path)."""
    if upload is not None:
        return str(_save(upload, folder, "subtitle"))
    if not text or not text.strip():
        return None
    suffix = ".vtt" if text.lstrip().startswith("WEBVTT") else ".srt" if "-->" in text else ".txt"
    target = folder / f"subtitle{suffix}"
    target.write_text(text, encoding="utf-8")
    return str(target)


def _version() -> str:
    from emoreason import __version__

    return __version__
