"""Extract audio as mono float32 at a fixed rate (default 16 kHz), whole or in chunks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from emoreason.errors import MissingStreamError
from emoreason.io.decoding import DecodeProblems, OnError, decode_stream
from emoreason.io.probe import IMAGE_SUFFIXES, check_file, open_container

DEFAULT_SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class AudioClip:
    """Mono float32 samples in [-1, 1]; `offset` is the time of the first sample in the source."""

    samples: np.ndarray
    sample_rate: int
    path: Path | None = None
    offset: float = 0.0

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / float(self.sample_rate)


def _iter_resampled(
    path: Path, sample_rate: int, start: float | None, end: float | None, problems: DecodeProblems
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (time of first sample, mono float32 block) straight through the first audio stream.

    Audio lost to a skipped packet becomes silence of the same length, so later samples keep their times.
    """
    if path.suffix.lower() in IMAGE_SUFFIXES:
        raise MissingStreamError(path, "no audio stream (still image)")
    with open_container(path) as container:
        if not container.streams.audio:
            raise MissingStreamError(path, "no audio stream")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        produced = 0
        begin = start or 0.0
        expected: float | None = None  # source time where the next frame should start
        reached = lambda: produced / sample_rate  # noqa: B023, E731 - the time reached so far, read late
        for frame in decode_stream(container, stream, problems, now=reached):
            if frame.time is not None and expected is not None and frame.time - expected > 0.01:
                gap = np.zeros(int(round((frame.time - expected) * sample_rate)), np.float32)
                yield from _trim(gap, sample_rate, produced, begin, end)
                produced += len(gap)
            if frame.time is not None and frame.sample_rate:
                expected = frame.time + frame.samples / frame.sample_rate
            for out in resampler.resample(frame):
                block = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                yield from _trim(block, sample_rate, produced, begin, end)
                produced += len(block)
                if end is not None and produced / sample_rate >= end:
                    return
        for out in resampler.resample(None):
            yield from _trim(out.to_ndarray().reshape(-1).astype(np.float32, copy=False), sample_rate, produced,
                             begin, end)
            produced += out.samples


def _trim(
    block: np.ndarray, sample_rate: int, produced: int, begin: float, end: float | None
) -> Iterator[tuple[float, np.ndarray]]:
    t0 = produced / sample_rate
    lo = max(0, int(round((begin - t0) * sample_rate)))
    hi = len(block) if end is None else min(len(block), int(round((end - t0) * sample_rate)))
    if hi > lo:
        yield t0 + lo / sample_rate, block[lo:hi]


def load_audio(
    path: str | Path,
    *,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    start: float | None = None,
    end: float | None = None,
    on_error: OnError = "raise",
    report: Callable[[str], None] | None = None,
) -> AudioClip:
    """Decode the first audio stream of `path` to mono float32 at `sample_rate`.

    Args:
        on_error, report: what a decoding error does ('raise', 'stop' or 'skip') and where the line
            saying what was lost goes (see :mod:`emoreason.io.decoding`).

    Raises:
        MissingStreamError: no audio stream.
        MediaError: unreadable or undecodable file.
    """
    p = check_file(path)
    blocks: list[np.ndarray] = []
    first: float | None = None
    problems = DecodeProblems(p, "audio", on_error, report)
    for t, block in _iter_resampled(p, sample_rate, start, end, problems):
        first = t if first is None else first
        blocks.append(block)
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return AudioClip(samples=samples, sample_rate=sample_rate, path=p, offset=first or (start or 0.0))


def iter_audio_chunks(
    path: str | Path,
    *,
    chunk_seconds: float = 30.0,
    sample_rate: int = DEFAULT_SAMPLE_RATE,
    on_error: OnError = "raise",
    report: Callable[[str], None] | None = None,
) -> Iterator[AudioClip]:
    """Stream the audio of `path` in consecutive chunks of `chunk_seconds` (memory stays flat).

    `on_error` and `report` work as in :func:`load_audio`.
    """
    p = check_file(path)
    problems = DecodeProblems(p, "audio", on_error, report)
    size = max(1, int(chunk_seconds * sample_rate))
    pending: list[np.ndarray] = []
    pending_len = 0
    emitted = 0
    for _, block in _iter_resampled(p, sample_rate, None, None, problems):
        pending.append(block)
        pending_len += len(block)
        while pending_len >= size:
            buf = np.concatenate(pending)
            yield AudioClip(buf[:size].copy(), sample_rate, p, offset=emitted / sample_rate)
            emitted += size
            rest = buf[size:]
            pending, pending_len = ([rest] if len(rest) else []), len(rest)
    if pending_len:
        yield AudioClip(np.concatenate(pending), sample_rate, p, offset=emitted / sample_rate)
