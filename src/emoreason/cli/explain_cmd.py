"""`emoreason explain VIDEO`: the main job."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer


class OutputFormat(str, Enum):
    """Renderings of the result."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"


class Fallback(str, Enum):
    """What replaces a language-model backend that fails."""

    NONE = "none"
    TEMPLATE = "template"


def _print_rich(result: object) -> None:
    from rich.console import Console
    from rich.markup import escape

    from emoreason.cli.tables import add_columns, compact_table
    from emoreason.render import decision_line, emotions_line, fmt_span, modality_notes, observed_clues, timeline_lines

    console = Console()
    console.print(f"[bold]{escape(result.media.path)}[/] ({result.media.duration:.1f} s)\n")
    if result.explanation is not None:
        console.print(escape(result.explanation.text), soft_wrap=True)
        console.print()
    console.print(f"[bold]Emotions:[/] {emotions_line(result)}")
    if decided := decision_line(result):
        console.print(f"[bold]Decision:[/] {escape(decided)}", soft_wrap=True)
    if result.timeline:
        console.print("[bold]Timeline:[/]")
        for line in timeline_lines(result):
            console.print(f"  {escape(line)}", soft_wrap=True)
    if observed_clues(result):
        table = compact_table("Clues")
        rows = [[fmt_span(c), c.modality.value, f"{c.strength:.2f}", c.description] for c in observed_clues(result)]
        add_columns(table, ["time", "modality", "strength", "clue"], rows, width=console.width,
                    no_wrap=["time", "modality", "strength"])
        console.print(table)
    for note in modality_notes(result):
        console.print(f"[yellow]not read[/] {escape(note)}", soft_wrap=True)
    if result.people:
        from emoreason.images.tracks import people_lines

        console.print("[bold]People:[/]")
        for line in people_lines(result.people):
            console.print(f"  {line}", soft_wrap=True)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/] {escape(warning)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `explain` command to `app`."""

    @app.command("explain")
    def explain_cmd(
        video: Path = typer.Argument(None, help="Video file (default: the shipped sample clip)."),
        subtitle: str = typer.Option(None, "--subtitle", "-s", help="Subtitle file (.srt/.vtt/.txt/.json) or text."),
        language: str = typer.Option(None, "--language", help="Language spoken / of the subtitles, e.g. en, zh "
                                     "(also steers speech recognition)."),
        no_asr: bool = typer.Option(False, "--no-asr", help="No speech recognition: words from subtitles only."),
        fmt: OutputFormat = typer.Option(OutputFormat.TEXT, "--format", "-f", help="Output format."),
        out: Path = typer.Option(None, "--output", "-o", help="Write the result to this file."),
        reasoner: str = typer.Option("template", "--reasoner", "-r", help="template | llama-cpp | openai"),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
        api_key: str = typer.Option(None, "--api-key", help="API key for the endpoint."),
        prompt: str = typer.Option(None, "--prompt", help="Prompt name (see docs/reasoning.md)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Do not reuse cached LLM replies."),
        fallback: Fallback = typer.Option(Fallback.NONE, "--fallback", help="When the LLM backend cannot be "
                                          "reached: none = fail (exit 2), template = write the template explanation."),
        egemaps: bool = typer.Option(False, "--egemaps", help="Add openSMILE eGeMAPS functionals (research licence)."),
        all_people: bool = typer.Option(False, "--all-people", help="Describe every tracked person, not only the "
                                        "main face."),
    ) -> None:
        """Say which emotions the person in VIDEO shows, and why, with timestamped clues."""
        from emoreason.cli.output import check_output_path, write_output
        from emoreason.cli.state import STATE
        from emoreason.data import sample_clip
        from emoreason.pipeline import explain
        from emoreason.render import to_markdown, to_text

        check_output_path(out)
        result = explain(
            video or sample_clip(), subtitle=subtitle, language=language, reasoner=reasoner,
            model=model, base_url=base_url, api_key=api_key, prompt=prompt, cache=not no_cache,
            egemaps=egemaps, asr=not no_asr, strict=STATE.debug, fallback=fallback.value, all_people=all_people,
        )
        if fmt is OutputFormat.JSON:
            write_output(result.model_dump_json(indent=2) + "\n", out)
        elif fmt is OutputFormat.MARKDOWN:
            write_output(to_markdown(result), out)
        elif out is not None:
            write_output(to_text(result), out)
        else:
            _print_rich(result)
