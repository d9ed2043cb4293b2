"""Speech recognition behind a small protocol: pocketsphinx (en-us, shipped in its wheel) by default.

Any object with ``name``, ``language`` and ``transcribe(samples, sample_rate, *, offset)``
returning :class:`~emoreason.records.TranscriptSegment` records can replace it, e.g. a local
Whisper or Vosk model the user already has. ``load_recognizer("pkg.module:Class")`` imports
such a class by name. Recognition runs per speech segment (from the voice stage's VAD), so
silence costs nothing and memory stays bounded by the longest segment (split at 20 s).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from emoreason.errors import DependencyError, RegistryError
from emoreason.records import TranscriptSegment, Word

SAMPLE_RATE = 16_000
MAX_SEGMENT_S = 20.0
#: Narrower search than pocketsphinx's defaults: same words on our test speech, about 2.5× faster.
FAST_SEARCH = {"maxhmmpf": 3000, "maxwpf": 10, "beam": 1e-40, "wbeam": 1e-30, "pbeam": 1e-40}
_FILLERS = {"<s>", "</s>", "<sil>", "[noise]", "[laughter]", "<unk>"}


@runtime_checkable
class SpeechRecognizer(Protocol):
    """Turns 16 kHz mono speech into timed segments."""

    name: str
    language: str

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> list[TranscriptSegment]:
        """Recognise `samples`; times in the result are `offset` + seconds into `samples`."""
        ...


class PocketSphinxRecognizer:
    """CMU pocketsphinx 5 with the US-English acoustic model, dictionary and LM from its wheel.

    Fine on clear read English; poor on expressive, noisy or non-English speech.
    """

    name = "pocketsphinx-en-us"
    language = "en"

    def __init__(self, **config: object) -> None:
        """Load the decoder (about 0.7 s); `config` is passed to ``pocketsphinx.Decoder``.

        Raises:
            DependencyError: pocketsphinx is not installed.
        """
        try:
            from pocketsphinx import Decoder
        except ImportError as exc:
            raise DependencyError("ASR fallback needs pocketsphinx: pip install pocketsphinx") from exc
        options = {"samprate": SAMPLE_RATE, "loglevel": "FATAL", **FAST_SEARCH, **config}
        self._decoder = Decoder(**options)
        self._frate = float(self._decoder.config["frate"] or 100)

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> list[TranscriptSegment]:
        """Decode one utterance; words come with start/end times and posterior confidences."""
        if sample_rate != SAMPLE_RATE:
            raise ValueError(f"pocketsphinx here expects {SAMPLE_RATE} Hz audio, got {sample_rate}")
        pcm = (np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0) * 32767).astype("<i2").tobytes()
        d = self._decoder
        d.start_utt()
        d.process_raw(pcm, full_utt=True)
        d.end_utt()
        if d.hyp() is None:
            return []
        words = []
        for s in d.seg():
            token = s.word.lower()
            if token in _FILLERS or token.startswith("++") or token.startswith("["):
                continue
            text = token.split("(")[0]
            words.append(Word(text=text, start=round(offset + s.start_frame / self._frate, 3),
                              end=round(offset + (s.end_frame + 1) / self._frate, 3),
                              confidence=round(min(1.0, max(0.0, float(s.prob))), 4)))
        if not words:
            return []
        return [TranscriptSegment(start=words[0].start, end=words[-1].end,
                                  text=" ".join(w.text for w in words), words=words)]


def load_recognizer(spec: str | SpeechRecognizer = "pocketsphinx") -> SpeechRecognizer:
    """A recognizer from 'pocketsphinx', an import string 'pkg.module:Class', or an instance.

    Raises:
        RegistryError: the import string cannot be resolved or the class lacks `transcribe`.
        DependencyError: pocketsphinx is missing.
    """
    if not isinstance(spec, str):
        if not isinstance(spec, SpeechRecognizer):
            raise RegistryError(f"{spec!r} is not a SpeechRecognizer (needs name, language and transcribe())")
        return spec
    if spec in ("pocketsphinx", "pocketsphinx-en-us"):
        return PocketSphinxRecognizer()
    module_name, _, cls_name = spec.partition(":")
    if not cls_name:
        raise RegistryError(f"unknown ASR {spec!r}; use 'pocketsphinx' or 'package.module:Class'")
    try:
        cls = getattr(importlib.import_module(module_name), cls_name)
    except (ImportError, AttributeError) as exc:
        raise RegistryError(f"cannot load ASR class {spec!r}: {exc}") from exc
    obj = cls()
    if not isinstance(obj, SpeechRecognizer):
        raise RegistryError(f"{spec} does not implement SpeechRecognizer (name, language, transcribe())")
    return obj


def split_long(spans: Sequence[tuple[float, float]], max_s: float = MAX_SEGMENT_S) -> list[tuple[float, float]]:
    """Split spans longer than `max_s` into equal pieces (the decoder's memory and latency stay bounded)."""
    out = []
    for a, b in spans:
        n = max(1, int(np.ceil((b - a) / max_s)))
        step = (b - a) / n
        out += [(a + i * step, a + (i + 1) * step) for i in range(n)]
    return out


def iter_span_audio(chunks: Iterable[object], spans: Sequence[tuple[float, float]]) -> Iterator[
    tuple[float, float, np.ndarray]
]:
    """Cut (start, end, samples) for each span out of consecutive 16 kHz chunks (`.samples`, `.offset`).

    Only the samples of the span being collected are held, so long inputs stream.
    """
    spans = sorted(spans)
    k = 0
    pending: list[np.ndarray] = []
    for chunk in chunks:
        x = np.asarray(chunk.samples, dtype=np.float32)
        t0 = float(getattr(chunk, "offset", 0.0))
        t1 = t0 + len(x) / SAMPLE_RATE
        while k < len(spans):
            a, b = spans[k]
            lo = max(0, int(round((a - t0) * SAMPLE_RATE)))
            hi = min(len(x), int(round((b - t0) * SAMPLE_RATE)))
            if hi > lo:
                pending.append(x[lo:hi])
            if b <= t1:
                yield a, b, np.concatenate(pending) if pending else np.zeros(0, np.float32)
                pending, k = [], k + 1
            else:
                break
        if k >= len(spans):
            return
    if k < len(spans) and pending:
        yield spans[k][0], spans[k][1], np.concatenate(pending)


def recognise(recognizer: SpeechRecognizer, chunks: Iterable[object],
              spans: Sequence[tuple[float, float]]) -> list[TranscriptSegment]:
    """Run `recognizer` on every speech span (long spans split) and collect the segments in order."""
    out: list[TranscriptSegment] = []
    for a, _b, samples in iter_span_audio(chunks, split_long(spans)):
        if len(samples) >= int(0.1 * SAMPLE_RATE):
            out += recognizer.transcribe(samples, SAMPLE_RATE, offset=a)
    return out
