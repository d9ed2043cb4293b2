"""Speech recognition behind a small protocol, and the routing that picks a recogniser per language.

The default (``"auto"``) is Whisper base (multilingual, shipped in data wheels; see
:mod:`~emoreason.perception.text.whisper`) with language detection, falling back to
pocketsphinx (en-us, shipped in its wheel) only when Whisper is unavailable **and** the speech
is English or of unknown language: :func:`recognise_clip` never runs an English-only
recogniser on speech requested or detected as another language.

Any object with ``name``, ``language`` and ``transcribe(samples, sample_rate, *, offset)``
returning :class:`~emoreason.records.TranscriptSegment` records can replace it. ``language`` is
the one language it recognises (e.g. 'en') or :data:`MULTILINGUAL`; a multilingual recogniser's
``transcribe`` also takes ``language=`` and may offer ``detect_language(samples, sample_rate)``.
``load_recognizer("pkg.module:Class")`` imports such a class by name. Recognition runs per speech
segment (from the voice stage's VAD), so silence costs nothing and memory stays bounded by the
longest segment (split at 20 s).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from emoreason.errors import DependencyError, EmoreasonError, RegistryError
from emoreason.records import Transcript, TranscriptSegment, TranscriptSource, Word

SAMPLE_RATE = 16_000
MAX_SEGMENT_S = 20.0
#: Narrower search than pocketsphinx's defaults: same words on our test speech, about 2.5× faster.
FAST_SEARCH = {"maxhmmpf": 3000, "maxwpf": 10, "beam": 1e-40, "wbeam": 1e-30, "pbeam": 1e-40}
_FILLERS = {"<s>", "</s>", "<sil>", "[noise]", "[laughter]", "<unk>"}
#: ``language`` of a recogniser that handles many languages (it then takes ``language=`` too).
MULTILINGUAL = "multi"
#: Speech used for language detection (Whisper looks at one 30 s window).
DETECT_MAX_S = 30.0
#: ISO 639-2/3 codes seen in the wild → Whisper's 639-1 codes.
_LANGUAGE_ALIASES = {"cmn": "zh", "zho": "zh", "chi": "zh", "eng": "en", "jpn": "ja", "kor": "ko", "yue": "zh"}


@runtime_checkable
class SpeechRecognizer(Protocol):
    """Turns 16 kHz mono speech into timed segments."""

    name: str
    language: str

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> list[TranscriptSegment]:
        """Recognise `samples`; times in the result are `offset` + seconds into `samples`."""
        ...


@runtime_checkable
class LanguageDetector(Protocol):
    """A recogniser that can also tell which language is spoken."""

    def detect_language(self, samples: np.ndarray, sample_rate: int) -> tuple[str, float]:
        """The language code of `samples` and its probability."""
        ...


def primary_language(tag: str | None) -> str | None:
    """The primary language subtag in lower case ('zh-Hans-CN' → 'zh', 'en_US' → 'en', 'cmn' → 'zh')."""
    if tag is None or not tag.strip():
        return None
    code = tag.strip().replace("_", "-").split("-")[0].lower()
    return _LANGUAGE_ALIASES.get(code, code)


def can_recognise(recognizer_language: str, speech_language: str | None) -> bool:
    """Whether a recogniser for `recognizer_language` may run on speech in `speech_language` (None: unknown).

    A multilingual recogniser runs on anything; a single-language one only on its own language,
    or on speech whose language nobody could tell.
    """
    if recognizer_language == MULTILINGUAL:
        return True
    return speech_language is None or primary_language(speech_language) == primary_language(recognizer_language)


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


def load_recognizer(spec: str | SpeechRecognizer = "whisper") -> SpeechRecognizer:
    """A recognizer from a name, a CTranslate2 Whisper folder, an import string, or an instance.

    Names: 'whisper' (the shipped Whisper base), 'pocketsphinx' (English only). A path to a folder
    holding ``model.bin`` + ``config.json`` loads that Whisper model; 'pkg.module:Class' imports a class.

    Raises:
        RegistryError: the name or import string cannot be resolved or the class lacks `transcribe`.
        DependencyError: the recogniser's package or model files are missing.
    """
    if not isinstance(spec, str):
        if not isinstance(spec, SpeechRecognizer):
            raise RegistryError(f"{spec!r} is not a SpeechRecognizer (needs name, language and transcribe())")
        return spec
    if spec in ("pocketsphinx", "pocketsphinx-en-us"):
        return PocketSphinxRecognizer()
    if spec in ("whisper", "whisper-base", "faster-whisper-base"):
        from emoreason.perception.text.whisper import WhisperRecognizer

        return WhisperRecognizer()
    if Path(spec).expanduser().is_dir():
        from emoreason.perception.text.whisper import WhisperRecognizer

        return WhisperRecognizer(model_dir=spec)
    module_name, _, cls_name = spec.partition(":")
    if not cls_name:
        raise RegistryError(f"unknown ASR {spec!r}; use 'whisper', 'pocketsphinx', a CTranslate2 Whisper folder "
                            "or 'package.module:Class'")
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


def recognise(recognizer: SpeechRecognizer, chunks: Iterable[object], spans: Sequence[tuple[float, float]],
              *, language: str | None = None) -> list[TranscriptSegment]:
    """Run `recognizer` on every speech span (long spans split) and collect the segments in order.

    `language` is passed on only to a multilingual recogniser.
    """
    kwargs = {"language": language} if recognizer.language == MULTILINGUAL else {}
    max_s = float(getattr(recognizer, "max_segment_s", MAX_SEGMENT_S))
    out: list[TranscriptSegment] = []
    for a, _b, samples in iter_span_audio(chunks, split_long(spans, max_s)):
        if len(samples) >= int(0.1 * SAMPLE_RATE):
            out += recognizer.transcribe(samples, SAMPLE_RATE, offset=a, **kwargs)
    return out


def speech_sample(chunks: Iterable[object], spans: Sequence[tuple[float, float]],
                  max_s: float = DETECT_MAX_S) -> np.ndarray:
    """The first `max_s` seconds of speech inside `spans`, joined (input for language detection)."""
    parts, n = [], 0
    for _a, _b, samples in iter_span_audio(chunks, spans):
        parts.append(samples[: int(max_s * SAMPLE_RATE) - n])
        n += len(parts[-1])
        if n >= int(max_s * SAMPLE_RATE):
            break
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def merge_spans(spans: Sequence[tuple[float, float]], gap: float, max_s: float = float("inf"),
                pad: float = 0.0) -> list[tuple[float, float]]:
    """Join spans separated by less than `gap` seconds while the joined span stays within `max_s`.

    Each span is first widened by `pad` seconds on both sides (not before 0).
    """
    out: list[tuple[float, float]] = []
    for a, b in sorted((max(0.0, a - pad), b + pad) for a, b in spans):
        if out and a - out[-1][1] < gap and max(b, out[-1][1]) - out[-1][0] <= max_s:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


@dataclass(frozen=True)
class RecognizerSource:
    """A recogniser loaded only when routing reaches it (`load` may raise EmoreasonError)."""

    name: str
    load: Callable[[], SpeechRecognizer]


@dataclass
class Recognition:
    """What :func:`recognise_clip` heard: the transcript (None when no recogniser fitted) and why."""

    transcript: Transcript | None
    language: str | None = None
    language_probability: float | None = None
    recognizer: str | None = None
    notes: list[str] = field(default_factory=list)


def _detect(rec: SpeechRecognizer, chunks: Callable[[], Iterable[object]],
            spans: Sequence[tuple[float, float]]) -> tuple[str | None, float | None]:
    """Language of the first 30 s of speech (with one span, exactly the audio then transcribed)."""
    if rec.language != MULTILINGUAL or not isinstance(rec, LanguageDetector):
        return None, None
    sample = speech_sample(chunks(), spans)
    if len(sample) < int(0.2 * SAMPLE_RATE):
        return None, None
    code, prob = rec.detect_language(sample, SAMPLE_RATE)
    return primary_language(code), float(prob)


def _pieces(rec: SpeechRecognizer, spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The spans as `rec` is given them: padded (``pad_s``), nearby ones joined (``merge_gap_s``) up to
    ``max_segment_s``, longer ones cut."""
    max_s = float(getattr(rec, "max_segment_s", MAX_SEGMENT_S))
    merged = merge_spans(spans, float(getattr(rec, "merge_gap_s", 0.3)), max_s, float(getattr(rec, "pad_s", 0.0)))
    return split_long(merged, max_s)


def recognise_clip(sources: Sequence[RecognizerSource], chunks: Callable[[], Iterable[object]],
                   spans: Sequence[tuple[float, float]], *, language: str | None = None,
                   fallback: bool = True) -> Recognition:
    """Route the clip's speech to the first recogniser that can load and handles its language.

    Args:
        sources: recognisers in order of preference, loaded lazily.
        chunks: makes a fresh iterable of 16 kHz chunks (``.samples``, ``.offset``) on each call.
        spans: speech spans (seconds).
        language: the language the caller says is spoken (None: detect it when a recogniser can).
        fallback: a source that fails to load is noted and skipped (else its error propagates).

    The language is the requested one, else the detection of the first multilingual recogniser
    that loads (whatever its place in `sources`). A single-language recogniser (pocketsphinx:
    'en') is never run on speech requested or detected as another language: the result then
    has no transcript and says why.
    """
    loaded: dict[int, SpeechRecognizer | None] = {}
    notes: list[str] = []

    def load(i: int) -> SpeechRecognizer | None:
        if i not in loaded:
            try:
                loaded[i] = sources[i].load()
            except EmoreasonError as exc:
                if not fallback:
                    raise
                loaded[i] = None
                notes.append(f"{sources[i].name} unavailable: {exc}")
        return loaded[i]

    lang, prob = primary_language(language), None
    for i in range(len(sources) if lang is None else 0):
        rec = load(i)
        if rec is not None and rec.language == MULTILINGUAL and isinstance(rec, LanguageDetector):
            lang, prob = _detect(rec, chunks, _pieces(rec, spans))
            break
    for i in range(len(sources)):
        rec = load(i)
        if rec is None:
            continue
        if not can_recognise(rec.language, lang):
            notes.append(f"{rec.name} recognises '{rec.language}' only; not run on '{lang}' speech")
            continue
        segments = recognise(rec, chunks(), _pieces(rec, spans), language=lang)
        heard = lang or _majority_language(segments) or (None if rec.language == MULTILINGUAL else rec.language)
        transcript = Transcript(source=TranscriptSource.ASR, language=heard, language_probability=prob,
                                segments=segments, origin=rec.name)
        return Recognition(transcript, heard, prob, rec.name, notes)
    return Recognition(None, lang, prob, None, notes)


def _majority_language(segments: Sequence[TranscriptSegment]) -> str | None:
    langs = Counter(s.language for s in segments if s.language)
    return langs.most_common(1)[0][0] if langs else None
