"""Tiny clips for batch tests: short synthetic videos with a tone, plus broken and missing files."""

from __future__ import annotations

from pathlib import Path

from tests.io.media_factory import random_bytes, synth_video


def make_clips(folder: Path, n: int = 2, *, broken: bool = False, seconds: float = 1.0) -> list[Path]:
    """`n` one-second 64x48 videos with a tone (distinct tones), and optionally one broken file."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [
        synth_video(folder / f"clip{i:02d}.mp4", seconds=seconds, fps=10, tone_hz=200.0 + 40 * i) for i in range(n)
    ]
    if broken:
        paths.append(random_bytes(folder / "broken.mp4", n=4000))
    return paths
