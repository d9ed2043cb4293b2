"""Explanation writers for dialogue utterances: the ECEM-style template, and LLM writers over the chat backends.

The template turns the top cause span into "The reason he's surprised is that …" (see
:mod:`.wording`). The LLM writer prompts any :class:`~emoreason.reasoning.llm.ChatBackend`
(llama-cpp GGUF or an OpenAI-compatible endpoint) with the dialogue window, the predicted causes
and ECEM-style few-shot examples, through the shared on-disk reply cache; its sentence must pass
the dialogue grounding guard (:mod:`.grounding`), else the template's sentence is used and the
violations are kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from emoreason.conversations.grounding import check_explanation
from emoreason.conversations.records import CauseLink, CauseSpan, ClipEvidence, Dialogue, UtteranceExplanation
from emoreason.conversations.wording import ADJECTIVE, detokenise, proper_names, reason_sentence, third_person
from emoreason.errors import BackendError, RegistryError

log = logging.getLogger(__name__)
WRITERS = ("template", "llama-cpp", "openai")
WINDOW = 8
#: ECEM-style worked examples written for emoreason (not taken from ECEM), used when no ECEM data is given.
BUILTIN_SHOTS: tuple[tuple[str, str, str, str], ...] = (
    ("surprise", "Ross", "You got engaged? When did that happen?",
     "The reason he's surprised is that Rachel told him she got engaged."),
    ("anger", "Monica", "You ate the whole cake I made for the party!",
     "The reason she's angry is that Joey ate the cake she had made for the party."),
    ("joy", "Chandler", "I got the job! They said yes!", "The reason he's happy is that he got the job he wanted."),
    ("sadness", "Phoebe", "My grandmother passed away last night.",
     "The reason she's sad is that her grandmother died the night before."),
    ("fear", "Joey", "What if they find out I lied on my resume?",
     "The reason he's scared is that he lied on his resume and might be found out."),
    ("disgust", "Rachel", "Ew, there is hair in my soup.",
     "The reason she's disgusted is that she found hair in her soup."),
)


@dataclass
class ExplainRequest:
    """What a writer needs to explain the utterance at `position` of `dialogue`."""

    dialogue: Dialogue
    position: int
    emotion: str
    causes: list[CauseLink] = field(default_factory=list)
    spans: list[CauseSpan] = field(default_factory=list)
    evidence: ClipEvidence | None = None

    @property
    def utterance(self):  # noqa: ANN201 - Utterance
        """The explained utterance."""
        return self.dialogue.utterances[self.position]

    def listener(self, speaker: str) -> str | None:
        """The nearest earlier speaker other than `speaker` (who "you" most likely is)."""
        for u in reversed(self.dialogue.utterances[: self.position + 1]):
            if u.speaker and u.speaker != speaker:
                return u.speaker
        for u in self.dialogue.utterances[self.position + 1:]:
            if u.speaker and u.speaker != speaker:
                return u.speaker
        return None


def _evidence_sentence(evidence: ClipEvidence | None) -> tuple[str, list[str]]:
    if evidence is None or evidence.status != "ok" or not evidence.clues:
        return "", []
    top = sorted(evidence.clues, key=lambda c: -c.strength)[:2]
    parts = [f"{c.description} [{c.id}]" for c in top]
    return f" On the clip, the {top[0].modality} evidence: {'; '.join(parts)}.", [c.id for c in top]


class TemplateWriter:
    """The deterministic ECEM-style sentence built from the top cause span."""

    name = "template"

    def write(self, request: ExplainRequest) -> UtteranceExplanation:
        """One sentence (plus the cited clip clues, when a clip was read)."""
        u = request.utterance
        extra, clue_ids = _evidence_sentence(request.evidence)
        if request.emotion == "neutral" or not request.causes:
            text = f"{u.speaker or 'The speaker'} shows no marked emotion here." if u.text.strip() else \
                "The utterance has no words to read."
            return UtteranceExplanation(text=text + extra, writer=self.name, cited_clues=clue_ids)
        top = max(request.causes, key=lambda c: c.score)
        cause_u = next(x for x in request.dialogue.utterances if x.utterance_id == top.utterance_id)
        span = next((s.text for s in request.spans if s.utterance_id == top.utterance_id), cause_u.text)
        utts = request.dialogue.utterances
        names = proper_names([x.speaker for x in utts], [x.text for x in utts])
        if cause_u.utterance_id == u.utterance_id or cause_u.speaker == u.speaker:
            clause = third_person(span, speaker=u.speaker, listener=request.listener(u.speaker), names=names)
        else:
            said = third_person(span, speaker=cause_u.speaker, listener=u.speaker, names=names)
            clause = f"{cause_u.speaker} said {said}" if said else f"of what {cause_u.speaker} said"
        text = reason_sentence(speaker=u.speaker, emotion=request.emotion, clause=clause)
        return UtteranceExplanation(text=text + extra, writer=self.name, cited_utterances=[top.utterance_id],
                                    cited_clues=clue_ids)


def _shot_messages(emotion: str, shots: list[tuple[str, str, str, str]]) -> list:
    from emoreason.reasoning.llm import ChatMessage

    chosen = [s for s in shots if s[0] == emotion][:2] or list(shots[:2])
    out = []
    for emo, speaker, statement, answer in chosen:
        out += [ChatMessage(role="user", content=f"Explain why the emotion of this statement is {emo} "
                                                 f"<{speaker}: {statement}>"),
                ChatMessage(role="assistant", content=answer)]
    return out


class LLMWriter:
    """A chat model writes the sentence; ungrounded or failed answers fall back to the template."""

    def __init__(self, backend: object, *, name: str, cache: bool = True,
                 shots: list[tuple[str, str, str, str]] | None = None, max_tokens: int = 60) -> None:
        """`backend` is a ChatBackend; `shots` are (emotion, speaker, statement, explanation) examples."""
        from emoreason.reasoning.cache import CachedBackend, LLMCache

        self.backend = CachedBackend(backend, LLMCache()) if cache else backend  # type: ignore[arg-type]
        self.name = name
        self.shots = list(shots or BUILTIN_SHOTS)
        self.max_tokens = max_tokens
        self.template = TemplateWriter()

    def messages(self, request: ExplainRequest) -> list:
        """The prompt: system rule, few-shot examples, then this utterance with its dialogue window."""
        from emoreason.reasoning.llm import ChatMessage

        u = request.utterance
        lines = [f"[u{x.utterance_id}] {x.speaker}: {detokenise(x.text)}"
                 for x in request.dialogue.utterances[max(0, request.position - WINDOW): request.position + 1]]
        causes = ", ".join(f"u{c.utterance_id}" for c in request.causes) or "none found"
        system = ("You explain why a speaker in a TV-series conversation feels an emotion. Reply with ONE sentence "
                  f"in the style 'The reason she's {ADJECTIVE.get(request.emotion, request.emotion)} is that ...'. "
                  "Use only facts stated in the dialogue; do not invent names or events.")
        ask = ("Dialogue:\n" + "\n".join(lines) + f"\nLikely cause utterances: {causes}.\n"
               f"Explain why the emotion of this statement is {request.emotion} <{u.speaker}: {detokenise(u.text)}>")
        return [ChatMessage(role="system", content=system), *_shot_messages(request.emotion, self.shots),
                ChatMessage(role="user", content=ask)]

    def write(self, request: ExplainRequest) -> UtteranceExplanation:
        """The model's sentence when it is grounded; otherwise the template's, with the reason."""
        fallback = self.template.write(request)
        if request.emotion == "neutral" or not request.causes:
            return fallback
        try:
            reply = self.backend.complete(self.messages(request), temperature=0.0, max_tokens=self.max_tokens)
        except BackendError as exc:
            log.warning("%s writer failed: %s", self.name, exc)
            return fallback.model_copy(update={"fallback_reason": f"{self.name} writer failed: {exc}"})
        text = first_sentence(reply.text)
        extra, clue_ids = _evidence_sentence(request.evidence)
        violations = check_explanation(text, request.dialogue, request.position, frozenset(clue_ids))
        if not text or violations:
            why = "empty reply" if not text else f"{len(violations)} ungrounded claim(s)"
            return fallback.model_copy(update={"fallback_reason": f"{self.name} explanation rejected: {why}",
                                               "violations": violations, "model": reply.model})
        cited = sorted({c.utterance_id for c in request.causes})
        return UtteranceExplanation(text=text + extra, writer=self.name, model=reply.model, cited_utterances=cited,
                                    cited_clues=clue_ids)


def first_sentence(text: str) -> str:
    """The first sentence of a model reply, without quotes or a leading label."""
    text = text.strip().strip("\"“”'").strip()
    for prefix in ("Explanation:", "Answer:"):
        if text.lower().startswith(prefix.lower()):
            text = text[len(prefix):].strip()
    line = text.splitlines()[0] if text else ""
    end = min((line.find(p) + 1 for p in (". ", "! ", "? ") if p in line), default=len(line))
    sentence = line[:end].strip().strip("\"“”").strip()
    return sentence if sentence.endswith((".", "!", "?")) or not sentence else sentence + "."


def make_writer(name: str = "template", *, model: str | None = None, base_url: str | None = None,
                api_key: str | None = None, cache: bool = True,
                shots: list[tuple[str, str, str, str]] | None = None) -> TemplateWriter | LLMWriter:
    """The writer called `name` (template | llama-cpp | openai).

    Raises:
        RegistryError: unknown writer name.
        BackendError / DependencyError: the model cannot be set up.
    """
    if name == "template":
        return TemplateWriter()
    if name == "llama-cpp":
        from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend

        return LLMWriter(LlamaCppBackend(model), name=name, cache=cache, shots=shots)
    if name == "openai":
        from emoreason.reasoning.backends.openai_compat import OpenAIBackend

        return LLMWriter(OpenAIBackend(base_url=base_url, model=model, api_key=api_key), name=name, cache=cache,
                         shots=shots)
    raise RegistryError(f"unknown explanation writer {name!r}; choose one of: {', '.join(WRITERS)}")
