"""`emoreason eval TASK --predictions FILE ...` and `emoreason eval --list`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from emoreason.tasks.bootstrap import BootstrapReport


def _list_tasks() -> None:
    from rich.console import Console

    from emoreason.cli.tables import add_columns, compact_table
    from emoreason.tasks.registry import get_task, task_names

    console = Console()
    specs = [get_task(name) for name in task_names()]
    table = compact_table("emoreason evaluation tasks")
    if console.width >= 140:
        rows = [[n, s.predictions.value, ", ".join(s.metrics), s.judge.value if s.judge else "", s.summary]
                for n, s in zip(task_names(), specs, strict=True)]
        headers = ["task", "predictions", "metrics", "judge", "summary"]
    else:  # narrow or piped: metrics, judge and summary share one wrapped column
        rows = [[n, s.predictions.value, "\n".join([", ".join(s.metrics) + (f"; judge {s.judge.value}" if s.judge
                                                                            else ""), s.summary])]
                for n, s in zip(task_names(), specs, strict=True)]
        headers = ["task", "predictions", "metrics · summary"]
    add_columns(table, headers, rows, width=console.width, no_wrap=["task", "predictions"])
    console.print(table)


def _print_results(results: list, best_metric: str | None) -> None:
    from rich.console import Console

    from emoreason.cli.tables import PATH_MIN_WIDTH, add_columns, compact_table, fit_widths

    first = results[0]
    names = [m.name for m in first.metrics]
    headers = ["predictions", *names, "n / missing / invalid"]
    values = [next(m.value for m in r.metrics if m.name == best_metric) for r in results] if best_metric else []
    best = values.index(max(values)) if values and len(results) > 1 else -1
    rows = []
    for i, result in enumerate(results):
        cells = [f"{m.value:.4f}" + ("" if m.comparable_to_published else "*") for m in result.metrics]
        source = Path(result.predictions_source)
        label = f"{source.parent.name}/{source.name}" + (" (best)" if i == best else "")
        rows.append([label, *cells, f"{result.n_references} / {result.n_missing} / {result.n_invalid}"])
    for metric, value in first.published.items():
        rows.append(["published", *[f"{value:.4f}" if n == metric else "" for n in names], ""])
    console = Console()
    table = compact_table(f"{first.task}")
    natural = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    minimum = [min(natural[0], PATH_MIN_WIDTH), *natural[1:]]
    wrap = [True] + [False] * (len(headers) - 1)
    if sum(natural) + len(natural) - 1 <= console.width or fit_widths(natural, minimum, wrap, console.width):
        add_columns(table, headers, rows, width=console.width, no_wrap=headers[1:], right=headers[1:],
                    paths=["predictions"])
    else:  # too many metrics for the width: one row per metric, one column per predictions file
        flipped = [[headers[j], *[row[j] for row in rows]] for j in range(1, len(headers))]
        labels = ["metric", *[row[0] for row in rows]]
        add_columns(table, labels, flipped, width=console.width, no_wrap=["metric"], right=labels[1:])
    console.print(table)
    for result in results:
        if result.subset:
            console.print(f"subset {Path(result.predictions_source).name}: scored {result.n_references} references "
                          f"that have a prediction; left out {result.n_left_out} without one")
        if result.wheel_tables:
            console.print(f"emotion-wheel tables: {result.wheel_tables}")
        if result.judge:
            j = result.judge
            console.print(f"judge {j.name} model={j.model} prompt={j.prompt_hash} T={j.temperature}: "
                          f"{j.ok} ok, {j.parse_failed} parse failures, {j.errors} errors, {j.cached} cached")
        for note in [n for n in result.notes if not n.startswith("subset:")][:5]:
            console.print(f"note: {note}")


def _print_bootstrap(report: BootstrapReport) -> None:
    """One line per file and metric: value [low, high]; from the second file on, the paired difference and p."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(soft_wrap=True)
    console.print(f"bootstrap: {report.resamples} draws of the {report.n_units} {report.unit}s "
                  f"(seed {report.seed}), {report.level:.0%} percentile intervals")
    for k, (source, intervals) in enumerate(zip(report.sources, report.intervals, strict=True)):
        name = escape(Path(source).name)
        for iv in intervals:
            console.print(f"  {name} {iv.metric}: {iv.value:.4f} [{iv.low:.4f}, {iv.high:.4f}] ({iv.method})")
        for iv in report.differences[k - 1] if k > 0 else []:
            console.print(f"  {name} − {escape(Path(report.sources[0]).name)} {iv.metric}: "
                          f"{iv.value:+.4f} [{iv.low:+.4f}, {iv.high:+.4f}], p = {iv.p_value:.3f}")
    for line in report.skipped:
        console.print(f"  no interval for {line}")


def _judge_backend(base_url: str | None, model: str | None, api_key: str | None, gguf: Path | None,
                   local: bool) -> tuple[object | None, str | None]:
    """The judge's chat backend (None: the task's judged metrics are skipped) and the model id to record."""
    if base_url:
        if not model:
            raise typer.BadParameter("--judge-model is required with --judge-base-url")
        from emoreason.reasoning.backends import OpenAIBackend

        return OpenAIBackend(base_url, model, api_key=api_key, timeout=120.0), model
    if gguf or local:
        from emoreason.reasoning.backends import LlamaCppBackend

        backend = LlamaCppBackend(gguf)
        return backend, model or backend.model_id
    return None, model


def _check_tokenizer(name: str) -> None:
    from emoreason.metrics.caption.tokenize import Tokenizer

    if name not in {t.value for t in Tokenizer}:
        raise typer.BadParameter(f"--tokenizer {name!r}: use one of {', '.join(t.value for t in Tokenizer)}")


def _save(results: list, report: BootstrapReport | None, output: Path) -> None:
    """Each result as ``<stem>.json`` + ``.csv`` in `output`, and the bootstrap report beside the first."""
    from emoreason.tasks.runner import result_stems, save_result

    stems = result_stems(results)
    for result, stem in zip(results, stems, strict=True):
        json_path, csv_path = save_result(result, output, stem=stem)
        typer.echo(f"saved {json_path} and {csv_path}")
    if report is not None:
        path = Path(output) / f"{stems[0]}-bootstrap.json"
        path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
        typer.echo(f"saved {path}")


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
        judge_local: bool = typer.Option(False, "--judge-local",
                                         help="Judge with the default local GGUF (Qwen2.5-Coder-1.5B when installed, "
                                              "else SmolLM2-135M)."),
        judge_cache: Path = typer.Option(None, "--judge-cache", help="Folder for cached judge replies."),
        tokenizer: str = typer.Option("ptb", "--tokenizer", help="Caption tokeniser: ptb, simple or none."),
        output: Path = typer.Option(None, "--output", "-o",
                                    help="Write <predictions file>-<task>.json and .csv here."),
        subset: bool = typer.Option(False, "--subset",
                                    help="Score only the references that have a prediction (others left out, "
                                         "not counted as wrong)."),
        ew_tables: str = typer.Option(None, "--ew-tables",
                                      help="Emotion-wheel tables: ovmer (the OV-MER reference, default) or mer2026."),
        images: Path = typer.Option(None, "--images", help="EIBench tasks: answer with `interpret` over this image "
                                                           "folder (implies --subset)."),
        vision_base_url: str = typer.Option(None, "--vision-base-url", envvar="EMOREASON_VISION_BASE_URL",
                                            help="With --images: OpenAI-compatible vision endpoint (CFSA)."),
        vision_model: str = typer.Option(None, "--vision-model", envvar="EMOREASON_VISION_MODEL",
                                         help="With --images: vision model name."),
        bootstrap: int = typer.Option(0, "--bootstrap", min=0,
                                      help="Draw the references this many times (e.g. 1000): 95% intervals, and "
                                           "paired differences from the first --predictions file."),
        seed: int = typer.Option(0, "--seed", help="With --bootstrap: the seed of the draws."),
    ) -> None:
        """Score predictions on a benchmark task; prints a table, saves JSON + per-sample CSV."""
        if list_tasks:
            _list_tasks()
            return
        if not task or not (predictions or images):
            raise typer.BadParameter("give a TASK and at least one --predictions FILE or --images DIR (or --list)")
        if bootstrap == 1:
            raise typer.BadParameter("--bootstrap needs at least 2 draws (0: none)")
        _check_tokenizer(tokenizer)
        if output:
            from emoreason.cli.output import prepare_output_dir

            prepare_output_dir(output)
        if images is not None:
            from emoreason.images.eibench import predict_folder

            run = predict_folder(task, images, data_root=data_root, base_url=vision_base_url, model=vision_model)
            typer.echo(f"interpret: {run.answered} answered, {run.reused} reused, {len(run.missing)} without an "
                       f"image, {len(run.failed)} unreadable -> {run.predictions}")
            predictions, subset = [run.predictions], True
        from emoreason.tasks.api import run_task

        backend, judge_model = _judge_backend(judge_base_url, judge_model, judge_api_key, judge_gguf, judge_local)
        results = [run_task(task, p, data_root=data_root, judge_backend=backend, judge_model=judge_model,
                            judge_cache=judge_cache, tokenizer=tokenizer, subset=subset, ew_tables=ew_tables)
                   for p in predictions]
        _print_results(results, results[0].metrics[0].name if results[0].metrics else None)
        report = None
        if bootstrap:
            from emoreason.tasks.api import bootstrap_task

            report = bootstrap_task(task, predictions, results, data_root=data_root, resamples=bootstrap, seed=seed,
                                    tokenizer=tokenizer, subset=subset, ew_tables=ew_tables)
            _print_bootstrap(report)
        if output:
            _save(results, report, output)
