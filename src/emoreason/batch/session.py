"""An :class:`ExplainSession` holds the perception stages and the reasoner of one worker.

Models load once, when the session is built, and every clip the worker is given goes through
the public :func:`emoreason.pipeline.explain` with those ready stages (``stages=``) and that
reasoner (``reasoner=``). A clip that cannot be explained becomes an error record; the
session goes on with the next clip.
"""

from __future__ import annotations

import logging
import os
import time

from emoreason.batch.records import ClipRecord, ClipStatus, ClipTask, ExplainOptions
from emoreason.errors import EmoreasonError
from emoreason.perception.base import PerceptionStage
from emoreason.reasoning.protocol import Reasoner
from emoreason.records import ModalityReport

log = logging.getLogger(__name__)


def check_options(options: ExplainOptions) -> None:
    """Fail before any worker starts when a stage or reasoner name is unknown (nothing is built).

    Raises:
        RegistryError: names the unknown stage or reasoner and lists the known ones.
    """
    from emoreason.perception.stages import STAGES
    from emoreason.reasoning import REASONERS

    for name in options.stages or ():
        STAGES.spec(name)
    REASONERS.spec(options.reasoner)


class ExplainSession:
    """Stages and reasoner built once (at construction), reused for every clip.

    Raises (at construction):
        RegistryError: an unknown stage or reasoner name.
        BackendError, DependencyError: the reasoner cannot be built as configured.
    """

    def __init__(self, options: ExplainOptions | None = None, *, worker: str | None = None) -> None:
        from emoreason import pipeline
        from emoreason.perception.stages import DEFAULT_ORDER
        from emoreason.reasoning import get_reasoner

        self.options = options or ExplainOptions()
        self.worker = worker or f"local-{os.getpid()}"
        default_names = getattr(pipeline, "_stage_names", lambda: DEFAULT_ORDER)  # explain()'s own default
        names = tuple(self.options.stages) if self.options.stages is not None else tuple(default_names())
        stage_options: dict[str, object] = {"voice.egemaps": self.options.egemaps}
        if not self.options.asr:
            stage_options["text.asr"] = None
        stages, missing = pipeline.load_stages(names, **stage_options)
        self.stages: list[PerceptionStage] = stages
        self.missing: list[ModalityReport] = missing
        opts = self.options
        self.reasoner: Reasoner = get_reasoner(
            opts.reasoner, model=opts.model, base_url=opts.base_url, api_key=opts.api_key, prompt=opts.prompt,
            cache=opts.cache,
        )

    def explain(self, task: ClipTask) -> ClipRecord:
        """Explain one clip; any failure becomes an error record naming the file and the problem."""
        from emoreason.pipeline import explain

        started = time.perf_counter()
        if task.problem:
            return self._error(task, f"{task.path}: {task.problem}", "ClipListingError", started)
        for stage in self.stages:  # explain() builds its text stage with the clip's language; so do we
            if hasattr(stage, "language"):
                stage.language = task.language
        try:
            result = explain(
                task.path, subtitle=task.subtitle, language=task.language, reasoner=self.reasoner,
                stages=self.stages, egemaps=self.options.egemaps,
            )
        except EmoreasonError as exc:
            return self._error(task, str(exc), type(exc).__name__, started)
        except Exception as exc:  # noqa: BLE001 - one clip's crash must not stop the batch
            log.warning("unexpected failure on %s", task.path, exc_info=True)
            return self._error(task, f"{task.path}: {type(exc).__name__}: {exc}", type(exc).__name__, started)
        if self.missing:  # as explain() reports stages that could not be loaded
            result.modalities = [*(m.model_copy() for m in self.missing), *result.modalities]
        return ClipRecord(
            id=task.id, path=task.path, status=ClipStatus.OK, result=result,
            seconds=round(time.perf_counter() - started, 3), worker=self.worker,
        )

    def _error(self, task: ClipTask, message: str, kind: str, started: float) -> ClipRecord:
        return ClipRecord(
            id=task.id, path=task.path, status=ClipStatus.ERROR, error=" ".join(message.split()), error_kind=kind,
            seconds=round(time.perf_counter() - started, 3), worker=self.worker,
        )
