"""Subtitles and transcripts: formats, encodings, strings, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.errors import SubtitleError
from emoreason.io import read_subtitles
from emoreason.records import TranscriptSource

SRT = """1
00:00:01,000 --> 00:00:02,500
<i>I was very happy,</i>

2
00:00:02,600 --> 00:00:04,000
now are you satisfied?
"""

VTT = """WEBVTT

00:01.000 --> 00:02.500
I was very happy,

00:00:02.600 --> 00:00:04.000 align:start
now are you satisfied?
"""


@pytest.mark.parametrize(("name", "text"), [("a.srt", SRT), ("a.vtt", VTT)])
def test_timed_formats(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    t = read_subtitles(path)
    assert t.source is TranscriptSource.SUBTITLE_FILE and t.is_timed
    assert [(s.start, s.end) for s in t.segments] == [(1.0, 2.5), (2.6, 4.0)]
    assert t.text == "I was very happy, now are you satisfied?"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_chinese_subtitles_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    text = "1\n00:00:00,000 --> 00:00:01,200\n我很高兴，现在你满意了吗？\n"
    path = tmp_path / "zh.srt"
    path.write_bytes(text.encode(encoding))
    t = read_subtitles(path, language="zh")
    assert t.segments[0].text == "我很高兴，现在你满意了吗？"
    assert t.language == "zh" and t.encoding is not None


def test_latin1_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "fr.txt"
    path.write_bytes("Je suis très fâché.\nC'est fini.\n".encode("latin-1"))
    t = read_subtitles(path)
    assert t.encoding == "latin-1" and t.segments[0].text == "Je suis très fâché."
    assert not t.is_timed and len(t.segments) == 2


def test_literal_strings() -> None:
    t = read_subtitles("I was very happy, now are you satisfied?")
    assert t.source is TranscriptSource.SUBTITLE_TEXT and t.text.startswith("I was very happy")
    assert read_subtitles(SRT).is_timed


def test_json_segments(tmp_path: Path) -> None:
    path = tmp_path / "asr.json"
    path.write_text('{"segments": [{"start": 0.5, "end": 1.5, "text": "hello"}]}', encoding="utf-8")
    t = read_subtitles(path)
    assert t.segments[0].start == 0.5 and t.text == "hello"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x00\x01\x02binary\x00", "binary data"),
        (b"", "no subtitle text"),
        (b"1\n00:00:01,000 --> 00:00:02,000\n\n", "no subtitle text"),
        (b'{"segments": 3}', "list of segments"),
    ],
    ids=["binary", "empty", "cues-without-text", "bad-json"],
)
def test_bad_subtitles_name_the_file(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / ("bad.json" if content.startswith(b"{") else "bad.srt")
    path.write_bytes(content)
    with pytest.raises(SubtitleError) as info:
        read_subtitles(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_missing_subtitle_file() -> None:
    with pytest.raises(SubtitleError, match="subtitle file not found"):
        read_subtitles("does/not/exist.srt")


def test_shared_ground_truth_subtitles_as_text(shared_clips: Path) -> None:
    import csv

    with (shared_clips / "ground_truth.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row["subtitle_en"].strip():
            assert read_subtitles(row["subtitle_en"]).text
