"""A flat Parquet table of a batch (one row per clip), for pandas, DuckDB or Spark.

The full record of each clip stays in ``results.jsonl`` and in the ``record_json`` column;
the other columns are the ones people filter and count by. Query it with DuckDB, e.g.
``duckdb.sql("select top_label, count(*) from 'OUT/results.parquet' group by 1")``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from emoreason.batch.records import ClipRecord
from emoreason.errors import OutputError
from emoreason.records import StageStatus

#: Column name → pyarrow type name, in table order (the schema is fixed, even for an empty batch).
COLUMNS: dict[str, str] = {
    "id": "string", "path": "string", "status": "string", "error": "string", "error_kind": "string",
    "duration": "float64", "top_label": "string", "top_score": "float64", "labels": "list<string>",
    "scores": "list<float64>", "valence": "float64", "arousal": "float64", "explanation": "string",
    "n_clues": "int64", "modalities_read": "list<string>", "seconds": "float64", "worker": "string",
    "emoreason_version": "string", "record_json": "string",
}


def record_row(record: ClipRecord) -> dict[str, Any]:
    """The flat row of one record."""
    result = record.result
    emotions = result.emotions if result is not None else []
    return {
        "id": record.id, "path": record.path, "status": record.status.value, "error": record.error,
        "error_kind": record.error_kind,
        "duration": result.media.duration if result is not None else None,
        "top_label": emotions[0].label if emotions else None,
        "top_score": emotions[0].score if emotions else None,
        "labels": [e.label for e in emotions], "scores": [e.score for e in emotions],
        "valence": result.valence if result is not None else None,
        "arousal": result.arousal if result is not None else None,
        "explanation": result.explanation.text if result is not None and result.explanation else None,
        "n_clues": len(result.clues) if result is not None else 0,
        "modalities_read": [m.modality.value for m in result.modalities if m.status == StageStatus.OK]
        if result is not None else [],
        "seconds": record.seconds, "worker": record.worker,
        "emoreason_version": result.emoreason_version if result is not None else None,
        "record_json": record.model_dump_json(),
    }


def _schema() -> Any:
    import pyarrow as pa

    def arrow_type(name: str) -> Any:
        if name.startswith("list<"):
            return pa.list_(arrow_type(name[5:-1]))
        return {"string": pa.string(), "float64": pa.float64(), "int64": pa.int64()}[name]

    return pa.schema([(name, arrow_type(kind)) for name, kind in COLUMNS.items()])


def write_parquet(records: Sequence[ClipRecord], path: str | Path) -> Path:
    """Write `records` as a Parquet table at `path` (via a temporary file and an atomic rename).

    Raises:
        OutputError: the table cannot be written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(path)
    rows = [record_row(r) for r in records]
    table = pa.Table.from_pylist(rows, schema=_schema())
    tmp = out.with_name(f".{out.name}.tmp")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{out}: cannot write the Parquet table ({exc.strerror or exc})") from exc
    return out
