"""MERR annotation of one explained clip: coarse record (template) and fine caption (LLM merge).

Emotion-LLaMA's MERR pipeline per clip: the emotional peak frame by AU activity and its AU
phrases (visual expression), a description of the peak frame's scene (visual objective), the
vocal tone, the subtitle; a coarse caption concatenating them with the label; a fine caption
in which an LLM merges the clues; samples whose clues contradict each other are filtered
(here: flagged, see :mod:`emoreason.annotation.contradictions`).
"""

from __future__ import annotations

from emoreason.annotation.contradictions import au_pseudo_label, label_conflicts, modality_conflicts, top_two
from emoreason.annotation.llm import Recorder
from emoreason.annotation.records import AnnotationRecord, AnnotationStatus, ClueSpan
from emoreason.records import ExplainResult, Modality, StageStatus

MERGE_PROMPT = "merr"
NOT_READ = "(not read)"


def audio_tone(result: ExplainResult) -> str:
    """The voice clues as one tone description ('' when the voice was not read)."""
    report = result.report(Modality.VOICE)
    if report is None or report.status is not StageStatus.OK or not report.clues:
        return ""
    ranked = sorted(report.clues, key=lambda c: -c.strength)[:4]
    return "; ".join(dict.fromkeys(c.description for c in sorted(ranked, key=lambda c: c.start)))


def scene_text(result: ExplainResult) -> str | None:
    """The scene clues (only read with a vision endpoint), else None."""
    report = result.report(Modality.SCENE)
    if report is None or report.status is not StageStatus.OK or not report.clues:
        return None
    return " ".join(dict.fromkeys(c.description.rstrip(".") + "." for c in report.clues))


def missing_modalities(result: ExplainResult) -> dict[str, str]:
    """Modality → why it was not read (status and the stage's message)."""
    return {r.modality.value: f"{r.status.value}: {r.message}".rstrip(": ")
            for r in result.modalities if r.status is not StageStatus.OK}


def perception_fields(clip_id: str, source: str, result: ExplainResult) -> AnnotationRecord:
    """Every MERR field that perception gives (no LLM yet): status OK until checked."""
    peak = result.face.peak if result.face is not None else None
    decision = result.decision
    transcript = result.transcript
    top = decision.probabilities[0].score if decision is not None and decision.probabilities else None
    return AnnotationRecord(
        id=clip_id, source_path=source, status=AnnotationStatus.OK, duration=result.media.duration,
        au_list=list(peak.frequent_aus) if peak else [],
        visual_prior_list=[_phrase(a) for a in peak.frequent_aus] if peak else [],
        peak_index=peak.frame if peak else None, peak_time=round(peak.time, 3) if peak else None,
        peak_au_list=list(peak.aus) if peak else [], peak_au_phrases=list(peak.phrases) if peak else [],
        audio_tone=audio_tone(result), transcript=transcript.text if transcript is not None else "",
        transcript_source=transcript.source.value if transcript is not None else None,
        language=transcript.language if transcript is not None else None, scene=scene_text(result),
        pseudo_label=au_pseudo_label(list(peak.aus)) if peak else None,
        label=decision.label if decision is not None else (result.emotions[0].family if result.emotions else None),
        label_probability=top, top_labels=top_two(decision), contradictions=modality_conflicts(decision),
        emotions=[e.label for e in result.emotions[:5]],
        explanation=result.explanation.text if result.explanation is not None else "",
        missing=missing_modalities(result),
        clues=[ClueSpan(modality=c.modality.value, start=round(c.start, 2), end=round(c.end, 2),
                        description=c.description, strength=round(c.strength, 2)) for c in result.clues],
        emoreason_version=result.emoreason_version,
    )


def _phrase(code: str) -> str:
    from emoreason.perception.face.vocabulary import au_phrase

    try:
        return au_phrase(code)
    except KeyError:
        return code


def coarse_caption(rec: AnnotationRecord) -> str:
    """MERR's coarse description: [visual expression] + [audio tone] + [textual content] → label."""
    parts = []
    if rec.peak_au_phrases:
        parts.append(f"Visual expression: {', '.join(rec.peak_au_phrases)}.")
    if rec.scene:
        parts.append(f"Visual objective: {rec.scene}")
    if rec.audio_tone:
        parts.append(f"Audio tone: {rec.audio_tone}.")
    if rec.transcript:
        parts.append(f'Text: "{rec.transcript}"')
    parts.append(f"Label: {rec.label or 'unknown'}.")
    return " ".join(parts)


def template_caption(rec: AnnotationRecord) -> str:
    """The offline merge: a deterministic MERR-style paragraph from the same clues."""
    sentences = []
    if rec.peak_au_phrases:
        sentences.append(f"In the video, at the emotional peak ({rec.peak_time:.1f} s) the person shows "
                         f"{_join(rec.peak_au_phrases)}.")
    elif rec.peak_index is not None:
        sentences.append(f"In the video, at the emotional peak ({rec.peak_time or 0:.1f} s) the face shows no marked "
                         "action unit.")
    else:
        sentences.append("In the video, no face expression could be read.")
    if rec.scene:
        sentences.append(f"The scene: {rec.scene}")
    if rec.audio_tone:
        sentences.append(f"The voice: {rec.audio_tone}.")
    if rec.transcript:
        sentences.append(f'The person says: "{rec.transcript}".')
    label = rec.label or "neutral"
    if label == "neutral":
        sentences.append("Taken together, no single emotion stands out: the person appears neutral.")
    else:
        sentences.append(f"Taken together, these clues suggest that the person feels {label}.")
    return " ".join(sentences)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def merge_messages(rec: AnnotationRecord) -> list:
    """The chat messages of the MERR merge for `rec`."""
    from emoreason.reasoning.llm import ChatMessage
    from emoreason.reasoning.prompting import fill, load_step_prompts

    prompts = load_step_prompts(MERGE_PROMPT)
    values = {
        "peak_time": f"{rec.peak_time:.1f} s" if rec.peak_time is not None else "no face",
        "visual_expression": ", ".join(rec.peak_au_phrases) or NOT_READ,
        "visual_objective": rec.scene or NOT_READ, "audio_tone": rec.audio_tone or NOT_READ,
        "subtitle": f'"{rec.transcript}"' if rec.transcript else NOT_READ, "label": rec.label or "unknown",
    }
    return [ChatMessage(role="system", content=prompts.system),
            ChatMessage(role="user", content=fill(prompts.steps["merge"], values))]


def merge(rec: AnnotationRecord, recorder: Recorder) -> AnnotationRecord:
    """Write the fine caption of `rec` (LLM or template), check contradictions, set the status.

    The modality contradictions found at perception time are kept; the label checks are redone,
    so a clip whose merge failed can be merged again from its record alone.
    """
    import json

    from emoreason.errors import ModelOutputError
    from emoreason.reasoning.structured import extract_json

    rec.coarse_caption = coarse_caption(rec)
    template = template_caption(rec)
    reply = json.dumps({"caption": template, "emotion": rec.label or "neutral", "contradictory": False})
    outcome = recorder.ask("merr.merge", f"{MERGE_PROMPT}:merge", merge_messages(rec), template_reply=reply,
                           json_mode=True)
    rec.llm_calls.append(outcome.call)
    rec.writer = recorder.writer
    if outcome.text is None:
        rec.status, rec.error = AnnotationStatus.LLM_FAILED, f"LLM merge failed: {outcome.call.error}"
        return rec
    try:
        answer, _ = extract_json(outcome.text)
        caption = " ".join(str(answer.get("caption") or "").split())
        if not caption:
            raise ModelOutputError("the reply has no caption")
    except ModelOutputError as exc:
        outcome.call.ok, outcome.call.error = False, str(exc)
        rec.status, rec.error = AnnotationStatus.LLM_FAILED, f"LLM merge unusable: {exc}"
        return rec
    rec.fine_caption = caption
    rec.caption_emotion = str(answer.get("emotion") or "").strip() or None
    rec.contradictions = [*(c for c in rec.contradictions if c.kind == "modalities"),
                          *label_conflicts(rec.pseudo_label, rec.top_labels, rec.caption_emotion,
                                           answer.get("contradictory") is True)]
    rec.status = AnnotationStatus.FLAGGED if rec.contradictions else AnnotationStatus.OK
    rec.error = None
    return rec
