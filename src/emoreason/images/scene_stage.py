"""The optional ``scene`` perception stage of ``explain``: key frames → a vision-language model.

No offline model reads a scene, so this stage is only active when a vision endpoint is
configured (``EMOREASON_VISION_BASE_URL`` + ``EMOREASON_VISION_MODEL``, or constructor
arguments); the pipeline adds it to the default stages only then. It sends the face stage's
peak frame and key frames (10 %, 50 %, 90 % of the clip) as images with the ``scene`` prompt
and turns the validated reply into SCENE clues (tags ``object:<word>`` and ``crowd``), which
the grounding guard and fusion read like any other clue. A failed call is a FAILED report,
never a crash.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from emoreason.errors import EmoreasonError
from emoreason.perception.base import ClipContext
from emoreason.records import Clue, Evidence, Modality, ModalityReport, StageStatus

SOURCE = "vision-language model (scene prompt)"
KEY_POINTS = (0.1, 0.5, 0.9)


class _SceneClue(BaseModel):
    model_config = ConfigDict(extra="ignore")

    description: str = Field(min_length=3)
    time: float | None = None
    objects: list[str] = Field(default_factory=list)


class _SceneReply(BaseModel):
    model_config = ConfigDict(extra="ignore")

    setting: str = ""
    people_count: int | None = None
    clues: list[_SceneClue] = Field(default_factory=list)


def key_times(duration: float, peak: float | None, max_frames: int = 3) -> list[float]:
    """The peak frame's time first, then key points of the clip, at least 1 s apart."""
    times: list[float] = [peak] if peak is not None else []
    for f in KEY_POINTS:
        t = round(duration * f, 2)
        if all(abs(t - x) >= 1.0 for x in times):
            times.append(t)
    return times[:max_frames] if duration > 0 else [0.0]


def grab_frames(path: Path, times: list[float]) -> list[tuple[float, object]]:
    """(time, RGB array) of the first frame at or after each time (stills: the image once)."""
    from emoreason.io import iter_frames

    out = []
    for t in times:
        frame = next(iter(iter_frames(path, start=t, end=t + 1.0, max_side=768)), None)
        if frame is not None:
            out.append((frame.time, frame.image))
    return out


class SceneStage:
    """Scene clues from a vision-language model (see the module docstring)."""

    name: ClassVar[str] = "scene"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.SCENE,)

    def __init__(self, *, base_url: str | None = None, model: str | None = None, api_key: str | None = None,
                 max_frames: int = 3) -> None:
        self.base_url, self.model, self.api_key, self.max_frames = base_url, model, api_key, max_frames

    def _report(self, status: StageStatus, message: str, t0: float, clues: list[Clue] | None = None) -> ModalityReport:
        return ModalityReport(modality=Modality.SCENE, status=status, message=message, extractor=SOURCE,
                              clues=clues or [], seconds=round(time.perf_counter() - t0, 3))

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        """Ask the model about the clip's key frames; SCENE report with its clues."""
        from emoreason.reasoning.backends.vision import VisionBackend, VisionMessage, encode_image, vision_configured
        from emoreason.reasoning.prompting import fill, load_step_prompts
        from emoreason.reasoning.structured import extract_json

        t0 = time.perf_counter()
        if not (self.base_url and self.model) and not vision_configured():
            return [self._report(StageStatus.UNAVAILABLE, "no vision endpoint configured "
                                 "(EMOREASON_VISION_BASE_URL, EMOREASON_VISION_MODEL)", t0)]
        if ctx.media is not None and not ctx.media.has_video:
            return [self._report(StageStatus.MISSING, f"{ctx.path.name} has no video stream", t0)]
        peak = ctx.face.peak.time if ctx.face is not None and ctx.face.peak is not None else None
        frames = grab_frames(ctx.path, key_times(ctx.media.duration if ctx.media else 0.0, peak, self.max_frames))
        if not frames:
            return [self._report(StageStatus.EMPTY, "no frame could be decoded for the scene", t0)]
        labels = [f"{'peak frame' if peak is not None and abs(t - peak) < 0.5 else 'key frame'} at {t:.1f} s"
                  for t, _ in frames]
        prompts = load_step_prompts("scene")
        people = len(ctx.face.tracks) if ctx.face is not None else 0
        text = fill(prompts.steps["frames"], {"frames": "; ".join(labels), "duration": f"{ctx.media.duration:.1f}",
                                              "people": str(people)})
        images = [encode_image(img, label=label) for (_, img), label in zip(frames, labels, strict=True)]
        try:
            backend = VisionBackend(self.base_url, self.model, api_key=self.api_key)
            reply = backend.complete_vision([VisionMessage(role="system", text=prompts.system),
                                             VisionMessage(role="user", text=text, images=images)], json_mode=True)
            parsed = _SceneReply.model_validate(extract_json(reply.text)[0])
        except (EmoreasonError, ValidationError) as exc:
            return [self._report(StageStatus.FAILED, f"scene model: {str(exc).splitlines()[0]}", t0)]
        clues = scene_clues(parsed, [t for t, _ in frames], backend.model_id)
        message = f"{parsed.setting or 'scene'}; {len(clues)} clue(s) from {len(frames)} frame(s)"
        return [self._report(StageStatus.OK if clues else StageStatus.EMPTY, message, t0, clues)]


def scene_clues(reply: _SceneReply, times: list[float], model: str) -> list[Clue]:
    """SCENE clues of a validated reply (times snapped to the frames sent)."""
    out = []
    for item in reply.clues[:5]:
        t = min(times, key=lambda x: abs(x - item.time)) if item.time is not None else times[0]
        tags = [f"object:{w.strip().lower()}" for w in item.objects if w.strip()]
        out.append(Clue(modality=Modality.SCENE, description=" ".join(item.description.split()), start=t, end=t,
                        strength=0.5, evidence=[Evidence(name="model", value=model, time=t)], tags=tags,
                        source=SOURCE))
    if reply.people_count is not None and reply.people_count >= 3:
        out.append(Clue(modality=Modality.SCENE, description=f"{reply.people_count} people in the scene",
                        start=times[0], end=times[0], strength=0.4, tags=["crowd"], source=SOURCE))
    return out
