"""`emoreason batch` end to end: error rows, resume, kill -9, dying workers, time limits, bad OUT_DIR."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emoreason.batch import ClipStatus, ClipTask, ExplainOptions, ResultStore, run_batch
from emoreason.batch.workers import WorkerProcess, WorkerTimeoutError
from tests.batch.clips import make_clips

ENV = {**os.environ, "OMP_NUM_THREADS": "1"}


def _batch(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "emoreason.cli.app", "batch", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV)


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]


def test_manifest_with_missing_and_broken_files_records_errors_and_resumes(tmp_path: Path) -> None:
    good, _, broken = make_clips(tmp_path / "clips", 2, broken=True)
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        f"path,subtitle,id\n{good},I am so happy today,good\nclips/broken.mp4,,broken\nclips/gone.mp4,,gone\n"
    )
    out = tmp_path / "out"
    run = _batch(str(manifest), "-o", str(out))
    assert run.returncode == 1, run.stderr  # some clips are error rows
    rows = {r["id"]: r for r in _lines(out)}
    assert set(rows) == {"good", "broken", "gone"}
    assert rows["good"]["status"] == "ok" and rows["good"]["result"]["emotions"][0]["label"]
    assert rows["broken"]["status"] == "error" and str(broken) in rows["broken"]["error"]
    assert rows["gone"]["status"] == "error" and "not found" in rows["gone"]["error"]
    assert "Errors" in run.stdout and "3/3" in run.stderr  # summary table; progress bar on stderr
    before = (out / "results.jsonl").read_bytes()
    again = _batch(str(manifest), "-o", str(out), "--no-progress")
    assert again.returncode == 1
    assert (out / "results.jsonl").read_bytes() == before  # nothing twice
    assert "│     3 │       3 │        0 │" in again.stdout  # all resumed, none redone


def test_kill_9_then_rerun_loses_nothing_and_repeats_nothing(tmp_path: Path) -> None:
    clips = make_clips(tmp_path / "clips", 6)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "emoreason.cli.app", "batch", str(tmp_path / "clips"), "-o", str(out), "--no-progress",
           "--stages", "voice,text"]
    proc = subprocess.Popen(cmd, env=ENV, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / "results.jsonl"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not (results.is_file() and results.read_bytes().count(b"\n") >= 1):
        time.sleep(0.02)
    workers = _children(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)  # kill -9 of the batch command; its workers notice and exit
    proc.wait(timeout=10)
    first = results.read_bytes()
    assert 1 <= first.count(b"\n") < len(clips), "the kill must land in the middle of the batch"
    with results.open("ab") as fh:  # and a line torn by a kill in the middle of its write
        fh.write(b'{"id": "clip05.mp4", "path": "/x", "sta')
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    assert workers and not any(Path(f"/proc/{pid}").exists() for pid in workers), "orphaned workers"
    rerun = _batch(str(tmp_path / "clips"), "-o", str(out), "--no-progress", "--stages", "voice,text")
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    final = results.read_bytes()
    assert final.startswith(first)  # every finished record kept, byte for byte
    ids = [r["id"] for r in _lines(out)]
    assert sorted(ids) == sorted(p.name for p in clips) and len(ids) == len(set(ids))


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_workers_that_die_keep_finished_records_and_their_clip_is_retried(tmp_path: Path) -> None:
    make_clips(tmp_path / "clips", 4)
    killed: list[str] = []

    def kill_worker_once(record) -> None:  # a worker dies (as if killed by the OOM killer)
        if not killed:
            killed.append(record.id)
            os.kill(int(record.worker.rsplit("-", 1)[1]), signal.SIGKILL)

    summary = run_batch(tmp_path / "clips", tmp_path / "out", options=ExplainOptions(stages=["voice", "text"]),
                        workers=2, on_record=kill_worker_once)
    records = list(ResultStore(tmp_path / "out").iter_records())
    assert killed and records[0].id == killed[0]
    assert sorted(r.id for r in records) == [f"clip{i:02d}.mp4" for i in range(4)]
    assert all(r.status is ClipStatus.OK for r in records) and summary.ok == 4 and summary.errors == 0
    assert len({r.worker for r in records}) >= 2


def test_worker_models_load_once_and_time_limit_kills_the_worker(tmp_path: Path) -> None:
    a, b = make_clips(tmp_path, 2)
    worker = WorkerProcess(ExplainOptions(stages=["voice"]))
    try:
        first = worker.run(ClipTask(id="a", path=str(a)), timeout=60)
        second = worker.run(ClipTask(id="b", path=str(b)), timeout=60)
        assert first.worker == second.worker  # the same process (and the same loaded stages) did both
        assert first.result is not None and first.result.timings["load"] < 0.5
        with pytest.raises(WorkerTimeoutError, match="time limit"):
            worker.run(ClipTask(id="a2", path=str(a)), timeout=0.001)
        assert not worker.process.is_alive()
    finally:
        worker.close()


def test_unknown_reasoner_and_unwritable_out_dir_fail_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from emoreason.cli.app import main

    make_clips(tmp_path / "clips", 1)
    assert main(["batch", str(tmp_path / "clips"), "-o", str(tmp_path / "out"), "-r", "nope", "--no-progress"]) == 2
    assert "nope" in capsys.readouterr().err
    (tmp_path / "file").write_text("x")
    assert main(["batch", str(tmp_path / "clips"), "-o", str(tmp_path / "file" / "out"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "cannot create the output folder" in err
    monkeypatch.setenv("EMOREASON_BATCH_MIN_FREE_MB", str(10**12))
    assert main(["batch", str(tmp_path / "clips"), "-o", str(tmp_path / "o2"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "disk full" in err


def test_a_file_name_that_is_not_utf8_is_an_error_row_and_the_batch_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "clips"
    (good,) = make_clips(folder, 1)
    odd = os.fsencode(folder) + b"/b\xffclip.mp4"
    with open(odd, "wb") as fh:  # a real clip under a name with a byte that is not UTF-8
        fh.write(good.read_bytes())
    out = tmp_path / "out"
    run = _batch(str(folder), "-o", str(out), "--no-progress")
    assert run.returncode == 1 and "internal error" not in run.stderr, run.stderr
    rows = {r["id"]: r for r in _lines(out)}
    assert rows[good.name]["status"] == "ok"
    assert rows["b\ufffdclip.mp4"]["status"] == "error" and "not valid UTF-8" in rows["b\ufffdclip.mp4"]["error"]
