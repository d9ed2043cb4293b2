"""Files shipped inside the package (the demo clip and its attribution)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def sample_clip() -> Path:
    """Path of the shipped demo clip (Pexels licence, see `data/samples/NOTICE`)."""
    return Path(str(files("emoreason.data") / "samples" / "WolfgangLanger_Pexels.mp4"))
