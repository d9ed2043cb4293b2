"""Learned clues: a learned head's class probabilities over a span, as a clue fusion can pool.

The clue's evidence holds ``p:<class>`` for every decision class and a ``reliability``; its
tag :data:`~emoreason.records.decision.LEARNED_TAG` tells the rule-cue fusion to leave it to
the learned decision (:mod:`emoreason.reasoning.decision`).
"""

from __future__ import annotations

from collections.abc import Mapping

from emoreason.records import Clue, Evidence, Modality
from emoreason.records.decision import DECISION_CLASSES, LEARNED_TAG, PROB_PREFIX, RELIABILITY


def learned_clue(
    *,
    modality: Modality,
    source: str,
    probabilities: Mapping[str, float],
    start: float,
    end: float,
    reliability: float,
    description: str,
    track_id: int | None = None,
    extra: list[Evidence] | None = None,
) -> Clue:
    """A clue carrying `probabilities` (over the decision classes) from the head `source`."""
    probs = {c: float(probabilities.get(c, 0.0)) for c in DECISION_CLASSES}
    top = max(probs, key=lambda c: probs[c])
    evidence = [Evidence(name=f"{PROB_PREFIX}{c}", value=round(p, 4), unit="probability") for c, p in probs.items()]
    evidence.append(Evidence(name=RELIABILITY, value=round(min(max(reliability, 0.0), 1.0), 3), unit="0-1"))
    return Clue(
        modality=modality, description=description, start=start, end=max(end, start),
        strength=round(min(max(probs[top], 0.0), 1.0), 4), evidence=[*evidence, *(extra or [])],
        tags=[LEARNED_TAG, f"{LEARNED_TAG}:{top}"], source=source, track_id=track_id,
    )
