"""The bad-input sweep's findings, kept as tests: bad option values, unusable output paths, empty or odd
files and file names end in one line on stderr and exit 2 (never a traceback or an 'internal error')."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emoreason.cli.app import main
from emoreason.heads.head_file import HeadFileError, HeadModel
from emoreason.tasks.predictions import PredictionFormatError, read_predictions
from tests.io.media_factory import synth_video


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err.strip()


def run_server_cli(*args: str) -> tuple[int, str]:
    """A server command in a child process (one that wrongly starts serving is stopped and fails the test)."""
    done = subprocess.run([sys.executable, "-m", "emoreason.cli.app", *args], capture_output=True, text=True,
                          timeout=60)
    return done.returncode, done.stderr.strip()


def one_clear_line(code: int, err: str, *needles: str) -> bool:
    return code == 2 and len(err.splitlines()) == 1 and "internal error" not in err and all(n in err for n in needles)


@pytest.fixture()
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        yield sock.getsockname()[1]


@pytest.mark.parametrize("port", ["-1", "0", "70000"])
def test_serve_port_out_of_range_is_a_usage_error(port: str) -> None:
    code, err = run_server_cli("serve", "--port", port)
    assert one_clear_line(code, err, "--port"), err


def test_serve_and_review_on_a_port_in_use_or_a_bad_host(tmp_path: Path, busy_port: int) -> None:
    pytest.importorskip("uvicorn")
    code, err = run_server_cli("serve", "--port", str(busy_port))
    assert one_clear_line(code, err, f"--port {busy_port}", "cannot listen"), err
    code, err = run_server_cli("review", str(tmp_path), "--tokens", str(tmp_path / "t.txt"), "--port", str(busy_port))
    assert one_clear_line(code, err, "cannot listen"), err
    code, err = run_server_cli("serve", "--host", "999.1.1.1", "--port", "8123")
    assert one_clear_line(code, err, "--host 999.1.1.1"), err


@pytest.mark.parametrize("size", ["0", "-5"])
def test_text_batch_size_must_be_positive(capsys: pytest.CaptureFixture[str], size: str) -> None:
    code, err = run_cli(capsys, "text", "--batch-size", size, "I am happy")
    assert one_clear_line(code, err, "--batch-size"), err


def test_eval_refuses_an_unknown_tokenizer_and_an_output_that_is_a_file_before_scoring(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    preds = tmp_path / "p.json"
    preds.write_text("[]")
    code, err = run_cli(capsys, "eval", "ecac-subtask2", "-p", str(preds), "--tokenizer", "foo")
    assert one_clear_line(code, err, "--tokenizer", "ptb"), err
    afile = tmp_path / "afile"
    afile.write_text("x")
    for out in (afile, afile / "sub"):
        code, err = run_cli(capsys, "eval", "ecac-subtask2", "-p", str(preds), "-o", str(out))
        assert one_clear_line(code, err, str(out)), err


def test_export_and_emer_merge_refuse_unusable_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    code, err = run_cli(capsys, "export", str(tmp_path), "-o", str(afile))
    assert one_clear_line(code, err, str(afile)), err
    clues = tmp_path / "clues.csv"
    clues.write_text("id,annotator,face,tone,speech,scene\nc1,a,smiles,,,\n")
    folder = tmp_path / "adir.jsonl"
    folder.mkdir()
    for out in (folder, afile / "e.jsonl"):
        code, err = run_cli(capsys, "emer-merge", str(clues), "-o", str(out))
        assert one_clear_line(code, err, str(out)), err


@pytest.mark.parametrize(("name", "content"), [("empty.csv", b""), ("empty.npz", b""), ("junk.npz", b"not a zip"),
                                               ("obj.json", b'{"a": 1}'), ("list.json", b"[1, 2]")])
def test_unreadable_prediction_files_name_the_file(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PredictionFormatError, match=name):
        read_predictions(path)


def test_an_empty_head_file_is_a_head_file_error(tmp_path: Path) -> None:
    empty = tmp_path / "head.npz"
    empty.write_bytes(b"")
    with pytest.raises(HeadFileError, match="head.npz"):
        HeadModel.load(empty)


def test_a_file_name_that_is_not_utf8_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    clip = synth_video(tmp_path / "tone.mp4", seconds=1.0, fps=10, tone_hz=300.0)
    odd = os.fsencode(tmp_path) + b"/tone\xff.mp4"
    os.rename(clip, odd)
    code, err = run_cli(capsys, "probe", "--json", os.fsdecode(odd))
    assert one_clear_line(code, err, "tone\ufffd.mp4", "not valid UTF-8"), err


@pytest.mark.parametrize("command", ["batch", "annotate"])
def test_an_early_error_is_one_line_with_the_progress_bar_on(command: str, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "emoreason.cli.app", command, str(tmp_path / "nope"), "-o",
                           str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.splitlines() == [f"error: {tmp_path / 'nope'}: no such folder or "
                                                                  "manifest file"], done.stderr


def test_serve_refuses_a_reasoner_it_could_not_build_before_it_starts(tmp_path: Path) -> None:
    pytest.importorskip("uvicorn")
    code, err = run_server_cli("serve", "-r", "llama-cpp", "--model", str(tmp_path / "nope.gguf"), "--port", "8125")
    assert one_clear_line(code, err, "nope.gguf: no such GGUF file"), err


def test_export_of_a_dataset_without_records_is_an_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "annotations.jsonl").write_bytes(b"\x00\xffjunk\n")
    code, err = run_cli(capsys, "export", str(tmp_path), "-o", str(tmp_path / "out"))
    lines = err.splitlines()
    assert code == 2 and lines[-1] == f"error: {tmp_path}: holds no readable annotation records; nothing to export"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["p.txt", "p"])
def test_faces_preview_needs_an_image_name(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str) -> None:
    image = tmp_path / "face.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")  # never read: the name is refused first
    code, err = run_cli(capsys, "faces", "--preview", str(tmp_path / name), str(image))
    assert one_clear_line(code, err, name, ".png or .jpg"), err


def test_train_mllm_refuses_tiny_with_a_config(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run_cli(capsys, "train", "mllm", "--tiny", "--config", str(tmp_path / "nope.yaml"), "-o",
                        str(tmp_path / "out"))
    assert one_clear_line(code, err, "--config FILE or --tiny, not both"), err
    assert not (tmp_path / "out" / "tiny-base").exists()


def test_faces_preview_names_its_own_option_and_a_folder_that_is_a_file(capsys: pytest.CaptureFixture[str],
                                                                        tmp_path: Path) -> None:
    image = tmp_path / "face.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    code, err = run_cli(capsys, "faces", "--preview", str(tmp_path), str(image))
    assert one_clear_line(code, err, "give a file path for --preview"), err
    code, err = run_cli(capsys, "faces", "--preview", str(image / "p.png"), str(image))
    assert one_clear_line(code, err, f"{image} is a file, not a folder"), err


def test_a_predictions_folder_is_not_called_missing(tmp_path: Path) -> None:
    with pytest.raises(PredictionFormatError, match="is a folder"):
        read_predictions(tmp_path)
