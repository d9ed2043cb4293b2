"""Worker processes that each hold one :class:`ExplainSession` (models loaded once per process).

The parent talks to a worker over a pipe: the worker says ``ready`` once its session is built
(or ``fatal`` with one line when it cannot be built), then answers each task with one record.
A worker that dies (killed, out of memory, a native crash) or overruns the time limit is
noticed by the parent, which decides what becomes of the clip it held; records already
received are the parent's and are never lost with the worker.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from multiprocessing.connection import Connection
from typing import Literal

from emoreason.batch.records import ClipRecord, ClipTask, ExplainOptions
from emoreason.errors import EmoreasonError

#: Thread-count variables set (unless already set) in each worker, so N workers share the cores.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")

MessageKind = Literal["ready", "fatal", "done"]


class WorkerDiedError(EmoreasonError):
    """A worker process ended without answering (killed, crashed, out of memory)."""


class WorkerTimeoutError(EmoreasonError):
    """A worker took longer than the time limit on one clip (it is killed)."""


class WorkerStartError(EmoreasonError):
    """A worker could not build its explain session (bad options); the message says why."""


def _worker_main(conn: Connection, options: ExplainOptions, threads: int) -> None:
    """Entry point of a worker process: build the session, then explain tasks until told to stop."""
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))
    try:
        from emoreason.batch.session import ExplainSession

        session = ExplainSession(options)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        conn.send(("fatal", f"cannot start a worker: {exc}"))
        return
    conn.send(("ready", str(os.getpid())))
    while True:
        try:
            message = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if message is None:
            return
        record = session.explain(ClipTask.model_validate_json(message))
        try:
            conn.send(("done", record.model_dump_json()))
        except OSError:  # the parent is gone (killed): nothing to report to, stop
            return


class WorkerProcess:
    """One explain worker process and the clip it is working on."""

    def __init__(self, options: ExplainOptions, *, threads: int = 1) -> None:
        ctx = mp.get_context("spawn")  # no fork: the parent may hold threads (uvicorn, rich)
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, options, threads), daemon=True)
        self.process.start()
        child.close()
        self.ready = False
        self.task: ClipTask | None = None
        self.task_started = 0.0

    @property
    def sentinel(self) -> int:
        """Becomes ready when the process ends (for :func:`multiprocessing.connection.wait`)."""
        return self.process.sentinel

    @property
    def idle(self) -> bool:
        """Ready and holding no task."""
        return self.ready and self.task is None

    def submit(self, task: ClipTask) -> None:
        """Hand one clip to the worker (it must be idle)."""
        self.task, self.task_started = task, time.monotonic()
        try:
            self.conn.send(task.model_dump_json())
        except OSError:  # the process is gone; its sentinel reports the death and the task is retried
            pass

    def receive(self) -> tuple[MessageKind, str]:
        """Read the next message; ``ready`` and ``done`` update the worker's state.

        Raises:
            WorkerDiedError: the process ended without answering.
            WorkerStartError: the worker could not build its session.
        """
        try:
            kind, payload = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.process.join(timeout=5)
            raise WorkerDiedError(f"worker process {self.process.pid} died ({self.exit_description()})") from exc
        if kind == "fatal":
            raise WorkerStartError(payload)
        if kind == "ready":
            self.ready = True
        elif kind == "done":
            self.task = None
        return kind, payload

    def run(self, task: ClipTask, timeout: float | None) -> ClipRecord:
        """Blocking: wait until ready, explain `task`, return its record (used by the HTTP server).

        Raises:
            WorkerTimeoutError: the clip took longer than `timeout` seconds (the worker is killed).
            WorkerDiedError, WorkerStartError: as :meth:`receive`.
        """
        while not self.ready:
            self.receive()
        self.submit(task)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self.conn.poll(left):
                self.kill()
                raise WorkerTimeoutError(f"{task.path}: time limit of {timeout:g} s exceeded; the clip was abandoned")
            kind, payload = self.receive()
            if kind == "done":
                return ClipRecord.model_validate_json(payload)

    def exit_description(self) -> str:
        """'exit code N' or 'killed by signal N'."""
        code = self.process.exitcode
        if code is None:
            return "still running"
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def kill(self) -> None:
        """End the process now (SIGKILL) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=10)
        self.conn.close()

    def close(self, timeout: float = 10.0) -> None:
        """Ask the worker to stop, wait a little, then kill it if it has not."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=timeout)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()
