"""`emoreason voice AUDIO|VIDEO`: speech segments, the prosody table, voice (and text) clues."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer

#: Prosody columns: two-line header, VoiceProsody field, format.
_COLUMNS = (
    ("F0\nHz", "f0_mean_hz", "{:.0f}"),
    ("F0\nst", "f0_mean_st", "{:+.1f}"),
    ("range\nst", "f0_range_st", "{:.1f}"),
    ("slope\nst/s", "f0_slope_st_per_s", "{:+.1f}"),
    ("level\ndBFS", "loudness_db", "{:.1f}"),
    ("rate\nsyl/s", "speaking_rate_syl_per_s", "{:.1f}"),
    ("jitter\n%", "jitter_local", "{:.1%}"),
    ("shimmer\n%", "shimmer_local", "{:.1%}"),
    ("HNR\ndB", "hnr_db", "{:.1f}"),
    ("tremor\nst", "f0_tremor_st", "{:.2f}"),
)


class VoiceFormat(str, Enum):
    """Renderings of the voice analysis."""

    TEXT = "text"
    JSON = "json"


class VadChoice(str, Enum):
    """Speech-activity detectors."""

    AUTO = "auto"
    SILERO = "silero"
    WEBRTC = "webrtc"


def _cell(prosody: object, key: str, fmt: str) -> str:
    value = getattr(prosody, key)
    if value is None:
        return "–"
    return fmt.format(value).rstrip("%") if "%" in fmt else fmt.format(value)


def _prosody_table(voice: object, width: int) -> object:
    from rich.text import Text

    from emoreason.cli.tables import add_columns, compact_table
    from emoreason.render import fmt_time

    rows: list[list[str | Text]] = [
        [f"{fmt_time(seg.start)}–{fmt_time(seg.end)}", *[_cell(seg.prosody, k, f) for _, k, f in _COLUMNS]]
        for seg in voice.speech_segments
    ]
    rows.append([Text("clip", style="bold"), *[_cell(voice.clip_prosody, k, f) for _, k, f in _COLUMNS]])
    table = compact_table("Prosody")
    headers = ["segment", *[name for name, _, _ in _COLUMNS]]
    add_columns(table, headers, rows, width=width, no_wrap=headers, right=headers[1:])
    return table


def _clue_table(clues: list, width: int) -> object:
    from emoreason.cli.tables import add_columns, compact_table
    from emoreason.render import fmt_span

    table = compact_table("Clues")
    rows = [[fmt_span(c), c.modality.value, f"{c.strength:.2f}", c.description, ", ".join(c.tags)] for c in clues]
    add_columns(table, ["time", "modality", "strength", "clue", "tags"], rows, width=width,
                no_wrap=["time", "modality", "strength"])
    return table


def _print(console: object, path: Path, reports: list, ctx: object) -> None:
    from rich.markup import escape

    voice = ctx.voice
    console.print(f"[bold]{escape(str(path))}[/] ({ctx.media.duration:.1f} s)")
    if voice is not None:
        console.print(f"speech {voice.speech_ratio:.0%} of {voice.duration:.1f} s · VAD {voice.vad} · "
                      f"prosody {voice.prosody_backend}" + (" · eGeMAPS" if voice.egemaps else ""))
        if voice.speech_segments:
            console.print(_prosody_table(voice, console.width))
    clues = sorted((c for r in reports for c in r.clues), key=lambda c: c.start)
    if clues:
        console.print(_clue_table(clues, console.width))
    if ctx.transcript is not None:
        console.print(f"[bold]Words[/] ({ctx.transcript.source.value}): {escape(ctx.transcript.text)}",
                      soft_wrap=True)
    for r in reports:
        if r.message:
            colour = "green" if r.status.value == "ok" else "yellow"
            console.print(f"[{colour}]{r.modality.value}: {r.status.value}[/] — {escape(r.message)}", soft_wrap=True)
    for w in ctx.warnings:
        console.print(f"[yellow]warning[/] {escape(w)}", soft_wrap=True)


def _as_text(path: Path, reports: list, ctx: object) -> str:
    """The terminal rendering as plain text (for -o), 100 columns wide."""
    from io import StringIO

    from rich.console import Console

    buffer = StringIO()
    _print(Console(file=buffer, width=100, color_system=None, highlight=False), path, reports, ctx)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _as_json(path: Path, reports: list, ctx: object) -> str:
    import json

    payload = {
        "path": str(path),
        "voice": ctx.voice.model_dump(mode="json") if ctx.voice else None,
        "transcript": ctx.transcript.model_dump(mode="json") if ctx.transcript else None,
        "reports": [r.model_dump(mode="json") for r in reports],
        "warnings": ctx.warnings,
    }
    return json.dumps(payload, indent=2) + "\n"


def register(app: typer.Typer) -> None:
    """Add the `voice` command to `app`."""

    @app.command("voice")
    def voice_cmd(
        path: Path = typer.Argument(..., help="Audio or video file."),
        subtitle: str = typer.Option(None, "--subtitle", "-s", help="Subtitle file (.srt/.vtt/.txt/.json) or text."),
        language: str = typer.Option(None, "--language", help="Language of the subtitles, e.g. en, zh."),
        no_asr: bool = typer.Option(False, "--no-asr", help="Do not run ASR when no subtitles are given."),
        vad: VadChoice = typer.Option(VadChoice.AUTO, "--vad", help="Speech-activity detector."),
        fmt: VoiceFormat = typer.Option(VoiceFormat.TEXT, "--format", "-f", help="Output format."),
        out: Path = typer.Option(None, "--output", "-o", help="Write the result (text or JSON) to this file."),
    ) -> None:
        """Show speech segments, the prosody table and the voice and text clues of PATH."""
        import logging

        from rich.console import Console

        from emoreason.cli.output import check_output_path, write_output
        from emoreason.io import probe, read_subtitles
        from emoreason.io.subtitles import fit_to_clip
        from emoreason.perception.base import ClipContext
        from emoreason.perception.text import TextStage
        from emoreason.perception.voice import VoiceStage

        check_output_path(out)
        media = probe(path)
        ctx = ClipContext(path=path, media=media, warnings=list(media.warnings))
        if subtitle is not None:
            ctx.transcript, fit_warning = fit_to_clip(read_subtitles(subtitle, language=language), media.duration)
            ctx.warnings += [fit_warning] if fit_warning else []
        log = logging.getLogger("emoreason.cli.voice")
        reports = []
        for stage in (VoiceStage(vad=vad.value), TextStage(asr=None if no_asr else "auto", language=language)):
            log.info("%s stage: started", stage.name)
            reports += stage.run(ctx)
            log.info("%s stage: done (%s)", stage.name, reports[-1].status.value)
        if fmt is VoiceFormat.JSON:
            write_output(_as_json(path, reports, ctx), out)
        elif out is not None:
            write_output(_as_text(path, reports, ctx), out)
        else:
            _print(Console(highlight=False), path, reports, ctx)
