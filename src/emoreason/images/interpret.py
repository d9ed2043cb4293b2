"""`interpret(IMAGE)`: who is in a still image, what each person feels, and why (EIBench's task).

Offline (the default) every reading is measured: faces (mesh, AUs, expression), body pose and
hands per person, people count and layout, image statistics and text in the image (OCR when
installed). Per-person emotions are fused from that person's clues; triggers and the numbered
answer are built from the clues (:mod:`emoreason.images.triggers`).

With a vision-language endpoint (``base_url`` + ``model``, OpenAI-compatible) the picture and
the measured evidence go to the model, directly (``method="direct"``) or through the
coarse-to-fine self-ask loop (``method="cfsa"``, the default there); its answer must pass the
grounding check against the evidence, and a model that fails or replies badly leaves the
offline answer in place, with the reason recorded.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.images import scene as scenes
from emoreason.images.loading import DEFAULT_MAX_SIDE, LoadedImage, load_image
from emoreason.images.people import PeopleReading, image_media, read_people
from emoreason.images.records import InterpretResult, SceneReading
from emoreason.images.triggers import answer_text, build_triggers
from emoreason.records import Clue, Modality, ModalityReport, StageStatus

log = logging.getLogger(__name__)
METHODS = ("template", "direct", "cfsa")


def _start_ocr(image: LoadedImage, enabled: bool) -> Future | None:
    if not enabled or not scenes.ocr_available():
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emoreason-ocr")
    future = pool.submit(scenes.read_text, image.rgb)
    pool.shutdown(wait=False)
    return future


def _text_report(future: Future | None, enabled: bool) -> tuple[ModalityReport, list[Clue]]:
    if not enabled:
        return ModalityReport(modality=Modality.TEXT, status=StageStatus.UNAVAILABLE, message="OCR switched off"), []
    if future is None:
        return ModalityReport(modality=Modality.TEXT, status=StageStatus.UNAVAILABLE,
                              message="text in the image not read: rapidocr-onnxruntime is not installed"), []
    try:
        lines = future.result()
    except Exception as exc:  # noqa: BLE001 - OCR failure is reported, the rest of the reading stands
        return ModalityReport(modality=Modality.TEXT, status=StageStatus.FAILED, message=f"OCR failed: {exc}"), []
    clues = scenes.text_clues(lines)
    status = StageStatus.OK if clues else StageStatus.EMPTY
    message = f"{len(clues)} line(s) of text" if clues else "no text found in the image"
    return ModalityReport(modality=Modality.TEXT, status=status, message=message, extractor=scenes.OCR_SOURCE,
                          clues=clues), clues


def _scene(image: LoadedImage, reading: PeopleReading) -> tuple[SceneReading, list[Clue]]:
    stats = scenes.image_stats(image.rgb)
    layout = scenes.layout_phrase([p.position for p in reading.people])
    clues = scenes.stats_clues(stats)
    group = scenes.layout_clue(len(reading.people), layout)
    if group is not None:
        clues.append(group)
    w, h = image.source_size
    scene = SceneReading(width=w, height=h, stats=stats, people_count=len(reading.people), layout=layout,
                         clue_ids=[c.id for c in clues])
    return scene, clues


def _not_read(result: InterpretResult) -> list[str]:
    lines = [f"{m.modality.value}: {m.status.value} — {m.message}" for m in result.modalities
             if m.status is not StageStatus.OK]
    for person in result.people:
        lines += [f"{person.id}: {why}" for why in person.not_read]
    lines.append("objects and setting: not read offline (no scene model ships in any wheel; give a vision "
                 "endpoint with --base-url/--model)" if result.method == "template" else "")
    return [line for line in lines if line]


def _image_valence(reading: PeopleReading, fused: float | None) -> float | None:
    """Face-size-weighted mean of the people's valences (the scene's own fused valence without people)."""
    rated = [(p.size, p.valence) for p in reading.people if p.valence is not None]
    if not rated:
        return fused
    total = sum(w for w, _ in rated) or 1.0
    return round(max(-1.0, min(1.0, sum(w * v for w, v in rated) / total)), 3)


def read_image_evidence(image: LoadedImage, *, ocr: bool = True, body: bool = True) -> InterpretResult:
    """The offline reading of a loaded picture (people, scene, clues, emotions, triggers, answer)."""
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.protocol import ReasoningRequest

    timings: dict[str, float] = {}
    t = time.perf_counter()
    future = _start_ocr(image, ocr)
    reading = read_people(image, with_body=body)
    timings["people"] = time.perf_counter() - t
    scene, scene_clues = _scene(image, reading)
    t = time.perf_counter()
    text_report, text_clues = _text_report(future, ocr)
    timings["text_wait"] = time.perf_counter() - t
    scene.text = [str(c.evidence[0].value) for c in text_clues]
    scene.clue_ids += [c.id for c in text_clues]
    clues = [*reading.clues, *scene_clues, *text_clues]
    scene_report = ModalityReport(modality=Modality.SCENE, status=StageStatus.OK, extractor=scenes.SOURCE,
                                  message=f"image statistics; layout: {scene.layout}", clues=scene_clues)
    reports = [*reading.reports, scene_report, text_report]
    fused = fuse(ReasoningRequest(media=image_media(image), modalities=reports))
    return InterpretResult(
        path=str(image.path), method="template", people=reading.people, scene=scene, clues=clues,
        emotions=fused.emotions[:6], valence=_image_valence(reading, fused.valence), modalities=reports,
        notes=list(image.notes),
        timings=timings,
    )


def interpret(
    path: str | Path,
    *,
    question: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    method: str | None = None,
    backend: object | None = None,
    ocr: bool = True,
    body: bool = True,
    max_side: int = DEFAULT_MAX_SIDE,
) -> InterpretResult:
    """Interpret the emotions in a still image and their explicit and implicit triggers.

    Args:
        path: the image (jpg, png, webp, gif, tiff, bmp …).
        question: an EIBench-style question ("What might have caused the woman to be happy?").
        base_url, model, api_key: an OpenAI-compatible vision endpoint (optional).
        method: ``template`` (offline), ``direct`` or ``cfsa``; default ``cfsa`` with an endpoint.
        backend: a ready :class:`~emoreason.reasoning.backends.vision.VisionBackend` (overrides the URL).
        ocr, body: read text in the image / body pose and hands.
        max_side: analyse the picture downscaled to this longer side.

    Raises:
        MediaError: the image is missing, empty, corrupt, truncated or too large.
        RegistryError: unknown method.
        BackendError: the endpoint is misconfigured (no model name …).
    """
    from emoreason import __version__

    t0 = time.perf_counter()
    wants_model = backend is not None or bool(base_url) or bool(model)
    method = method or ("cfsa" if wants_model else "template")
    if method not in METHODS:
        from emoreason.errors import RegistryError

        raise RegistryError(f"unknown interpret method {method!r}; choose one of: {', '.join(METHODS)}")
    if method != "template" and backend is None:
        from emoreason.reasoning.backends.vision import VisionBackend

        backend = VisionBackend(base_url, model, api_key=api_key)
    image = load_image(path, max_side=max_side)
    result = read_image_evidence(image, ocr=ocr, body=body)
    result.question = question
    result.emoreason_version = __version__
    result.triggers = build_triggers(result.people, result.scene, result.clues, question)
    result.answer = answer_text(result.triggers)
    if method != "template":
        t = time.perf_counter()
        _ask_model(result, image, backend, method)
        result.timings["model"] = time.perf_counter() - t
    result.not_read = _not_read(result)
    result.timings["total"] = time.perf_counter() - t0
    result.timings = {k: round(v, 3) for k, v in result.timings.items()}
    return result


def _ask_model(result: InterpretResult, image: LoadedImage, backend: object, method: str) -> None:
    """Replace the offline triggers with the model's, when its answer is usable; record why not."""
    from emoreason.images.cfsa import run_cfsa, run_direct
    from emoreason.images.grounding import check_answer

    result.method, result.model = method, getattr(backend, "model_id", None)
    try:
        outcome = (run_cfsa if method == "cfsa" else run_direct)(backend, image, result)  # type: ignore[arg-type]
    except EmoreasonError as exc:
        log.warning("vision model failed on %s: %s", result.path, exc)
        result.fallback_reason = f"vision model failed: {exc}; the offline answer is kept"
        return
    result.rounds = outcome.rounds
    if outcome.triggers is None:
        result.fallback_reason = f"{outcome.error or 'no usable answer'}; the offline answer is kept"
        return
    result.triggers, result.answer = outcome.triggers, answer_text(outcome.triggers)
    result.violations = check_answer(result.answer, result)
