"""Fusion: from the tagged clues of every modality to ranked open-vocabulary emotions.

Conventions (all scores in [0, 1], valence and arousal in [-1, 1]):

1. Each known tag on each clue (see :mod:`emoreason.reasoning.cues`) contributes
   ``strength × modality weight × tag weight`` to each emotion family it supports. Untagged
   clues are read through their description's keywords; unknown tags are ignored and listed.
2. Per family and tag only the strongest clue counts (ten smiling frames are one smile); the
   distinct tags of a family combine by noisy-OR, ``1 − Π(1 − a)``.
3. Cross-modal rules (:mod:`emoreason.reasoning.conflicts`) rescale and boost families and add
   labels such as ``sarcastic`` or ``nervous``.
4. ``neutral`` gets a prior of :data:`NEUTRAL_PRIOR` shrunk by the strongest other family, so
   a clip with no clue is neutral at 0.45 and a clip with a strong cue is not neutral.
5. Families above :data:`MIN_SCORE` are emitted under their head label (``happy``, ``angry``,
   ``worried`` …), followed by open-vocabulary refinements triggered by specific tags
   (``dissatisfied`` for an angry rhetorical question, ``nervous`` for a worried trembling voice).

Every emitted label lists its driver clue ids and one rationale line per driver.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from emoreason.reasoning.conflicts import CueHit, CueIndex, RuleFinding, apply_rules
from emoreason.reasoning.cues import CUES, STRUCTURAL_TAGS, normalise_tag, tags_from_description
from emoreason.reasoning.decision import Vote, decide, expected_valence, learned_vote, merge_votes
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.reasoning.vocabulary import (
    LABEL_SET_LABELS,
    Family,
    LabelSet,
    canonical,
    head,
    map_label,
)
from emoreason.records import Clue, DecisionRecord, EmotionScore, Modality, StageStatus
from emoreason.records.decision import DECISION_CLASSES, LEARNED_TAG

F = Family

#: How much one clue of each modality counts (faces and words are the most reliable offline).
MODALITY_WEIGHTS: dict[Modality, float] = {
    Modality.FACE: 1.0, Modality.TEXT: 0.85, Modality.VOICE: 0.8, Modality.BODY: 0.7,
    Modality.SCENE: 0.4,
}
NEUTRAL_PRIOR = 0.45
MIN_SCORE = 0.12
MAX_LABELS = 8
REFINE_FACTOR = 0.8

#: (family, tag) → open-vocabulary label the tag refines the family into.
REFINEMENTS: dict[tuple[Family, str], str] = {
    (F.ANGRY, "rhetorical_question"): "dissatisfied", (F.ANGRY, "negative_words"): "dissatisfied",
    (F.ANGRY, "accusation"): "accusatory", (F.ANGRY, "pointing"): "accusatory",
    (F.ANGRY, "complaint"): "complaining", (F.ANGRY, "shout"): "furious",
    (F.ANGRY, "loud"): "agitated", (F.ANGRY, "fast"): "impatient", (F.ANGRY, "frown"): "annoyed",
    (F.ANGRY, "lex:anger"): "annoyed", (F.ANGRY, "profanity"): "hostile",
    (F.HAPPY, "laugh"): "joyful", (F.HAPPY, "cheek_raise"): "joyful", (F.HAPPY, "lex:joy"): "joyful",
    (F.HAPPY, "smile"): "pleased", (F.HAPPY, "expr:happy"): "pleased",
    (F.HAPPY, "positive_words"): "pleased", (F.HAPPY, "gratitude"): "grateful",
    (F.HAPPY, "pitch_variable"): "excited", (F.HAPPY, "exclamation"): "excited",
    (F.SAD, "cry"): "heartbroken", (F.SAD, "sigh"): "helpless", (F.SAD, "apology"): "regretful",
    (F.SAD, "negated_positive"): "disappointed", (F.SAD, "lip_corner_depress"): "disappointed",
    (F.SAD, "slow"): "depressed", (F.SAD, "soft"): "melancholy", (F.SAD, "low_pitch"): "melancholy",
    (F.WORRIED, "trembling"): "nervous", (F.WORRIED, "stutter"): "nervous",
    (F.WORRIED, "repetition"): "nervous", (F.WORRIED, "fidget"): "nervous",
    (F.WORRIED, "fast"): "anxious", (F.WORRIED, "lex:fear"): "anxious", (F.WORRIED, "plea"): "anxious",
    (F.WORRIED, "frown"): "concerned", (F.WORRIED, "inner_brow_raise"): "concerned",
    (F.WORRIED, "gaze_averted"): "uneasy", (F.WORRIED, "uncertainty"): "uneasy",
    (F.SURPRISE, "eyes_widen"): "astonished", (F.SURPRISE, "jaw_drop"): "astonished",
    (F.SURPRISE, "exclamation"): "shocked", (F.SURPRISE, "question"): "curious",
    (F.DOUBT, "question"): "questioning", (F.DOUBT, "rhetorical_question"): "questioning",
    (F.DOUBT, "hedging"): "hesitant", (F.DOUBT, "uncertainty"): "confused",
    (F.DOUBT, "pauses"): "hesitant", (F.FEAR, "shout"): "panicked", (F.FEAR, "lip_stretch"): "fearful",
    (F.NEUTRAL, "flat"): "calm", (F.NEUTRAL, "steady"): "calm", (F.NEUTRAL, "neutral_face"): "calm",
}


@dataclass
class _Part:
    amount: float
    hit: CueHit


@dataclass
class FusionResult:
    """Fusion's decision for one clip, with everything that drove it."""

    emotions: list[EmotionScore]
    family_scores: dict[Family, float]
    valence: float | None
    arousal: float | None
    findings: list[RuleFinding] = field(default_factory=list)
    hits: list[CueHit] = field(default_factory=list)
    ignored_tags: list[str] = field(default_factory=list)
    decision: DecisionRecord | None = None

    def scores(self, label_set: LabelSet) -> dict[str, float]:
        """Scores per label of a closed label set (max over the families mapped to each)."""
        out = {label: 0.0 for label in LABEL_SET_LABELS[label_set]}
        for family, score in self.family_scores.items():
            label = map_label(family.value, label_set)
            if label is not None:
                out[label] = max(out[label], score)
        return out

    def decide(self, label_set: LabelSet = LabelSet.MER6) -> str:
        """The single label of `label_set` fusion would answer (ties go to the set's order)."""
        scores = self.scores(label_set)
        return max(scores, key=lambda k: scores[k])


def _index(request: ReasoningRequest) -> tuple[CueIndex, list[str]]:
    hits: list[CueHit] = []
    ignored: list[str] = []
    for clue in request.clues:
        if LEARNED_TAG in clue.tags:
            continue  # learned heads' probabilities go to the learned decision, not to cue rules
        known = [(t, normalise_tag(t)) for t in clue.tags]
        for raw, tag in known:
            if tag is None:
                if raw not in STRUCTURAL_TAGS:
                    ignored.append(raw)
            else:
                hits.append(CueHit(clue, tag, CUES[tag]))
        if not any(tag for _, tag in known):
            hits += [CueHit(clue, t, CUES[t], inferred=True) for t in tags_from_description(clue.description)]
    face_seen = any(
        m.modality == Modality.FACE and m.status == StageStatus.OK for m in request.modalities
    ) or bool(request.face and request.face.tracks)
    unique = {(h.clue.id, h.tag): h for h in hits}
    return CueIndex(list(unique.values()), face_seen=face_seen), sorted(set(ignored))


def _family_parts(ix: CueIndex) -> dict[Family, dict[str, _Part]]:
    parts: dict[Family, dict[str, _Part]] = defaultdict(dict)
    for hit in ix.hits:
        base = hit.strength * MODALITY_WEIGHTS.get(hit.clue.modality, 0.5)
        for family, weight in hit.spec.weights.items():
            amount = base * weight
            best = parts[family].get(hit.tag)
            if best is None or amount > best.amount:
                parts[family][hit.tag] = _Part(amount, hit)
    return parts


def _noisy_or(values: list[float]) -> float:
    remaining = 1.0
    for v in values:
        remaining *= 1.0 - min(max(v, 0.0), 1.0)
    return 1.0 - remaining


def _family_scores(parts: dict[Family, dict[str, _Part]], findings: list[RuleFinding]) -> dict[Family, float]:
    scores = {f: _noisy_or([p.amount for p in parts.get(f, {}).values()]) for f in Family}
    for finding in findings:
        for family, factor in finding.scale.items():
            scores[family] *= factor
        for family, extra in finding.boost.items():
            scores[family] = _noisy_or([scores[family], extra])
    top_other = max((s for f, s in scores.items() if f is not F.NEUTRAL), default=0.0)
    neutral_prior = NEUTRAL_PRIOR * (1.0 - top_other)
    neutral_scale = min((fd.scale.get(F.NEUTRAL, 1.0) for fd in findings), default=1.0)
    scores[F.NEUTRAL] = max(scores[F.NEUTRAL] * (1.0 - 0.5 * top_other), neutral_prior) * neutral_scale
    return {f: round(min(s, 1.0), 4) for f, s in scores.items()}


def _rationale(part: _Part, family: Family) -> str:
    clue = part.hit.clue
    how = "description" if part.hit.inferred else "tag"
    return (
        f"{clue.id} ({clue.modality.value} {clue.start:.1f}-{clue.end:.1f}s, {how} {part.hit.tag}): "
        f"{part.hit.spec.meaning} -> {family.value} +{part.amount:.2f}"
    )


def _family_labels(
    scores: dict[Family, float], parts: dict[Family, dict[str, _Part]], findings: list[RuleFinding]
) -> list[EmotionScore]:
    out: list[EmotionScore] = []
    for family, score in scores.items():
        if score < MIN_SCORE:
            continue
        fam_parts = sorted(parts.get(family, {}).values(), key=lambda p: -p.amount)
        drivers = list(dict.fromkeys(p.hit.clue.id for p in fam_parts))
        rationale = [_rationale(p, family) for p in fam_parts]
        for fd in findings:
            if family in fd.scale or family in fd.boost:
                rationale.append(f"rule {fd.rule}: {fd.description}")
                drivers += [d for d in fd.drivers if d not in drivers]
        if family is F.NEUTRAL and not drivers:
            rationale.append("prior: no strong cue of any other emotion")
        t = head(family)
        out.append(EmotionScore(
            label=t.label, score=score, valence=t.valence, arousal=t.arousal, drivers=drivers,
            family=family.value, source="fusion", rationale=rationale,
        ))
    return out


def _refined_labels(scores: dict[Family, float], parts: dict[Family, dict[str, _Part]]) -> list[EmotionScore]:
    out: list[EmotionScore] = []
    for family, tag_parts in parts.items():
        if scores[family] < MIN_SCORE:
            continue
        for tag, part in tag_parts.items():
            label = REFINEMENTS.get((family, tag))
            if label is None:
                continue
            t = canonical(label)
            assert t is not None, label
            score = scores[family] * REFINE_FACTOR * max(part.hit.strength, 0.5)
            out.append(EmotionScore(
                label=t.label, score=round(score, 4), valence=t.valence, arousal=t.arousal,
                drivers=[part.hit.clue.id], family=family.value, source="fusion",
                rationale=[_rationale(part, family) + f"; refined to {t.label}"],
            ))
    return out


def _rule_labels(findings: list[RuleFinding]) -> list[EmotionScore]:
    out: list[EmotionScore] = []
    for fd in findings:
        for label, score in fd.labels:
            t = canonical(label)
            assert t is not None, label
            out.append(EmotionScore(
                label=t.label, score=round(min(score, 1.0), 4), valence=t.valence, arousal=t.arousal,
                drivers=list(fd.drivers), family=t.family.value, source=f"rule:{fd.rule}",
                rationale=[f"rule {fd.rule}: {fd.description}"],
            ))
    return out


def _merge(labels: list[EmotionScore]) -> list[EmotionScore]:
    best: dict[str, EmotionScore] = {}
    for item in labels:
        have = best.get(item.label)
        if have is None:
            best[item.label] = item
            continue
        keep, other = (item, have) if item.score > have.score else (have, item)
        keep.drivers = list(dict.fromkeys([*keep.drivers, *other.drivers]))
        keep.rationale = list(dict.fromkeys([*keep.rationale, *other.rationale]))
        best[item.label] = keep
    ranked = sorted(best.values(), key=lambda e: (-e.score, e.label))
    return [e for e in ranked if e.score >= MIN_SCORE][:MAX_LABELS]


def _affect(ix: CueIndex, scores: dict[Family, float]) -> tuple[float | None, float | None]:
    if not ix.hits:
        return None, None
    total = sum(scores.values()) or 1.0
    fam_v = sum(s * head(f).valence for f, s in scores.items()) / total
    fam_a = sum(s * head(f).arousal for f, s in scores.items()) / total
    weight = sum(h.strength for h in ix.hits) or 1.0
    tag_a = sum(h.strength * h.spec.arousal for h in ix.hits) / weight
    valence = max(-1.0, min(1.0, fam_v))
    arousal = max(-1.0, min(1.0, 0.5 * fam_a + 0.5 * tag_a))
    return round(valence, 3), round(arousal, 3)


def fuse(request: ReasoningRequest) -> FusionResult:
    """Fuse the clues of `request` into ranked emotions, valence and arousal.

    Works on partial evidence: any subset of modalities, clues with tags, clues with only
    descriptions, or no clue at all (then the answer is ``neutral`` at the prior). When learned
    heads left clues, their pooled decision (:mod:`emoreason.reasoning.decision`) sets the
    scores of the decision classes and the valence; rule cues of modalities no head read join
    it as one more vote.
    """
    ix, ignored = _index(request)
    parts = _family_parts(ix)
    findings = apply_rules(ix)
    scores = _family_scores(parts, findings)
    valence, arousal = _affect(ix, scores)
    learned = [v for v in (learned_vote(c) for c in request.clues) if v is not None]
    decision = None
    if learned:
        votes = merge_votes(learned)
        cue = _cue_vote(ix, scores, covered={v.modality for v in votes})
        decision = decide(votes + ([cue] if cue is not None else []))
        scores = _decided_scores(scores, decision)
        valence = round(_decided_valence(decision, request.clues), 3)
        findings = [f for f in findings if _finding_supported(f, scores)]
    labels = _family_labels(scores, parts, findings) + _refined_labels(scores, parts) + _rule_labels(findings)
    if decision is not None:
        labels = _with_decision_rationale(labels, decision, ceiling=max(scores.values()))
    return FusionResult(
        emotions=_merge(labels), family_scores=scores, valence=valence, arousal=arousal,
        findings=findings, hits=ix.hits, ignored_tags=ignored, decision=decision,
    )


#: Rule families folded onto the decision classes for the cue vote.
_CUE_FOLD = {F.FEAR: F.WORRIED, F.CONTEMPT: F.ANGRY}


def _cue_vote(ix: CueIndex, scores: dict[Family, float], covered: set[str]) -> Vote | None:
    """Rule cues of modalities no learned head read, as one vote over the decision classes."""
    hits = [h for h in ix.hits if h.clue.modality.value not in covered]
    if not hits:
        return None
    sub = CueIndex(hits, face_seen=ix.face_seen)
    own = _family_scores(_family_parts(sub), apply_rules(sub))
    mass = {c: 0.0 for c in DECISION_CLASSES}
    for family, value in own.items():
        target = _CUE_FOLD.get(family, family).value
        if target in mass:
            mass[target] = max(mass[target], value)
    total = sum(mass.values())
    if total <= 0:
        return None
    probs = np.array([mass[c] / total for c in DECISION_CLASSES])
    strongest = max((v for f, v in own.items() if f is not F.NEUTRAL), default=0.0)
    return Vote("cues", "+".join(sorted({h.clue.modality.value for h in hits})), probs,
                float(min(1.0, strongest)), 0.0, 0.0, sorted({h.clue.id for h in hits}))


def _decided_scores(scores: dict[Family, float], decision: DecisionRecord) -> dict[Family, float]:
    """Decision classes take their pooled probabilities; rule-only families stay below the top."""
    probs = {p.label: p.score for p in decision.probabilities}
    top = max(probs.values())
    out = {}
    for family, value in scores.items():
        out[family] = round(probs.get(family.value, 0.0), 4) if family.value in DECISION_CLASSES else round(
            min(value * 0.5, 0.9 * top), 4)
    return out


def _decided_valence(decision: DecisionRecord, clues: list[Clue]) -> float:
    """Valence of the pooled probabilities, averaged with the text head's own valence when read."""
    implied = expected_valence({p.label: p.score for p in decision.probabilities})
    said = [float(e.value) for c in clues if LEARNED_TAG in c.tags for e in c.evidence
            if e.name == "valence" and isinstance(e.value, float | int)]
    return float(np.clip(0.5 * implied + 0.5 * float(np.mean(said)), -1, 1)) if said else implied


def _finding_supported(finding: RuleFinding, scores: dict[Family, float]) -> bool:
    """A cross-modal rule stays only when the decision gives the families it boosts weight close to the top's.

    So a clip decided neutral gets no irony label unless anger or contempt is nearly as likely.
    """
    boosted = list(finding.boost) or list(finding.scale)
    if not boosted:
        return True
    top = max(scores.values(), default=0.0)
    return max(scores.get(f, 0.0) for f in boosted) >= max(0.2, 0.6 * top)


def _with_decision_rationale(labels: list[EmotionScore], decision: DecisionRecord, *,
                             ceiling: float) -> list[EmotionScore]:
    """Decision rationale on the head labels; rule labels kept below the decided top score."""
    shares = ", ".join(f"{v.source} {v.share:.2f}" for v in sorted(decision.votes, key=lambda v: -v.share))
    for item in labels:
        is_head = item.family in DECISION_CLASSES and item.label == head(Family(item.family)).label
        if item.source == "fusion" and is_head:
            item.rationale.insert(0, f"learned decision p={item.score:.2f} (shares: {shares})")
            ids = [i for v in decision.votes if v.share > 0 for i in v.clue_ids]
            item.drivers = list(dict.fromkeys([*ids, *item.drivers]))
        elif item.source.startswith("rule:"):
            item.score = round(min(item.score, 0.9 * ceiling), 4)
    return labels


def salient_clues(request: ReasoningRequest, *, per_modality: int = 3, ratio: float = 0.5) -> dict[
    Modality, list[Clue]
]:
    """Up to `per_modality` salient observed clues of each modality (learned clues left out), in time order.

    Salience is strength weighted by duration (a clue held for 3 s or more counts fully, an
    instant half). After the most salient clue, a clue is added only when its salience is at
    least `ratio` of the best one's and it carries no tag already cited, so the paragraph can
    tell a progression (sad at first, smiling later) without repeating itself.
    """

    def salience(c: Clue) -> float:
        return c.strength * (0.5 + 0.5 * min(1.0, (c.end - c.start) / 3.0))

    by_modality: dict[Modality, list[Clue]] = {}
    for clue in request.clues:
        if LEARNED_TAG not in clue.tags:  # heads' readings speak through the decision, not as observations
            by_modality.setdefault(clue.modality, []).append(clue)
    out: dict[Modality, list[Clue]] = {}
    for modality, clues in by_modality.items():
        ranked = sorted(clues, key=lambda c: (salience(c), c.end - c.start, -c.start), reverse=True)
        chosen = [ranked[0]]
        tags = set(ranked[0].tags)
        for clue in ranked[1:]:
            if len(chosen) >= per_modality:
                break
            if salience(clue) >= ratio * salience(ranked[0]) and not tags & set(clue.tags):
                chosen.append(clue)
                tags |= set(clue.tags)
        out[modality] = sorted(chosen, key=lambda c: (c.start, c.end))
    return out


def strongest_clues(request: ReasoningRequest) -> dict[Modality, Clue]:
    """The most salient clue of each modality (strength, then duration, then time)."""
    best: dict[Modality, Clue] = {}
    for clue in request.clues:
        have = best.get(clue.modality)
        key = (clue.strength, clue.end - clue.start, -clue.start)
        if have is None or key > (have.strength, have.end - have.start, -have.start):
            best[clue.modality] = clue
    return best
