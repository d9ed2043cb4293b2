"""The `emoreason` command: a thin layer over the Python API.

Each subcommand lives in its own module exposing `register(app)`; heavy imports happen
inside the command functions. Errors derived from :class:`EmoreasonError` print as one
line naming the file and the problem (exit code 2); `--debug` shows the traceback.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout

import typer
from rich.console import Console
from rich.markup import escape

from emoreason.cli.quiet import native_stderr_silenced
from emoreason.cli.state import STATE
from emoreason.cli.usage import (
    ABORT_ERRORS,
    EXIT_ERRORS,
    NO_ARGS_HELP,
    USAGE_ERRORS,
    configure_logging,
    one_line,
    usage_message,
)
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
    "emoreason.cli.text_cmd",
    "emoreason.cli.train_cmd",
    "emoreason.cli.converse_cmd",
    "emoreason.cli.interpret_cmd",
    "emoreason.cli.batch_cmd",
    "emoreason.cli.report_cmd",
    "emoreason.cli.serve_cmd",
    "emoreason.cli.annotate_cmd",
    "emoreason.cli.review_cmd",
)


def _show_version(value: bool) -> None:
    if value:
        from emoreason import __version__

        typer.echo(f"emoreason {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and debug logs."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Report each stage's progress on stderr."),
    version: bool = typer.Option(False, "--version", is_eager=True, callback=_show_version,
                                 help="Print the version and exit."),
) -> None:
    STATE.debug = debug
    STATE.verbose = verbose
    configure_logging(debug=debug, verbose=verbose)


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
    """Console-script entry point; returns the exit code.

    Usage errors (unknown command or option, bad value, extra argument) print one line and
    return 2; bare ``emoreason`` prints the help on stderr and returns 2 (click's convention
    for a group called without a command); ``--help`` and ``--version`` return 0.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    args = sys.argv[1:] if argv is None else list(argv)
    STATE.debug, STATE.verbose = "--debug" in args, False  # until the root callback has parsed them
    try:
        with native_stderr_silenced(enabled="--debug" not in args), _help_to_stderr(not args):
            code = app(args=args, prog_name="emoreason", standalone_mode=False)
    except EmoreasonError as exc:
        if STATE.debug:
            raise
        err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
        return 2
    except EXIT_ERRORS as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except USAGE_ERRORS as exc:
        if not args and NO_ARGS_HELP and isinstance(exc, NO_ARGS_HELP):
            return 2  # the help was printed on stderr
        err.print(f"[bold red]error:[/] {escape(usage_message(exc))}", markup=True)
        return 2
    except ABORT_ERRORS:
        err.print("aborted")
        return 130
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug still ends in one line; --debug shows the traceback
        if STATE.debug:
            raise
        if "surrogates not allowed" in str(exc):  # a non-UTF-8 file name reached a UTF-8 record
            from emoreason.io.filenames import is_utf8, readable

            named = next((a for a in args if not is_utf8(a)), "a file name")
            err.print(f"[bold red]error:[/] {escape(readable(named))}: the file name is not valid UTF-8, so it cannot "
                      "be written into the output; rename the file", markup=True)
            return 2
        err.print(f"[bold red]internal error:[/] {escape(type(exc).__name__)}: {escape(one_line(str(exc)))} "
                  "(run with --debug for the traceback)", markup=True)
        return 1
    return code if isinstance(code, int) else 0


@contextmanager
def _help_to_stderr(enabled: bool) -> Iterator[None]:
    """Send what the help printer writes to stdout to stderr instead (bare `emoreason`)."""
    if not enabled:
        yield
        return
    with redirect_stdout(sys.stderr):
        yield


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
