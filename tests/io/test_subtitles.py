"""Subtitles and transcripts: formats, encodings, strings, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.errors import SubtitleError
from emoreason.io import read_subtitles
from emoreason.io.subtitles import fit_to_clip
from emoreason.records import Transcript, TranscriptSegment, TranscriptSource

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


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[1, 2, 3]", "JSON segment 0 is a int, not an object"),
        ('{"segments": ["hello", "world"]}', "JSON segment 0 is a str, not an object"),
        ('{"segments": [{"text": "ok"}, null]}', "JSON segment 1 is a NoneType"),
        ('[{"start": 0, "end": 1, "text": "hi"}, [0, 1, "x"]]', "JSON segment 1 is a list"),
        ('[{"start": "soon", "text": "hi"}]', "malformed JSON segment 0 (start:"),
        ('[{"start": 0, "end": 1}]', "malformed JSON segment 0 (text: Field required)"),
    ],
)
def test_json_segments_that_are_not_objects_fail_in_one_line(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SubtitleError) as info:
        read_subtitles(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


@pytest.mark.parametrize(
    "text",
    ["[LAUGHTER] oh no, not again", "[laughs] fine.", "{sighs} whatever you say", "[1, 2, 3]", '{"segments": 3}',
     "[Music]"],
)
def test_literal_text_starting_with_a_bracket_is_text(text: str) -> None:
    """2-4 % of real utterances begin with '[LAUGHTER]'; only a real JSON transcript is parsed as one."""
    t = read_subtitles(text)
    assert t.text == text and not t.is_timed and t.source is TranscriptSource.SUBTITLE_TEXT


def test_literal_json_transcript_is_still_parsed() -> None:
    t = read_subtitles('[{"start": 0.5, "end": 1.5, "text": "[LAUGHTER] hello"}]')
    assert t.is_timed and t.segments[0].start == 0.5 and t.text == "[LAUGHTER] hello"


def _transcript(*spans: tuple[float | None, float | None]) -> Transcript:
    segments = [TranscriptSegment(start=a, end=b, text=f"cue {i}") for i, (a, b) in enumerate(spans)]
    return Transcript(source=TranscriptSource.SUBTITLE_FILE, segments=segments, origin="x.srt")


def test_fit_to_clip_drops_and_clamps_with_one_counting_warning() -> None:
    nan, inf = float("nan"), float("inf")
    t = _transcript((0.5, 1.0), (nan, 1.0), (1.0, inf), (2.0, 1.0), (-1.0, 0.8), (3.0, 9.0), (4.0, 5.0),
                    (35_999.0, 35_999.9), (-5.0, -1.0))
    fitted, warning = fit_to_clip(t, 3.5)
    assert [(s.start, s.end) for s in fitted.segments] == [(0.5, 1.0), (0.0, 0.8), (3.0, 3.5)]
    assert warning == ("subtitles x.srt: of 9 cues, 3 outside the 3.5 s clip dropped, 3 with invalid times "
                       "(NaN, infinite or end before start) dropped, 2 clamped to the clip")
    assert all(0.0 <= s.start <= s.end <= 3.5 for s in fitted.segments)


def test_fit_to_clip_leaves_good_cues_alone_and_spans_untimed_text() -> None:
    good = _transcript((0.0, 1.0), (1.0, 3.5))
    assert fit_to_clip(good, 3.5) == (good, None)
    untimed, warning = fit_to_clip(read_subtitles("I was very happy"), 4.0)
    assert warning is None and [(s.start, s.end) for s in untimed.segments] == [(0.0, 4.0)]
    image, warning = fit_to_clip(_transcript((2.0, 3.0)), 0.0)  # a still image: no length to check
    assert warning is None and image.segments[0].start == 2.0


def test_two_megabyte_srt_on_a_short_clip_is_bounded(tmp_path: Path) -> None:
    """The fuzz case: ~2 MB of cues up to 9 h on a 3.5 s clip keeps only the cues inside the clip."""
    blocks = []
    for i in range(25_000):
        start = i * 1.3
        h, rem = divmod(start, 3600)
        m, sec = divmod(rem, 60)
        stamp = f"{int(h):02d}:{int(m):02d}:{sec:06.3f}".replace(".", ",")
        blocks.append(f"{i + 1}\n{stamp} --> {stamp}\nI am so happy today, really {i}\n")
    path = tmp_path / "big.srt"
    path.write_text("\n".join(blocks), encoding="utf-8")
    assert path.stat().st_size > 1_500_000
    fitted, warning = fit_to_clip(read_subtitles(path), 3.5)
    assert len(fitted.segments) == 3 and max(s.end for s in fitted.segments) <= 3.5
    assert warning is not None and "of 25,000 cues, 24,997 outside the 3.5 s clip dropped" in warning


def test_fit_to_clip_keeps_at_most_max_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    from emoreason.io import subtitles

    monkeypatch.setattr(subtitles, "MAX_SEGMENTS", 10)
    fitted, warning = fit_to_clip(_transcript(*[(i * 0.01, i * 0.01 + 0.005) for i in range(30)]), 3.5)
    assert len(fitted.segments) == 10 and fitted.segments[-1].start == pytest.approx(0.09)
    assert warning is not None and "20 beyond the first 10 dropped" in warning


def test_subtitle_fifo_is_refused_without_reading_it(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.srt"
    os.mkfifo(fifo)
    with pytest.raises(SubtitleError, match="not a regular file"):
        read_subtitles(fifo)
    with pytest.raises(SubtitleError, match="not a regular file"):
        read_subtitles(tmp_path)
