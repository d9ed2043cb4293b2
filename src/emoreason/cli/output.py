"""Writing command output to stdout or a file, with clear errors for unwritable paths."""

from __future__ import annotations

import sys
from pathlib import Path

from emoreason.errors import OutputError


def write_output(text: str, out: Path | None) -> None:
    """Write `text` to `out`, or to stdout when `out` is None; it always ends with a newline.

    Raises:
        OutputError: the path's folder is missing or the file cannot be written.
    """
    if not text.endswith("\n"):
        text += "\n"
    if out is None:
        sys.stdout.write(text)
        return
    if out.is_dir():
        raise OutputError(f"{out}: is a directory; give a file path for -o")
    if not out.parent.exists():
        raise OutputError(f"{out}: folder {out.parent} does not exist")
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{out}: cannot write output ({exc.strerror or exc})") from exc


def check_output_path(out: Path | None, option: str = "-o", *, create_folder: bool = False) -> None:
    """Fail before any work is done when `out` (given with `option`) cannot be written; with `create_folder`
    a missing folder of `out` is created instead of refused.

    Raises:
        OutputError: `out` is a directory, its folder is missing (or cannot be created), or it is not writable.
    """
    import os

    if out is None:
        return
    if out.is_dir():
        raise OutputError(f"{out}: is a directory; give a file path for {option}")
    parent = out.parent if str(out.parent) else Path(".")
    if parent.exists() and not parent.is_dir():
        raise OutputError(f"{out}: {parent} is a file, not a folder")
    if not parent.exists() and create_folder:
        prepare_output_dir(parent)
    if not parent.exists():
        raise OutputError(f"{out}: folder {parent} does not exist")
    if not os.access(out if out.exists() else parent, os.W_OK):
        raise OutputError(f"{out}: not writable (permission denied)")


def check_output_dir(folder: Path) -> None:
    """Fail when the output folder `folder` is a file or lies under one (nothing is created).

    Raises:
        OutputError: names the file in the way.
    """
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; -o takes a folder here")
    blocking = next((p for p in folder.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise OutputError(f"{folder}: {blocking} is a file, not a folder")


def prepare_output_dir(folder: Path) -> Path:
    """Create the output folder `folder` (and its parents) before any work is done.

    Raises:
        OutputError: `folder` is a file, lies under a file, or cannot be created.
    """
    check_output_dir(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror or exc})") from exc
    return folder
