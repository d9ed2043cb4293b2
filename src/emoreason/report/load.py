"""Read what a report shows: one ``explain --format json`` result, one batch record, or a batch folder."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from emoreason.batch.records import ClipRecord, ClipStatus
from emoreason.batch.store import RESULTS_NAME, ResultStore
from emoreason.errors import EmoreasonError
from emoreason.records import ExplainResult


class ReportError(EmoreasonError):
    """The report's input cannot be read; the message names the file and the problem."""


def load_records(source: str | Path) -> tuple[list[ClipRecord], bool]:
    """The clip records in `source` and whether it is a batch (folder or jsonl).

    Args:
        source: a batch folder (with ``results.jsonl``), a ``.jsonl`` of batch records, or a
            ``.json`` holding one :class:`ExplainResult` (``explain --format json``) or one record.

    Raises:
        ReportError: missing, empty or unreadable input.
    """
    src = Path(source)
    if src.is_dir():
        if not (src / RESULTS_NAME).is_file():
            raise ReportError(f"{src}: no {RESULTS_NAME} in this folder (is it a batch output folder?)")
        return _from_jsonl(ResultStore(src)), True
    if not src.is_file():
        raise ReportError(f"{src}: no such file or folder")
    if src.suffix.lower() == ".jsonl":
        return _from_jsonl(ResultStore(src.parent, name=src.name)), True
    return [_from_json(src)], False


def _from_jsonl(store: ResultStore) -> list[ClipRecord]:
    records = store.latest()
    if not records:
        raise ReportError(f"{store.path}: holds no clip records")
    return records


def _from_json(path: Path) -> ClipRecord:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not a readable JSON result ({exc})") from exc
    try:
        if isinstance(data, dict) and "status" in data and "id" in data:
            return ClipRecord.model_validate(data)
        result = ExplainResult.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReportError(f"{path}: not an emoreason result ({where}: {first['msg']})") from exc
    return ClipRecord(id=Path(result.media.path).name, path=result.media.path, status=ClipStatus.OK, result=result)
