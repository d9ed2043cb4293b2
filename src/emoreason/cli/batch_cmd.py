"""`emoreason batch DIR|MANIFEST.csv -o OUT_DIR`: explain many clips, resumably."""

from __future__ import annotations

from pathlib import Path

import typer

from emoreason.batch.runner import BatchSummary, Engine


def _print_summary(summary: BatchSummary) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Batch {summary.out_dir}", title_justify="left")
    for col in ("clips", "resumed", "done now", "ok", "errors", "seconds", "clips/min"):
        table.add_column(col, justify="right")
    table.add_row(
        str(summary.total), str(summary.skipped), str(summary.done), str(summary.ok), str(summary.errors),
        f"{summary.seconds:.1f}", f"{summary.clips_per_minute:.1f}",
    )
    console.print(table)
    if summary.labels:
        labels = Table(title="Top labels", title_justify="left")
        labels.add_column("label")
        labels.add_column("clips", justify="right")
        for label, count in summary.labels.items():
            labels.add_row(label, str(count))
        console.print(labels)
    if summary.failed:
        errors = Table(title="Errors", title_justify="left")
        errors.add_column("clip", no_wrap=True)
        errors.add_column("error")
        for clip_id, error in list(summary.failed.items())[:20]:
            errors.add_row(clip_id, error)
        if len(summary.failed) > 20:
            errors.add_row("…", f"{len(summary.failed) - 20} more in results.jsonl")
        console.print(errors)
    console.print(f"records: {Path(summary.out_dir) / 'results.jsonl'}   table: {summary.parquet}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the `batch` command to `app`."""

    @app.command("batch")
    def batch_cmd(
        source: Path = typer.Argument(..., help="Folder of clips, or a CSV manifest (path, subtitle, language, id)."),
        out_dir: Path = typer.Option(..., "--output", "-o", help="Output folder (results.jsonl, results.parquet)."),
        workers: int = typer.Option(1, "--workers", "-w", min=1, help="Worker processes; each loads models once."),
        engine: Engine = typer.Option(Engine.LOCAL, "--engine", help="local (processes) or ray."),
        ray_address: str = typer.Option(None, "--ray-address", help="Ray cluster to join (default: start one)."),
        timeout: float = typer.Option(None, "--timeout", min=1, help="Seconds one clip may take (default: none)."),
        retry_errors: bool = typer.Option(False, "--retry-errors", help="Explain again clips recorded as errors."),
        stages: str = typer.Option(None, "--stages", help="Comma-separated perception stages (default: all)."),
        reasoner: str = typer.Option("template", "--reasoner", "-r", help="template | llama-cpp | openai"),
        model: str = typer.Option(None, "--model", help="GGUF path (llama-cpp) or model name (openai)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint URL."),
        prompt: str = typer.Option(None, "--prompt", help="Prompt name (see docs/reasoning.md)."),
        egemaps: bool = typer.Option(False, "--egemaps", help="Add openSMILE eGeMAPS functionals (research licence)."),
        no_asr: bool = typer.Option(False, "--no-asr", help="No speech recognition (words from subtitles only)."),
        no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar on stderr."),
    ) -> None:
        """Explain every clip of a folder or manifest into OUT_DIR/results.jsonl; a re-run resumes.

        Exit code 0 when every clip has a result, 1 when some clips are recorded as errors,
        2 when the batch cannot run (unreadable manifest, unwritable OUT_DIR, full disk).
        """
        import os

        from emoreason.batch.progress import BatchProgress
        from emoreason.batch.records import ExplainOptions
        from emoreason.batch.runner import run_batch

        options = ExplainOptions(
            stages=[s.strip() for s in stages.split(",") if s.strip()] if stages else None, reasoner=reasoner,
            model=model, base_url=base_url, api_key=os.environ.get("EMOREASON_API_KEY"), prompt=prompt,
            egemaps=egemaps, asr=not no_asr,
        )
        with BatchProgress(enabled=not no_progress) as progress:
            summary = run_batch(
                source, out_dir, options=options, engine=engine, workers=workers, timeout=timeout,
                ray_address=ray_address, retry_errors=retry_errors, on_start=progress.start, on_record=progress.advance,
            )
        _print_summary(summary)
        if summary.errors:
            raise typer.Exit(1)  # some clips are error rows (recorded in results.jsonl)
