"""Exception hierarchy: every error emoreason raises derives from :class:`EmoreasonError`.

Messages name the offending file or value and, where there is one, the fix.
"""

from __future__ import annotations

from pathlib import Path


class EmoreasonError(Exception):
    """Base class of all emoreason errors."""


class MediaError(EmoreasonError):
    """A media file cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class MissingStreamError(MediaError):
    """The media file lacks a stream that the caller needs (video or audio)."""


class SubtitleError(EmoreasonError):
    """A subtitle file or string cannot be read."""


class OutputError(EmoreasonError):
    """A result cannot be written to the requested path."""


class DependencyError(EmoreasonError):
    """An optional dependency is missing; the message gives the install command."""


class ModelOutputError(EmoreasonError):
    """A language model returned output that cannot be parsed or validated."""


class BackendError(EmoreasonError):
    """A language-model backend failed (connection, HTTP error, load failure)."""


class RegistryError(EmoreasonError):
    """An unknown or conflicting name was asked of a registry."""


class SettingError(EmoreasonError, ValueError):
    """A setting (an option or an ``EMOREASON_*`` environment variable) has a value emoreason does not know."""


def yaml_problem(exc: Exception) -> str:
    """A YAML parser error in one line: ``not valid YAML at line N (problem)``."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
    return f"not valid YAML{where} ({problem})"
