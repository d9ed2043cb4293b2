"""`emoreason faces IMAGE|VIDEO`: the face stage on its own, as a table."""

from __future__ import annotations

from pathlib import Path

import typer


def _print_summary(path: Path, result: object, summary: object) -> None:
    from rich.console import Console
    from rich.markup import escape

    from emoreason.cli.tables import add_columns, compact_table
    from emoreason.perception.face.action_units import AU_CODES
    from emoreason.perception.face.vocabulary import au_phrase

    console = Console()
    rate = f"{summary.sample_fps:g} fps" if summary.sample_fps else "every frame"
    console.print(
        f"[bold]{escape(str(path))}[/]: {summary.frames_analysed} frame(s) analysed ({rate}), "
        f"{summary.frames_with_face} with a face, {result.seconds:.2f} s"
    )
    if not summary.tracks:
        console.print(f"[yellow]no face found in {escape(path.name)}[/]")
        return
    rows = []
    for t in summary.tracks:
        best = max(t.expression, key=t.expression.get) if t.expression else "-"
        top = sorted(AU_CODES, key=lambda c: -t.au_means.get(c, 0.0))[:3]
        aus = ", ".join(f"{c} {t.au_means[c]:.1f}" for c in top if t.au_means.get(c, 0.0) > 0)
        rows.append([
            str(t.face_id), "★" if t.is_main else "", f"{t.start:.1f}–{t.end:.1f} s", str(t.n_frames),
            f"{t.mean_size:.2f}", f"{best} {t.expression.get(best, 0):.2f}" if t.expression else "-", aus or "-",
        ])  # fmt: skip
    table = compact_table("Face tracks")
    headers = ["id", "main", "time", "frames", "size", "expression", "strongest AUs (mean 0-5)"]
    add_columns(table, headers, rows, width=console.width, no_wrap=headers[:6], right=["frames", "size"])
    console.print(table)
    if summary.peak is not None:
        p = summary.peak
        frequent = ", ".join(p.frequent_aus) or "-"
        console.print(f"[bold]Peak frame[/] {p.frame} at {p.time:.2f} s (face {p.face_id}; frequent AUs: {frequent})")
        for code in p.aus:
            console.print(f"  {au_phrase(code, with_code=True)}  {p.au_intensities.get(code, 0):.2f}")


def register(app: typer.Typer) -> None:
    """Add the `faces` command to `app`."""

    @app.command("faces")
    def faces_cmd(
        media: Path = typer.Argument(..., help="Image or video file."),
        fps: float = typer.Option(5.0, "--fps", min=0.0, help="Sampling rate for videos; 0 = every frame."),
        output: Path = typer.Option(None, "--output", "-o", help="Write the per-frame table (.csv or .parquet)."),
        preview: Path = typer.Option(None, "--preview", help="Write an annotated peak-frame image (.png/.jpg)."),
        max_faces: int = typer.Option(6, "--max-faces", min=1, help="Most faces followed per frame."),
        as_json: bool = typer.Option(False, "--json", help="Print the FaceSummary record as JSON."),
    ) -> None:
        """Detect and track faces; estimate action units, head pose, gaze, expression and the peak frame."""
        import sys

        from emoreason.cli.output import check_output_path
        from emoreason.errors import OutputError
        from emoreason.io import probe
        from emoreason.perception.face import detect_faces, summarise, write_table
        from emoreason.perception.face.preview import PREVIEW_SUFFIXES, render_preview
        from emoreason.perception.face.table import check_table_path

        check_output_path(output)
        check_output_path(preview, "--preview")
        if preview is not None and preview.suffix.lower() not in PREVIEW_SUFFIXES:
            raise OutputError(f"{preview}: --preview writes an image; use a .png or .jpg name")
        if output is not None:
            check_table_path(output)
        warnings = list(probe(media).warnings)  # fails fast on a bad file; names truncation, extra streams
        result = detect_faces(media, fps=fps or None, max_faces=max_faces, decode_report=warnings.append)
        summary = summarise(result)
        if output is not None:
            write_table(result.table, output)
        if preview is not None and summary.tracks:
            render_preview(media, result.table, summary, preview)
        if as_json:
            typer.echo(summary.model_dump_json(indent=2))
        else:
            _print_summary(media, result, summary)
            if output is not None:
                typer.echo(f"table: {output} ({len(result.table)} rows)")
            if preview is not None and summary.tracks:
                typer.echo(f"preview: {preview}")
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
