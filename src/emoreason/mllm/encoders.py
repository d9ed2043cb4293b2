"""Frozen HF encoders for the vision (frames) and audio (16 kHz) streams.

Any ``AutoModel`` folder with its processor works: a vision encoder gives one token per
sampled frame (the first hidden state, CLS for ViT/CLIP-style models, else the mean), an audio
encoder its hidden states over time (an encoder–decoder such as Whisper contributes its
encoder). Encoders run once, when features are cached; training never decodes media.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.mllm.config import MllmConfigError, StreamConfig

AUDIO_RATE = 16_000


def quiet_transformers() -> None:
    """Silence transformers' progress bars and load reports (called before loading models)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


@lru_cache(maxsize=8)
def load_encoder(folder: str, kind: str) -> tuple[Any, Any]:
    """(model in eval mode, processor) of the encoder in `folder`."""
    import torch  # noqa: F401  (transformers needs it)
    from transformers import AutoFeatureExtractor, AutoImageProcessor, AutoModel

    quiet_transformers()
    try:
        model = AutoModel.from_pretrained(folder)
        processor = (AutoImageProcessor if kind == "vision" else AutoFeatureExtractor).from_pretrained(folder)
    except (OSError, ValueError) as exc:
        raise MllmConfigError(f"{folder}: cannot load the {kind} encoder or its processor: {exc}") from exc
    if hasattr(model, "get_encoder") and getattr(model.config, "is_encoder_decoder", False):
        model = model.get_encoder()
    return model.eval().requires_grad_(False), processor


def encoder_dim(folder: str, kind: str) -> int:
    """Hidden size of the encoder's outputs."""
    model, _ = load_encoder(folder, kind)
    config = model.config
    for name in ("hidden_size", "d_model", "projection_dim"):
        value = getattr(config, name, None) or getattr(getattr(config, "vision_config", None), name, None)
        if value:
            return int(value)
    raise MllmConfigError(f"{folder}: cannot tell the encoder's hidden size from its config")


def encode_frames(folder: str, frames: list[np.ndarray]) -> np.ndarray:
    """RGB uint8 frames → ``(frames, dim)``."""
    import torch

    model, processor = load_encoder(folder, "vision")
    if not frames:
        return np.zeros((0, encoder_dim(folder, "vision")), dtype=np.float32)
    pixels = processor(images=frames, return_tensors="pt")["pixel_values"]
    with torch.no_grad():
        out = model(pixel_values=pixels)
    hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]
    tokens = hidden[:, 0] if hidden.dim() == 3 else hidden.flatten(1)
    return tokens.float().numpy().astype(np.float32)


def encode_audio(folder: str, samples: np.ndarray) -> np.ndarray:
    """16 kHz mono float samples → ``(time steps, dim)``."""
    import torch

    model, processor = load_encoder(folder, "audio")
    if samples.size == 0:
        return np.zeros((0, encoder_dim(folder, "audio")), dtype=np.float32)
    inputs = processor([samples.astype(np.float32)], sampling_rate=AUDIO_RATE, return_tensors="pt")
    key = "input_values" if "input_values" in inputs else "input_features"
    with torch.no_grad():
        out = model(inputs[key])
    hidden = out.last_hidden_state if hasattr(out, "last_hidden_state") else out[0]
    return hidden[0].float().numpy().astype(np.float32)


def sample_frames(path: str | Path, count: int) -> list[np.ndarray]:
    """`count` frames spread uniformly over a video (decoded once at a low rate)."""
    from emoreason.io.probe import probe
    from emoreason.io.video import iter_frames

    duration = max(float(probe(path).duration or 0.0), 1e-3)
    fps = min(max(count / duration * 2.0, 0.5), 10.0)
    frames = [f.image for f in iter_frames(path, fps=fps, max_side=448)]
    if len(frames) <= count:
        return frames
    picks = np.linspace(0, len(frames) - 1, count).round().astype(int)
    return [frames[i] for i in picks]


def media_features(stream: StreamConfig, path: str | Path) -> np.ndarray:
    """Decode `path` for one vision/audio stream and encode it."""
    if stream.kind == "vision":
        return encode_frames(str(stream.encoder), sample_frames(path, stream.frames))
    from emoreason.io.audio import load_audio

    clip = load_audio(path, sample_rate=AUDIO_RATE, end=stream.max_seconds)
    return encode_audio(str(stream.encoder), clip.samples)
