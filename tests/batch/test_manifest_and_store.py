"""Manifest reading, the fsynced jsonl store (torn lines, full disk) and the Parquet table."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from emoreason.batch import ClipRecord, ClipStatus, ManifestError, ResultStore, read_clips
from emoreason.batch.store import append_line
from emoreason.errors import OutputError
from emoreason.records import ExplainResult, MediaInfo


def _record(clip_id: str, status: ClipStatus = ClipStatus.OK) -> ClipRecord:
    result = ExplainResult(media=MediaInfo(path=f"/x/{clip_id}.mp4", container="mp4", size_bytes=1, duration=1.5))
    if status is ClipStatus.ERROR:
        return ClipRecord(id=clip_id, path=f"/x/{clip_id}.mp4", status=status, error="broken", error_kind="MediaError")
    return ClipRecord(id=clip_id, path=f"/x/{clip_id}.mp4", status=status, result=result, seconds=0.5)


def test_folder_lists_media_with_sidecar_subtitles(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.mp4", "sub/a.wav", "notes.txt", "b.srt"):
        (tmp_path / name).write_bytes(b"x")
    clips = read_clips(tmp_path)
    assert [c.id for c in clips] == ["b.mp4", "sub/a.wav"]
    assert clips[0].subtitle == str(tmp_path.resolve() / "b.srt")
    assert clips[1].subtitle is None and Path(clips[1].path).is_absolute()


def test_manifest_rows_relative_paths_subtitle_files_and_text(tmp_path: Path) -> None:
    (tmp_path / "c.srt").write_text("1\n00:00:00,000 --> 00:00:01,000\nhi\n", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text(
        "path,subtitle,language,id\nclips/a.mp4,c.srt,en,first\n/abs/b.mp4,I am glad,,\n", encoding="utf-8"
    )
    first, second = read_clips(manifest)
    assert (first.id, first.path, first.subtitle, first.language) == (
        "first", str(tmp_path.resolve() / "clips/a.mp4"), str(tmp_path.resolve() / "c.srt"), "en")
    assert (second.id, second.path, second.subtitle, second.language) == ("/abs/b.mp4", "/abs/b.mp4", "I am glad", None)


@pytest.mark.parametrize(("text", "problem"), [
    ("file,id\na.mp4,1\n", "no 'path' column"),
    ("path,id\na.mp4,x\nb.mp4,x\n", "appears twice"),
    ("path\n\n", "no clips found"),
    ("path,id\n,x\n", "empty path"),
])
def test_bad_manifests_fail_with_one_clear_line(tmp_path: Path, text: str, problem: str) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text(text, encoding="utf-8")
    with pytest.raises(ManifestError, match=problem):
        read_clips(manifest)


def test_missing_source_and_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such folder"):
        read_clips(tmp_path / "nope")
    with pytest.raises(ManifestError, match="no clips found"):
        read_clips(tmp_path)


def test_store_appends_resumes_and_cuts_only_a_torn_last_line(tmp_path: Path) -> None:
    with ResultStore(tmp_path / "out") as store:
        assert store.open() == set()
        store.append(_record("a"))
        store.append(_record("b", ClipStatus.ERROR))
    path = tmp_path / "out" / "results.jsonl"
    intact = path.read_bytes()
    assert intact.count(b"\n") == 2
    with path.open("ab") as fh:  # what a kill in the middle of a write leaves
        fh.write(_record("c").model_dump_json().encode()[:40])
    with ResultStore(tmp_path / "out") as store:
        assert store.open() == {"a", "b"}
        assert path.read_bytes() == intact
        store.append(_record("c"))
    assert [r.id for r in ResultStore(tmp_path / "out").iter_records()] == ["a", "b", "c"]


def test_latest_record_per_clip_wins(tmp_path: Path) -> None:
    with ResultStore(tmp_path) as store:
        store.open()
        store.append(_record("a", ClipStatus.ERROR))
        store.append(_record("a"))
    latest = ResultStore(tmp_path).latest()
    assert [(r.id, r.status) for r in latest] == [("a", ClipStatus.OK)]


def test_full_disk_write_is_an_output_error(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("/dev/full is not available")
    fd = os.open("/dev/full", os.O_WRONLY)
    try:
        with pytest.raises(OutputError, match="No space left on device"):
            append_line(fd, b'{"id": "a"}\n', "results.jsonl")
    finally:
        os.close(fd)


def test_unusable_out_dir_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create the output folder"):
        ResultStore(blocker / "out").open()
    monkeypatch.setenv("EMOREASON_BATCH_MIN_FREE_MB", str(10**12))
    with pytest.raises(OutputError, match="disk full"):
        ResultStore(tmp_path / "out").open()


def test_parquet_table_has_one_row_per_clip(tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    with ResultStore(tmp_path) as store:
        store.open()
        for record in (_record("a", ClipStatus.ERROR), _record("a"), _record("b", ClipStatus.ERROR)):
            store.append(record)
        table = pq.read_table(store.export_parquet()).to_pylist()
    assert [(r["id"], r["status"], r["error"]) for r in table] == [("a", "ok", None), ("b", "error", "broken")]
    assert table[0]["duration"] == 1.5
    assert ClipRecord.model_validate_json(table[0]["record_json"]) == _record("a")


def test_invalid_lines_are_skipped_with_one_warning_per_store(tmp_path: Path,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    good = _record("a").model_dump_json()
    (tmp_path / "results.jsonl").write_bytes(b"\x00\xff junk\n" + good.encode() + b"\n{not json\n[1, 2]\n")
    store = ResultStore(tmp_path)
    with caplog.at_level("WARNING", logger="emoreason.batch.store"):
        assert [r.id for r in store.latest()] == ["a"]
        assert [r.id for r in store.iter_records()] == ["a"]
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "line 1 is not a valid record" in warnings[0] and "2 more" in warnings[0]
