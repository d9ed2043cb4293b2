"""Tables at 80 columns and when piped: nothing cut ('ra…'), no name split mid-word, nothing past the edge."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emoreason.cli.app import main
from emoreason.cli.tables import fit_widths


def run_80(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", "80")  # captured stdout is not a terminal: as when piped
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def assert_readable(out: str) -> None:
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "…" not in out and "\x1b[" not in out


def test_fit_widths_shares_the_room_and_never_cuts_a_word() -> None:
    assert fit_widths([10, 20], [5, 8], [False, True], 80) is None  # fits as it is
    widths = fit_widths([13, 8, 60, 70], [13, 8, 26, 17], [False, False, True, True], 80)
    assert widths is not None and sum(widths) + 3 == 80
    assert widths[:2] == [13, 8] and widths[2] >= 26 and widths[3] >= 17
    assert fit_widths([60, 60], [50, 40], [False, True], 80) is None  # cannot fit: rich squeezes


def test_eval_list_keeps_task_names_whole(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from emoreason.tasks.registry import get_task, task_names

    out = run_80(capsys, monkeypatch, "eval", "--list")
    assert_readable(out)
    words = set(re.findall(r"[\w.:-]+", out))
    for name in task_names():
        assert name in words, f"task {name} split or missing"
        for metric in get_task(name).metrics:
            assert metric in words, f"metric {metric} split"


def test_explain_clue_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                            tmp_path: Path) -> None:
    from tests.io.media_factory import synth_video

    clip = synth_video(tmp_path / "tone.mp4", seconds=2.0, fps=10, tone_hz=440.0)
    out = run_80(capsys, monkeypatch, "explain", str(clip), "--no-asr", "-s",
                 "[LAUGHTER] Why would you do that? I am absolutely furious and heartbroken, honestly!")
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Clues")
    end = next(i for i, line in enumerate(lines) if i > start and line.startswith(("not read", "warning")))
    assert_readable("\n".join(lines[start:end]))  # the paragraphs around it are soft-wrapped on purpose
    assert end - start >= 4 and "[LAUGHTER]" in out  # a title, a header, a rule and clue rows


def test_voice_prosody_and_clue_tables(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                       shared_clips: Path) -> None:
    out = run_80(capsys, monkeypatch, "voice", str(shared_clips / "sample_00000338.mp4"), "--no-asr", "-s",
                 "Why would you do that? I am so angry!")
    assert_readable(out)
    for header in ("range", "slope", "level", "jitter", "shimmer", "tremor", "dBFS"):
        assert re.search(rf"\b{header}\b", out), header
    assert re.search(r"^clip +\d", out, re.MULTILINE)  # the clip row of the prosody table


def test_faces_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sample_clip: Path) -> None:
    out = run_80(capsys, monkeypatch, "faces", str(sample_clip), "--fps", "1")
    assert_readable(out)
    assert "strongest AUs" in out and "expression" in out and re.search(r"AU\d\d \d\.\d", out)


def test_probe_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sample_clip: Path) -> None:
    out = run_80(capsys, monkeypatch, "probe", str(sample_clip))
    assert_readable(out)
    assert "h264 640×360 @ 23.976 fps" in out
