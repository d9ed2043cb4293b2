"""`emoreason schema`: print the JSON schema of the result record."""

from __future__ import annotations

import json

import typer


def register(app: typer.Typer) -> None:
    """Add the `schema` command to `app`."""

    @app.command("schema")
    def schema_cmd() -> None:
        """Print the JSON schema of `emoreason explain --format json` output."""
        from emoreason.records import ExplainResult

        typer.echo(json.dumps(ExplainResult.model_json_schema(), indent=2))
