"""Training examples: raw samples → cached stream features + instruction prompts + targets.

Features are computed once per (sample, stream settings) and stored as ``.npz`` under the
cache folder, so a second run, a resumed run or a later stage never decodes media or runs an
encoder again. Every array is checked here — finite, the stream's feature size — so bad
input fails before the first training step, naming the sample, stream and field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoreason.mllm.config import MllmConfig, MllmConfigError, StreamConfig
from emoreason.mllm.sources import RawSample, read_source
from emoreason.mllm.templates import render_prompt


@dataclass
class Example:
    """One training/inference example: prompt with stream markers, target text, stream features."""

    id: str
    task: str
    prompt: str
    target: str
    features: dict[str, np.ndarray] = field(default_factory=dict)
    label: str | None = None


@dataclass
class DatasetSplit:
    """Train and validation examples, with the count of raw samples read per source."""

    train: list[Example]
    validation: list[Example]
    counts: dict[str, int]


def stream_dims(config: MllmConfig) -> dict[str, int]:
    """The feature size of every stream (evidence: fixed; encoders: from their config)."""
    from emoreason.mllm.evidence import EVIDENCE_DIMS

    dims = {}
    for index, stream in enumerate(config.streams):
        if stream.kind == "evidence":
            expected = EVIDENCE_DIMS[str(stream.source)]
            if stream.input_dim is not None and stream.input_dim != expected:
                raise MllmConfigError(f"streams[{index}].input_dim ({stream.name}): {stream.input_dim} does not "
                                      f"match the {stream.source} evidence size {expected}")
            dims[stream.name] = expected
        else:
            from emoreason.mllm.encoders import encoder_dim

            actual = encoder_dim(str(stream.encoder), stream.kind)
            if stream.input_dim is not None and stream.input_dim != actual:
                raise MllmConfigError(f"streams[{index}].input_dim ({stream.name}): {stream.input_dim} does not "
                                      f"match the encoder's hidden size {actual} ({stream.encoder})")
            dims[stream.name] = actual
    return dims


def _fingerprint(stream: StreamConfig) -> str:
    return json.dumps([stream.name, stream.kind, stream.encoder, stream.source, stream.frames, stream.max_seconds])


class FeatureCache:
    """Stream features per sample, computed once and kept as ``.npz`` files in `folder`."""

    def __init__(self, folder: str | Path, config: MllmConfig, dims: dict[str, int]) -> None:
        self.folder = Path(folder)
        self.streams = config.streams
        self.dims = dims
        self.hits = 0
        self.misses = 0

    def _path(self, sample: RawSample) -> Path:
        key = "|".join([sample.source, sample.id, *(_fingerprint(s) for s in self.streams)])
        return self.folder / sample.source / f"{hashlib.sha1(key.encode('utf-8')).hexdigest()}.npz"

    def _compute(self, sample: RawSample, stream: StreamConfig) -> np.ndarray:
        if stream.kind == "evidence":
            return sample.evidence.get(str(stream.source), np.zeros((0, self.dims[stream.name]), np.float32))
        from emoreason.mllm import encoders

        if stream.kind == "vision" and sample.frames is not None:
            return encoders.encode_frames(str(stream.encoder), sample.frames)
        if stream.kind == "audio" and sample.audio is not None:
            return encoders.encode_audio(str(stream.encoder), sample.audio)
        if sample.media:
            return encoders.media_features(stream, sample.media)
        return np.zeros((0, self.dims[stream.name]), np.float32)

    def features(self, sample: RawSample) -> dict[str, np.ndarray]:
        """The sample's features per stream (streams without tokens are left out), checked."""
        path = self._path(sample)
        if path.is_file():
            self.hits += 1
            with np.load(path) as data:
                arrays = {name: data[name] for name in data.files}
        else:
            self.misses += 1
            arrays = {s.name: np.asarray(self._compute(sample, s), dtype=np.float32) for s in self.streams}
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npz")
            np.savez(tmp, **arrays)
            tmp.replace(path)
        return check_features(arrays, self.dims, f"{sample.source}:{sample.id}")


def check_features(arrays: dict[str, np.ndarray], dims: dict[str, int], who: str) -> dict[str, np.ndarray]:
    """Drop empty streams; raise on NaN/inf or a feature size that is not the stream's."""
    out = {}
    for name, array in arrays.items():
        if name not in dims:
            continue
        if array.ndim != 2 or (array.size and array.shape[1] != dims[name]):
            raise MllmConfigError(f"{who}: stream {name!r} features have shape {tuple(array.shape)}, expected "
                                  f"(tokens, {dims[name]}) — streams.input_dim or the encoder does not match")
        if not np.isfinite(array).all():
            raise MllmConfigError(f"{who}: stream {name!r} features contain NaN or inf")
        if array.shape[0]:
            out[name] = array
    return out


def examples_for(sample: RawSample, features: dict[str, np.ndarray], config: MllmConfig) -> list[Example]:
    """A coarse example (label target) and a fine one (description target), where the sample has them."""
    out = []
    present = set(features)
    for task, target in (("coarse", sample.label), ("fine", sample.description)):
        if not target or not str(target).strip():
            continue
        prompt = render_prompt(config.data.template, task, streams=config.streams, present=present,
                               subtitle=sample.subtitle, key=sample.id,
                               question=sample.question if task == "fine" else None)
        out.append(Example(id=sample.id, task=task, prompt=prompt.text, target=str(target).strip(),
                           features=features, label=sample.label))
    return out


def build_dataset(config: MllmConfig, data_root: str | Path, cache_dir: str | Path,
                  samples: list[RawSample] | None = None) -> DatasetSplit:
    """Read every configured source, cache features, render prompts; split off every Nth sample."""
    dims = stream_dims(config)
    cache = FeatureCache(cache_dir, config, dims)
    if samples is None:
        if not config.data.sources:
            raise MllmConfigError("data.sources: no data source configured")
        samples = [s for source in config.data.sources for s in read_source(source, data_root)]
    counts: dict[str, int] = {}
    train: list[Example] = []
    validation: list[Example] = []
    for index, sample in enumerate(samples):
        counts[sample.source] = counts.get(sample.source, 0) + 1
        examples = examples_for(sample, cache.features(sample), config)
        every = config.data.holdout_every
        (validation if every and index % every == every - 1 else train).extend(examples)
    wanted = {t for stage in config.stages for t in stage.tasks}
    if not any(e.task in wanted for e in train):
        names = ", ".join(f"{s.kind}" for s in config.data.sources) or "given samples"
        raise MllmConfigError(f"data.sources ({names}): the dataset is empty — no sample has a target for the "
                              f"tasks {sorted(wanted)}")
    return DatasetSplit(train=train, validation=validation, counts=counts)
