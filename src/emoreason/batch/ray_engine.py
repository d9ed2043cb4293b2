"""The Ray engine: the same batch on a Ray cluster, one actor per worker holding its models.

Each actor builds one :class:`ExplainSession` when it starts and explains the clips it is
sent; records come back to the driver, which writes them exactly as the local engine does
(same records, apart from wall times and worker names). With no address a local cluster is
started for the run (and shut down after it); ``--ray-address`` (or ``RAY_ADDRESS``) joins an
existing one. An actor that dies is replaced; its clip is tried once more, then recorded as an
error row.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from emoreason.batch.local import MAX_WORKER_LOSSES, lost_clip_record
from emoreason.batch.records import ClipRecord, ClipTask, ExplainOptions
from emoreason.batch.workers import WorkerStartError
from emoreason.errors import DependencyError

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'ray==2.60.0' (or: pip install 'emoreason[ray]')"


class ExplainActor:
    """A Ray actor body: one explain session, built when the actor starts."""

    def __init__(self, options: ExplainOptions) -> None:
        import os
        import socket

        from emoreason.batch.session import ExplainSession

        self.session = ExplainSession(options, worker=f"ray-{socket.gethostname()}-{os.getpid()}")

    def explain(self, task_json: str) -> str:
        """Explain one clip (task and record travel as JSON)."""
        return self.session.explain(ClipTask.model_validate_json(task_json)).model_dump_json()


def import_ray() -> Any:
    """The `ray` module.

    Raises:
        DependencyError: ray is not installed (names the install command).
    """
    try:
        import ray
    except ImportError as exc:
        raise DependencyError(f"--engine ray needs the 'ray' package: {INSTALL_HINT}") from exc
    return ray


def run_ray(
    tasks: Sequence[ClipTask],
    options: ExplainOptions,
    on_record: Callable[[ClipRecord], None],
    *,
    workers: int = 1,
    address: str | None = None,
    timeout: float | None = None,
) -> None:
    """Explain `tasks` on `workers` Ray actors, calling `on_record` on the driver for each result.

    Raises:
        DependencyError: ray is missing.
        WorkerStartError: an actor could not build its session (e.g. an unknown reasoner).
    """
    ray = import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        _dispatch(ray, tasks, options, on_record, workers=workers, timeout=timeout)
    finally:
        if started_here:
            ray.shutdown()


def _dispatch(
    ray: Any,
    tasks: Sequence[ClipTask],
    options: ExplainOptions,
    on_record: Callable[[ClipRecord], None],
    *,
    workers: int,
    timeout: float | None,
) -> None:
    actor_cls = ray.remote(num_cpus=1, max_restarts=0)(ExplainActor)
    queue: deque[ClipTask] = deque(tasks)
    losses: Counter[str] = Counter()
    idle = [actor_cls.remote(options) for _ in range(min(workers, len(queue)))]
    running: dict[Any, tuple[Any, ClipTask, float]] = {}
    try:
        while queue or running:
            while idle and queue:
                actor, task = idle.pop(), queue.popleft()
                running[actor.explain.remote(task.model_dump_json())] = (actor, task, time.monotonic())
            left = None if timeout is None else max(0.05, min(t + timeout for *_, t in running.values())
                                                    - time.monotonic())
            done, _ = ray.wait(list(running), num_returns=1, timeout=left)
            if not done:
                for ref in [r for r, (*_, t) in running.items() if time.monotonic() - t > (timeout or 0)]:
                    actor, task, _ = running.pop(ref)
                    ray.kill(actor)
                    _lost(task, f"time limit of {timeout:g} s exceeded", queue, losses, on_record)
                    idle.append(actor_cls.remote(options))
                continue
            actor, task, _ = running.pop(done[0])
            try:
                payload = ray.get(done[0])
            except ray.exceptions.RayActorError as exc:
                if _is_start_failure(exc):
                    raise WorkerStartError(f"cannot start a Ray worker: {_cause(exc)}") from exc
                _lost(task, f"Ray worker died ({_cause(exc)})", queue, losses, on_record)
                idle.append(actor_cls.remote(options))
                continue
            on_record(ClipRecord.model_validate_json(payload))
            idle.append(actor)
    finally:
        for actor in idle + [a for a, *_ in running.values()]:
            ray.kill(actor)


def _lost(
    task: ClipTask, reason: str, queue: deque[ClipTask], losses: Counter[str], on_record: Callable[[ClipRecord], None]
) -> None:
    losses[task.id] += 1
    if losses[task.id] >= MAX_WORKER_LOSSES:
        on_record(lost_clip_record(task, reason, losses[task.id]))
    else:
        log.warning("%s; retrying %s on a new worker", reason, task.id)
        queue.appendleft(task)


def _is_start_failure(exc: BaseException) -> bool:
    """Whether the actor died in its constructor (bad options), not while explaining."""
    return "__init__" in str(exc) or "ActorInitError" in type(getattr(exc, "cause", None) or exc).__name__


def _cause(exc: BaseException) -> str:
    text = str(getattr(exc, "error_msg", "") or exc)
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else type(exc).__name__
