"""Process-wide CLI options (set by the root callback)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CliState:
    """Options shared by every subcommand."""

    debug: bool = False
    verbose: bool = False


STATE = CliState()
