"""`emoreason text`: literal text, CSV/JSONL files, ids carried through, every bad-input case of issue 12."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.cli.app import main
from emoreason.heads.text_emotion import TEXT_HEAD_FILE
from tests.heads.factory import random_head


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.strip()], err


@pytest.fixture()
def head(tmp_path: Path) -> str:
    return str(random_head(tmp_path / "head.npz"))


def test_literal_text_even_when_it_starts_like_json(capsys: pytest.CaptureFixture[str], head: str) -> None:
    for text in ("[LAUGHTER] You did what?", '{"not": "a transcript"}', "好吧 fine, whatever 😒"):
        code, rows, err = run_cli(capsys, "text", text, "--head", head)
        assert code == 0, err
        assert len(rows) == 1 and rows[0]["status"] == "ok" and rows[0]["id"] == 0
        assert rows[0]["label"] == rows[0]["emotions"][0]["label"] and -1 <= rows[0]["valence"] <= 1


def test_csv_ids_carried_and_bad_rows_kept(capsys: pytest.CaptureFixture[str], head: str, tmp_path: Path) -> None:
    table = tmp_path / "u.csv"
    table.write_text('id,utterance\na1,I am thrilled\na2,\na3,"multi\nline"\na4,🙂🙂\na5,' + "long " * 3000 + "\n",
                     encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, _, err = run_cli(capsys, "text", str(table), "--column", "utterance", "--head", head, "-o", str(out),
                           "--batch-size", "2")
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a1", "a2", "a3", "a4", "a5"]
    assert [r["status"] for r in rows] == ["ok", "empty", "ok", "ok", "ok"]
    assert "truncated" in rows[4]["message"] and "emoji" in rows[3]["message"]
    assert rows[1]["label"] is None and rows[1]["emotions"] == []


def test_csv_without_the_column_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], head: str,
                                                   tmp_path: Path) -> None:
    table = tmp_path / "u.csv"
    table.write_text("id,words\n1,hello\n", encoding="utf-8")
    code, rows, err = run_cli(capsys, "text", str(table), "--head", head)
    assert code == 2 and rows == []
    assert str(table) in err and "'text'" in err and len(err.strip().splitlines()) == 1


def test_jsonl_bad_line_does_not_lose_good_ones(capsys: pytest.CaptureFixture[str], head: str,
                                               tmp_path: Path) -> None:
    lines = tmp_path / "u.jsonl"
    lines.write_text('{"id": 7, "text": "so sad"}\n{broken\n[1, 2]\n{"id": 9, "text": 3}\n{"text": "ok then"}\n',
                     encoding="utf-8")
    code, rows, err = run_cli(capsys, "text", str(lines), "--head", head)
    assert code == 0, err
    assert [r["status"] for r in rows] == ["ok", "unreadable", "unreadable", "unreadable", "ok"]
    assert rows[0]["id"] == 7 and rows[3]["id"] == 9 and rows[4]["id"] == 4
    assert "not JSON" in rows[1]["message"]


def test_missing_file_and_missing_head_are_errors(capsys: pytest.CaptureFixture[str], head: str,
                                                  tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "text", str(tmp_path / "nope.csv"), "--head", head)
    assert code == 2 and "nope.csv: file not found" in err
    code, _, err = run_cli(capsys, "text", "hello", "--head", str(tmp_path / "nohead.npz"))
    assert code == 2 and "head weights not found" in err


@pytest.mark.slow
def test_shipped_head_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    if not TEXT_HEAD_FILE.is_file():
        pytest.skip("no shipped text head")
    code, rows, err = run_cli(capsys, "text", "我真的非常生气！")
    assert code == 0, err
    assert rows[0]["label"] == "angry" and rows[0]["valence"] < 0


@pytest.mark.parametrize("name", ["u.jsonl", "u.csv"])
def test_an_empty_file_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], head: str, tmp_path: Path,
                                          name: str) -> None:
    table = tmp_path / name
    table.write_text("\n \n", encoding="utf-8")
    code, rows, err = run_cli(capsys, "text", str(table), "--head", head)
    assert code == 2 and rows == [] and err.strip() == f"error: {table}: the file is empty"


def test_a_binary_header_is_shown_short_and_printable(capsys: pytest.CaptureFixture[str], head: str,
                                                     tmp_path: Path) -> None:
    table = tmp_path / "u.csv"
    table.write_bytes(bytes(range(1, 32)) * 3 + b"," + b"x" * 200 + b"\n1,2\n")
    code, _, err = run_cli(capsys, "text", str(table), "--head", head)
    assert code == 2 and len(err.strip().splitlines()) == 1 and len(err) < 200, err
    assert all(ch.isprintable() for ch in err.strip())


def test_a_binary_file_is_said_to_be_binary(capsys: pytest.CaptureFixture[str], head: str, tmp_path: Path) -> None:
    table = tmp_path / "u.csv"
    table.write_bytes(b"text\n" + bytes(range(256)) * 4)
    code, rows, err = run_cli(capsys, "text", str(table), "--head", head)
    assert code == 2 and rows == [] and err.strip() == f"error: {table}: binary data, not a CSV or JSONL text file"
