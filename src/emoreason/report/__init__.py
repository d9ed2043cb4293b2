"""The HTML report: one self-contained page per result or batch (thumbnails, timelines, clues)."""

from __future__ import annotations

from pathlib import Path

from emoreason.errors import OutputError
from emoreason.report.load import ReportError, load_records


def build_report(source: str | Path, *, title: str | None = None, thumbnails: bool = True) -> str:
    """The HTML of the report on `source` (a batch folder, a results ``.jsonl`` or one ``.json`` result).

    Raises:
        ReportError: the input cannot be read.
    """
    from emoreason.report.html import render_report
    from emoreason.report.thumbnail import clip_thumbnail

    records, batch = load_records(source)
    pictures = {
        r.id: clip_thumbnail(r.result) if thumbnails else (None, "thumbnails turned off")
        for r in records if r.result is not None
    }
    name = title or (f"emoreason batch report: {Path(source).name}" if batch else f"emoreason: {records[0].id}")
    return render_report(records, pictures, title=name, batch=batch)


def write_report(source: str | Path, out: str | Path, **options: object) -> Path:
    """Build the report on `source` and write it to `out`.

    Raises:
        ReportError: the input cannot be read.
        OutputError: `out` cannot be written.
    """
    html = build_report(source, **options)  # type: ignore[arg-type]
    path = Path(out)
    try:
        path.write_text(html, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the report ({exc.strerror or exc})") from exc
    return path


__all__ = ["ReportError", "build_report", "write_report"]
