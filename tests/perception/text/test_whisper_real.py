"""The shipped Whisper base model on real speech: Chinese drama clips and English speech.

Slow: the model (145 MB) is joined and verified once per session into a temporary cache.
Needs the data wheels + faster-whisper (default dependencies), ../shared/data for the clips
and the opensmile sample, and Debian's ``espeak-ng`` for the synthetic English sentence.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from emoreason.io import probe
from emoreason.perception.base import ClipContext
from emoreason.perception.text import TextStage
from emoreason.perception.voice import VoiceStage
from emoreason.records import StageStatus, TranscriptSource

pytestmark = pytest.mark.slow
#: Traditional-only forms of common characters; simplified output contains none of them.
TRADITIONAL = set("這們個來說會沒麼經驗為時對後過還發現裡開關與學點實樣問題間應該讓從當頭見氣電話機錢包")


@pytest.fixture(scope="module")
def whisper(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - WhisperRecognizer
    pytest.importorskip("faster_whisper")
    from emoreason.errors import DependencyError
    from emoreason.perception.text.whisper import WhisperRecognizer
    from emoreason.perception.text.whisper_model import whisper_base_dir

    try:
        folder = whisper_base_dir(tmp_path_factory.mktemp("models"))
    except DependencyError as exc:
        pytest.skip(str(exc))
    return WhisperRecognizer(model_dir=folder)


def _cjk_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("CJK" in unicodedata.name(ch, "") for ch in letters) / max(1, len(letters))


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["sample_00004671", "sample_00000000"])
def test_chinese_clip_gives_simplified_chinese_and_no_english_clues(whisper, shared_clips: Path, name: str) -> None:
    path = shared_clips / f"{name}.mp4"
    ctx = ClipContext(path=path, media=probe(path))
    VoiceStage(egemaps=False).run(ctx)
    (report,) = TextStage(asr=whisper).run(ctx)
    tr = ctx.transcript
    assert tr.source is TranscriptSource.ASR and tr.language == "zh" and tr.language_probability > 0.8
    assert len(tr.text) >= 5 and _cjk_share(tr.text) > 0.9, tr.text
    assert not TRADITIONAL & set(tr.text), tr.text
    assert all(0.0 < s.confidence <= 1.0 and 0.0 <= s.no_speech_prob <= 1.0 for s in tr.segments)
    assert all(s.language == "zh" for s in tr.segments)
    english = [c for c in report.clues if "learned" not in c.tags]
    assert report.status is StageStatus.OK and english == [] and "skipped" in report.message
    assert all(c.source == "text-head" for c in report.clues)  # the multilingual head reads Chinese


@pytest.mark.shared_data
def test_requested_language_is_used(whisper, shared_clips: Path) -> None:
    path = shared_clips / "sample_00004671.mp4"
    ctx = ClipContext(path=path, media=probe(path))
    TextStage(asr=whisper, language="zh-CN").run(ctx)
    assert ctx.transcript.language == "zh" and ctx.transcript.language_probability is None
    assert _cjk_share(ctx.transcript.text) > 0.9


@pytest.mark.shared_data
def test_english_recording(whisper, speech_16k) -> None:  # noqa: ANN001
    assert whisper.detect_language(speech_16k, 16000)[0] == "en"
    segments = whisper.transcribe(speech_16k, 16000, offset=2.0)
    text = " ".join(s.text for s in segments).lower()
    assert "open source" in text and "feature" in text
    assert segments[0].start >= 2.0 and segments[-1].end <= 2.0 + len(speech_16k) / 16000 + 0.01


def test_espeak_english_sentence_gives_english_clues(whisper, tmp_path: Path) -> None:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng not installed (Debian: apt-get install espeak-ng)")
    wav = tmp_path / "en.wav"
    subprocess.run([espeak, "-w", str(wav), "I am really happy to see you again, this is wonderful news."],
                   check=True, capture_output=True)
    ctx = ClipContext(path=wav, media=probe(wav))
    (report,) = TextStage(asr=whisper).run(ctx)
    assert ctx.transcript.language == "en" and "happy" in ctx.transcript.text.lower()
    lexical = [c for c in report.clues if "learned" not in c.tags]
    assert lexical and all(c.strength <= 1.0 for c in report.clues)
    assert all(any(e.name == "asr_confidence" for e in c.evidence) for c in lexical)


def test_language_codes_are_checked(whisper) -> None:  # noqa: ANN001
    from emoreason.perception.text.whisper import RecognizerError

    assert whisper.language == "multi" and whisper.name == "faster-whisper-base"
    assert whisper.check_language("zh-Hans") == "zh" and whisper.check_language(None) is None
    with pytest.raises(RecognizerError, match="klingon"):
        whisper.check_language("klingon")
