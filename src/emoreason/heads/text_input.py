"""Utterance tables for ``emoreason text``: CSV/TSV or JSONL files → (id, text, problem) rows.

A row that cannot be read (a JSONL line that is not a JSON object, a CSV row without a value
in the text column) is still yielded, with ``problem`` saying why, so the batch keeps every
good row. A file without the named column is an error (one line naming file and column).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from emoreason.errors import EmoreasonError

TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
ENCODINGS = ("utf-8-sig", "gb18030", "latin-1")


class TextInputError(EmoreasonError):
    """An utterance file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class InputRow:
    """One utterance to read."""

    id: str | int
    text: str | None
    problem: str = ""


def looks_like_table(arg: str) -> bool:
    """Whether `arg` names an utterance file (by suffix, or because it is an existing file)."""
    if "\n" in arg or len(arg) > 4096:
        return False
    path = Path(arg)
    if path.suffix.lower() in TABLE_SUFFIXES and " " not in arg.strip():
        return True
    try:
        return path.is_file()
    except OSError:
        return False


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise TextInputError(f"{path}: file not found") from exc
    except OSError as exc:
        raise TextInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if _looks_binary(raw[:4096]):
        raise TextInputError(f"{path}: binary data, not a CSV or JSONL text file")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TextInputError(f"{path}: not text in any of {', '.join(ENCODINGS)}")  # pragma: no cover - latin-1 decodes all


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, or more than 10 % control bytes other than tab and line breaks."""
    controls = sum(b < 32 and b not in (9, 10, 13) for b in head)
    return b"\x00" in head or controls > len(head) / 10


def _csv_rows(path: Path, text: str, column: str, id_column: str) -> Iterator[InputRow]:
    dialect = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    fields = [f.strip() for f in (reader.fieldnames or [])]
    if column not in fields:
        shown = ", ".join(_shown(f) for f in fields[:8]) + (", …" if len(fields) > 8 else "") if fields else "none"
        raise TextInputError(f"{path}: no column {column!r} (columns: {shown}); choose one with --column")
    reader.fieldnames = fields
    for number, row in enumerate(reader):
        row_id = (row.get(id_column) or "").strip() if id_column in fields else ""
        value = row.get(column)
        yield InputRow(row_id or number, value, "" if value is not None else f"row {number + 2}: no {column!r} value")


def _shown(field: str) -> str:
    """A header cell as it may be printed: control characters dropped, at most 30 characters."""
    text = "".join(ch for ch in field if ch.isprintable())
    return text if len(text) <= 30 else text[:29] + "…"


def _jsonl_rows(path: Path, text: str, column: str, id_column: str) -> Iterator[InputRow]:
    seen_column = False
    rows: list[InputRow] = []
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append(InputRow(number, None, f"line {number + 1}: not JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            rows.append(InputRow(number, None, f"line {number + 1}: not a JSON object"))
            continue
        seen_column = seen_column or column in obj
        row_id = obj.get(id_column, number)
        value = obj.get(column)
        problem = "" if isinstance(value, str) else f"line {number + 1}: no text in {column!r}"
        rows.append(InputRow(row_id if isinstance(row_id, (str, int)) else str(row_id),
                             value if isinstance(value, str) else None, problem))
    if rows and not seen_column:
        raise TextInputError(f"{path}: no line has the key {column!r}; choose one with --column")
    yield from rows


def read_utterances(path: str | Path, *, column: str = "text", id_column: str = "id") -> Iterator[InputRow]:
    """Rows of a CSV/TSV (header row) or JSONL utterance file, in file order.

    Raises:
        TextInputError: the file is missing or unreadable, or has no `column`.
    """
    path = Path(path)
    if path.is_dir():
        raise TextInputError(f"{path}: is a folder; give a CSV or JSONL file")
    text = _read_text(path)
    if not text.strip():
        raise TextInputError(f"{path}: the file is empty")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson") or (suffix not in (".csv", ".tsv") and text.lstrip().startswith("{")):
        yield from _jsonl_rows(path, text, column, id_column)
    else:
        yield from _csv_rows(path, text, column, id_column)
