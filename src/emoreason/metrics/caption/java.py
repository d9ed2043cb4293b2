"""Locating the Java tools that pycocoevalcap ships (METEOR 1.5, Stanford PTB tokenizer)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from emoreason.errors import DependencyError

INSTALL_EVAL = "pip install 'emoreason[eval]'"


def java_executable() -> str:
    """Path of ``java`` or :class:`DependencyError` with the fix."""
    java = shutil.which("java")
    if java is None:
        raise DependencyError("METEOR and the PTB tokenizer need a Java runtime (>= 8) on PATH; "
                              "install one, e.g. `apt-get install default-jre-headless`")
    return java


def pycocoevalcap_file(relative: str) -> Path:
    """A file inside the installed pycocoevalcap package (e.g. ``meteor/meteor-1.5.jar``)."""
    spec = importlib.util.find_spec("pycocoevalcap")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyError(f"pycocoevalcap is not installed; run `{INSTALL_EVAL}`")
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    if not path.is_file():
        raise DependencyError(f"{path} is missing from the pycocoevalcap install; reinstall it with `{INSTALL_EVAL}`")
    return path
