"""Offline emotional triggers (EIBench's explicit and implicit causes) from the perceived clues.

Explicit triggers restate what was seen, each resting on clue ids: a person's strongest
expression or posture, smiles shared by several people, text in the picture, the light.
Implicit triggers are the causes those observations point to but cannot show — a shared
occasion, something outside the frame — and say so ("likely", "suggests"); they cite the
clues they are inferred from. The question (EIBench asks e.g. "What might have caused the
woman to be happy?") picks the person in focus: the one whose emotions best match the
emotion the question names, else the most prominent face.
"""

from __future__ import annotations

import re

from emoreason.images.records import PersonReading, SceneReading, Trigger, TriggerKind
from emoreason.reasoning.vocabulary import Family, canonical
from emoreason.records import Clue, Modality

#: Family → what an expression of it suggests happened outside the frame.
IMPLIED: dict[Family, str] = {
    Family.HAPPY: "something pleasant is happening or was just said — a moment worth enjoying",
    Family.SAD: "a disappointment or loss that the picture does not show",
    Family.ANGRY: "a provocation or frustration outside the frame",
    Family.WORRIED: "an uncertain situation that weighs on them",
    Family.SURPRISE: "something unexpected that just happened or appeared",
    Family.FEAR: "a perceived threat nearby",
    Family.DISGUST: "something unpleasant in front of them",
    Family.CONTEMPT: "someone or something they disapprove of",
    Family.DOUBT: "something they do not yet understand or believe",
}
_SMILE_TAGS = {"smile", "expression:happiness", "expr:happy", "cheek_raise"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def question_family(question: str | None) -> Family | None:
    """The emotion family the question names ('…caused the man to be happy?' → HAPPY), if any."""
    if not question:
        return None
    for word in _WORD.findall(question):
        term = canonical(word)
        if term is not None and term.family is not Family.NEUTRAL:
            return term.family
    return None


def _family_score(person: PersonReading, family: Family) -> float:
    return max((e.score for e in person.emotions if e.family == family.value), default=0.0)


def focus_people(people: list[PersonReading], question: str | None) -> list[PersonReading]:
    """The people a question is about: best match of the named emotion, else the most prominent face."""
    if not people:
        return []
    family = question_family(question)
    if question and family is not None:
        best = max(people, key=lambda p: (_family_score(p, family), p.size))
        if _family_score(best, family) > 0:
            return [best]
    if question:
        return [max(people, key=lambda p: p.size)]
    return people


def _is_smiling(person: PersonReading, clues: dict[str, Clue]) -> Clue | None:
    for cid in person.clue_ids:
        clue = clues.get(cid)
        if clue is not None and _SMILE_TAGS & set(clue.tags):
            return clue
    return None


def _support(clue: Clue, family: str | None) -> float:
    """How much `clue` speaks for `family` (its tags' fusion weights), 0 when unrelated."""
    from emoreason.reasoning.cues import CUES, normalise_tag

    if family is None:
        return 0.0
    specs = [CUES[t] for t in (normalise_tag(x) for x in clue.tags) if t is not None]
    return max((s.weights.get(Family(family), 0.0) for s in specs), default=0.0)


def _top_clues(person: PersonReading, clues: dict[str, Clue], n: int = 2) -> list[Clue]:
    """The person's clues that best support their top emotion (observations before classifier reads)."""
    family = person.emotions[0].family if person.emotions else None
    own = [clues[c] for c in person.clue_ids if c in clues and "neutral_face" not in clues[c].tags]
    return sorted(own, key=lambda c: ("reads as" in c.description, -_support(c, family) * c.strength,
                                      -c.strength))[:n]


def _person_label(person: PersonReading) -> str:
    return f"{person.id} ({person.position})"


class _Builder:
    """Collects numbered triggers."""

    def __init__(self) -> None:
        self.items: list[Trigger] = []

    def add(self, text: str, kind: TriggerKind, evidence: list[str], person: str | None = None,
            emotion: str | None = None) -> None:
        if any(t.text == text for t in self.items):
            return
        self.items.append(Trigger(number=len(self.items) + 1, text=text, kind=kind, person=person,
                                  emotion=emotion, evidence=evidence))


def _person_triggers(b: _Builder, person: PersonReading, clues: dict[str, Clue], *, per_person: int) -> None:
    top = person.emotions[0] if person.emotions else None
    label = top.label if top else None
    for clue in _top_clues(person, clues, per_person):
        what = clue.description.removeprefix(f"{person.id} ")
        feeling = f" (reads as {label})" if label and label != "neutral" and "reads as" not in what else ""
        b.add(f"{_person_label(person)} {what}{feeling}", TriggerKind.EXPLICIT, [clue.id], person.id, label)


def _implied_triggers(b: _Builder, people: list[PersonReading], clues: dict[str, Clue]) -> None:
    """One implicit trigger per emotion family shown, naming everyone who shows it."""
    by_family: dict[str, list[PersonReading]] = {}
    for person in people:
        top = person.emotions[0] if person.emotions else None
        marked = top is not None and top.family not in (None, "neutral") and top.score >= 0.5
        if marked and _top_clues(person, clues, 1):
            by_family.setdefault(top.family, []).append(person)
    for family, group in by_family.items():
        implied = IMPLIED.get(Family(family))
        if not implied:
            continue
        who = group[0].id if len(group) == 1 else ", ".join(p.id for p in group)
        label = group[0].emotions[0].label
        evidence = [c.id for p in group for c in _top_clues(p, clues, 1)]
        b.add(f"For {who}, the {label} look suggests {implied}", TriggerKind.IMPLICIT, evidence,
              group[0].id if len(group) == 1 else None, label)


def _shared_triggers(b: _Builder, people: list[PersonReading], clues: dict[str, Clue], scene: SceneReading) -> None:
    smiling = [(p, c) for p in people if (c := _is_smiling(p, clues)) is not None]
    group = scene.people_count >= 2
    if group and len(smiling) >= 2:
        ids = ", ".join(p.id for p, _ in smiling)
        evidence = [c.id for _, c in smiling]
        b.add(f"{len(smiling)} of the {scene.people_count} people smile at the same time ({ids})",
              TriggerKind.EXPLICIT, evidence, None, "happy")
        b.add("Posing close together and smiling suggests a shared, sociable moment — friends or family "
              "enjoying an occasion together", TriggerKind.IMPLICIT, [*evidence, *scene.clue_ids[:1]], None, "happy")
    elif group:
        b.add(f"{scene.layout} appear together, so the mood likely depends on their interaction",
              TriggerKind.IMPLICIT, scene.clue_ids[:1], None, None)


def _scene_triggers(b: _Builder, scene: SceneReading, clues: dict[str, Clue]) -> None:
    for cid in scene.clue_ids:
        clue = clues.get(cid)
        if clue is None:
            continue
        if clue.modality is Modality.TEXT:
            b.add(f"The picture shows the words {clue.description.split('reads ', 1)[-1]}", TriggerKind.EXPLICIT, [cid])
            if any(t.startswith("lex:") or t.endswith("_words") for t in clue.tags):
                b.add("The words in the picture name the occasion or message that the people respond to",
                      TriggerKind.IMPLICIT, [cid])
        elif "dark_scene" in clue.tags:
            b.add("The dim lighting gives the scene a subdued, sombre tone", TriggerKind.EXPLICIT, [cid])
        elif "vivid_colours" in clue.tags:
            b.add("Bright, vivid colours suggest a lively or festive setting", TriggerKind.IMPLICIT, [cid])


def build_triggers(people: list[PersonReading], scene: SceneReading, clues: list[Clue],
                   question: str | None = None, *, limit: int = 10) -> list[Trigger]:
    """Numbered explicit and implicit triggers: what each person in focus shows, what it implies."""
    by_id = {c.id: c for c in clues}
    b = _Builder()
    focus = focus_people(people, question)
    for person in focus[:6]:
        _person_triggers(b, person, by_id, per_person=2 if len(focus) == 1 else 1)
    _shared_triggers(b, people, by_id, scene)
    _implied_triggers(b, focus, by_id)
    _scene_triggers(b, scene, by_id)
    if not b.items:
        b.add("No person or emotional cue could be read in the picture, so no trigger can be named",
              TriggerKind.IMPLICIT, [])
    return [t.model_copy(update={"number": i}) for i, t in enumerate(b.items[:limit], 1)]


def answer_text(triggers: list[Trigger]) -> str:
    """EIBench-style numbered answer: '1. …\\n2. …'."""
    return "\n".join(f"{t.number}. {t.text}." for t in triggers)
