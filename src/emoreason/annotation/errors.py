"""Errors of dataset annotation, merging and export."""

from __future__ import annotations

from emoreason.errors import EmoreasonError


class AnnotationError(EmoreasonError):
    """A dataset, clue file or export cannot be read or written; the message names the file."""
