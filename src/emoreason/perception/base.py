"""The contract every perception stage follows.

A stage reads what it needs from a :class:`ClipContext` (the media, decoded audio,
the transcript, other stages' summaries), writes its own summary back, and returns
one :class:`ModalityReport` per modality it covers. The pipeline runs stages in
order (voice → text → face → scene) so later stages can use earlier results, e.g.
the face stage uses speech segments to pick the main character.

A stage may also offer ``start(ctx)``: work that needs no other stage's output, begun in the
background before the stages run in order (the face pass overlaps the voice stage this way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from emoreason.records import (
    FaceSummary,
    MediaInfo,
    Modality,
    ModalityReport,
    Transcript,
    VoiceSummary,
)

if TYPE_CHECKING:
    import pandas as pd

    from emoreason.io.audio import AudioClip


@dataclass
class ClipContext:
    """Everything known about one clip while perception runs (typed, filled stage by stage)."""

    path: Path
    media: MediaInfo
    transcript: Transcript | None = None
    voice: VoiceSummary | None = None
    face: FaceSummary | None = None
    face_table: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    _audio: AudioClip | None = None

    def audio(self) -> AudioClip:
        """The clip's audio as 16 kHz mono float32, decoded once and cached.

        Undecodable packets are skipped (their time becomes silence) and named in ``warnings``.

        Raises:
            MissingStreamError: the file has no audio stream.
        """
        if self._audio is None:
            from emoreason.io.audio import load_audio

            self._audio = load_audio(self.path, on_error="skip", report=self.warnings.append)
        return self._audio


@runtime_checkable
class PerceptionStage(Protocol):
    """One perception stage (face, voice, text, scene)."""

    name: ClassVar[str]
    modalities: ClassVar[tuple[Modality, ...]]

    def run(self, ctx: ClipContext) -> list[ModalityReport]:
        """Analyse the clip, update `ctx` with the stage's summary, return its reports."""
        ...
