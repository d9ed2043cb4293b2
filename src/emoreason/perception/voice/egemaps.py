"""eGeMAPSv02 functionals through openSMILE, when the (research-licensed) ``opensmile`` package is installed.

openSMILE is distributed under audEERING's research licence (not free for commercial use),
so it is an optional extra (``pip install emoreason[research]``); nothing here runs without it.
Only the speech of each chunk (frames the VAD finds likely speech, ±0.1 s) is analysed; long
inputs are processed chunk by chunk and the 88 functionals averaged with the chunks' speech
durations as weights (exact for inputs shorter than one chunk).
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache

import numpy as np

from emoreason.errors import DependencyError


def opensmile_available() -> bool:
    """Whether the opensmile package can be imported."""
    return importlib.util.find_spec("opensmile") is not None


@lru_cache(maxsize=1)
def _smile() -> object:
    """The openSMILE eGeMAPSv02 functionals extractor, created on first use and reused."""
    try:
        import opensmile
    except ImportError as exc:
        raise DependencyError(
            "eGeMAPS needs openSMILE (research licence): pip install 'emoreason[research]'"
        ) from exc
    return opensmile.Smile(
        feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=opensmile.FeatureLevel.Functionals
    )


class EgemapsAccumulator:
    """Duration-weighted mean of eGeMAPSv02 functionals over consecutive chunks."""

    name = "opensmile-eGeMAPSv02"

    def __init__(self) -> None:
        """Create the openSMILE extractor.

        Raises:
            DependencyError: opensmile is not installed.
        """
        self._smile = _smile()
        self._sum: np.ndarray | None = None
        self._names: list[str] = []
        self._weight = 0.0

    def add(self, samples: np.ndarray, sample_rate: int) -> None:
        """Add one chunk (chunks shorter than 0.5 s are ignored)."""
        seconds = len(samples) / sample_rate
        if seconds < 0.5:
            return
        frame = self._smile.process_signal(np.asarray(samples, dtype=np.float32), sample_rate)
        values = frame.iloc[0].to_numpy(dtype=np.float64)
        if self._sum is None:
            self._names = [str(c) for c in frame.columns]
            self._sum = np.zeros_like(values)
        self._sum += np.nan_to_num(values) * seconds
        self._weight += seconds

    def result(self) -> dict[str, float] | None:
        """The averaged functionals, or None when no chunk was long enough."""
        if self._sum is None or self._weight <= 0:
            return None
        return {n: round(float(v), 6) for n, v in zip(self._names, self._sum / self._weight, strict=True)}
