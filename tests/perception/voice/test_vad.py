"""Speech-activity detection: silero ONNX, webrtcvad, and the probability → segment post-processing."""

from __future__ import annotations

import numpy as np
import pytest

from emoreason.perception.voice.vad import (
    SileroVad,
    VadSettings,
    WebrtcVad,
    make_vad,
    segments_from_probabilities,
)
from tests.perception.voice.signals import SR, chord, silence


def test_segments_hysteresis_bridging_and_min_length() -> None:
    hop = 0.1
    probs = np.array([0, 0.9, 0.9, 0.4, 0.9, 0, 0, 0, 0, 0.8, 0, 0, 0.9, 0.9, 0.9, 0.9])
    segs = segments_from_probabilities(probs, hop, 1.6, VadSettings(min_speech_s=0.2, min_silence_s=0.15, pad_s=0))
    # 0.4 stays above neg-threshold 0.35 (hysteresis); the lone 0.8 frame is too short
    assert segs == [(0.1, 0.5), (1.2, 1.6)]


def test_bad_backend_name() -> None:
    with pytest.raises(ValueError, match="silero"):
        make_vad("whisper")


@pytest.mark.parametrize("cls", [SileroVad, WebrtcVad])
def test_silence_has_no_speech(cls: type) -> None:
    vad = cls()
    probs = vad.probabilities(silence(2.0))
    assert segments_from_probabilities(probs, vad.hop_s, 2.0) == []


def test_silero_ignores_a_music_chord() -> None:
    vad = SileroVad()
    assert segments_from_probabilities(vad.probabilities(chord(3.0)), vad.hop_s, 3.0) == []


@pytest.mark.shared_data
@pytest.mark.parametrize("cls", [SileroVad, WebrtcVad])
def test_real_speech_is_found(cls: type, speech_16k: np.ndarray) -> None:
    vad = cls()
    dur = len(speech_16k) / SR
    segs = segments_from_probabilities(vad.probabilities(speech_16k), vad.hop_s, dur)
    assert segs, "no speech found in a speech recording"
    assert segs[0][0] < 1.0 and segs[-1][1] > 4.0
    assert sum(b - a for a, b in segs) > 3.0


@pytest.mark.shared_data
def test_silero_streaming_equals_one_pass(speech_16k: np.ndarray) -> None:
    whole = SileroVad().probabilities(speech_16k)
    vad = SileroVad()
    parts = np.concatenate([vad.probabilities(speech_16k[i : i + 5000]) for i in range(0, len(speech_16k), 5000)])
    np.testing.assert_allclose(parts, whole, atol=1e-5)
