"""`emoreason probe VIDEO`: describe a media file."""

from __future__ import annotations

from pathlib import Path

import typer


def _rows(info: object) -> list[list[str]]:
    """(field, value) rows describing a MediaInfo."""
    rows = [["container", info.container], ["size", f"{info.size_bytes:,} bytes"],
            ["duration", f"{info.duration:.3f} s"]]
    if info.video:
        v = info.video
        rows.append(["video", f"{v.codec} {v.width}×{v.height} @ {v.fps:.3f} fps, "
                              f"{v.frame_count or '?'} frames, rotation {v.rotation}°"])
    else:
        rows.append(["video", "none"])
    if info.audio:
        a = info.audio
        rows.append(["audio", f"{a.codec} {a.sample_rate} Hz, {a.channels} ch"])
    else:
        rows.append(["audio", "none"])
    rows += [["subtitles", f"{s.codec} ({s.language or 'und'})"] for s in info.subtitles]
    return rows


def register(app: typer.Typer) -> None:
    """Add the `probe` command to `app`."""

    @app.command("probe")
    def probe_cmd(
        path: Path = typer.Argument(..., help="Video, audio or image file."),
        as_json: bool = typer.Option(False, "--json", help="Print the MediaInfo record as JSON."),
    ) -> None:
        """Show container, duration, streams, fps, size and rotation of a media file."""
        from rich.console import Console
        from rich.markup import escape

        from emoreason.cli.tables import add_columns, compact_table
        from emoreason.io import probe

        info = probe(path)
        if as_json:
            typer.echo(info.model_dump_json(indent=2))
            return
        console = Console(highlight=False)
        console.print(f"[bold]{escape(str(path))}[/]")
        table = compact_table(show_header=False)
        add_columns(table, ["field", "value"], _rows(info), width=console.width, no_wrap=["field"])
        console.print(table)
        for warning in info.warnings:
            console.print(f"[yellow]warning[/] {escape(warning)}", soft_wrap=True)
