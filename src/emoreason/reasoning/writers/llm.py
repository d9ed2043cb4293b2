"""Language-model writers: a prompt of the field, JSON answers, bounded retries, safe fallback.

Flow for one request: fuse the clues; render the chosen prompt (few-shot examples first, for
small models); call the backend through the on-disk cache; parse and validate the JSON answer
(reasoning first, labels last), repairing it within bounds and re-asking at most
``max_retries`` times with the validation error while the time budget allows; then run the
grounding guard on the explanation. A backend failure, a call cut at its time limit or an
answer that stays invalid falls back to the template writer with a warning and the reason
— the call never crashes and never turns unparsable prose into labels.

Labels: fusion's evidence-driven labels stay the ranking. A model label is added (source
``llm``) only when it is a vocabulary word whose family the evidence supports; every model
label is kept verbatim in ``Explanation.model_labels``.
"""

from __future__ import annotations

import logging
import time

from emoreason.errors import BackendError, ModelOutputError
from emoreason.reasoning.cache import CachedBackend, LLMCache
from emoreason.reasoning.evidence import EvidenceView, evidence_hash
from emoreason.reasoning.fusion import MIN_SCORE, FusionResult, fuse
from emoreason.reasoning.grounding import GroundingGuard
from emoreason.reasoning.llm import ChatBackend, ChatCompletion, ChatMessage
from emoreason.reasoning.prompting import load_prompt, render
from emoreason.reasoning.protocol import ReasoningOutcome, ReasoningRequest
from emoreason.reasoning.structured import ANSWER_SCHEMA, ModelAnswer, parse_answer
from emoreason.reasoning.timeline import build_timeline
from emoreason.reasoning.vocabulary import Family, canonical
from emoreason.reasoning.writers.template import template_outcome
from emoreason.records import EmotionScore, Explanation, GroundingViolation

log = logging.getLogger(__name__)
LLM_LABEL_FACTOR = 0.9
#: What happens when the backend fails: the template writes the explanation, or the error is raised.
FALLBACKS = ("template", "none")
_RETRY = (
    "Your reply could not be used: {error}. Reply again with only the JSON object, "
    'in the form {{"reasoning": "...", "explanation": "...", "emotions": [...], "cited_clues": [...]}}.'
)


class LLMReasoner:
    """Fusion + an explanation written by any :class:`ChatBackend`.

    Args:
        backend: the chat model.
        name: the writer name recorded in results (``llama-cpp``, ``openai`` …).
        prompt: prompt name (see :func:`~emoreason.reasoning.prompting.list_prompts`).
        cache: reuse replies from the on-disk cache (``cache_dir`` overrides its folder).
        few_shot: send the two worked examples before the request.
        max_retries: re-asks after an invalid answer (total calls ≤ 1 + max_retries).
        max_tokens, temperature, json_mode: generation settings.
        time_budget: wall-clock seconds for all calls of one request; a retry starts only
            while less than half of it is spent (each call's own hard limit is the backend's,
            e.g. ``LlamaCppBackend.time_limit``). ``None``: no budget.
        fallback: ``template`` (a backend that fails is replaced by the template writer, with a
            warning) or ``none`` (its :class:`BackendError` is raised). An answer that stays
            invalid always falls back: the model was reached.

    Raises:
        RegistryError: unknown prompt name.
        ValueError: unknown fallback.
    """

    def __init__(
        self,
        backend: ChatBackend,
        *,
        name: str = "llm",
        prompt: str | None = None,
        cache: bool = True,
        cache_dir: str | None = None,
        few_shot: bool = True,
        max_retries: int = 1,
        max_tokens: int = 320,
        temperature: float = 0.0,
        json_mode: bool = False,
        fallback: str = "template",
        time_budget: float | None = None,
    ) -> None:
        if fallback not in FALLBACKS:
            raise ValueError(f"fallback must be one of {', '.join(FALLBACKS)}, got {fallback!r}")
        self.fallback = fallback
        self.backend = backend
        self.name = name
        self.spec = load_prompt(prompt)
        self.cache = LLMCache(cache_dir) if cache else None
        self.few_shot = few_shot
        self.max_retries = max(0, max_retries)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.json_mode = json_mode
        self.time_budget = time_budget

    def _ask(self, backend: ChatBackend, messages: list[ChatMessage]) -> tuple[ModelAnswer, ChatCompletion, int]:
        """Call the model until its answer validates (bounded); the answer, last reply, calls."""
        history = list(messages)
        started = time.monotonic()
        for attempt in range(1, self.max_retries + 2):
            reply = backend.complete(
                history, temperature=self.temperature, max_tokens=self.max_tokens, json_mode=self.json_mode
            )
            try:
                answer, repaired = parse_answer(reply.text)
            except ModelOutputError as exc:
                log.info("%s answer %d invalid: %s", self.name, attempt, exc)
                if attempt > self.max_retries:
                    raise ModelOutputError(f"{exc} (after {attempt} calls)") from exc
                spent = time.monotonic() - started
                if self.time_budget and spent > self.time_budget / 2:
                    raise ModelOutputError(f"{exc} (no time for a retry: {spent:.0f} s of the "
                                           f"{self.time_budget:.0f} s budget spent)") from exc
                history += [
                    ChatMessage(role="assistant", content=reply.text[:1500] or "(empty)"),
                    ChatMessage(role="user", content=_RETRY.format(error=exc)),
                ]
                continue
            if repaired:
                log.info("%s answer %d needed repair", self.name, attempt)
            return answer, reply, attempt
        raise AssertionError("unreachable")  # pragma: no cover

    def _labels(
        self, fusion: FusionResult, answer: ModelAnswer, cited: list[str]
    ) -> tuple[list[EmotionScore], list[str]]:
        emotions = [e.model_copy(deep=True) for e in fusion.emotions]
        have = {e.label: e for e in emotions}
        rejected: list[str] = []
        for word in answer.emotions:
            term = canonical(word)
            if term is None:
                rejected.append(word)
                continue
            if term.label in have:
                have[term.label].rationale.append(f"also proposed by {self.backend.model_id}")
                continue
            support = fusion.family_scores.get(Family(term.family), 0.0)
            if support < MIN_SCORE:
                rejected.append(word)
                continue
            item = EmotionScore(
                label=term.label, score=round(LLM_LABEL_FACTOR * support, 4), valence=term.valence,
                arousal=term.arousal, drivers=list(cited), family=term.family.value, source="llm",
                rationale=[f"proposed by {self.backend.model_id}; the evidence supports {term.family.value} "
                           f"at {support:.2f}"],
            )
            emotions.append(item)
            have[term.label] = item
        return sorted(emotions, key=lambda e: (-e.score, e.label)), rejected

    def _explanation(
        self, answer: ModelAnswer, guard: GroundingGuard, view: EvidenceView
    ) -> tuple[str, list[str], list[GroundingViolation]]:
        violations = guard.check(answer.explanation)
        cited: list[str] = []
        for ref in answer.cited_clues:
            resolved = view.resolve(ref)
            if resolved is None:
                violations.append(
                    GroundingViolation(kind="clue", claim=ref, detail=f"cited clue {ref} does not exist")
                )
            elif resolved not in cited:
                cited.append(resolved)
        cited += [c for c in guard.cited(answer.explanation) if c not in cited]
        return answer.explanation, cited, violations

    def reason(self, request: ReasoningRequest) -> ReasoningOutcome:
        """Fuse the clues and have the model explain them (template fallback on failure)."""
        fusion = fuse(request)
        view = EvidenceView.of(request)
        rendered = render(self.spec, view, [e.label for e in fusion.emotions[:5]], few_shot=self.few_shot)
        backend: ChatBackend = self.backend
        if self.cache is not None:
            backend = CachedBackend(self.backend, self.cache, extra=evidence_hash(request))
        try:
            answer, reply, calls = self._ask(backend, rendered.messages)
        except (BackendError, ModelOutputError) as exc:
            reason = f"{self.name} writer failed: {exc}"
            if isinstance(exc, BackendError) and self.fallback == "none":
                raise BackendError(f"{reason} (fallback 'template', --fallback template on the command line, "
                                   "writes the template explanation instead)") from exc
            log.warning("%s; falling back to the template writer", reason)
            return template_outcome(
                request, fusion, model=self.backend.model_id, prompt=rendered.name, fallback_reason=str(exc),
                warnings=[f"{reason}; the explanation was written by the template instead"],
            )
        text, cited, violations = self._explanation(answer, GroundingGuard(request, view), view)
        emotions, rejected = self._labels(fusion, answer, cited)
        warnings: list[str] = []
        if violations:
            warnings.append(f"the {self.name} explanation makes {len(violations)} ungrounded claim(s); see "
                            "explanation.violations")
        if rejected:
            warnings.append(f"model labels not backed by the evidence were not scored: {', '.join(rejected)}")
        if answer.dropped_labels:
            warnings.append(f"model labels that are not emotion words were dropped: {', '.join(answer.dropped_labels)}")
        explanation = Explanation(
            text=text, writer=self.name, model=self.backend.model_id, prompt=rendered.name, cited_clues=cited,
            violations=violations, model_labels=list(answer.emotions), attempts=calls, cached=reply.cached,
            raw_output=reply.text,
        )
        return ReasoningOutcome(
            emotions=emotions, valence=fusion.valence, arousal=fusion.arousal, explanation=explanation,
            warnings=warnings, decision=fusion.decision, timeline=build_timeline(request),
        )


class LlamaCppReasoner(LLMReasoner):
    """The ``llama-cpp`` reasoner: any local GGUF (default: the shipped SmolLM2-135M-Instruct)."""

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        prompt: str | None = None,
        cache: bool = True,
        **options: object,
    ) -> None:
        """`model` is a GGUF path; `base_url` and `api_key` do not apply and raise if given.

        Few-shot examples, token cap and time budget follow the model's profile
        (:func:`~emoreason.reasoning.backends.gguf_models.profile_for`) unless given.
        """
        from emoreason.reasoning.backends.llama_cpp import LlamaCppBackend

        if base_url or api_key:
            raise BackendError("the llama-cpp reasoner runs a local GGUF file; --base-url/--api-key are "
                               "for --reasoner openai")
        backend = LlamaCppBackend(model, json_schema=ANSWER_SCHEMA)
        options.setdefault("few_shot", backend.profile.few_shot)
        options.setdefault("max_tokens", backend.profile.max_tokens)
        options.setdefault("json_mode", backend.profile.json_mode)
        options.setdefault("time_budget", backend.time_limit)
        super().__init__(backend, name="llama-cpp", prompt=prompt, cache=cache, **options)  # type: ignore[arg-type]


class OpenAIReasoner(LLMReasoner):
    """The ``openai`` reasoner: any OpenAI-compatible chat endpoint."""

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        prompt: str | None = None,
        cache: bool = True,
        timeout: float = 60.0,
        **options: object,
    ) -> None:
        """`model`, `base_url`, `api_key` fall back to the EMOREASON_OPENAI_* variables."""
        from emoreason.reasoning.backends.openai_compat import OpenAIBackend

        backend = OpenAIBackend(base_url=base_url, model=model, api_key=api_key, timeout=timeout)
        super().__init__(backend, name="openai", prompt=prompt, cache=cache, **options)  # type: ignore[arg-type]
