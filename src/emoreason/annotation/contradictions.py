"""The contradiction filter: flag a clip whose modalities or labels disagree (MERR's filtering step).

Rules (each adds a :class:`~emoreason.annotation.records.Contradiction`; any one flags the clip):

``modalities``     two votes of the learned decision from *different modalities* each put at least
                   :data:`CONFIDENT` on a different, non-neutral class (e.g. face happy, words angry).
``au-label``       MERR's AU combination rule at the peak frame (happy AU06+AU12, surprise AU05+AU26,
                   sad AU01+AU04+AU15, angry AU04+AU05+AU07+AU23) names a class the decision does not
                   rank among its top two.
``caption-label``  the emotion word the merge wrote maps to a family other than the decision's label
                   and its runner-up (neutral captions are not compared).
``llm-verdict``    the merge itself answered ``"contradictory": true``.
"""

from __future__ import annotations

from emoreason.annotation.records import Contradiction
from emoreason.records import DecisionRecord

#: Probability at which a vote counts as a confident claim.
CONFIDENT = 0.5

#: MERR's pseudo-label rules: every AU of the set present at the peak frame (most specific first).
AU_RULES: tuple[tuple[str, frozenset[str]], ...] = (
    ("angry", frozenset({"AU04", "AU05", "AU07", "AU23"})),
    ("sad", frozenset({"AU01", "AU04", "AU15"})),
    ("surprise", frozenset({"AU05", "AU26"})),
    ("happy", frozenset({"AU06", "AU12"})),
)


def au_pseudo_label(peak_aus: list[str]) -> str | None:
    """The MERR pseudo label of the peak frame's AUs, or None when no rule fires."""
    present = set(peak_aus)
    return next((label for label, needed in AU_RULES if needed <= present), None)


def top_two(decision: DecisionRecord | None) -> list[str]:
    """The decision's label and its runner-up (empty without a decision)."""
    if decision is None:
        return []
    return [p.label for p in decision.probabilities[:2]] or [decision.label]


def modality_conflicts(decision: DecisionRecord | None) -> list[Contradiction]:
    """Confident votes of different modalities for different non-neutral classes."""
    if decision is None:
        return []
    claims: dict[str, tuple[str, float, str]] = {}
    for vote in decision.votes:
        if not vote.probabilities:
            continue
        label, prob = max(vote.probabilities.items(), key=lambda kv: kv[1])
        if prob >= CONFIDENT and label != "neutral" and prob > claims.get(vote.modality, ("", 0.0, ""))[1]:
            claims[vote.modality] = (label, prob, vote.source)
    out = []
    items = sorted(claims.items())
    for i, (mod_a, (lab_a, p_a, src_a)) in enumerate(items):
        for mod_b, (lab_b, p_b, src_b) in items[i + 1:]:
            if lab_a != lab_b:
                out.append(Contradiction(
                    kind="modalities", sources=[src_a, src_b],
                    detail=f"{mod_a} says {lab_a} ({p_a:.2f}) but {mod_b} says {lab_b} ({p_b:.2f})",
                ))
    return out


def label_conflicts(pseudo: str | None, top: list[str], caption_emotion: str | None,
                    llm_contradictory: bool) -> list[Contradiction]:
    """The AU rule, the merge's emotion word and its verdict against the decision's top two labels."""
    out: list[Contradiction] = []
    if pseudo and top and pseudo not in top:
        out.append(Contradiction(kind="au-label", sources=["merr-au-rule", "decision"],
                                 detail=f"peak-frame AUs read as {pseudo} but the decision is {top[0]}"))
    family = caption_family(caption_emotion)
    if family and family != "neutral" and top and family not in top:
        out.append(Contradiction(kind="caption-label", sources=["merge", "decision"],
                                 detail=f"the caption says {caption_emotion} ({family}) but the decision is "
                                        f"{top[0]}"))
    if llm_contradictory:
        out.append(Contradiction(kind="llm-verdict", sources=["merge"],
                                 detail="the merge judged the clues contradictory"))
    return out


def caption_family(word: str | None) -> str | None:
    """The coarse family of an emotion word (None when it is not in the vocabulary)."""
    if not word:
        return None
    from emoreason.reasoning.vocabulary import canonical

    for token in word.lower().replace(",", " ").split():
        term = canonical(token)
        if term is not None:
            return term.family.value
    return None
