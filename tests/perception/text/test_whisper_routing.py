"""Language routing: an English-only recogniser never runs on speech in another language.

These tests use the real routing (:func:`recognise_clip`, :class:`TextStage`) with small
stand-in recognisers whose behaviour is known; the thing under test is the routing, not them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import DependencyError
from emoreason.perception.text.asr import (
    MULTILINGUAL,
    RecognizerSource,
    can_recognise,
    primary_language,
    recognise_clip,
)
from emoreason.perception.text.stage import TextStage, asr_clues, segment_strength_scale
from emoreason.records import StageStatus, Transcript, TranscriptSegment, TranscriptSource


class Chunk:
    def __init__(self, samples: np.ndarray, offset: float = 0.0) -> None:
        self.samples, self.offset = samples, offset


AUDIO = np.random.default_rng(0).normal(0, 0.1, 16000 * 6).astype(np.float32)
SPANS = [(0.5, 2.0), (2.4, 5.5)]


def chunks() -> list[Chunk]:
    return [Chunk(AUDIO)]


class EnglishOnly:
    """An English-only recogniser that records every call (pocketsphinx's role)."""

    name = "english-only"
    language = "en"

    def __init__(self) -> None:
        self.calls = 0

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> list[TranscriptSegment]:
        self.calls += 1
        return [TranscriptSegment(start=offset, end=offset + len(samples) / sample_rate, text="i am not happy")]


class Multilingual:
    """A multilingual recogniser that hears `heard` and writes `text` (Whisper's role)."""

    name = "multi"
    language = MULTILINGUAL
    merge_gap_s = 2.0

    def __init__(self, heard: str = "zh", text: str = "我不知道") -> None:
        self.heard, self.text = heard, text
        self.languages: list[str | None] = []
        self.detect_calls: list[int] = []

    def detect_language(self, samples: np.ndarray, sample_rate: int) -> tuple[str, float]:
        self.detect_calls.append(len(samples))
        return self.heard, 0.97

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0,
                   language: str | None = None) -> list[TranscriptSegment]:
        self.languages.append(language)
        return [TranscriptSegment(start=offset, end=offset + len(samples) / sample_rate, text=self.text,
                                  language=language, confidence=0.8, no_speech_prob=0.05)]


def _unavailable() -> EnglishOnly:
    raise DependencyError("the Whisper base model is not installed")


def test_language_tags_and_capability() -> None:
    assert [primary_language(t) for t in ("zh-Hans-CN", "en_US", "cmn", " ZH ", None, "")] == [
        "zh", "en", "zh", "zh", None, None]
    assert can_recognise(MULTILINGUAL, "zh") and can_recognise("en", None) and can_recognise("en", "en-GB")
    assert not can_recognise("en", "zh") and not can_recognise("en", "fr")


def test_requested_chinese_never_reaches_english_only_recogniser() -> None:
    english = EnglishOnly()
    sources = [RecognizerSource("whisper", _unavailable), RecognizerSource("pocketsphinx", lambda: english)]
    heard = recognise_clip(sources, chunks, SPANS, language="zh-CN")
    assert english.calls == 0 and heard.transcript is None
    assert heard.language == "zh" and any("not installed" in n for n in heard.notes)
    assert any("not run on 'zh'" in n for n in heard.notes)


def test_detected_chinese_goes_to_multilingual_in_that_language() -> None:
    english, multi = EnglishOnly(), Multilingual("zh")
    heard = recognise_clip([RecognizerSource("m", lambda: multi), RecognizerSource("e", lambda: english)],
                           chunks, SPANS)
    assert english.calls == 0
    assert heard.transcript.language == "zh" and heard.transcript.language_probability == pytest.approx(0.97)
    assert multi.languages == ["zh"]  # the two spans 0.4 s apart are recognised as one (gap < 2 s)
    assert multi.detect_calls == [int(round(5.0 * 16000))]
    assert heard.transcript.segments[0].start == pytest.approx(0.5)


def test_detection_comes_first_whatever_the_order_of_recognisers() -> None:
    """English-only listed first still never hears French speech detected by a later multilingual one."""
    english, multi = EnglishOnly(), Multilingual("fr", "je ne sais pas")
    heard = recognise_clip([RecognizerSource("e", lambda: english), RecognizerSource("m", lambda: multi)],
                           chunks, SPANS)
    assert english.calls == 0 and multi.languages == ["fr"]
    assert heard.transcript.language == "fr" and any("not run on 'fr'" in n for n in heard.notes)
    assert recognise_clip([RecognizerSource("e", lambda: english)], chunks, SPANS, language="fr").transcript is None
    assert english.calls == 0


def test_unknown_language_falls_back_to_english_only_when_multilingual_is_missing() -> None:
    english = EnglishOnly()
    sources = [RecognizerSource("whisper", _unavailable), RecognizerSource("pocketsphinx", lambda: english)]
    heard = recognise_clip(sources, chunks, SPANS)
    assert english.calls == 2 and heard.transcript.language == "en" and heard.recognizer == "english-only"
    with pytest.raises(DependencyError):
        recognise_clip(sources, chunks, SPANS, fallback=False)


def _ctx(sample_clip: Path):  # noqa: ANN202 - a ClipContext with voice spans set by hand
    from emoreason.io import probe
    from emoreason.perception.base import ClipContext

    return ClipContext(path=sample_clip, media=probe(sample_clip))


def test_stage_reports_no_transcript_instead_of_english_words(monkeypatch: pytest.MonkeyPatch,
                                                              sample_clip: Path) -> None:
    """TextStage(asr='auto', language='zh') with Whisper missing: pocketsphinx is not run, the report says why."""
    english = EnglishOnly()
    stage = TextStage(language="zh")
    stage._loaded["whisper"] = DependencyError("the Whisper base model is not installed")
    stage._loaded["pocketsphinx"] = english
    monkeypatch.setattr("emoreason.perception.text.stage._speech_spans", lambda ctx, ch: [(1.0, 3.0)])
    ctx = _ctx(sample_clip)
    (report,) = stage.run(ctx)
    assert english.calls == 0 and ctx.transcript is None
    assert report.status is StageStatus.UNAVAILABLE
    assert "'zh'" in report.message and "invented English words" in report.message


def test_stage_chinese_asr_gives_no_english_clues(monkeypatch: pytest.MonkeyPatch, sample_clip: Path) -> None:
    stage = TextStage(asr=Multilingual("zh", "我真的很开心，太好了！"))
    monkeypatch.setattr("emoreason.perception.text.stage._speech_spans", lambda ctx, ch: [(1.0, 3.0)])
    ctx = _ctx(sample_clip)
    (report,) = stage.run(ctx)
    assert ctx.transcript.language == "zh" and [c for c in report.clues if "learned" not in c.tags] == []
    assert "skipped" in report.message and "VADER" in report.message


def test_asr_clue_strength_follows_confidence() -> None:
    def transcript(conf: float | None) -> Transcript:
        seg = TranscriptSegment(start=0.0, end=2.0, text="I am so happy and grateful!", confidence=conf,
                                no_speech_prob=0.0 if conf is not None else None)
        return Transcript(source=TranscriptSource.ASR, language="en", segments=[seg], origin="x")

    high, low = asr_clues(transcript(0.9), [], 2.0), asr_clues(transcript(0.3), [], 2.0)
    assert high and len(high) == len(low)
    assert all(h.strength > lo.strength for h, lo in zip(high, low, strict=True))
    assert all(any(e.name == "asr_confidence" and e.value == 0.3 for e in c.evidence) for c in low)
    assert segment_strength_scale(0.9, 0.5) == pytest.approx(0.45)
    assert segment_strength_scale(None, None) == pytest.approx(0.6)


def test_spans_are_padded_and_packed_into_bounded_windows() -> None:
    from emoreason.perception.text.asr import merge_spans

    spans = [(0.1, 5.0), (7.0, 20.0), (24.0, 27.0), (40.0, 41.0)]
    assert merge_spans(spans, gap=0.3) == spans
    assert merge_spans(spans, gap=8.0, max_s=28.0, pad=0.2) == [(0.0, 27.2), (39.8, 41.2)]
    assert merge_spans(spans, gap=8.0, max_s=22.0) == [(0.1, 20.0), (24.0, 27.0), (40.0, 41.0)]


def test_background_preload_skips_silent_audio(sample_clip: Path) -> None:
    """The demo clip's audio is digital silence: start() must not load (or build) a model for it."""
    stage = TextStage()
    stage.start(_ctx(sample_clip))
    assert stage._loading["whisper"].result(timeout=60) is None
    TextStage(asr=None).start(_ctx(sample_clip))  # no ASR: nothing started, nothing raised
