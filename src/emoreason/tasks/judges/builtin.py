"""The built-in judges: EMER clue/label overlap, description → labels, EIBench trigger recall."""

from __future__ import annotations

import re

from emoreason.tasks.judges import prompts
from emoreason.tasks.judges.base import JudgeStatus, JudgeVerdict, LLMJudge
from emoreason.tasks.judges.parsing import (
    parse_label_reply,
    parse_overlap_score,
    parse_summary_words,
    parse_trigger_count,
)

_NUMBERED = re.compile(r"^\s*\d+[.)]\s*(.+?)\s*$", re.M)


class ClueOverlapJudge(LLMJudge):
    """EMER clue overlap (1–10) between a true and a predicted description (paper Fig. 3)."""

    name = "emer_clue_overlap"
    template = prompts.EMER_CLUE_OVERLAP

    def judge(self, sample_id: str, reference: str, prediction: str) -> JudgeVerdict:
        """Score one prediction."""
        prompt = self.template.format(gt_reason=reference, pred_reason=prediction)
        return self.ask(sample_id, prompt, parse_overlap_score)


class LabelOverlapJudge(LLMJudge):
    """EMER label overlap (1–10): summarise emotions (Fig. 2) of both texts, then compare (Fig. 4)."""

    name = "emer_label_overlap"
    template = prompts.EMER_EMOTION_SUMMARY + "\n\n" + prompts.EMER_LABEL_OVERLAP

    def judge(self, sample_id: str, reference: str, prediction: str) -> JudgeVerdict:
        """Score one prediction; a failed summary fails the verdict (with its reason)."""
        summaries = []
        for role, text in (("gt", reference), ("pred", prediction)):
            step = self.ask(f"{sample_id}#{role}-summary", prompts.EMER_EMOTION_SUMMARY.format(reason=text),
                            parse_summary_words)
            self.verdicts.pop()  # sub-steps are folded into the final verdict
            if step.status is not JudgeStatus.OK:
                verdict = step.model_copy(update={"sample_id": sample_id, "error": f"{role} summary: {step.error}"})
                self.verdicts.append(verdict)
                return verdict
            summaries.append(", ".join(step.labels or []))
        prompt = prompts.EMER_LABEL_OVERLAP.format(gt_emotion=summaries[0], pred_emotion=summaries[1])
        verdict = self.ask(sample_id, prompt, parse_overlap_score)
        return verdict


class DescriptionLabelJudge(LLMJudge):
    """Extracts open-vocabulary emotion labels from a free-text description."""

    name = "description_to_labels"
    template = prompts.DESCRIPTION_TO_LABELS
    json_mode = True

    def judge(self, sample_id: str, description: str) -> JudgeVerdict:
        """Labels of one description (``verdict.labels``)."""
        return self.ask(sample_id, self.template.format(description=description), parse_label_reply)


def split_triggers(reference: str) -> list[str]:
    """The numbered items of an EIBench ground-truth string."""
    items = _NUMBERED.findall(reference)
    return items or [line.strip() for line in reference.splitlines() if line.strip()]


class TriggerRecallJudge(LLMJudge):
    """EIBench: fraction of reference triggers an answer covers (``correct / total``)."""

    name = "eibench_trigger_recall"
    template = prompts.EIBENCH_TRIGGER_RECALL
    json_mode = True

    def judge(self, sample_id: str, question: str, reference: str, answer: str) -> JudgeVerdict:
        """Recall of one answer."""
        triggers = split_triggers(reference)
        listing = "\n".join(f"{i}. {t}" for i, t in enumerate(triggers, 1))
        prompt = self.template.format(question=question, total=len(triggers), triggers=listing, answer=answer)
        return self.ask(sample_id, prompt, lambda text: parse_trigger_count(text, len(triggers)))
