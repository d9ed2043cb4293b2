"""File names that are not valid UTF-8: telling them apart and showing them.

On POSIX, Python decodes a file name's non-UTF-8 bytes to lone surrogates (PEP 383). Such a name
cannot be written into UTF-8 JSON records, so callers report it instead of crashing.
"""

from __future__ import annotations


def is_utf8(name: str) -> bool:
    """Whether `name` can be written as UTF-8 (False: it holds undecodable bytes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable(name: str) -> str:
    """`name` with its undecodable bytes shown as U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
