"""`emoreason annotate` (MERR pipeline), `emoreason emer-merge` (EMER clue merge), `emoreason export` (datasets)."""

from __future__ import annotations

from pathlib import Path

import typer


def _print_counts(title: str, counts: dict[str, int], failed: dict[str, str] | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    console = Console()
    console.print(f"[bold]{escape(title)}[/] " + ", ".join(f"{k}: {v}" for k, v in counts.items()), soft_wrap=True)
    for clip_id, error in list((failed or {}).items())[:20]:
        console.print(f"  [yellow]{escape(clip_id)}[/]: {escape(error)}", soft_wrap=True)


def _annotate_command(app: typer.Typer) -> None:
    @app.command("annotate")
    def annotate_cmd(
        source: Path = typer.Argument(..., help="Folder of clips, CSV manifest (path, subtitle, language, id) or "
                                      "one media file."),
        out_dir: Path = typer.Option(..., "--output", "-o", help="Dataset folder (annotations.jsonl, frames/, "
                                     "media/)."),
        reasoner: str = typer.Option("template", "--reasoner", "-r", help="Who merges the clues: template | "
                                     "llama-cpp | openai."),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
        stages: str = typer.Option(None, "--stages", help="Comma-separated perception stages (default: all)."),
        no_asr: bool = typer.Option(False, "--no-asr", help="No speech recognition (words from subtitles only)."),
        no_copy: bool = typer.Option(False, "--no-copy-media", help="Do not copy clips into the dataset (the "
                                     "review page then has no video)."),
        retry_errors: bool = typer.Option(False, "--retry-errors", help="Try again clips that could not be read."),
        no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar on stderr."),
    ) -> None:
        """Annotate clips MERR-style into a dataset folder; a re-run resumes and retries failed LLM merges.

        Exit code 0 when every clip is annotated (ok or flagged), 1 when some failed (recorded),
        2 when the run cannot start.
        """
        import os

        from emoreason.annotation.runner import AnnotateOptions, annotate

        options = AnnotateOptions(
            reasoner=reasoner, model=model, base_url=base_url, api_key=os.environ.get("EMOREASON_API_KEY"),
            stages=[s.strip() for s in stages.split(",") if s.strip()] if stages else None, asr=not no_asr,
            copy_media=not no_copy,
        )
        from emoreason.batch.progress import BatchProgress

        with BatchProgress(enabled=not no_progress, label="annotate") as progress:
            summary = annotate(source, out_dir, options=options, retry_errors=retry_errors, on_start=progress.start,
                               on_record=progress.advance)
        _print_counts(f"{summary.dataset_dir}: {summary.total} clips, {summary.skipped} already done;",
                      summary.counts, summary.failed)
        if summary.failed:
            raise SystemExit(1)


def _emer_command(app: typer.Typer) -> None:
    @app.command("emer-merge")
    def emer_cmd(
        clues: Path = typer.Argument(..., help="JSONL or CSV: id, annotator, face, tone, speech, scene."),
        out: Path = typer.Option(..., "--output", "-o", help="Output JSONL (one merged record per clip)."),
        reasoner: str = typer.Option("template", "--reasoner", "-r", help="template | llama-cpp | openai"),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
    ) -> None:
        """Merge several annotators' four-aspect clues per clip with EMER's Figure 1 and Figure 2 prompts."""
        import os

        from emoreason.annotation.emer import merge_clues
        from emoreason.annotation.llm import Recorder, build_backend
        from emoreason.cli.output import check_output_path

        check_output_path(out, create_folder=True)
        backend = build_backend(reasoner, model=model, base_url=base_url, api_key=os.environ.get("EMOREASON_API_KEY"))
        counts = merge_clues(clues, out, Recorder(backend))
        _print_counts(f"{out}:", counts)
        if counts.get("llm_failed"):
            raise SystemExit(1)


def _export_command(app: typer.Typer) -> None:
    @app.command("export")
    def export_cmd(
        source: Path = typer.Argument(..., help="Dataset folder (from `emoreason annotate`) or a MERR JSON file."),
        out_dir: Path = typer.Option(..., "--output", "-o", help="Export folder."),
        to: str = typer.Option("merr,emotion-llama,sharegpt,parquet", "--to", help="Comma-separated formats: "
                               "merr, emotion-llama, sharegpt, parquet (with the dataset card)."),
        include_flagged: bool = typer.Option(False, "--include-flagged", help="Also export flagged clips."),
    ) -> None:
        """Export a dataset to MERR JSON, Emotion-LLaMA instructions, ShareGPT conversations and Parquet + card."""
        from emoreason.annotation.export import export_dataset, read_merr_json
        from emoreason.annotation.runner import load_records
        from emoreason.cli.output import check_output_dir, prepare_output_dir

        check_output_dir(out_dir)  # an unusable -o fails before the dataset is read
        if source.is_file():
            records, dataset_dir = read_merr_json(source), None
        else:
            records, dataset_dir = load_records(source), source
        if not records:
            from emoreason.annotation.errors import AnnotationError

            raise AnnotationError(f"{source}: holds no readable annotation records; nothing to export")
        prepare_output_dir(out_dir)
        written = export_dataset(records, out_dir, formats=[f.strip() for f in to.split(",") if f.strip()],
                                 include_flagged=include_flagged, dataset_dir=dataset_dir)
        for fmt, path in written.items():
            typer.echo(f"{fmt}: {path}")


def register(app: typer.Typer) -> None:
    """Add `annotate`, `emer-merge` and `export` to `app`."""
    _annotate_command(app)
    _emer_command(app)
    _export_command(app)
