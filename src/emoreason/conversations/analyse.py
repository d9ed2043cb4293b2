"""One dialogue → :class:`DialogueAnalysis`: checks, sentence vectors, heads, clip evidence, explanations, flows."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from emoreason.conversations.clips import find_clip
from emoreason.conversations.model import DialogueHeads, PredictedUtterance, predict_dialogue
from emoreason.conversations.readers import DialogueInputError
from emoreason.conversations.records import (
    CANONICAL,
    MELD_EMOTIONS,
    CauseLink,
    CauseSpan,
    CitedClue,
    ClipEvidence,
    Dialogue,
    DialogueAnalysis,
    FlowStep,
    RankedEmotion,
    SpeakerFlow,
    UtteranceAnalysis,
)
from emoreason.conversations.writers import ExplainRequest

log = logging.getLogger(__name__)
ClipRunner = Callable[[Path, str], object]  # (clip, subtitle text) → ExplainResult


def check_dialogue(dialogue: Dialogue) -> list[str]:
    """Fatal problems raise; the others come back as warnings.

    Raises:
        DialogueInputError: no utterances, or an utterance id used twice.
    """
    where = f"{dialogue.source or '<dialogue>'}: conversation {dialogue.conversation_id}"
    if not dialogue.utterances:
        raise DialogueInputError(f"{where}: has no utterances")
    seen: dict[int, int] = {}
    for pos, u in enumerate(dialogue.utterances, 1):
        if u.utterance_id in seen:
            raise DialogueInputError(f"{where}: utterance id {u.utterance_id} is used twice "
                                     f"(rows {seen[u.utterance_id]} and {pos})")
        seen[u.utterance_id] = pos
    ids = [u.utterance_id for u in dialogue.utterances]
    warnings = list(dialogue.issues)
    if ids != sorted(ids):
        warnings.append(f"{where}: utterance ids are not in increasing order; file order is used as time order")
    empty = [str(u.utterance_id) for u in dialogue.utterances if not u.text.strip()]
    if empty:
        warnings.append(f"{where}: {len(empty)} empty utterance(s) ({', '.join(empty[:10])}): reported as neutral, "
                        "never a cause")
    return warnings


def embed(texts: list[str], encoder_name: str, *, cache: bool) -> np.ndarray:
    """Unit vectors of `texts` (zero rows for empty text), optionally through the on-disk cache."""
    from emoreason.heads.encoders import get_encoder

    encoder = get_encoder(encoder_name)
    vectors = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    keep = [k for k, t in enumerate(texts) if t.strip()]
    if keep:
        todo = [texts[k] for k in keep]
        if cache:
            from emoreason.heads.embedding_cache import cached_encode

            vectors[keep] = cached_encode(encoder, todo)
        else:
            vectors[keep] = encoder.encode(todo)
    return vectors


def ranked(probs: np.ndarray) -> list[RankedEmotion]:
    """All seven labels, best first."""
    order = np.argsort(-probs, kind="stable")
    return [RankedEmotion(label=MELD_EMOTIONS[k], canonical=CANONICAL[MELD_EMOTIONS[k]],
                          score=round(float(min(max(probs[k], 0.0), 1.0)), 4)) for k in order]


def clip_evidence(clip: Path | None, tried: list[str], text: str, runner: ClipRunner) -> ClipEvidence:
    """The pipeline's face/voice reading of one clip, or why there is none."""
    if clip is None:
        return ClipEvidence(clip=tried[0] if tried else "", status="missing",
                            message=f"no clip found (tried {', '.join(tried)}); analysed from text only")
    try:
        result = runner(clip, text)
    except Exception as exc:  # noqa: BLE001 - one bad clip never stops the dialogue
        return ClipEvidence(clip=str(clip), status="failed",
                            message=f"{type(exc).__name__}: {exc}; analysed from text only")
    clues = [c for c in result.clues if c.modality.value in ("face", "voice")]  # type: ignore[attr-defined]
    clues = sorted(clues, key=lambda c: -c.strength)[:6]
    emotions = [RankedEmotion(label=e.label, canonical=e.family or e.label, score=round(e.score, 4))
                for e in result.emotions[:5]]  # type: ignore[attr-defined]
    unread = [f"{m.modality.value}: {m.status.value}" for m in result.unread_modalities]  # type: ignore[attr-defined]
    return ClipEvidence(clip=str(clip), status="ok", emotions=emotions, unread=unread,
                        clues=[CitedClue(id=c.id, modality=c.modality.value, description=c.description,
                                         start=c.start, end=c.end, strength=c.strength) for c in clues])


def default_clip_runner(clip: Path, text: str) -> object:
    """``emoreason.pipeline.explain`` on one clip with the utterance as its subtitle."""
    from emoreason.pipeline import explain

    return explain(clip, subtitle=text if text.strip() else None, reasoner="template")


def speaker_flows(rows: list[UtteranceAnalysis]) -> list[SpeakerFlow]:
    """Each speaker's emotions in dialogue order, with a one-line summary of the changes."""
    flows: dict[str, SpeakerFlow] = {}
    for r in rows:
        flow = flows.setdefault(r.speaker, SpeakerFlow(speaker=r.speaker))
        flow.steps.append(FlowStep(utterance_id=r.utterance_id, emotion=r.emotion,
                                   score=r.emotions[0].score if r.emotions else 0.0))
    for flow in flows.values():
        parts, last = [], None
        for step in flow.steps:
            if step.emotion != last:
                parts.append(f"{step.emotion} (u{step.utterance_id})")
                last = step.emotion
        flow.summary = " → ".join(parts)
    return list(flows.values())


def _utterance_row(dialogue: Dialogue, pos: int, pred: PredictedUtterance, notes: list[str]) -> UtteranceAnalysis:
    utts = dialogue.utterances
    u = utts[pos]
    causes = [CauseLink(utterance_id=utts[j].utterance_id, score=round(s, 4), speaker=utts[j].speaker)
              for j, s in pred.causes]
    spans = [CauseSpan(utterance_id=utts[j].utterance_id, start=a, end=b, text=" ".join(utts[j].text.split()[a:b]),
                       score=round(s, 4)) for j, (a, b, s) in sorted(pred.spans.items())]
    if not u.text.strip():
        notes = [*notes, "empty utterance: nothing to read, reported as neutral"]
    return UtteranceAnalysis(conversation_id=dialogue.conversation_id, utterance_id=u.utterance_id, id=u.id,
                             speaker=u.speaker, text=u.text, emotion=pred.emotion,
                             canonical_emotion=CANONICAL[pred.emotion], emotions=ranked(pred.probabilities),
                             causes=causes, spans=spans, notes=notes)


def analyse_dialogue(dialogue: Dialogue, *, heads: DialogueHeads, writer: object, clips_dir: Path | None = None,
                     clip_paths: dict[int, Path] | None = None, clip_runner: ClipRunner | None = None,
                     use_clips: bool = False, context: bool = True, cache: bool = False) -> DialogueAnalysis:
    """Analyse one dialogue (see :func:`emoreason.conversations.converse`)."""
    t0 = time.perf_counter()
    warnings = check_dialogue(dialogue)
    utts = dialogue.utterances
    texts = [u.text for u in utts]
    vectors = embed(texts, heads.encoder, cache=cache)
    t1 = time.perf_counter()
    preds = predict_dialogue(heads, vectors, [u.speaker for u in utts], texts, context=context)
    t2 = time.perf_counter()
    rows = []
    runner = clip_runner or default_clip_runner
    for pos, pred in enumerate(preds):
        row = _utterance_row(dialogue, pos, pred, [])
        if use_clips:
            given = (clip_paths or {}).get(utts[pos].utterance_id)
            clip, tried = (given, [given.name]) if given else find_clip(utts[pos], dialogue.conversation_id, clips_dir)
            row.evidence = clip_evidence(clip, tried, utts[pos].text, runner)
            if row.evidence.status != "ok":
                row.notes.append(row.evidence.message)
        row.explanation = writer.write(ExplainRequest(dialogue=dialogue, position=pos, emotion=row.emotion,  # type: ignore[attr-defined]
                                                      causes=row.causes, spans=row.spans, evidence=row.evidence))
        rows.append(row)
    missing = sum(1 for r in rows if r.evidence is not None and r.evidence.status != "ok")
    if missing:
        warnings.append(f"conversation {dialogue.conversation_id}: {missing} of {len(rows)} utterances have no "
                        "usable clip; they were analysed from text only")
    timings = {"embed": t1 - t0, "heads": t2 - t1, "explain": time.perf_counter() - t2,
               "total": time.perf_counter() - t0}
    return DialogueAnalysis(conversation_id=dialogue.conversation_id, source=dialogue.source, format=dialogue.format,
                            utterances=rows, speakers=speaker_flows(rows),
                            models={**heads.model_ids(), "writer": getattr(writer, "name", "template")},
                            warnings=warnings, timings={k: round(v, 4) for k, v in timings.items()})
