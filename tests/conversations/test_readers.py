"""Dialogue readers: every input format, gold fields ignored, and each bad-input case of issue 13."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.conversations import DialogueInputError, read_dialogues
from emoreason.conversations.analyse import check_dialogue
from emoreason.conversations.readers import detect_format, split_speaker

ECAC = [
    {"conversation_ID": 7, "conversation": [
        {"utterance_ID": 1, "text": "I got the job !", "speaker": "Ross", "emotion": "joy",
         "video_name": "dia7utt1.mp4"},
        {"utterance_ID": 2, "text": "Oh my God !", "speaker": "Rachel", "emotion": "surprise"}],
     "emotion-cause_pairs": [["2_surprise", "1_I got the job"], ["2_surprise", "9_nowhere"]]},
    {"conversation_ID": 8, "conversation": [{"utterance_ID": 1, "text": "Hi .", "speaker": "Joey"}]},
]


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_ecac_json_keeps_ids_and_clip_but_never_gold(tmp_path: Path) -> None:
    dialogues = read_dialogues(write(tmp_path, "d.json", json.dumps(ECAC)))
    assert [d.conversation_id for d in dialogues] == ["7", "8"]
    first = dialogues[0]
    assert first.format == "ecac-json" and [u.utterance_id for u in first.utterances] == [1, 2]
    assert first.utterances[0].clip == "dia7utt1.mp4" and first.utterances[1].speaker == "Rachel"
    dumped = first.model_dump_json()
    assert "joy" not in dumped and "emotion-cause" not in dumped  # gold is not carried
    assert any("cause utterance 9 does not exist (past the end" in issue for issue in first.issues)


def test_ecf_txt_reads_times_and_meld_ids(tmp_path: Path) -> None:
    text = ("3 2\n(2,1),(2,2)\n1 | Monica | surprise | Oh my God ! | Friends_S1E1: 00:10:24.498 - 00:10:25.916\n"
            "2 | Paul | neutral | I know , I know . | train_dia5_utt1\n")
    (dialogue,) = read_dialogues(write(tmp_path, "c.txt", text))
    assert dialogue.format == "ecf-txt" and dialogue.conversation_id == "3"
    first = dialogue.utterances[0]
    assert first.start == pytest.approx(624.498) and first.end == pytest.approx(625.916)
    assert dialogue.utterances[1].id == "train_dia5_utt1"


def test_meld_csv_groups_dialogues_and_names_clips(tmp_path: Path) -> None:
    rows = ("Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n"
            "1,Hi there,Ross,neutral,neutral,0,0,1,1,\"00:00:01,000\",\"00:00:02,500\"\n"
            "2,Go away!,Rachel,anger,negative,0,1,1,1,\"00:00:03,000\",\"00:00:04,000\"\n"
            "3,Okay,Joey,neutral,neutral,1,0,1,1,,\n")
    dialogues = read_dialogues(write(tmp_path, "meld.csv", rows))
    assert [d.format for d in dialogues] == ["meld-csv", "meld-csv"]
    assert [len(d.utterances) for d in dialogues] == [2, 1]
    u = dialogues[0].utterances[1]
    assert (u.utterance_id, u.clip, u.id, u.start) == (1, "dia0_utt1.mp4", "2", 3.0)


def test_plain_jsonl_and_csv(tmp_path: Path) -> None:
    jsonl = "\n".join(json.dumps(r) for r in [{"speaker": "A", "text": "hello", "id": "x1", "start": 0, "end": 1.5},
                                              {"speaker": "B", "text": "hi", "clip": "b.mp4"}])
    (d,) = read_dialogues(write(tmp_path, "p.jsonl", jsonl))
    assert [u.utterance_id for u in d.utterances] == [1, 2] and d.utterances[0].id == "x1"
    assert d.utterances[0].end == 1.5 and d.utterances[1].clip == "b.mp4"
    (c,) = read_dialogues(write(tmp_path, "p.csv", "speaker,text\nA,hello\nB,\"well, hi\"\n"))
    assert c.format == "csv" and c.utterances[1].text == "well, hi"


def test_subtitles_with_speaker_names(tmp_path: Path) -> None:
    srt = ("1\n00:00:00,000 --> 00:00:01,200\nRoss: We were on a break!\n\n"
           "2\n00:00:01,500 --> 00:00:03,000\n[Rachel] No!\n")
    (d,) = read_dialogues(write(tmp_path, "ep.srt", srt))
    assert d.format == "subtitles" and [u.speaker for u in d.utterances] == ["Ross", "Rachel"]
    assert d.utterances[1].text == "No!" and d.utterances[1].start == 1.5
    assert split_speaker("just words") == ("", "just words")


def test_non_utf8_file_is_read_and_said(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", "speaker,text\nZoë,Café au lait\n".encode("latin-1"))
    (d,) = read_dialogues(path)
    assert d.utterances[0].text == "Café au lait" and any("not UTF-8" in i for i in d.issues)


@pytest.mark.parametrize(("name", "content", "needle"), [
    ("bad.json", "[{\"conversation_ID\": 1, ", "malformed JSON"),
    ("bad.json", json.dumps([{"conversation_ID": 1, "conversation": [{"utterance_ID": "one", "text": "x"}]}]),
     "not a whole number"),
    ("bad.txt", "hello world\n", "unknown dialogue format"),
    ("bad.txt", "1 3\n()\n1 | A | joy | hi | x\n", "announces 3 utterances"),
    ("bad.csv", "who,what\nA,hi\n", "needs a text column"),
    ("bad.jsonl", "{\"text\": \"hi\"}\n[1, 2]\n", "must be a JSON object"),
    ("empty.json", "", "is empty"),
    ("binary.csv", b"\x00\x01\x02binary", "binary data"),
])
def test_malformed_files_name_the_file(tmp_path: Path, name: str, content: str | bytes, needle: str) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(DialogueInputError, match=needle) as info:
        read_dialogues(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DialogueInputError, match="not found"):
        read_dialogues(tmp_path / "nope.json")


def test_duplicate_ids_and_empty_utterances(tmp_path: Path) -> None:
    dup = [{"conversation_ID": 1, "conversation": [{"utterance_ID": 1, "text": "a", "speaker": "A"},
                                                   {"utterance_ID": 1, "text": "b", "speaker": "B"}]}]
    (d,) = read_dialogues(write(tmp_path, "dup.json", json.dumps(dup)))
    with pytest.raises(DialogueInputError, match="utterance id 1 is used twice"):
        check_dialogue(d)
    empty = [{"conversation_ID": 2, "conversation": [{"utterance_ID": 1, "text": "  ", "speaker": "A"},
                                                     {"utterance_ID": 3, "text": "b", "speaker": "B"}]}]
    (e,) = read_dialogues(write(tmp_path, "empty_utt.json", json.dumps(empty)))
    assert any("1 empty utterance(s) (1)" in w for w in check_dialogue(e))


def test_detect_format_by_content(tmp_path: Path) -> None:
    assert detect_format(Path("x.txt"), "12 3\n(1,1)\n") == "ecf-txt"
    assert detect_format(Path("x.json"), json.dumps(ECAC)) == "ecac-json"
    assert detect_format(Path("x.csv"), "Dialogue_ID,Utterance_ID,Utterance\n") == "meld-csv"


def test_jsonl_whose_first_row_has_no_text_field_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "obj.json"
    path.write_text('{"a": 1}\n', encoding="utf-8")
    with pytest.raises(DialogueInputError, match=r"obj\.json:1: rows need a text field .*found a$"):
        list(read_dialogues(path))
