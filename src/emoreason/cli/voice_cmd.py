"""`emoreason voice AUDIO|VIDEO`: speech segments, the prosody table, voice (and text) clues."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

_COLUMNS = (
    ("F0 Hz", "f0_mean_hz", "{:.0f}"),
    ("F0 st", "f0_mean_st", "{:+.1f}"),
    ("range st", "f0_range_st", "{:.1f}"),
    ("slope st/s", "f0_slope_st_per_s", "{:+.1f}"),
    ("level dBFS", "loudness_db", "{:.1f}"),
    ("syl/s", "speaking_rate_syl_per_s", "{:.1f}"),
    ("jitter %", "jitter_local", "{:.1%}"),
    ("shimmer %", "shimmer_local", "{:.1%}"),
    ("HNR dB", "hnr_db", "{:.1f}"),
    ("tremor st", "f0_tremor_st", "{:.2f}"),
)


class VoiceFormat(str, Enum):
    """Renderings of the voice analysis."""

    TEXT = "text"
    JSON = "json"


def _cell(prosody: object, key: str, fmt: str) -> str:
    value = getattr(prosody, key)
    if value is None:
        return "–"
    return fmt.format(value).rstrip("%") if "%" in fmt else fmt.format(value)


def _print(path: Path, reports: list, ctx: object) -> None:
    from rich.console import Console
    from rich.table import Table

    from emoreason.render import fmt_span, fmt_time

    console = Console()
    voice = ctx.voice
    console.print(f"[bold]{path}[/] ({ctx.media.duration:.1f} s)")
    if voice is not None:
        console.print(f"speech {voice.speech_ratio:.0%} of {voice.duration:.1f} s · VAD {voice.vad} · "
                      f"prosody {voice.prosody_backend}" + (" · eGeMAPS" if voice.egemaps else ""))
        table = Table(title="Prosody", title_justify="left")
        table.add_column("segment", no_wrap=True)
        for name, _, _ in _COLUMNS:
            table.add_column(name, justify="right")
        for seg in voice.speech_segments:
            table.add_row(f"{fmt_time(seg.start)}–{fmt_time(seg.end)}",
                          *[_cell(seg.prosody, k, f) for _, k, f in _COLUMNS])
        if voice.speech_segments:
            table.add_row("[bold]clip[/]", *[_cell(voice.clip_prosody, k, f) for _, k, f in _COLUMNS])
            console.print(table)
    clues = sorted((c for r in reports for c in r.clues), key=lambda c: c.start)
    if clues:
        table = Table(title="Clues", title_justify="left")
        for col in ("time", "modality", "strength", "clue", "tags"):
            table.add_column(col, no_wrap=col in ("time", "modality", "strength"))
        for c in clues:
            table.add_row(fmt_span(c), c.modality.value, f"{c.strength:.2f}", c.description, ", ".join(c.tags))
        console.print(table)
    if ctx.transcript is not None:
        console.print(f"[bold]Words[/] ({ctx.transcript.source.value}): {ctx.transcript.text}", soft_wrap=True)
    for r in reports:
        if r.message:
            colour = "green" if r.status.value == "ok" else "yellow"
            console.print(f"[{colour}]{r.modality.value}: {r.status.value}[/] — {r.message}", soft_wrap=True)
    for w in ctx.warnings:
        console.print(f"[yellow]warning[/] {w}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `voice` command to `app`."""

    @app.command("voice")
    def voice_cmd(
        path: Path = typer.Argument(..., help="Audio or video file."),
        subtitle: str = typer.Option(None, "--subtitle", "-s", help="Subtitle file (.srt/.vtt/.txt/.json) or text."),
        language: str = typer.Option(None, "--language", help="Language of the subtitles, e.g. en, zh."),
        no_asr: bool = typer.Option(False, "--no-asr", help="Do not run ASR when no subtitles are given."),
        vad: str = typer.Option("auto", "--vad", help="auto | silero | webrtc"),
        fmt: VoiceFormat = typer.Option(VoiceFormat.TEXT, "--format", "-f", help="Output format."),
    ) -> None:
        """Show speech segments, the prosody table and the voice and text clues of PATH."""
        import json

        from emoreason.io import probe, read_subtitles
        from emoreason.perception.base import ClipContext
        from emoreason.perception.text import TextStage
        from emoreason.perception.voice import VoiceStage

        media = probe(path)
        transcript = read_subtitles(subtitle, language=language) if subtitle is not None else None
        if transcript is not None and not transcript.is_timed:
            segs = [s.model_copy(update={"start": s.start or 0.0, "end": s.end if s.end is not None else
                                         media.duration}) for s in transcript.segments]
            transcript = transcript.model_copy(update={"segments": segs})
        ctx = ClipContext(path=path, media=media, transcript=transcript)
        reports = VoiceStage(vad=vad).run(ctx)
        reports += TextStage(asr=None if no_asr else "pocketsphinx").run(ctx)
        if fmt is VoiceFormat.JSON:
            payload = {
                "path": str(path),
                "voice": ctx.voice.model_dump(mode="json") if ctx.voice else None,
                "transcript": ctx.transcript.model_dump(mode="json") if ctx.transcript else None,
                "reports": [r.model_dump(mode="json") for r in reports],
                "warnings": ctx.warnings,
            }
            typer.echo(json.dumps(payload, indent=2))
            return
        _print(path, reports, ctx)
