"""The mutation campaign's findings, kept as tests: broken, odd and oversized inputs end to end."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import ClassVar

import pytest

from emoreason.cli.app import main
from emoreason.errors import MediaError
from emoreason.pipeline import MAX_CLUES_PER_MODALITY, explain
from emoreason.records import Clue, Modality, ModalityReport, StageStatus
from tests.io.media_factory import damage_packets, duplicate_streams, join_files, synth_video, truncate


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def tone_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_video(tmp_path_factory.mktemp("media") / "tone.mp4", seconds=3.5, fps=10, tone_hz=440.0)


@pytest.mark.parametrize("command", ["explain", "probe", "faces", "voice"])
def test_fifo_is_refused_fast_by_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    done: list[tuple[int, str, str]] = []
    worker = threading.Thread(target=lambda: done.append(run_cli(capsys, command, str(fifo))), daemon=True)
    worker.start()
    worker.join(20)
    assert done, f"`emoreason {command}` blocked on a FIFO"
    code, _, err = done[0]
    assert code == 2 and len(err.strip().splitlines()) == 1 and "FIFO (named pipe), not a regular file" in err


def test_json_transcript_with_non_object_segments_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tone_clip: Path
) -> None:
    bad = tmp_path / "segments.json"
    bad.write_text('{"segments": [1, 2, 3]}', encoding="utf-8")
    code, out, err = run_cli(capsys, "explain", str(tone_clip), "-s", str(bad))
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.strip() == f"error: {bad}: JSON segment 0 is a int, not an object with 'text' (and optional 'start', " \
                          "'end')"


class _Stub:
    """A stage that reports many clues, to test the pipeline's bound on output size."""

    name: ClassVar[str] = "stub"
    modalities: ClassVar[tuple[Modality, ...]] = (Modality.TEXT,)

    def __init__(self, n: int) -> None:
        self.n = n

    def run(self, ctx: object) -> list[ModalityReport]:
        clues = [Clue(modality=Modality.TEXT, description=f"clue {i}", start=0.0, end=1.0, strength=(i % 100) / 100)
                 for i in range(self.n)]
        return [ModalityReport(modality=Modality.TEXT, status=StageStatus.OK, clues=clues)]


def test_clues_per_modality_are_bounded_with_a_warning(tone_clip: Path) -> None:
    result = explain(tone_clip, stages=[_Stub(MAX_CLUES_PER_MODALITY * 3)])
    text = result.report(Modality.TEXT)
    assert len(text.clues) == MAX_CLUES_PER_MODALITY
    assert min(c.strength for c in text.clues) >= 0.6  # the strongest were kept
    assert [w for w in result.warnings if "clues found" in w] == [
        f"text: {MAX_CLUES_PER_MODALITY * 3:,} clues found; only the {MAX_CLUES_PER_MODALITY} strongest are kept"
    ]


def test_two_megabyte_srt_on_a_short_clip_gives_a_bounded_result(tmp_path: Path, tone_clip: Path) -> None:
    """73,811 clues up to 32,368 s and a 101 MB JSON before; now the cues outside the clip are dropped, with a count."""
    from emoreason.perception.text import TextStage

    cues = []
    for i in range(20_000):
        start = i * 1.6
        h, rem = divmod(start, 3600)
        m, sec = divmod(rem, 60)
        a = f"{int(h):02d}:{int(m):02d}:{sec:06.3f}".replace(".", ",")
        b = f"{int(h):02d}:{int(m):02d}:{sec + 1:06.3f}".replace(".", ",")
        cues.append(f"{i + 1}\n{a} --> {b}\nWhy would you do that? I am furious and so sad, really {i}!\n")
    srt = tmp_path / "huge.srt"
    srt.write_text("\n".join(cues), encoding="utf-8")
    assert srt.stat().st_size > 1_500_000
    result = explain(tone_clip, subtitle=srt, stages=[TextStage(asr=None)])
    duration = result.media.duration
    assert len(result.transcript.segments) == 3
    assert all(0 <= s.start <= s.end <= duration for s in result.transcript.segments)
    assert all(c.end <= duration + 1e-6 for c in result.clues)
    assert len(result.clues) <= MAX_CLUES_PER_MODALITY
    fit = [w for w in result.warnings if w.startswith("subtitles")]
    assert len(fit) == 1 and "of 20,000 cues, 19,997 outside the 3.6 s clip dropped" in fit[0]
    assert len(result.model_dump_json()) < 200_000


def test_subtitle_times_are_validated_against_the_media(tmp_path: Path, tone_clip: Path) -> None:
    from emoreason.perception.text import TextStage

    transcript = tmp_path / "odd.json"
    transcript.write_text(json.dumps({"segments": [
        {"start": 0.2, "end": 1.0, "text": "I am happy"},
        {"start": float("nan"), "end": 1.0, "text": "nan start"},
        {"start": -2.0, "end": 0.5, "text": "negative start"},
        {"start": 2.0, "end": 1.0, "text": "reversed"},
        {"start": 359_999.0, "end": 359_999.5, "text": "at 99:59:59"},
    ]}), encoding="utf-8")
    result = explain(tone_clip, subtitle=transcript, stages=[TextStage(asr=None)])
    assert [(s.start, s.end, s.text) for s in result.transcript.segments] == [
        (0.2, 1.0, "I am happy"), (0.0, 0.5, "negative start")]
    fit = [w for w in result.warnings if w.startswith("subtitles")]
    assert fit == [f"subtitles {transcript}: of 5 cues, 1 outside the {result.media.duration:.1f} s clip dropped, "
                   "2 with invalid times (NaN, infinite or end before start) dropped, 1 clamped to the clip"]


def test_face_stage_failure_is_in_the_warnings(tone_clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emoreason.perception.face.stage import FaceStage

    def fail(self: FaceStage, ctx: object) -> None:
        raise MediaError(tone_clip, "video decoding failed near 1.00 s (Invalid data)")

    monkeypatch.setattr(FaceStage, "analyse", fail)
    result = explain(tone_clip, subtitle="hello", stages=[FaceStage()])
    assert result.report(Modality.FACE).status is StageStatus.FAILED
    assert [w for w in result.warnings if "face stage failed" in w] == [
        f"face stage failed: {tone_clip}: video decoding failed near 1.00 s (Invalid data)"]


@pytest.mark.parametrize("kind", ["video", "audio"])
def test_decode_error_mid_file_keeps_the_stage_and_says_where(tmp_path: Path, tone_clip: Path, kind: str) -> None:
    """100 flipped bytes used to fail face, voice and text at once; now only the damaged stretch is lost."""
    bad = damage_packets(tone_clip, tmp_path / f"bad-{kind}.mp4", kind=kind, start=1.4, end=1.6)
    result = explain(bad, subtitle="I am so happy")
    assert all(m.status is not StageStatus.FAILED for m in result.modalities), result.modalities
    lost = [w for w in result.warnings if "decoding failed near 1." in w]
    assert len(lost) == 1 and lost[0].startswith(kind) and "skipped" in lost[0]
    assert result.voice is not None and result.voice.duration > 3.0


def test_truncated_file_is_analysed_up_to_the_damage(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path
) -> None:
    cut = truncate(sample_clip, tmp_path / "cut54.mp4", 0.54)
    code, out, err = run_cli(capsys, "explain", str(cut), "--no-asr", "-f", "json")
    assert code == 0, err
    result = json.loads(out)
    assert 9.5 < result["media"]["duration"] < 11.5
    assert any("truncated or corrupt" in w and "declared 19.7 s" in w for w in result["warnings"])
    face = next(m for m in result["modalities"] if m["modality"] == "face")
    assert face["status"] == "ok" and max(c["end"] for c in face["clues"]) < 11.5


def test_extra_streams_and_joined_files_are_named(tmp_path: Path, tone_clip: Path, sample_clip: Path) -> None:
    doubled = duplicate_streams(tone_clip, tmp_path / "two.mp4", video=2, audio=1)
    assert any("2 video streams" in w for w in explain(doubled, stages=[]).warnings)
    joined = join_files(tone_clip, sample_clip, tmp_path / "joined.mp4")
    assert any("second MP4 file" in w for w in explain(joined, stages=[]).warnings)
