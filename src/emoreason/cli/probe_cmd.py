"""`emoreason probe VIDEO`: describe a media file."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the `probe` command to `app`."""

    @app.command("probe")
    def probe_cmd(
        path: Path = typer.Argument(..., help="Video, audio or image file."),
        as_json: bool = typer.Option(False, "--json", help="Print the MediaInfo record as JSON."),
    ) -> None:
        """Show container, duration, streams, fps, size and rotation of a media file."""
        from rich.console import Console
        from rich.table import Table

        from emoreason.io import probe

        info = probe(path)
        if as_json:
            typer.echo(info.model_dump_json(indent=2))
            return
        table = Table(title=str(path), show_header=False)
        table.add_row("container", info.container)
        table.add_row("size", f"{info.size_bytes:,} bytes")
        table.add_row("duration", f"{info.duration:.3f} s")
        if info.video:
            v = info.video
            table.add_row("video", f"{v.codec} {v.width}×{v.height} @ {v.fps:.3f} fps, "
                          f"{v.frame_count or '?'} frames, rotation {v.rotation}°")
        else:
            table.add_row("video", "none")
        if info.audio:
            a = info.audio
            table.add_row("audio", f"{a.codec} {a.sample_rate} Hz, {a.channels} ch")
        else:
            table.add_row("audio", "none")
        for s in info.subtitles:
            table.add_row("subtitles", f"{s.codec} ({s.language or 'und'})")
        Console().print(table)
