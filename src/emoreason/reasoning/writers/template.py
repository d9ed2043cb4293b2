"""The ``template`` writer: a deterministic EMER-style paragraph, no model.

"In the video, … In the audio, … In the text, … Therefore, …": one sentence per modality
citing its strongest clue with its time span, a sentence per cross-modal rule that fired,
then the inferred emotions with valence and arousal. Modalities without clues are stated as
absences, so the paragraph never claims what the evidence does not hold.
"""

from __future__ import annotations

import re

from emoreason.reasoning.evidence import EvidenceView, fmt_span
from emoreason.reasoning.fusion import FusionResult, fuse, salient_clues
from emoreason.reasoning.grounding import GroundingGuard
from emoreason.reasoning.protocol import ReasoningOutcome, ReasoningRequest
from emoreason.reasoning.timeline import build_timeline, summarise
from emoreason.records import Clue, Explanation, Modality, StageStatus, TimelineEntry, TranscriptSource

WRITER = "template"
_ABSENT = {
    StageStatus.MISSING: "the clip has no such stream",
    StageStatus.EMPTY: "nothing usable was found",
    StageStatus.UNAVAILABLE: "that stage is not available here",
    StageStatus.FAILED: "that stage failed",
}
_SECTIONS = (
    (Modality.FACE, "In the video", "the strongest facial clue is:"),
    (Modality.BODY, "In the video", "the strongest body clue is:"),
    (Modality.SCENE, "In the scene", "the strongest scene clue is:"),
    (Modality.VOICE, "In the audio", "the strongest vocal clue is:"),
)
_NONE = {Modality.FACE: "no facial clue was found", Modality.VOICE: "no vocal clue was found"}


_TRAILING_SPAN = re.compile(r"[\s,]*(?:from |at |until )?\d+(?:\.\d+)?(?:\s*(?:-|–|to)\s*\d+(?:\.\d+)?)?\s*s\)?$")


def _clean(description: str) -> str:
    """The description without a trailing period or time span (the writer adds its own span)."""
    text = description.strip().rstrip(".")
    stripped = _TRAILING_SPAN.sub("", text)
    return stripped if stripped else text


def _absence(request: ReasoningRequest, modality: Modality) -> str:
    report = next((m for m in request.modalities if m.modality == modality), None)
    if report is None or report.status == StageStatus.OK:
        return _NONE[modality]
    return f"{_NONE[modality]} ({_ABSENT[report.status]})"


def _cite(clue: Clue, view: EvidenceView) -> str:
    return f"{_clean(clue.description)} ({fmt_span(clue.start, clue.end)}) [{view.id_to_alias[clue.id]}]"


def _sentence(lead: str, intro: str, clues: list[Clue], view: EvidenceView) -> str:
    if len(clues) == 1:
        return f"{lead}, {intro} {_cite(clues[0], view)}."
    kind = intro.split()[2]  # "facial", "vocal", "body", "scene"
    parts = [_cite(clues[0], view)]
    for prev, clue in zip(clues, clues[1:], strict=False):
        parts.append(("then " if clue.start >= prev.end - 0.1 else "") + _cite(clue, view))
    return f"{lead}, the {kind} clues in time order are: {'; '.join(parts)}."


def _text_sentence(request: ReasoningRequest, best: Clue | None, view: EvidenceView) -> str | None:
    subtitle = request.transcript.text.strip() if request.transcript else ""
    if not subtitle and best is None:
        return None
    asr = request.transcript is not None and request.transcript.source == TranscriptSource.ASR
    said = "speech recognition hears" if asr else "the subtitle reads"
    parts = [f'{said}: "{subtitle}"'] if subtitle else []
    if best is not None:
        parts.append(f"{_clean(best.description)} ({fmt_span(best.start, best.end)}) [{view.id_to_alias[best.id]}]")
    sentence = "In the text, " + "; ".join(parts)
    return sentence if sentence.endswith(('."', '!"', '?"')) else sentence + "."


def _conclusion(fusion: FusionResult) -> str:
    ranked = [e for e in fusion.emotions if e.label != "neutral"]
    affect = ""
    if fusion.valence is not None and fusion.arousal is not None:
        affect = f" (valence {fusion.valence:+.2f}, arousal {fusion.arousal:+.2f})"
    if fusion.decision is not None:
        return _decided_conclusion(fusion, affect)
    if not ranked or fusion.emotions[0].label == "neutral":
        return f"Therefore, no emotion stands out clearly and the person appears neutral{affect}."
    top = ranked[0]
    rest = [e.label for e in ranked[1:4]]
    tail = f", with hints of {', '.join(rest[:-1]) + ' and ' if len(rest) > 1 else ''}{rest[-1]}" if rest else ""
    return f"Therefore, the person most likely feels {top.label} ({top.score:.2f}){tail}{affect}."


_DRIVERS = {"face": "the face", "text": "the words", "voice": "the voice"}


def _decided_conclusion(fusion: FusionResult, affect: str) -> str:
    """The learned decision in words: the label, what drove it, a close runner-up if any."""
    decision = fusion.decision
    assert decision is not None
    top, *rest = decision.probabilities
    driver = _DRIVERS.get(decision.driver or "", decision.driver or "the evidence")
    if top.label == "neutral":
        head = f"Therefore, no emotion stands out clearly and the person appears neutral (p={top.score:.2f})"
    else:
        finer = [e.label for e in fusion.emotions if e.family == top.label and e.label != top.label][:2]
        more = f", more precisely {' and '.join(finer)}" if finer else ""
        head = f"Therefore, the person most likely feels {top.label} (p={top.score:.2f}{more})"
        head += f", read mostly from {driver}"
    second = rest[0] if rest else None
    if second is not None and second.score >= max(0.25, 0.6 * top.score):
        head += f"; {second.label} is also possible (p={second.score:.2f})"
    return f"{head}{affect}."


def write_template(
    request: ReasoningRequest, fusion: FusionResult, view: EvidenceView, timeline: list[TimelineEntry] | None = None
) -> tuple[str, list[str]]:
    """The template paragraph for `request` and the ids of the clues it cites."""
    salient = salient_clues(request)
    best = {m: max(cs, key=lambda c: c.strength) for m, cs in salient.items()}
    sentences: list[str] = []
    cited: list[str] = []
    for modality, lead, intro in _SECTIONS:
        clues = salient.get(modality)
        if clues:
            sentences.append(_sentence(lead, intro, clues, view))
            cited += [c.id for c in clues]
        elif modality in _NONE:
            sentences.append(f"{lead}, {_absence(request, modality)}.")
    text_clue = best.get(Modality.TEXT)
    text = _text_sentence(request, text_clue, view)
    if text is not None:
        sentences.append(text)
        cited += [text_clue.id] if text_clue is not None else []
    for finding in fusion.findings:
        sentences.append(f"Taken together, {finding.description}.")
    sentences.append(_conclusion(fusion))
    over_time = summarise(timeline or [])
    if over_time:
        sentences.append(over_time)
    return " ".join(sentences), cited


def template_outcome(
    request: ReasoningRequest,
    fusion: FusionResult | None = None,
    *,
    model: str | None = None,
    prompt: str | None = None,
    fallback_reason: str | None = None,
    warnings: list[str] | None = None,
) -> ReasoningOutcome:
    """A full outcome whose explanation the template wrote (also the LLM writers' fallback)."""
    fusion = fusion or fuse(request)
    view = EvidenceView.of(request)
    timeline = build_timeline(request)
    text, cited = write_template(request, fusion, view, timeline)
    explanation = Explanation(
        text=text, writer=WRITER, model=model, prompt=prompt, cited_clues=cited,
        violations=GroundingGuard(request, view).check(text), fallback_reason=fallback_reason,
    )
    notes = list(warnings or [])
    if fusion.ignored_tags:
        notes.append(f"fusion ignored unknown clue tags: {', '.join(fusion.ignored_tags)}")
    if not request.clues:
        notes.append("no clue was found in any modality; the emotion is the neutral prior")
    return ReasoningOutcome(
        emotions=fusion.emotions, valence=fusion.valence, arousal=fusion.arousal,
        explanation=explanation, warnings=notes, decision=fusion.decision, timeline=timeline,
    )


class TemplateReasoner:
    """Fusion + the deterministic template paragraph (the default reasoner)."""

    name = WRITER

    def __init__(
        self,
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        prompt: str | None = None,
        cache: bool = True,
    ) -> None:
        """Options for language models are accepted and reported as ignored."""
        given = {"model": model, "base_url": base_url, "api_key": api_key, "prompt": prompt}
        self.ignored = sorted(k for k, v in given.items() if v is not None)
        self.cache = cache

    def reason(self, request: ReasoningRequest) -> ReasoningOutcome:
        """Fuse the clues and write the template paragraph."""
        warnings = [f"the template reasoner uses no model; ignored {', '.join(self.ignored)}"] if self.ignored else []
        return template_outcome(request, warnings=warnings)
