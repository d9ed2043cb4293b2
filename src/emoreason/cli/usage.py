"""What the command line does with usage errors and log output (used by :mod:`emoreason.cli.app`).

typer ≥ 0.20 ships its own copy of click (``typer._click``) whose exceptions are not the
``click`` package's; both kinds are handled so a usage error is one line whichever raised it.
"""

from __future__ import annotations

import logging
import re
import sys


def _exception_types(name: str) -> tuple[type[BaseException], ...]:
    """The exception class `name` from typer's vendored click and from click, where present."""
    found: list[type[BaseException]] = []
    for module in ("typer._click.exceptions", "click.exceptions", "typer.exceptions"):
        try:
            mod = __import__(module, fromlist=[name])
        except ImportError:
            continue
        cls = getattr(mod, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException) and cls not in found:
            found.append(cls)
    return tuple(found)


#: Wrong command line: unknown command or option, bad value, missing or extra argument.
USAGE_ERRORS = _exception_types("UsageError") + _exception_types("ClickException")
#: Raised by typer/click for a bare group (the help is shown, exit code 2).
NO_ARGS_HELP = _exception_types("NoArgsIsHelpError")
#: A command asked to stop with an exit code (``typer.Exit``).
EXIT_ERRORS = _exception_types("Exit")
#: The user aborted a prompt.
ABORT_ERRORS = _exception_types("Abort")

_VALUE_ERROR_PREFIX = re.compile(r"^(Value error|Assertion failed), ")


def one_line(text: str) -> str:
    """Collapse whitespace (newlines included) so a message fits on one line."""
    return " ".join(text.split())


def usage_message(exc: BaseException) -> str:
    """One line saying what was wrong with the command line and where to read the help."""
    fmt = getattr(exc, "format_message", None)
    message = fmt() if callable(fmt) else str(exc)
    message = _VALUE_ERROR_PREFIX.sub("", one_line(message))
    message = message.replace(": Value error, ", ": ")
    ctx = getattr(exc, "ctx", None)
    path = getattr(ctx, "command_path", None) or "emoreason"
    return f"{message} (see '{path} --help')"


class _ElapsedFormatter(logging.Formatter):
    """``[  12.3 s] message``: seconds since start, the level only when it is not INFO."""

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno == logging.INFO else f"{record.levelname.lower()}: "
        text = f"[{record.relativeCreated / 1000:6.1f} s] {level}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at emit time (the CLI swaps it while a command runs)."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:  # StreamHandler.__init__ assigns it; ignored
        pass


def configure_logging(*, debug: bool, verbose: bool) -> None:
    """Route log records to stderr: warnings always, emoreason's INFO progress with ``-v``, all with ``--debug``.

    Idempotent: a second call (tests call the CLI many times) replaces the handler it installed.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_emoreason_cli", False)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler._emoreason_cli = True  # type: ignore[attr-defined]
    if debug or verbose:
        handler.setFormatter(_ElapsedFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("emoreason").setLevel(logging.DEBUG if debug else (logging.INFO if verbose else logging.NOTSET))
