"""`emoreason report RESULT.json|OUT_DIR -o report.html`: one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the `report` command to `app`."""

    @app.command("report")
    def report_cmd(
        source: Path = typer.Argument(..., help="A batch folder, its results.jsonl, or one `explain --format json`."),
        out: Path = typer.Option(Path("report.html"), "--output", "-o", help="HTML file to write."),
        title: str = typer.Option(None, "--title", help="Page title."),
        no_thumbnails: bool = typer.Option(False, "--no-thumbnails", help="Do not decode peak frames."),
    ) -> None:
        """Write an HTML report: peak frames, emotion timelines, clues, transcripts, explanations."""
        from rich.console import Console

        from emoreason.cli.output import check_output_path
        from emoreason.report import write_report

        check_output_path(out)
        path = write_report(source, out, title=title, thumbnails=not no_thumbnails)
        Console(stderr=True).print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)", soft_wrap=True)
