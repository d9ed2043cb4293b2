"""The end-to-end path: probe → perception stages → reasoning → :class:`ExplainResult`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from emoreason.errors import EmoreasonError, MissingStreamError, RegistryError
from emoreason.io import probe, read_subtitles
from emoreason.perception.base import ClipContext, PerceptionStage
from emoreason.perception.stages import DEFAULT_ORDER, EARLY_START, STAGE_MODALITIES, STAGES
from emoreason.reasoning.protocol import Reasoner, ReasoningRequest
from emoreason.records import (
    ExplainResult,
    Modality,
    ModalityReport,
    StageStatus,
    Transcript,
)

log = logging.getLogger(__name__)

#: Modalities no offline stage reads yet, reported honestly as unavailable.
UNREAD = {
    Modality.SCENE: "no offline scene model ships in any registry package; scene clues are not read",
}


def load_stages(
    names: Sequence[str] = DEFAULT_ORDER,
    *,
    start: ClipContext | None = None,
    strict: bool = False,
    **options: object,
) -> tuple[list[PerceptionStage], list[ModalityReport]]:
    """Instantiate the named stages (returned in `names` order).

    A registered stage that cannot be imported becomes an UNAVAILABLE report; an unknown name
    raises :class:`RegistryError`. With `start`, each stage that
    offers background work is started on that clip as soon as it is built, and the stages that
    do are built first (:data:`EARLY_START`), so their work overlaps the others' imports.
    `options` are ``"<stage>.<argument>"`` keyword arguments for the stage constructors.
    """
    built: dict[str, PerceptionStage] = {}
    missing: list[ModalityReport] = []
    for name in sorted(names, key=lambda n: n not in EARLY_START):
        STAGES.spec(name)  # an unknown name is an error, not a missing modality
        try:
            cls = STAGES.resolve(name)
        except RegistryError as exc:
            missing += [
                ModalityReport(modality=m, status=StageStatus.UNAVAILABLE, message=str(exc))
                for m in STAGE_MODALITIES.get(name, ())
            ]
            continue
        kwargs = {k.split(".", 1)[1]: v for k, v in options.items() if k.startswith(f"{name}.")}
        built[name] = cls(**kwargs)
        if start is not None:
            _start_stage(built[name], start, strict=strict)
    return [built[n] for n in names if n in built], missing


def _run_stage(stage: PerceptionStage, ctx: ClipContext, *, strict: bool) -> list[ModalityReport]:
    """Run one stage; a missing stream or a stage failure becomes a report, never a crash."""
    started = time.perf_counter()
    try:
        reports = stage.run(ctx)
    except MissingStreamError as exc:
        reports = [
            ModalityReport(modality=m, status=StageStatus.MISSING, message=str(exc), extractor=stage.name)
            for m in stage.modalities
        ]
    except Exception as exc:  # noqa: BLE001 - a stage failure is reported, the other stages go on
        if strict:
            raise
        reason = str(exc) if isinstance(exc, EmoreasonError) else f"{type(exc).__name__}: {exc}"
        log.warning("stage %s failed on %s: %s", stage.name, ctx.path, reason)
        ctx.warnings.append(f"{stage.name} stage failed: {reason}")
        reports = [
            ModalityReport(modality=m, status=StageStatus.FAILED, message=reason, extractor=stage.name)
            for m in stage.modalities
        ]
    elapsed = time.perf_counter() - started
    for report in reports:
        report.seconds = report.seconds if report.seconds is not None else elapsed
    return reports


def _start_stage(stage: PerceptionStage, ctx: ClipContext, *, strict: bool) -> None:
    """Let a stage begin its independent work in the background, if it offers ``start``."""
    start = getattr(stage, "start", None)
    if start is None:
        return
    try:
        start(ctx)
    except Exception as exc:  # noqa: BLE001 - the stage runs in the foreground instead
        if strict:
            raise
        log.warning("stage %s could not start in the background: %s", stage.name, exc)


def _span_untimed(transcript: Transcript, duration: float) -> Transcript:
    """Untimed subtitle text (plain text) is taken to span the whole clip."""
    if transcript.is_timed:
        return transcript
    segments = [
        s if s.start is not None and s.end is not None else s.model_copy(update={"start": 0.0, "end": duration})
        for s in transcript.segments
    ]
    return transcript.model_copy(update={"segments": segments})


def explain(
    path: str | Path,
    *,
    subtitle: str | Path | Transcript | None = None,
    language: str | None = None,
    reasoner: str | Reasoner = "template",
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    prompt: str | None = None,
    cache: bool = True,
    stages: Sequence[PerceptionStage] | None = None,
    egemaps: bool = False,
    strict: bool = False,
) -> ExplainResult:
    """Explain which emotions the person in `path` shows, and why.

    Args:
        path: a video (or audio-only file, or still image).
        subtitle: subtitle file path, literal text, or a ready :class:`Transcript`; when
            absent the text stage falls back to ASR.
        language: language tag of the subtitles (e.g. 'en', 'zh').
        reasoner: 'template' (default, no model), 'llama-cpp', 'openai', or a Reasoner.
        model, base_url, api_key, prompt, cache: passed to the reasoner factory.
        stages: perception stages to run (default: voice, text, face).
        egemaps: also compute openSMILE eGeMAPS functionals into ``result.voice`` (needs the
            research-licensed `opensmile`; off by default: no clue uses them, and the default
            path stays on permissively licensed code).
        strict: re-raise stage failures instead of reporting them (debugging).

    Raises:
        MediaError: the file is missing, empty, not media or undecodable.
        SubtitleError: the subtitles cannot be read.
    """
    from emoreason import __version__

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    media = probe(path)
    # built before perception so that a bad reasoner name or model path fails fast
    writer = _get_reasoner(reasoner, model=model, base_url=base_url, api_key=api_key, prompt=prompt, cache=cache)
    transcript = subtitle if isinstance(subtitle, Transcript) else (
        read_subtitles(subtitle, language=language) if subtitle is not None else None
    )
    if transcript is not None:
        transcript = _span_untimed(transcript, media.duration)
    ctx = ClipContext(path=Path(path), media=media, transcript=transcript)
    timings["probe"] = time.perf_counter() - t0
    reports: list[ModalityReport] = []
    if stages is None:
        stages, reports = load_stages(start=ctx, strict=strict, **{"voice.egemaps": egemaps})
    else:
        for stage in stages:
            _start_stage(stage, ctx, strict=strict)
    timings["load"] = time.perf_counter() - t0 - timings["probe"]
    for stage in stages:
        started = time.perf_counter()
        reports += _run_stage(stage, ctx, strict=strict)
        timings[stage.name] = time.perf_counter() - started
    reports += [
        ModalityReport(modality=m, status=StageStatus.UNAVAILABLE, message=msg)
        for m, msg in UNREAD.items() if all(r.modality != m for r in reports)
    ]
    request = ReasoningRequest(
        media=media, modalities=reports, transcript=ctx.transcript, face=ctx.face, voice=ctx.voice
    )
    t1 = time.perf_counter()
    outcome = writer.reason(request)
    timings["reasoning"] = time.perf_counter() - t1
    timings["total"] = time.perf_counter() - t0
    return ExplainResult(
        emoreason_version=__version__, media=media, modalities=reports, transcript=ctx.transcript,
        face=ctx.face, voice=ctx.voice, emotions=outcome.emotions, valence=outcome.valence,
        arousal=outcome.arousal, explanation=outcome.explanation, **_decision_and_timeline(outcome, request),
        warnings=[*ctx.warnings, *outcome.warnings], timings=timings,
    )


def _decision_and_timeline(outcome: object, request: ReasoningRequest) -> dict[str, object]:
    """The outcome's decision and timeline; computed here when its writer left them out."""
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.timeline import build_timeline

    decision = getattr(outcome, "decision", None) or fuse(request).decision
    timeline = getattr(outcome, "timeline", None) or build_timeline(request)
    return {"decision": decision, "timeline": timeline}


def _get_reasoner(reasoner: str | Reasoner, **options: object) -> Reasoner:
    if not isinstance(reasoner, str):
        return reasoner
    from emoreason.reasoning import get_reasoner

    return get_reasoner(reasoner, **options)  # type: ignore[arg-type]
