"""The end-to-end path: probe → perception stages → reasoning → :class:`ExplainResult`."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from pathlib import Path

from emoreason.errors import EmoreasonError, MissingStreamError, RegistryError
from emoreason.io import probe, read_subtitles
from emoreason.io.subtitles import fit_to_clip
from emoreason.perception.base import ClipContext, PerceptionStage
from emoreason.perception.stages import DEFAULT_ORDER, EARLY_START, STAGE_MODALITIES, STAGES
from emoreason.reasoning.protocol import Reasoner, ReasoningOutcome, ReasoningRequest
from emoreason.records import (
    ExplainResult,
    MediaInfo,
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


#: Most clues one modality may report; beyond it the strongest are kept, with a warning.
MAX_CLUES_PER_MODALITY = 500


def _bound_clues(reports: list[ModalityReport], warnings: list[str]) -> None:
    """Keep at most :data:`MAX_CLUES_PER_MODALITY` clues per report (the strongest), saying so."""
    for report in reports:
        if len(report.clues) > MAX_CLUES_PER_MODALITY:
            n = len(report.clues)
            kept = sorted(report.clues, key=lambda c: -c.strength)[:MAX_CLUES_PER_MODALITY]
            report.clues = sorted(kept, key=lambda c: c.start)
            warnings.append(f"{report.modality.value}: {n:,} clues found; only the {MAX_CLUES_PER_MODALITY} "
                            "strongest are kept")


def _failure_warnings(reports: list[ModalityReport], warnings: list[str]) -> None:
    """Every FAILED report is named in the warnings (stages that catch their own errors included)."""
    for report in reports:
        if report.status is StageStatus.FAILED and not any(report.message in w for w in warnings):
            warnings.append(f"{report.modality.value} stage failed: {report.message}")


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
    asr: bool = True,
    strict: bool = False,
    fallback: str = "template",
    all_people: bool = False,
) -> ExplainResult:
    """Explain which emotions the person in `path` shows, and why.

    Args:
        path: a video (or audio-only file, or still image).
        subtitle: subtitle file path, literal text, or a ready :class:`Transcript`; when
            absent the text stage falls back to ASR.
        language: language spoken / of the subtitles (e.g. 'en', 'zh'); also steers ASR (skips
            language detection; an English-only recogniser is never run on other languages).
        reasoner: 'template' (default, no model), 'llama-cpp', 'openai', or a Reasoner.
        model, base_url, api_key, prompt, cache: passed to the reasoner factory.
        stages: perception stages to run (default: voice, text, face).
        egemaps: also compute openSMILE eGeMAPS functionals into ``result.voice`` (needs the
            research-licensed `opensmile`; off by default: no clue uses them, and the default
            path stays on permissively licensed code).
        asr: recognise speech when no subtitles are given (False: words from subtitles only).
        strict: re-raise stage failures instead of reporting them (debugging).
        fallback: when a language-model backend fails: ``template`` writes the explanation
            (with a warning), ``none`` raises its BackendError.
        all_people: describe every tracked face in ``result.people``, not only the main one.

    Raises:
        MediaError: the file is missing, empty, not media or undecodable.
        SubtitleError: the subtitles cannot be read.
    """
    from emoreason import __version__

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    media = probe(path)
    log.info("probe: %s, %.1f s, %s", Path(path).name, media.duration,
             " + ".join(k for k, v in (("video", media.video), ("audio", media.audio)) if v) or "no stream")
    # built before perception so that a bad reasoner name or model path fails fast
    writer = _get_reasoner(reasoner, model=model, base_url=base_url, api_key=api_key, prompt=prompt, cache=cache,
                           fallback=fallback)
    ctx = _clip_context(Path(path), media, subtitle, language)
    timings["probe"] = time.perf_counter() - t0
    text_options = {"text.language": language} if asr else {"text.asr": None}
    reports = _perceive(ctx, stages, timings, strict=strict, options={"voice.egemaps": egemaps, **text_options})
    _bound_clues(reports, ctx.warnings)
    _failure_warnings(reports, ctx.warnings)
    reports += [
        ModalityReport(modality=m, status=StageStatus.UNAVAILABLE, message=msg)
        for m, msg in UNREAD.items() if all(r.modality != m for r in reports)
    ]
    request = ReasoningRequest(
        media=media, modalities=reports, transcript=ctx.transcript, face=ctx.face, voice=ctx.voice
    )
    t1 = time.perf_counter()
    log.info("reasoning: %s writer started", getattr(writer, "name", "the"))
    outcome = writer.reason(request)
    timings["reasoning"] = time.perf_counter() - t1
    log.info("reasoning: done in %.1f s", timings["reasoning"])
    timings["total"] = time.perf_counter() - t0
    return ExplainResult(
        emoreason_version=__version__, media=media, modalities=reports, transcript=ctx.transcript,
        face=ctx.face, voice=ctx.voice, emotions=outcome.emotions, valence=outcome.valence,
        arousal=outcome.arousal, explanation=outcome.explanation, **_decision_and_timeline(outcome, request),
        warnings=[*ctx.warnings, *outcome.warnings], timings=timings, people=_people(ctx, media, all_people),
    )


def _clip_context(path: Path, media: MediaInfo, subtitle: str | Path | Transcript | None,
                  language: str | None) -> ClipContext:
    """The stages' shared context: the media, its warnings and the subtitles (read, then fitted to the clip)."""
    transcript = subtitle if isinstance(subtitle, Transcript) else (
        read_subtitles(subtitle, language=language) if subtitle is not None else None
    )
    ctx = ClipContext(path=path, media=media, warnings=list(media.warnings))
    if transcript is not None:
        transcript, fit_warning = fit_to_clip(transcript, media.duration)
        ctx.transcript, ctx.warnings = transcript, ctx.warnings + ([fit_warning] if fit_warning else [])
    return ctx


def _perceive(ctx: ClipContext, stages: Sequence[PerceptionStage] | None, timings: dict[str, float], *,
              strict: bool, options: dict[str, object]) -> list[ModalityReport]:
    """Load (default `stages`: the registered ones with `options`) or start the stages, then run each on
    `ctx`; their reports, with load and per-stage seconds added to `timings`."""
    started = time.perf_counter()
    reports: list[ModalityReport] = []
    if stages is None:
        stages, reports = load_stages(_stage_names(), start=ctx, strict=strict, **options)
    else:
        for stage in stages:
            _start_stage(stage, ctx, strict=strict)
    timings["load"] = time.perf_counter() - started
    for stage in stages:
        started = time.perf_counter()
        log.info("%s stage: started", stage.name)
        reports += _run_stage(stage, ctx, strict=strict)
        timings[stage.name] = time.perf_counter() - started
        log.info("%s stage: done in %.1f s (%s)", stage.name, timings[stage.name], _summary(reports, stage))
    return reports


def _people(ctx: ClipContext, media: object, wanted: bool) -> list:
    """Per-person emotions of every face track (``--all-people``), else none."""
    from emoreason.images.tracks import describe_people

    return describe_people(ctx.face_table, ctx.face, media) if wanted else []


def _decision_and_timeline(outcome: ReasoningOutcome, request: ReasoningRequest) -> dict[str, object]:
    """The outcome's decision and timeline; computed here only for a reasoner that does not set them.

    The built-in writers fill both (``None`` / ``[]`` when no learned head read anything), so the
    clues are not fused a second time.
    """
    given = outcome.model_fields_set
    decision = outcome.decision
    if "decision" not in given:
        from emoreason.reasoning.fusion import fuse

        decision = fuse(request).decision
    timeline = outcome.timeline
    if "timeline" not in given:
        from emoreason.reasoning.timeline import build_timeline

        timeline = build_timeline(request)
    return {"decision": decision, "timeline": timeline}


def _stage_names() -> tuple[str, ...]:
    """The default stages, plus ``scene`` when a vision endpoint is configured (EMOREASON_VISION_*)."""
    from emoreason.reasoning.backends.vision import vision_configured

    return (*DEFAULT_ORDER, "scene") if vision_configured() else DEFAULT_ORDER


def _summary(reports: list[ModalityReport], stage: PerceptionStage) -> str:
    """'face ok, 17 clues' for the progress log."""
    own = [r for r in reports if r.modality in stage.modalities]
    return "; ".join(f"{r.modality.value} {r.status.value}, {len(r.clues)} clues" for r in own) or "no report"


def _get_reasoner(reasoner: str | Reasoner, **options: object) -> Reasoner:
    if not isinstance(reasoner, str):
        return reasoner
    from emoreason.reasoning import get_reasoner

    return get_reasoner(reasoner, **options)  # type: ignore[arg-type]
