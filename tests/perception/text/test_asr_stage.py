"""ASR (pocketsphinx and a plug-in recogniser) and the TextStage end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.errors import RegistryError
from emoreason.io import probe, read_subtitles
from emoreason.perception.base import ClipContext
from emoreason.perception.text import PocketSphinxRecognizer, SpeechRecognizer, TextStage, load_recognizer
from emoreason.perception.text.asr import iter_span_audio, split_long
from emoreason.perception.voice import VoiceStage
from emoreason.records import Modality, StageStatus, TranscriptSegment, TranscriptSource, Word


class EchoRecognizer:
    """A stand-in for a user's local model: says 'i am not happy' over whatever it hears."""

    name = "echo"
    language = "en"

    def __init__(self) -> None:
        self.calls: list[tuple[float, float]] = []

    def transcribe(self, samples: np.ndarray, sample_rate: int, *, offset: float = 0.0) -> list[TranscriptSegment]:
        end = offset + len(samples) / sample_rate
        self.calls.append((offset, end))
        words = [Word(text=w, start=offset + i * 0.1, end=offset + (i + 1) * 0.1) for i, w in
                 enumerate("i am not happy".split())]
        return [TranscriptSegment(start=offset, end=end, text="i am not happy", words=words)]


def test_plugin_recognizer_protocol_and_loading() -> None:
    rec = EchoRecognizer()
    assert isinstance(rec, SpeechRecognizer)
    assert load_recognizer(rec) is rec
    assert isinstance(load_recognizer("tests.perception.text.test_asr_stage:EchoRecognizer"), EchoRecognizer)
    with pytest.raises(RegistryError):
        load_recognizer("no.such.module:Thing")
    with pytest.raises(RegistryError):
        load_recognizer("whisper-large")


def test_span_cutting_across_chunks() -> None:
    class C:
        def __init__(self, x: np.ndarray, off: float) -> None:
            self.samples, self.offset = x, off

    x = np.arange(16000 * 3, dtype=np.float32)
    chunks = [C(x[i : i + 7000], i / 16000) for i in range(0, len(x), 7000)]
    got = list(iter_span_audio(chunks, [(0.5, 1.0), (1.2, 2.9)]))
    assert [(a, b) for a, b, _ in got] == [(0.5, 1.0), (1.2, 2.9)]
    np.testing.assert_array_equal(got[1][2], x[19200:46400])
    assert split_long([(0.0, 50.0)], 20.0) == [(0.0, 50 / 3), (50 / 3, 100 / 3), (100 / 3, 50.0)]


@pytest.mark.shared_data
@pytest.mark.slow
def test_pocketsphinx_on_real_speech(speech_16k: np.ndarray) -> None:
    rec = PocketSphinxRecognizer()
    segs = rec.transcribe(speech_16k, 16000, offset=10.0)
    words = [w for s in segs for w in s.words]
    assert {"open", "source"} <= {w.text for w in words}
    assert all(10.0 <= w.start < w.end <= 10.0 + len(speech_16k) / 16000 + 0.05 for w in words)
    assert all(0.0 <= w.confidence <= 1.0 for w in words)


def _ctx(path: Path, subtitle: str | None = None, language: str | None = None) -> ClipContext:
    media = probe(path)
    tr = read_subtitles(subtitle, language=language) if subtitle else None
    if tr is not None:
        tr = tr.model_copy(update={"segments": [s.model_copy(update={"start": 0.0, "end": media.duration})
                                                for s in tr.segments]})
    return ClipContext(path=path, media=media, transcript=tr)


@pytest.mark.shared_data
def test_stage_with_subtitles_uses_speech_for_timing(shared_clips: Path) -> None:
    path = shared_clips / "sample_00004671.mp4"
    ctx = _ctx(path, "Really? Impossible, Fan Xiaomei is not that kind of person.", "en")
    VoiceStage(egemaps=False).run(ctx)
    (report,) = TextStage(asr=None).run(ctx)
    assert report.status is StageStatus.OK and report.modality is Modality.TEXT
    really = next(c for c in report.clues if "incredulity" in c.tags and "Really" in c.description)
    first = ctx.voice.speech_segments[0]
    assert first.start <= really.start < really.end <= first.end + 0.05


@pytest.mark.shared_data
def test_stage_asr_fallback_with_plugin(speech_wav: Path) -> None:
    ctx = _ctx(speech_wav)
    VoiceStage(egemaps=False).run(ctx)
    rec = EchoRecognizer()
    (report,) = TextStage(asr=rec).run(ctx)
    assert ctx.transcript.source is TranscriptSource.ASR and ctx.transcript.language == "en"
    assert rec.calls and rec.calls[0][0] == pytest.approx(ctx.voice.speech_segments[0].start, abs=0.01)
    assert any("negated_positive" in c.tags for c in report.clues)
    assert "ASR" in report.message


@pytest.mark.shared_data
@pytest.mark.slow
def test_stage_asr_without_voice_stage(speech_wav: Path) -> None:
    ctx = _ctx(speech_wav)
    (report,) = TextStage().run(ctx)
    assert report.status is StageStatus.OK
    assert "open" in ctx.transcript.text


def test_stage_missing_audio_and_silence(sample_clip: Path, tmp_path: Path) -> None:
    from tests.io.media_factory import remux

    video_only = remux(sample_clip, tmp_path / "v.mp4", keep="video")
    (report,) = TextStage().run(_ctx(video_only))
    assert report.status is StageStatus.MISSING
    ctx = _ctx(sample_clip)
    VoiceStage(egemaps=False).run(ctx)
    (report,) = TextStage().run(ctx)
    assert report.status is StageStatus.EMPTY and "no speech" in report.message
    (report,) = TextStage(asr=None).run(_ctx(sample_clip))
    assert report.status is StageStatus.EMPTY


def test_non_english_subtitles_are_accepted(sample_clip: Path) -> None:
    ctx = _ctx(sample_clip, "我不知道！我没有这方面的经验。", "zh")
    (report,) = TextStage().run(ctx)
    lexical = [c for c in report.clues if "learned" not in c.tags]
    assert report.status is StageStatus.OK and lexical == []
    assert {c.source for c in report.clues} <= {"text-head"}  # only the multilingual head reads it
    assert "English" in report.message and ctx.transcript.language == "zh"
