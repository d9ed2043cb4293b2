"""Ask a vision-language model why: one direct question, or EIBench's coarse-to-fine self-ask (CFSA).

CFSA (Lin et al., arXiv:2504.07521) in four recorded rounds, prompts in
``reasoning/prompts/cfsa.yaml``:

1. **coarse** — which person, their coarse emotion, a first look, and the question rewritten
   with the visible details (the paper's question preprocessing);
2. **questions** — the general self-ask questions plus up to ``max_questions`` image-specific ones;
3. **answers** — the model answers them from the image;
4. **refine** — refined emotion and numbered explicit/implicit triggers tied to people and clue ids.

Every step gets the image and the measured evidence; every reply is parsed as JSON and
validated (pydantic). A reply that does not validate is asked again once; a step that still
fails ends the loop with the reason recorded, and the offline answer stands.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from emoreason.errors import BackendError, ModelOutputError
from emoreason.images.loading import LoadedImage
from emoreason.images.records import InterpretResult, Trigger, TriggerKind, VisionRound
from emoreason.reasoning.backends.vision import ImagePart, VisionBackend, VisionMessage, encode_image
from emoreason.reasoning.prompting import fill, load_step_prompts
from emoreason.reasoning.structured import extract_json

MAX_QUESTIONS = 4
MAX_TRIGGERS = 8


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


_M = TypeVar("_M", bound=_Loose)


def _none_if_blank(value: object) -> object:
    return None if value in (None, "", "null", "none", "None") else str(value)


PersonId = Annotated[str | None, BeforeValidator(_none_if_blank)]


class TriggerReply(_Loose):
    """One trigger as the model gives it."""

    text: str = Field(min_length=3)
    kind: Literal["explicit", "implicit"] = "explicit"
    person: PersonId = None
    evidence: list[str] = Field(default_factory=list)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return str(value).strip().lower() if value is not None else "explicit"

    @field_validator("evidence", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class TriggersReply(_Loose):
    """The direct and refine steps' reply."""

    emotion: str = ""
    person: PersonId = None
    triggers: list[TriggerReply] = Field(min_length=1)


class CoarseReply(_Loose):
    """Step 1."""

    person: PersonId = None
    emotion: str = Field(min_length=2)
    first_look: str = ""
    question: str = ""


class QuestionsReply(_Loose):
    """Step 2."""

    questions: list[str] = Field(default_factory=list)


class AnswerItem(_Loose):
    """One answered self-ask question."""

    question: str
    answer: str


class AnswersReply(_Loose):
    """Step 3."""

    answers: list[AnswerItem] = Field(min_length=1)


@dataclass
class ModelOutcome:
    """What the model rounds produced: triggers (None when no usable answer) and every round."""

    triggers: list[Trigger] | None
    rounds: list[VisionRound] = field(default_factory=list)
    error: str | None = None
    emotion: str | None = None


def evidence_text(result: InterpretResult) -> str:
    """The measured evidence as the model reads it: people, their clues (with ids), scene."""
    clues = {c.id: c for c in result.clues}
    lines = [f"People detected: {result.scene.people_count} ({result.scene.layout})."]
    for p in result.people:
        feel = ", ".join(f"{e.label} {e.score:.2f}" for e in p.emotions[:3]) or "undetermined"
        lines.append(f"- {p.id} ({p.position}): measured emotions {feel}"
                     + (f", valence {p.valence:+.2f}" if p.valence is not None else ""))
        lines += [f"    [{cid}] {clues[cid].description}" for cid in p.clue_ids if cid in clues]
        lines += [f"    (not read: {why})" for why in p.not_read]
    scene = [c for c in result.clues if c.id in result.scene.clue_ids]
    if scene:
        lines.append("Scene:")
        lines += [f"    [{c.id}] {c.description}" for c in scene]
    s = result.scene.stats
    lines.append(f"Image: brightness {s.brightness:.2f}, colourfulness {s.colourfulness:.2f}, "
                 f"warm hues {s.warmth:.2f}.")
    return "\n".join(lines)


class _Session:
    """Sends steps with the image, keeps every round, validates replies."""

    def __init__(self, backend: VisionBackend, image: ImagePart, system: str) -> None:
        self.backend, self.image, self.system = backend, image, system
        self.rounds: list[VisionRound] = []

    def ask(self, step: str, prompt: str, schema: type[_M]) -> _M:
        """One validated step (one retry after an invalid reply).

        Raises:
            ModelOutputError: the reply is not valid JSON of `schema`, twice.
            BackendError: the endpoint failed.
        """
        messages = [VisionMessage(role="system", text=self.system),
                    VisionMessage(role="user", text=prompt, images=[self.image])]
        error = ""
        for _ in range(2):
            t = time.perf_counter()
            record = VisionRound(step=step, prompt=prompt, images=[self.image.describe()])
            try:
                reply = self.backend.complete_vision(messages, json_mode=True)
            except BackendError as exc:
                record.error, record.seconds = str(exc), round(time.perf_counter() - t, 3)
                self.rounds.append(record)
                raise
            record.reply, record.seconds = reply.text, round(time.perf_counter() - t, 3)
            try:
                value, _ = extract_json(reply.text)
                parsed = schema.model_validate(value)
            except (ModelOutputError, ValidationError) as exc:
                error = str(exc).splitlines()[0]
                record.error = error
                self.rounds.append(record)
                messages += [VisionMessage(role="assistant", text=reply.text),
                             VisionMessage(role="user", text=f"That reply was not valid ({error}). "
                                                             "Reply again with the JSON object only.")]
                continue
            record.parsed = parsed.model_dump()
            self.rounds.append(record)
            return parsed
        raise ModelOutputError(f"{step}: {error}")


def _triggers(reply: TriggersReply, result: InterpretResult, source: str) -> list[Trigger]:
    """Model triggers → records; unknown person ids and clue ids are dropped (kept in the text)."""
    people = {p.id for p in result.people}
    clue_ids = {c.id for c in result.clues}
    out = []
    for item in reply.triggers[:MAX_TRIGGERS]:
        person = item.person if item.person in people else None
        out.append(Trigger(number=len(out) + 1, text=" ".join(item.text.split()).rstrip("."),
                           kind=TriggerKind(item.kind), person=person, emotion=reply.emotion or None,
                           evidence=[e.strip("[] ") for e in item.evidence if e.strip("[] ") in clue_ids],
                           source=source))
    return out


def _start(backend: VisionBackend, image: LoadedImage) -> tuple[_Session, dict[str, str]]:
    prompts = load_step_prompts("cfsa")
    return _Session(backend, encode_image(image.rgb, label="the image"), prompts.system), prompts.steps


def _question(result: InterpretResult) -> str:
    return result.question or "What might have caused the emotions of the people in the image?"


def run_direct(backend: VisionBackend, image: LoadedImage, result: InterpretResult) -> ModelOutcome:
    """One round: the question, the image and the evidence → triggers."""
    session, steps = _start(backend, image)
    values = {"question": _question(result), "evidence": evidence_text(result)}
    try:
        reply = session.ask("direct", fill(steps["direct"], values), TriggersReply)
    except ModelOutputError as exc:
        return ModelOutcome(None, session.rounds, error=str(exc))
    return ModelOutcome(_triggers(reply, result, "vlm"), session.rounds, emotion=reply.emotion)


def run_cfsa(backend: VisionBackend, image: LoadedImage, result: InterpretResult, *,
             max_questions: int = MAX_QUESTIONS) -> ModelOutcome:
    """The four CFSA rounds (see the module docstring); every round is kept in the outcome."""
    session, steps = _start(backend, image)
    general = load_step_prompts("cfsa").lists.get("general_questions", ())
    values = {"question": _question(result), "evidence": evidence_text(result), "max_questions": str(max_questions),
              "general": "\n".join(f"- {q}" for q in general)}
    try:
        coarse = session.ask("coarse", fill(steps["coarse"], values), CoarseReply)
        values["coarse"] = (f"{coarse.person or 'the person'} looks {coarse.emotion}; "
                            f"{coarse.first_look}".strip())
        values["emotion"] = coarse.emotion
        if coarse.question:
            values["question"] = f"{values['question']} (in detail: {coarse.question})"
        asked = session.ask("questions", fill(steps["questions"], values), QuestionsReply)
        questions = [*general, *[q for q in asked.questions if q.strip()][:max_questions]]
        values["questions"] = "\n".join(f"{i}. {q}" for i, q in enumerate(questions, 1))
        answers = session.ask("answers", fill(steps["answers"], values), AnswersReply)
        values["qa"] = "\n".join(f"Q: {a.question}\nA: {a.answer}" for a in answers.answers)
        refined = session.ask("refine", fill(steps["refine"], values), TriggersReply)
    except ModelOutputError as exc:
        return ModelOutcome(None, session.rounds, error=f"CFSA stopped: {exc}")
    return ModelOutcome(_triggers(refined, result, "cfsa"), session.rounds, emotion=refined.emotion)
