"""The YAML configuration of a multimodal emotion LLM: streams, projectors, LM + LoRA, data, stages.

A config names every part of the model by path (no hub ids are resolved: nothing downloads),
which parts train (``trainable``), the data sources with their instruction template, and the
curriculum (``stages``, coarse then fine by default). :func:`load_config` validates a YAML
file and :func:`check_paths` checks that every named model folder exists; both raise
:class:`MllmConfigError` naming the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from emoreason.errors import EmoreasonError, yaml_problem

StreamKind = Literal["vision", "audio", "evidence"]
EvidenceSource = Literal["au", "face_table", "clues", "prosody", "timeline"]
ProjectorKind = Literal["linear", "mlp", "resampler"]
SourceKind = Literal["merr", "ecem", "emer", "ovmerd", "explain", "batch", "synthetic"]
Task = Literal["coarse", "fine"]
TRAINABLE_PARTS = ("projectors", "lora", "lm_head", "embed_tokens")


class MllmConfigError(EmoreasonError):
    """A multimodal-LLM config, dataset or checkpoint cannot be used; the message names the field or file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StreamConfig(_Strict):
    """One feature stream: an HF encoder (vision/audio) or emoreason evidence, and its projector."""

    name: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    kind: StreamKind
    encoder: str | None = Field(default=None, description="Folder of an HF encoder (vision/audio streams).")
    source: EvidenceSource | None = Field(default=None, description="Which evidence (evidence streams).")
    input_dim: int | None = Field(default=None, gt=0, description="Feature size; read from the encoder if unset.")
    projector: ProjectorKind = "mlp"
    num_queries: int = Field(default=8, gt=0, description="Output tokens of a resampler projector.")
    max_tokens: int = Field(default=16, gt=0, description="Time steps are average-pooled down to this many.")
    frames: int = Field(default=8, gt=0, description="Frames sampled uniformly per clip (vision).")
    max_seconds: float = Field(default=30.0, gt=0, description="Audio longer than this is cut (audio).")

    @model_validator(mode="after")
    def _kind_fields(self) -> StreamConfig:
        if self.kind in ("vision", "audio") and not self.encoder:
            raise ValueError(f"stream {self.name!r}: a {self.kind} stream needs 'encoder' (a model folder)")
        if self.kind == "evidence" and self.source is None:
            raise ValueError(f"stream {self.name!r}: an evidence stream needs 'source' "
                             "(au, face_table, clues, prosody or timeline)")
        return self


class LoraSettings(_Strict):
    """LoRA on the language model (PEFT)."""

    r: int = Field(default=8, gt=0)
    alpha: int = Field(default=16, gt=0)
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] | str = Field(default="all-linear", description="Module names or 'all-linear'.")


class LMConfig(_Strict):
    """The causal language model (any ``AutoModelForCausalLM`` folder) and its LoRA."""

    path: str
    lora: LoraSettings = Field(default_factory=LoraSettings)
    max_length: int = Field(default=512, gt=8, description="Prompt + features + answer tokens, at most.")
    max_new_tokens: int = Field(default=96, gt=0, description="Tokens generated at inference.")


class SourceConfig(_Strict):
    """One data source."""

    kind: SourceKind
    path: str | None = Field(default=None, description="File or folder; the field's default under data_root.")
    limit: int | None = Field(default=None, gt=0)


class DataConfig(_Strict):
    """Where samples come from, how they are worded, where their features are cached."""

    sources: list[SourceConfig] = Field(default_factory=list)
    template: Literal["emotion-llama", "affectgpt"] = "emotion-llama"
    cache_dir: str | None = Field(default=None, description="Feature cache; default OUT/feature-cache.")
    holdout_every: int = Field(default=20, ge=0, description="Every Nth sample goes to validation (0: none).")


class StageConfig(_Strict):
    """One curriculum stage: which tasks it trains on and for how long."""

    name: str
    tasks: list[Task]
    steps: int = Field(gt=0)
    learning_rate: float = Field(default=2e-4, gt=0)
    warmup_steps: int = Field(default=0, ge=0)


class TrainSettings(_Strict):
    """Optimisation and hardware settings."""

    seed: int = 0
    batch_size: int = Field(default=4, gt=0)
    grad_accum: int = Field(default=1, gt=0)
    weight_decay: float = Field(default=0.0, ge=0.0)
    log_every: int = Field(default=1, gt=0)
    save_every: int = Field(default=100, gt=0)
    device: Literal["auto", "cpu", "cuda"] = "auto"
    bf16: Literal["auto", "on", "off"] = Field(default="auto", description="auto: bf16 on a GPU that has it.")
    gradient_checkpointing: Literal["auto", "on", "off"] = Field(default="auto", description="auto: on GPU.")
    threads: int = Field(default=2, gt=0, description="CPU threads.")


def _default_stages() -> list[StageConfig]:
    return [StageConfig(name="coarse", tasks=["coarse"], steps=100),
            StageConfig(name="fine", tasks=["fine"], steps=200, learning_rate=1e-4)]


class MllmConfig(_Strict):
    """The whole recipe."""

    streams: list[StreamConfig] = Field(default_factory=list)
    lm: LMConfig
    trainable: list[str] = Field(default_factory=lambda: ["projectors", "lora"])
    data: DataConfig = Field(default_factory=DataConfig)
    stages: list[StageConfig] = Field(default_factory=_default_stages)
    train: TrainSettings = Field(default_factory=TrainSettings)

    @model_validator(mode="after")
    def _consistent(self) -> MllmConfig:
        names = [s.name for s in self.streams]
        if len(set(names)) != len(names):
            raise ValueError(f"streams: names must be unique, got {names}")
        bad = [p for p in self.trainable if p not in TRAINABLE_PARTS]
        if bad:
            raise ValueError(f"trainable: unknown part(s) {bad}; choose from {', '.join(TRAINABLE_PARTS)}")
        if not self.stages:
            raise ValueError("stages: give at least one stage")
        return self

    @property
    def total_steps(self) -> int:
        """Optimizer steps over all stages."""
        return sum(s.steps for s in self.stages)

    def stage_at(self, step: int) -> tuple[int, StageConfig, int]:
        """(index, stage, step inside the stage) of global step `step` (0-based)."""
        start = 0
        for index, stage in enumerate(self.stages):
            if step < start + stage.steps:
                return index, stage, step - start
            start += stage.steps
        return len(self.stages) - 1, self.stages[-1], self.stages[-1].steps

    def to_yaml(self) -> str:
        """The config as YAML."""
        import yaml

        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


def _error_text(exc: ValidationError, source: str) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first.get("loc", ())) or "(top level)"
    return f"{source}: field {field}: {first.get('msg', 'invalid')}"


def parse_config(data: object, source: str = "config") -> MllmConfig:
    """Validate a config mapping; errors name `source` and the field."""
    if not isinstance(data, dict):
        raise MllmConfigError(f"{source}: expected a mapping at the top level")
    try:
        return MllmConfig.model_validate(data)
    except ValidationError as exc:
        raise MllmConfigError(_error_text(exc, source)) from exc


def load_config(path: str | Path) -> MllmConfig:
    """Read and validate a YAML config file."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise MllmConfigError(f"{path}: config file not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise MllmConfigError(f"{path}: cannot read the config ({exc})") from exc
    except yaml.YAMLError as exc:
        raise MllmConfigError(f"{path}: {yaml_problem(exc)}") from exc
    return parse_config(data, str(path))


def check_paths(config: MllmConfig) -> None:
    """Every model folder the config names must exist (checked before anything loads)."""
    if not Path(config.lm.path).is_dir():
        raise MllmConfigError(f"lm.path: model folder {config.lm.path} not found (give a local "
                              "AutoModelForCausalLM folder; nothing is downloaded)")
    for index, stream in enumerate(config.streams):
        if stream.encoder and not Path(stream.encoder).is_dir():
            raise MllmConfigError(f"streams[{index}].encoder ({stream.name}): model folder {stream.encoder} "
                                  "not found")
