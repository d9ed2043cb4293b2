"""`emoreason eval TASK --predictions FILE ...` and `emoreason eval --list`."""

from __future__ import annotations

from pathlib import Path

import typer


def _list_tasks() -> None:
    from rich.console import Console
    from rich.table import Table

    from emoreason.tasks.registry import get_task, task_names

    table = Table(title="emoreason evaluation tasks")
    for column in ("task", "predictions", "metrics", "judge", "summary"):
        table.add_column(column, overflow="fold")
    for name in task_names():
        spec = get_task(name)
        table.add_row(name, spec.predictions.value, ", ".join(spec.metrics), spec.judge.value if spec.judge else "",
                      spec.summary)
    Console().print(table)


def _print_results(results: list, best_metric: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    first = results[0]
    table = Table(title=f"{first.task}")
    table.add_column("predictions", overflow="fold")
    names = [m.name for m in first.metrics]
    for name in names:
        table.add_column(name, justify="right")
    table.add_column("n / missing / invalid", justify="right")
    values = [next(m.value for m in r.metrics if m.name == best_metric) for r in results] if best_metric else []
    best = values.index(max(values)) if values and len(results) > 1 else -1
    for i, result in enumerate(results):
        cells = [f"{m.value:.4f}" + ("" if m.comparable_to_published else "*") for m in result.metrics]
        source = Path(result.predictions_source)
        label = f"{source.parent.name}/{source.name}" + (" (best)" if i == best else "")
        table.add_row(label, *cells, f"{result.n_references} / {result.n_missing} / {result.n_invalid}")
    for metric, value in first.published.items():
        table.add_row("published", *[f"{value:.4f}" if n == metric else "" for n in names], "")
    console = Console()
    console.print(table)
    for result in results:
        if result.judge:
            j = result.judge
            console.print(f"judge {j.name} model={j.model} prompt={j.prompt_hash} T={j.temperature}: "
                          f"{j.ok} ok, {j.parse_failed} parse failures, {j.errors} errors, {j.cached} cached")
        for note in result.notes[:5]:
            console.print(f"note: {note}")


def register(app: typer.Typer) -> None:
    """Add the `eval` command to `app`."""

    @app.command("eval")
    def eval_cmd(
        task: str = typer.Argument(None, help="Task name or alias (see --list), or a task YAML file."),
        predictions: list[Path] = typer.Option(None, "--predictions", "-p",
                                               help="Predictions file (.jsonl/.csv/.npz/.json); repeatable."),
        list_tasks: bool = typer.Option(False, "--list", help="List the available tasks."),
        data_root: Path = typer.Option(None, "--data-root", envvar="EMOREASON_DATA_ROOT",
                                       help="Folder holding benchmarks/."),
        judge_base_url: str = typer.Option(None, "--judge-base-url", help="OpenAI-compatible endpoint for judges."),
        judge_model: str = typer.Option(None, "--judge-model", help="Judge model name."),
        judge_api_key: str = typer.Option(None, "--judge-api-key", envvar="EMOREASON_JUDGE_API_KEY"),
        judge_gguf: Path = typer.Option(None, "--judge-gguf", help="Local GGUF judge model (llama-cpp)."),
        judge_cache: Path = typer.Option(None, "--judge-cache", help="Folder for cached judge replies."),
        tokenizer: str = typer.Option("ptb", "--tokenizer", help="Caption tokeniser: ptb, simple or none."),
        output: Path = typer.Option(None, "--output", "-o", help="Write <task>-<file>.json and .csv here."),
    ) -> None:
        """Score predictions on a benchmark task; prints a table, saves JSON + per-sample CSV."""
        if list_tasks:
            _list_tasks()
            return
        if not task or not predictions:
            raise typer.BadParameter("give a TASK and at least one --predictions FILE (or --list)")
        from emoreason.tasks.api import run_task
        from emoreason.tasks.runner import save_result

        backend = None
        if judge_base_url:
            if not judge_model:
                raise typer.BadParameter("--judge-model is required with --judge-base-url")
            from emoreason.reasoning.backends import OpenAIBackend

            backend = OpenAIBackend(judge_base_url, judge_model, api_key=judge_api_key, timeout=120.0)
        elif judge_gguf:
            from emoreason.reasoning.backends import LlamaCppBackend

            backend = LlamaCppBackend(judge_gguf)
            judge_model = judge_model or backend.model_id
        results = [run_task(task, p, data_root=data_root, judge_backend=backend, judge_model=judge_model,
                            judge_cache=judge_cache, tokenizer=tokenizer) for p in predictions]
        _print_results(results, results[0].metrics[0].name if results[0].metrics else None)
        if output:
            for result in results:
                json_path, csv_path = save_result(result, output)
                typer.echo(f"saved {json_path} and {csv_path}")
