"""`emoreason train HEAD --data-root DIR -o OUT`: run a head's training recipe (offline, CPU, seeded)."""

from __future__ import annotations

from pathlib import Path

import typer


def _parse_settings(settings: list[str]) -> dict[str, str]:
    from emoreason.errors import EmoreasonError

    out: dict[str, str] = {}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise EmoreasonError(f"--set {item!r}: expected KEY=VALUE")
        out[key.strip()] = value.strip()
    return out


def _list_trainers() -> None:
    from rich.console import Console
    from rich.table import Table

    from emoreason.training import TRAINERS

    table = Table(title="Trainable heads", title_justify="left")
    table.add_column("head", no_wrap=True)
    table.add_column("summary")
    for name in TRAINERS.names():
        table.add_row(name, TRAINERS.spec(name).summary)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add the `train` command to `app`."""

    @app.command("train")
    def train_cmd(
        head: str = typer.Argument(None, help="Head to train (see --list)."),
        data_root: Path = typer.Option(Path("../shared/data"), "--data-root", help="Root of the research data."),
        out: Path = typer.Option(None, "--output", "-o", help="Folder for the weights and MODEL_CARD.md."),
        seed: int = typer.Option(0, "--seed", help="Random seed (the recipe is deterministic given it)."),
        limit: int = typer.Option(None, "--limit", help="At most this many utterances per corpus split (quick runs)."),
        settings: list[str] = typer.Option(None, "--set", help="Recipe setting KEY=VALUE (repeatable)."),
        list_heads: bool = typer.Option(False, "--list", help="List the trainable heads and exit."),
        config: Path = typer.Option(None, "--config", help="Recipe file (YAML) for heads that take one (mllm)."),
        tiny: bool = typer.Option(False, "--tiny", help="Tiny random-init models + synthetic data (mllm smoke run)."),
    ) -> None:
        """Train a head from annotated data and write its weights + model card into OUT."""
        from emoreason.errors import EmoreasonError

        if list_heads:
            _list_trainers()
            return
        if head is None or out is None:
            raise EmoreasonError("give a HEAD and -o OUT (or --list to see the heads)")
        overrides = _parse_settings(settings or [])
        overrides.update({"config": str(config)} if config else {})
        overrides.update({"tiny": "1"} if tiny else {})
        if not data_root.is_dir() and not tiny:
            raise EmoreasonError(f"{data_root}: data root not found (give --data-root)")
        if out.exists() and not out.is_dir():
            raise EmoreasonError(f"{out}: exists and is not a folder")
        from rich.console import Console

        from emoreason.training import train

        try:
            result = train(head, data_root, out, seed=seed, limit=limit, overrides=overrides)
        except ValueError as exc:
            raise EmoreasonError(f"{head}: {exc}") from exc
        console = Console()
        console.print(f"wrote {', '.join(str(f) for f in [result.weights, *result.extra_files])} and "
                      f"{result.model_card}", soft_wrap=True)
        for key, value in result.metrics.items():
            console.print(f"  {key}: {value:.4f}")
