"""LLM judges for free-text outputs (typed verdicts, cached, failures counted)."""

from __future__ import annotations

from pathlib import Path

from emoreason.tasks.judges.base import JudgeCache, JudgeReport, JudgeStatus, JudgeVerdict, LLMJudge
from emoreason.tasks.judges.builtin import (
    ClueOverlapJudge,
    DescriptionLabelJudge,
    LabelOverlapJudge,
    TriggerRecallJudge,
)
from emoreason.tasks.spec import JudgeKind

JUDGES: dict[JudgeKind, type[LLMJudge]] = {
    JudgeKind.EMER_CLUE_OVERLAP: ClueOverlapJudge,
    JudgeKind.EMER_LABEL_OVERLAP: LabelOverlapJudge,
    JudgeKind.DESCRIPTION_TO_LABELS: DescriptionLabelJudge,
    JudgeKind.EIBENCH_TRIGGER_RECALL: TriggerRecallJudge,
}


def make_judge(kind: JudgeKind, backend: object, *, model_id: str | None = None, temperature: float = 0.0,
               max_attempts: int = 3, cache_dir: str | Path | None = None) -> LLMJudge:
    """Build the judge of `kind` over `backend` (anything with ``complete(...)``)."""
    return JUDGES[kind](backend, model_id=model_id, temperature=temperature,  # type: ignore[arg-type]
                        max_attempts=max_attempts, cache=JudgeCache(cache_dir))


__all__ = ["JUDGES", "JudgeCache", "JudgeReport", "JudgeStatus", "JudgeVerdict", "LLMJudge", "make_judge"]
