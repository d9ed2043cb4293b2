"""Fixtures shared by the voice and text tests: the real speech sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def speech_wav(shared_data: Path) -> Path:
    """opensmile-python's test recording (real English speech, 44.1 kHz, 5.2 s)."""
    path = shared_data / "samples" / "opensmile_test.wav"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="session")
def speech_16k(speech_wav: Path) -> np.ndarray:
    """The real speech sample as 16 kHz mono float32."""
    from emoreason.io import load_audio

    return load_audio(speech_wav).samples
