"""`emoreason text TEXT|FILE`: emotions and valence from words alone, one JSON line per utterance."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import typer


def _result_line(row_id: object, record: object) -> str:
    payload = {
        "id": row_id,
        "label": record.label,
        "emotions": [{"label": e.label, "score": round(e.score, 4)} for e in record.emotions],
        "valence": None if record.valence is None else round(record.valence, 4),
        "status": record.status,
    }
    if record.message:
        payload["message"] = record.message
    return json.dumps(payload, ensure_ascii=False)


def _open_output(out: Path | None) -> TextIO:
    from emoreason.cli.output import check_output_path
    from emoreason.errors import OutputError

    check_output_path(out)
    if out is None:
        return sys.stdout
    try:
        return out.open("w", encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write output ({exc.strerror or exc})") from exc


def run_text(source: str, *, column: str, id_column: str, out: Path | None, batch_size: int,
             head: Path | None) -> int:
    """Read `source` (literal text or an utterance file), write JSONL; returns rows written."""
    from emoreason.heads.text_emotion import TextEmotion, load_text_head
    from emoreason.heads.text_input import InputRow, looks_like_table, read_utterances

    if looks_like_table(source):
        rows = list(read_utterances(source, column=column, id_column=id_column))
    else:
        rows = [InputRow(0, source)]
    model = load_text_head(str(head) if head is not None else None)
    handle = _open_output(out)
    written = 0
    try:
        for start in range(0, len(rows), max(1, batch_size)):
            chunk = rows[start:start + batch_size]
            readable = [r for r in chunk if not r.problem]
            records = iter(model.predict([r.text for r in readable]))
            for row in chunk:
                record = (TextEmotion(text="", status="unreadable", message=row.problem) if row.problem
                          else next(records))
                handle.write(_result_line(row.id, record) + "\n")
                written += 1
            handle.flush()  # finished batches are on disk even if a later one fails
    finally:
        if handle is not sys.stdout:
            handle.close()
    return written


def register(app: typer.Typer) -> None:
    """Add the `text` command to `app`."""

    @app.command("text")
    def text_cmd(
        source: str = typer.Argument(..., help="An utterance (literal text) or a CSV/TSV/JSONL file of utterances."),
        column: str = typer.Option("text", "--column", "-c", help="Column (CSV) or key (JSONL) holding the text."),
        id_column: str = typer.Option("id", "--id-column", help="Column carried through as `id` (else row number)."),
        out: Path = typer.Option(None, "--output", "-o", help="Write JSONL here (default: stdout)."),
        batch_size: int = typer.Option(256, "--batch-size", min=1, help="Utterances encoded together."),
        head: Path = typer.Option(None, "--head", help="Head .npz from `emoreason train` (default: shipped)."),
    ) -> None:
        """Read emotions (ranked) and valence from words alone; Chinese, English and more.

        Literal text that begins with "[" or "{" is still read as text. Each output line has
        id, label, emotions, valence and status (ok | empty | unreadable), plus a message when
        something was cut or could not be read.
        """
        run_text(source, column=column, id_column=id_column, out=out, batch_size=batch_size, head=head)
