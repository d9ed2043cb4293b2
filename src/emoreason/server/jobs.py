"""The job queue behind the HTTP API: N worker processes (models loaded once each), a bounded queue.

Each slot owns one :class:`~emoreason.batch.workers.WorkerProcess` and takes queued jobs one
at a time. A clip that overruns the time limit gets its worker killed (and replaced); a
worker that dies fails only the job it held.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from emoreason.batch.records import ClipStatus, ClipTask
from emoreason.batch.workers import WorkerDiedError, WorkerProcess, WorkerStartError, WorkerTimeoutError
from emoreason.errors import EmoreasonError
from emoreason.records import ExplainResult
from emoreason.server.models import JobInfo, JobStatus, ServerSettings


class QueueFullError(EmoreasonError):
    """Too many jobs are waiting; the client should retry later."""


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Job:
    """One submitted clip: its public info, what to run, and where its upload lives."""

    info: JobInfo
    task: ClipTask
    folder: Path | None = None
    result: ExplainResult | None = None
    finished: asyncio.Event = field(default_factory=asyncio.Event)


class JobManager:
    """Queue, slots and the record of jobs of one server process."""

    def __init__(self, settings: ServerSettings, work_dir: Path) -> None:
        self.settings = settings
        self.work_dir = work_dir
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: asyncio.Queue[Job] | None = None
        self._slots: list[asyncio.Task[None]] = []
        self._workers: list[WorkerProcess | None] = []

    async def start(self) -> None:
        """Start the worker processes (they load their models in the background) and the slots."""
        self._queue = asyncio.Queue()
        self._workers = [self._new_worker() for _ in range(self.settings.concurrency)]
        self._slots = [asyncio.create_task(self._slot(i)) for i in range(self.settings.concurrency)]

    async def stop(self) -> None:
        """Stop the slots and the worker processes; delete uploads."""
        for slot in self._slots:
            slot.cancel()
        for worker in self._workers:
            if worker is not None:
                await asyncio.to_thread(worker.close, 5.0)
        shutil.rmtree(self.work_dir, ignore_errors=True)

    def _new_worker(self) -> WorkerProcess:
        return WorkerProcess(self.settings.explain, threads=1)

    def new_folder(self) -> tuple[str, Path]:
        """A fresh job id and a private folder for its upload."""
        job_id = uuid.uuid4().hex
        folder = self.work_dir / job_id
        folder.mkdir(parents=True)
        return job_id, folder

    def counts(self) -> dict[str, int]:
        """Jobs per status."""
        out = {s.value: 0 for s in JobStatus}
        for job in self.jobs.values():
            out[job.info.status.value] += 1
        return out

    def submit(self, job_id: str, task: ClipTask, *, source: str, folder: Path | None) -> Job:
        """Queue a job.

        Raises:
            QueueFullError: `max_queue` jobs are already waiting.
        """
        assert self._queue is not None, "JobManager.start() was not awaited"
        if self._queue.qsize() >= self.settings.max_queue:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            waiting, limit = self._queue.qsize(), self.settings.max_queue
            raise QueueFullError(f"{waiting} jobs are waiting (limit {limit}); retry later")
        info = JobInfo(id=job_id, status=JobStatus.QUEUED, source=source, created_at=_now())
        job = Job(info=info, task=task, folder=folder)
        self.jobs[job_id] = job
        self._queue.put_nowait(job)
        self._forget_old()
        return job

    def _forget_old(self) -> None:
        finished = [k for k, j in self.jobs.items() if j.finished.is_set()]
        for key in finished[: max(0, len(finished) - self.settings.keep_jobs)]:
            del self.jobs[key]

    async def _slot(self, index: int) -> None:
        assert self._queue is not None
        while True:
            job = await self._queue.get()
            job.info.status, job.info.started_at = JobStatus.RUNNING, _now()
            try:
                await self._run(index, job)
            finally:
                job.info.finished_at = _now()
                if job.folder is not None:
                    shutil.rmtree(job.folder, ignore_errors=True)
                job.finished.set()

    async def _run(self, index: int, job: Job) -> None:
        worker = self._workers[index] or self._new_worker()
        self._workers[index] = worker
        try:
            record = await asyncio.to_thread(worker.run, job.task, self.settings.job_timeout)
        except (WorkerTimeoutError, WorkerDiedError, WorkerStartError) as exc:
            worker.kill()
            self._workers[index] = None
            job.info.status, job.info.error = JobStatus.FAILED, _public_text(str(exc), job)
            return
        job.info.seconds = record.seconds
        if record.status is ClipStatus.OK and record.result is not None:
            job.result = record.result
            if job.folder is not None:  # an upload: named as it was sent, never the server's private folder
                job.result.media.path = _public_text(job.result.media.path, job)
            job.info.status, job.info.result_url = JobStatus.DONE, f"/v1/jobs/{job.info.id}/result"
        else:
            job.info.status, job.info.error = JobStatus.FAILED, _public_text(record.error or "", job)

    def get(self, job_id: str) -> Job | None:
        """The job, if it is known."""
        return self.jobs.get(job_id)


def _public_text(text: str, job: Job) -> str:
    """An error message or path of `job` without the server's private upload folder in it; an uploaded clip is
    named as it was sent."""
    if job.folder is not None:
        if job.info.source.startswith("upload:"):
            text = text.replace(job.task.path, job.info.source.removeprefix("upload:"))
        text = text.replace(str(job.folder) + "/", "")
    return text
