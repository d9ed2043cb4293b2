"""The local engine: N worker processes on this machine, each with its models loaded once.

The parent hands one clip at a time to each idle worker and writes every record it gets
back before handing out more work. A worker that dies or overruns the time limit is replaced;
the clip it held is tried once more, then recorded as an error row.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait

from emoreason.batch.records import ClipRecord, ClipStatus, ClipTask, ExplainOptions
from emoreason.batch.workers import WorkerDiedError, WorkerProcess, WorkerStartError

log = logging.getLogger(__name__)

#: Times a clip may take a worker down (crash or time limit) before it is recorded as an error.
MAX_WORKER_LOSSES = 2


def lost_clip_record(task: ClipTask, reason: str, losses: int) -> ClipRecord:
    """The error row of a clip whose worker died or overran the time limit `losses` times."""
    return ClipRecord(
        id=task.id, path=task.path, status=ClipStatus.ERROR, error_kind="WorkerLost",
        error=f"{task.path}: {reason} ({losses} attempt(s)); the clip was not explained",
    )


def threads_per_worker(workers: int) -> int:
    """Cores per worker, at least 1."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def run_local(
    tasks: Sequence[ClipTask],
    options: ExplainOptions,
    on_record: Callable[[ClipRecord], None],
    *,
    workers: int = 1,
    timeout: float | None = None,
) -> None:
    """Explain `tasks` on `workers` processes, calling `on_record` (in this process) for each result.

    Raises:
        WorkerStartError: a worker could not build its session (e.g. an unknown reasoner).
        OutputError: raised by `on_record` (disk full); the workers are stopped first.
    """
    queue: deque[ClipTask] = deque(tasks)
    losses: Counter[str] = Counter()
    start_failures = 0
    threads = threads_per_worker(workers)
    pool = [WorkerProcess(options, threads=threads) for _ in range(min(workers, len(queue)))]
    try:
        while pool and (queue or any(w.task is not None for w in pool)):
            for worker in pool:
                if worker.idle and queue:
                    worker.submit(queue.popleft())
            ready = wait([w.conn for w in pool] + [w.sentinel for w in pool], timeout=_next_deadline(pool, timeout))
            for worker in list(pool):
                lost = _poll(worker, ready, timeout, on_record)
                if lost is None:
                    continue
                pool.remove(worker)
                task, reason = lost
                if task is None:
                    start_failures += 1
                    if start_failures > 2 * workers:
                        raise WorkerStartError(f"worker processes keep dying before they are ready: {reason}")
                else:
                    losses[task.id] += 1
                    if losses[task.id] >= MAX_WORKER_LOSSES:
                        on_record(lost_clip_record(task, reason, losses[task.id]))
                    else:
                        log.warning("%s; retrying %s on a new worker", reason, task.id)
                        queue.appendleft(task)
                if queue or any(w.task is not None for w in pool):
                    pool.append(WorkerProcess(options, threads=threads))
    finally:
        for worker in pool:
            worker.close()


def _poll(
    worker: WorkerProcess, ready: list[object], timeout: float | None, on_record: Callable[[ClipRecord], None]
) -> tuple[ClipTask | None, str] | None:
    """Handle what `worker` has to say; returns (its task, why) when the worker is lost."""
    import time

    if worker.conn in ready or worker.sentinel in ready:
        while worker.conn.poll():
            try:
                kind, payload = worker.receive()
            except WorkerDiedError as exc:
                return worker.task, str(exc)
            if kind == "done":
                on_record(ClipRecord.model_validate_json(payload))
        if not worker.process.is_alive() and not worker.conn.poll():
            task = worker.task
            worker.kill()
            return task, f"worker process {worker.process.pid} died ({worker.exit_description()})"
    if timeout is not None and worker.task is not None and time.monotonic() - worker.task_started > timeout:
        task = worker.task
        worker.kill()
        return task, f"time limit of {timeout:g} s exceeded"
    return None


def _next_deadline(pool: Sequence[WorkerProcess], timeout: float | None) -> float | None:
    """Seconds until the first busy worker overruns the time limit (None: wait for a message)."""
    import time

    if timeout is None:
        return None
    busy = [w.task_started + timeout - time.monotonic() for w in pool if w.task is not None]
    return max(0.05, min(busy)) if busy else 1.0
