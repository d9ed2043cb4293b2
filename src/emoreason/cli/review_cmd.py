"""`emoreason review DATASET --tokens FILE`: the human review page of a dataset."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the `review` command to `app`."""

    @app.command("review")
    def review_cmd(
        dataset: Path = typer.Argument(..., help="Dataset folder (from `emoreason annotate`)."),
        tokens: Path = typer.Option(..., "--tokens", help="File of 'name:token' lines, one per annotator."),
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8765, "--port", min=1, max=65535, help="Port."),
    ) -> None:
        """Serve the review page: EMER 1-4 ratings, pairwise preferences, edits with history, agreement."""
        import uvicorn

        from emoreason.cli.listen import check_listen
        from emoreason.review.app import create_app
        from emoreason.review.auth import load_tokens

        check_listen(host, port)
        app_ = create_app(dataset, load_tokens(tokens))
        typer.echo(f"review page: http://{host}:{port}/  (dataset {dataset}, ratings in {dataset}/review.sqlite)")
        uvicorn.run(app_, host=host, port=port, log_level="warning")
