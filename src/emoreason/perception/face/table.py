"""The per-frame, per-face table in OpenFace 2 column conventions, and its CSV/Parquet writer.

One row per face per analysed frame; an analysed frame without any face gets one row with
``success = 0``, an empty ``face_id`` and NaN measurements (OpenFace writes such rows too),
so timestamps stay complete. Units follow OpenFace: seconds, pixels, radians, AU intensity
0–5 (``_r``) and presence 0/1 (``_c``). Expression probabilities use py-feat's names.
The table schema (version, units, models) is written into Parquet metadata and kept on
``DataFrame.attrs`` — not in a DataFrame subclass.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.errors import OutputError
from emoreason.perception.face.action_units import AU_CODES, PRESENCE_ONLY
from emoreason.perception.face.expression import EXPRESSIONS

TABLE_SCHEMA_VERSION = "1.0"
ID_COLUMNS: tuple[str, ...] = ("frame", "face_id", "timestamp", "confidence", "success")
BOX_COLUMNS: tuple[str, ...] = ("face_x", "face_y", "face_w", "face_h")
POSE_COLUMNS: tuple[str, ...] = ("pose_Rx", "pose_Ry", "pose_Rz")
GAZE_COLUMNS: tuple[str, ...] = ("gaze_angle_x", "gaze_angle_y")
AU_R_COLUMNS: tuple[str, ...] = tuple(f"{c}_r" for c in AU_CODES)
AU_C_COLUMNS: tuple[str, ...] = tuple(f"{c}_c" for c in (*AU_CODES, *PRESENCE_ONLY))
EXPRESSION_COLUMNS: tuple[str, ...] = EXPRESSIONS
COLUMNS: tuple[str, ...] = (
    *ID_COLUMNS, *BOX_COLUMNS, *POSE_COLUMNS, *GAZE_COLUMNS, *AU_R_COLUMNS, *AU_C_COLUMNS, *EXPRESSION_COLUMNS
)  # fmt: skip
UNITS = {
    "timestamp": "s",
    **{c: "px" for c in BOX_COLUMNS},
    **{c: "rad" for c in (*POSE_COLUMNS, *GAZE_COLUMNS)},
    **{c: "intensity 0-5" for c in AU_R_COLUMNS},
    **{c: "presence 0/1" for c in AU_C_COLUMNS},
    **{c: "probability" for c in EXPRESSION_COLUMNS},
}


def empty_table() -> pd.DataFrame:
    """A table with all columns and no rows (typed like a filled one)."""
    return finalise(pd.DataFrame({c: pd.Series(dtype=float) for c in COLUMNS}))


def finalise(table: pd.DataFrame, *, meta: dict[str, str] | None = None) -> pd.DataFrame:
    """Order columns, fix dtypes (nullable ``face_id``), sort by frame and face, attach the schema."""
    for column in COLUMNS:
        if column not in table:
            table[column] = np.nan
    table = table.loc[:, list(COLUMNS)].copy()
    table["frame"] = table["frame"].astype("int64")
    table["face_id"] = table["face_id"].astype("Int64")
    table["success"] = table["success"].astype("int8")
    for column in AU_C_COLUMNS:
        table[column] = table[column].fillna(0).astype("int8")
    table = table.sort_values(["frame", "face_id"], na_position="first", kind="stable").reset_index(drop=True)
    table.attrs["schema"] = schema(meta)
    return table


def schema(meta: dict[str, str] | None = None) -> dict[str, object]:
    """Schema description stored beside the table."""
    return {
        "schema_version": TABLE_SCHEMA_VERSION,
        "convention": "OpenFace 2.2 (frame, face_id, timestamp, confidence, success, pose_R*, AUxx_r/_c)",
        "units": UNITS,
        **(meta or {}),
    }


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write the table as ``.csv`` or ``.parquet`` (schema in the Parquet metadata).

    Raises:
        OutputError: unknown suffix, missing folder or unwritable file.
    """
    out = check_table_path(path)
    suffix = out.suffix.lower()
    try:
        if suffix == ".csv":
            table.to_csv(out, index=False, float_format="%.4f")
        else:
            _write_parquet(table, out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot write the face table ({exc.strerror or exc})") from exc
    return out


def check_table_path(path: str | Path) -> Path:
    """Validate a table path before any work is done.

    Raises:
        OutputError: the suffix is not .csv/.parquet or the folder does not exist.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise OutputError(f"{out}: unknown table format {suffix or '(none)'!r}; use .csv or .parquet")
    if not out.parent.exists():
        raise OutputError(f"{out}: folder {out.parent} does not exist")
    return out


def _write_parquet(table: pd.DataFrame, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(table, preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[b"emoreason.face"] = json.dumps(table.attrs.get("schema", schema()), default=str).encode()
    pq.write_table(arrow.replace_schema_metadata(metadata), out)
