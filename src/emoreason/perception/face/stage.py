"""The face perception stage: ClipContext in, FaceSummary + face table + FACE report out."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

from emoreason.errors import EmoreasonError
from emoreason.perception.base import ClipContext
from emoreason.perception.face.analyzer import EXTRACTOR, FaceResult, detect_faces
from emoreason.perception.face.characters import summarise_tracks
from emoreason.perception.face.clues import build_clues
from emoreason.perception.face.emotion_head import window_clues
from emoreason.perception.face.peak import peak_frame
from emoreason.records import FaceSummary, Modality, ModalityReport, SpeechSegment, StageStatus

logger = logging.getLogger(__name__)


class FaceStage:
    """Faces, per-person tracks, action units, head pose, gaze, expression and peak frame.

    Args:
        fps: sampling rate for videos (None = every frame; 5 fps runs ~15× real time on a busy 2-core machine).
        max_faces: most faces followed per frame.
        iris: iris model (gaze, gaze-corrected eye AUs); None = on at ≤ 12 fps.
        max_side: analyse frames downscaled to this longer side (pixels).
        backend: ``auto`` (litert for video, mediapipe for images), ``mediapipe`` or ``litert``.
    """

    name: ClassVar[str] = "face"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.FACE,)

    def __init__(
        self,
        *,
        fps: float | None = 5.0,
        max_faces: int = 6,
        iris: bool | None = None,
        max_side: int | None = 1280,
        backend: str = "auto",
    ) -> None:
        if fps is not None and fps <= 0:
            raise ValueError(f"fps must be positive or None (every frame), got {fps}")
        if max_faces < 1:
            raise ValueError(f"max_faces must be at least 1, got {max_faces}")
        self.fps = fps
        self.max_faces = max_faces
        self.iris = iris
        self.max_side = max_side
        self.backend = backend
        self._started: dict[Path, Future[FaceResult]] = {}
        self._decode_problems: dict[Path, list[str]] = {}

    def _detect(self, path: Path) -> FaceResult:
        problems = self._decode_problems.setdefault(path, [])
        return detect_faces(
            path, fps=self.fps, max_faces=self.max_faces, iris=self.iris, max_side=self.max_side, backend=self.backend,
            decode_report=problems.append,
        )

    def start(self, ctx: ClipContext) -> None:
        """Begin the face pass in a background thread (it needs no other stage's output).

        The pipeline calls this before running the stages in order, so the face pass overlaps
        the voice and text stages on a second core; :meth:`run` then waits for it and adds the
        parts that use the voice stage (the speaking face).
        """
        if ctx.media is not None and not ctx.media.has_video:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="emoreason-face")
        self._started[ctx.path] = pool.submit(self._detect, ctx.path)
        pool.shutdown(wait=False)

    def analyse(self, ctx: ClipContext) -> tuple[FaceResult, FaceSummary]:
        """Run (or finish) the face pass on the clip and summarise it (sets nothing on `ctx`)."""
        started = self._started.pop(ctx.path, None)
        result = started.result() if started is not None else self._detect(ctx.path)
        return result, summarise(result, speech=ctx.voice.speech_segments if ctx.voice else ())

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        """Set ``ctx.face`` and ``ctx.face_table``; return the FACE report."""
        t0 = time.perf_counter()
        if ctx.media is not None and not ctx.media.has_video:
            return [self._report(StageStatus.MISSING, f"{ctx.path.name} has no video stream", t0)]
        try:
            result, summary = self.analyse(ctx)
        except EmoreasonError as exc:
            logger.warning("face stage failed on %s: %s", ctx.path, exc)
            ctx.warnings.append(f"face stage failed: {exc}")
            return [self._report(StageStatus.FAILED, str(exc), t0)]
        finally:
            lost = self._decode_problems.pop(ctx.path, [])
        ctx.warnings += lost
        ctx.face = summary
        ctx.face_table = result.table
        if summary.main_face_id is None:
            return [self._report(StageStatus.EMPTY, f"no face found in {ctx.path.name}", t0)]
        duration = (
            ctx.media.duration
            if ctx.media is not None and ctx.media.duration
            else float(result.table["timestamp"].max())
        )
        clues = build_clues(result.table, summary.main_face_id, clip_end=duration, peak=summary.peak)
        clues += window_clues(result.table, summary.main_face_id)
        others = [t for t in summary.tracks if not t.is_main]
        message = f"{len(summary.tracks)} face track(s); main face {summary.main_face_id}"
        if others:
            message += f"; {len(others)} other face(s) not described"
        report = self._report(StageStatus.OK, message, t0)
        report.clues = clues
        return [report]

    def _report(self, status: StageStatus, message: str, t0: float) -> ModalityReport:
        return ModalityReport(
            modality=Modality.FACE,
            status=status,
            message=message,
            extractor=EXTRACTOR,
            seconds=round(time.perf_counter() - t0, 3),
        )


def summarise(result: FaceResult, *, speech: Sequence[SpeechSegment] = ()) -> FaceSummary:
    """FaceSummary (tracks, main face, MERR peak frame) of a :class:`FaceResult`."""
    table = result.table
    faces = table[table["success"] == 1]
    keyed = faces[["frame", "face_id"]].reset_index()
    lip_gap = keyed.merge(result.features[["frame", "face_id", "lip_gap"]], on=["frame", "face_id"], how="left")
    lip_gap = lip_gap.set_index("index")["lip_gap"] if len(faces) else faces["timestamp"]
    tracks = summarise_tracks(
        table,
        lip_gap,
        frame_height=result.frame_size[1],
        frames_analysed=result.frames_analysed,
        speech=speech,
    )
    main = next((t.face_id for t in tracks if t.is_main), None)
    peak = peak_frame(faces[faces["face_id"] == main]) if main is not None else None
    return FaceSummary(
        tracks=tracks,
        main_face_id=main,
        peak=peak,
        frames_analysed=result.frames_analysed,
        sample_fps=result.sample_fps,
        frames_with_face=int(faces["frame"].nunique()),
        extractor=EXTRACTOR,
    )
