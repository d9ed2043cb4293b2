"""Silence native libraries' stderr chatter (absl/glog, TFLite) without hiding Python's own output.

MediaPipe and TFLite log from C++ straight to file descriptor 2, which Python cannot filter.
While a command runs, fd 2 points at /dev/null and ``sys.stderr`` at a duplicate of the real
stderr, so emoreason's errors, warnings and logs still show. `--debug` keeps everything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced(enabled: bool = True) -> Iterator[None]:
    """Redirect fd 2 to /dev/null for the duration, keeping Python's ``sys.stderr`` visible."""
    try:
        real_fd = sys.stderr.fileno() if enabled else -1
    except (AttributeError, OSError, ValueError):  # captured stderr (pytest) has no descriptor
        real_fd = -1
    if real_fd != 2:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    python_stderr = os.fdopen(os.dup(saved), "w", buffering=1, encoding=sys.stderr.encoding, errors="replace")
    devnull = os.open(os.devnull, os.O_WRONLY)
    original = sys.stderr
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = python_stderr
    try:
        yield
    finally:
        python_stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        sys.stderr = original
