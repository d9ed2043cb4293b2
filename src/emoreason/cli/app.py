"""The `emoreason` command: a thin layer over the Python API.

Each subcommand lives in its own module exposing `register(app)`; heavy imports happen
inside the command functions. Errors derived from :class:`EmoreasonError` print as one
line naming the file and the problem (exit code 2); `--debug` shows the traceback.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click
import typer
from rich.console import Console

from emoreason.cli.quiet import native_stderr_silenced
from emoreason.cli.state import STATE
from emoreason.errors import EmoreasonError

app = typer.Typer(
    name="emoreason",
    help="Explainable multimodal emotion reasoning: which emotions a person shows, and why.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

#: Subcommand modules; each exposes `register(app)`. Missing optional ones are skipped.
COMMAND_MODULES = (
    "emoreason.cli.probe_cmd",
    "emoreason.cli.explain_cmd",
    "emoreason.cli.schema_cmd",
    "emoreason.cli.faces_cmd",
    "emoreason.cli.voice_cmd",
    "emoreason.cli.eval_cmd",
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show progress logs."),
) -> None:
    STATE.debug = debug
    level = logging.DEBUG if debug else (logging.INFO if verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(app)


_register_all()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code."""
    err = Console(stderr=True, highlight=False)
    args = sys.argv[1:] if argv is None else argv
    try:
        with native_stderr_silenced(enabled="--debug" not in args):
            app(args=args, standalone_mode=False)
    except EmoreasonError as exc:
        if STATE.debug:
            raise
        err.print(f"[bold red]error:[/] {exc}", markup=True, soft_wrap=True)
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Abort:
        err.print("aborted")
        return 130
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
