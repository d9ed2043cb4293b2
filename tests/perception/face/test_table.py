"""OpenFace column layout, CSV/Parquet writing with schema metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from emoreason.errors import OutputError
from emoreason.perception.face.table import AU_C_COLUMNS, AU_R_COLUMNS, COLUMNS, empty_table, write_table

OPENFACE_AU_R = ["AU01_r", "AU02_r", "AU04_r", "AU05_r", "AU06_r", "AU07_r", "AU09_r", "AU10_r", "AU12_r",
                 "AU14_r", "AU15_r", "AU17_r", "AU20_r", "AU23_r", "AU25_r", "AU26_r", "AU45_r"]  # fmt: skip


def test_columns_follow_openface() -> None:
    assert COLUMNS[:5] == ("frame", "face_id", "timestamp", "confidence", "success")
    assert list(AU_R_COLUMNS) == OPENFACE_AU_R
    assert list(AU_C_COLUMNS) == [c.replace("_r", "_c") for c in OPENFACE_AU_R] + ["AU28_c"]
    for column in ("face_x", "face_y", "face_w", "face_h", "pose_Rx", "pose_Ry", "pose_Rz"):
        assert column in COLUMNS
    for column in ("anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"):
        assert column in COLUMNS


def test_columns_match_a_real_openface_file(samples_dir: Path) -> None:
    path = samples_dir.parent / "benchmarks" / "face_formats" / "OpenFace_Test.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    header = [c.strip() for c in path.read_text().splitlines()[0].split(",")]
    ours = set(COLUMNS)
    for column in header:
        if column.startswith(("AU", "pose_R")) or column in ("frame", "timestamp", "confidence", "success"):
            assert column in ours, column


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_write_and_read_back(tmp_path: Path, pexels_result, suffix: str) -> None:
    out = write_table(pexels_result.table, tmp_path / f"faces{suffix}")
    back = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert list(back.columns) == list(COLUMNS)
    assert len(back) == len(pexels_result.table)
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        meta = json.loads(pq.read_schema(out).metadata[b"emoreason.face"])
        assert meta["schema_version"] == "1.0" and meta["units"]["pose_Rx"] == "rad"


def test_bad_output_paths_raise_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="use .csv or .parquet"):
        write_table(empty_table(), tmp_path / "faces.xlsx")
    with pytest.raises(OutputError, match="does not exist"):
        write_table(empty_table(), tmp_path / "missing" / "faces.csv")


def test_result_accessors_select_column_groups(pexels_result) -> None:
    assert list(pexels_result.aus.columns[:3]) == ["frame", "face_id", "timestamp"]
    assert "AU12_r" in pexels_result.aus and "happiness" not in pexels_result.aus
    assert list(pexels_result.emotions.columns[3:]) == [
        "anger",
        "disgust",
        "fear",
        "happiness",
        "sadness",
        "surprise",
        "neutral",
    ]
    assert {"pose_Rx", "gaze_angle_y"} <= set(pexels_result.poses.columns)
    assert len(pexels_result.faces) == len(pexels_result.aus)
