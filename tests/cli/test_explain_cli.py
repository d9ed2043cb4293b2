"""`emoreason explain` / `probe` / `schema` end to end, including every bad-input case of issue 2."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from emoreason.cli.app import main
from emoreason.records import ExplainResult, Modality, StageStatus
from tests.io.media_factory import random_bytes, remux, truncate


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_probe_json(capsys: pytest.CaptureFixture[str], sample_clip: Path) -> None:
    code, out, _ = run_cli(capsys, "probe", str(sample_clip), "--json")
    assert code == 0 and json.loads(out)["video"]["width"] == 640


def test_schema_is_the_result_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "ExplainResult"
    assert {"schema_version", "modalities", "emotions", "explanation"} <= set(schema["properties"])


@pytest.mark.slow
def test_explain_shared_clip_json_is_valid(capsys: pytest.CaptureFixture[str], shared_clips: Path) -> None:
    code, out, err = run_cli(capsys, "explain", str(shared_clips / "sample_00000338.mp4"), "--format", "json")
    assert code == 0, err
    result = ExplainResult.model_validate_json(out)
    assert result.media.duration > 4 and result.explanation is not None and result.emotions
    assert {m.modality for m in result.modalities} >= {Modality.FACE, Modality.VOICE, Modality.TEXT}


@pytest.mark.slow
def test_explain_sample_clip_text_and_markdown(
    capsys: pytest.CaptureFixture[str], sample_clip: Path, tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, "explain", str(sample_clip))
    assert code == 0, err
    assert "Emotions:" in out and "Therefore" in out
    md = tmp_path / "r.md"
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "--format", "markdown", "-o", str(md))
    assert code == 0, err
    assert md.read_text().startswith("# WolfgangLanger_Pexels.mp4")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda d, src: d / "missing.mp4", "file not found"),
        (lambda d, src: (d / "empty.mp4").write_bytes(b"") or d / "empty.mp4", "empty"),
        (lambda d, src: random_bytes(d / "noise.mp4"), "not a readable media file"),
        (lambda d, src: truncate(src, d / "cut.mp4", 0.02), "cannot be decoded"),  # cut at 54 %: test_robustness
    ],
    ids=["missing", "zero-length", "not-media", "truncated-to-nothing"],
)
def test_bad_media_one_line_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path, make, problem: str
) -> None:
    bad = make(tmp_path, sample_clip)
    code, out, err = run_cli(capsys, "explain", str(bad))
    assert code == 2 and out == ""
    assert str(bad) in err and problem in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    from emoreason.errors import MediaError

    with pytest.raises(MediaError):
        main(["--debug", "explain", str(tmp_path / "missing.mp4")])


def test_undecodable_subtitle(capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path) -> None:
    sub = tmp_path / "bad.srt"
    sub.write_bytes(b"\x00\xff\x00binary")
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "--subtitle", str(sub))
    assert code == 2 and str(sub) in err and "binary data" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; the missing-folder case covers it")
def test_unwritable_output_permission(capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "-o", str(locked / "r.json"))
    assert code == 2 and "not writable" in err


def test_unwritable_output_path(capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path) -> None:
    out = tmp_path / "no" / "such" / "folder" / "r.json"
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "-o", str(out))
    assert code == 2 and str(out) in err and "does not exist" in err
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "-o", str(tmp_path))
    assert code == 2 and "is a directory" in err


@pytest.mark.slow
def test_no_audio_stream_explains_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sample_clip: Path
) -> None:
    video_only = remux(sample_clip, tmp_path / "video_only.mp4", keep="video")
    code, out, err = run_cli(capsys, "explain", str(video_only), "--format", "json")
    assert code == 0, err
    result = ExplainResult.model_validate_json(out)
    voice = result.report(Modality.VOICE)
    assert voice is not None and voice.status is StageStatus.MISSING and "no audio stream" in voice.message
    face = result.report(Modality.FACE)
    assert face is not None and face.status is StageStatus.OK


@pytest.mark.slow
def test_no_video_stream_explains_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, shared_clips: Path
) -> None:
    audio_only = remux(shared_clips / "sample_00000338.mp4", tmp_path / "audio_only.m4a", keep="audio")
    code, out, err = run_cli(capsys, "explain", str(audio_only), "--format", "json")
    assert code == 0, err
    result = ExplainResult.model_validate_json(out)
    face = result.report(Modality.FACE)
    assert face is not None and face.status is StageStatus.MISSING and "no video stream" in face.message
    assert result.report(Modality.VOICE).status is StageStatus.OK


@pytest.mark.slow
def test_egemaps_only_on_request(shared_clips: Path) -> None:
    pytest.importorskip("opensmile")
    from emoreason import explain

    clip = shared_clips / "sample_00000338.mp4"
    assert explain(clip, subtitle="hello").voice.egemaps is None
    assert len(explain(clip, subtitle="hello", egemaps=True).voice.egemaps or {}) >= 80  # 88 functionals


def test_bad_reasoner_fails_before_perception(capsys: pytest.CaptureFixture[str], sample_clip: Path) -> None:
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "--reasoner", "nosuch")
    assert code == 2 and "unknown reasoners 'nosuch'" in err and "template" in err
    code, _, err = run_cli(capsys, "explain", str(sample_clip), "-r", "llama-cpp", "--model", "/no/such.gguf")
    assert code == 2 and "/no/such.gguf" in err
