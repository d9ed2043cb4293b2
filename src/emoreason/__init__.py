"""emoreason: explainable multimodal emotion reasoning.

The public surface is small: :func:`explain` runs the whole pipeline on one clip,
:func:`probe` describes a media file, and the records in :mod:`emoreason.records`
carry every result.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from emoreason.errors import EmoreasonError
from emoreason.io import probe, read_subtitles
from emoreason.pipeline import explain
from emoreason.records import Clue, EmotionScore, ExplainResult, MediaInfo, Modality

try:
    __version__ = version("emoreason")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


__all__ = [
    "Clue",
    "EmoreasonError",
    "EmotionScore",
    "ExplainResult",
    "MediaInfo",
    "Modality",
    "__version__",
    "explain",
    "probe",
    "read_subtitles",
]
