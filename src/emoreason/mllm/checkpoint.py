"""Checkpoints: LoRA adapters + projectors (safetensors) + the config; no base weights, no pickles.

A checkpoint folder holds ``mllm.yaml`` (the recipe, naming the base LM and encoder folders),
``projectors.safetensors``, ``adapter.safetensors`` (PEFT's adapter state, with any
``modules_to_save``), ``manifest.json`` (step, stream sizes, SHA-256 of each file) and, for
resuming, ``optimizer.safetensors`` + ``trainer_state.json``. Loading verifies the hashes and
the tensor names, so a truncated or altered file fails with one error naming it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from emoreason.mllm.config import MllmConfig, MllmConfigError, check_paths, parse_config

FORMAT = "emoreason-mllm/1"
CONFIG_NAME = "mllm.yaml"
MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _adapter_state(lm: Any) -> dict[str, Any]:
    if hasattr(lm, "peft_config"):
        from peft import get_peft_model_state_dict

        return dict(get_peft_model_state_dict(lm))
    return {n: p for n, p in lm.named_parameters() if p.requires_grad}


def save_checkpoint(model: Any, folder: str | Path, *, step: int, extra: dict[str, Any] | None = None,
                    optimizer: Any = None) -> Path:
    """Write `model`'s trainable parts, its config and (for resuming) the optimizer state into `folder`."""
    from safetensors.torch import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CONFIG_NAME).write_text(model.config.to_yaml(), encoding="utf-8")
    save_file({k: v.detach().float().contiguous().cpu() for k, v in model.projectors.state_dict().items()},
              str(folder / "projectors.safetensors"))
    save_file({k: v.detach().contiguous().cpu() for k, v in _adapter_state(model.lm).items()},
              str(folder / "adapter.safetensors"))
    if optimizer is not None:
        _save_optimizer(optimizer, folder)
    files = sorted(p.name for p in folder.iterdir() if p.suffix in (".safetensors", ".yaml"))
    manifest = {"format": FORMAT, "step": step, "dims": model.dims, **(extra or {}),
                "sha256": {name: _sha256(folder / name) for name in files}}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return folder


def _save_optimizer(optimizer: Any, folder: Path) -> None:
    from safetensors.torch import save_file

    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, values in state["state"].items():
        for key, value in values.items():
            if hasattr(value, "detach"):
                tensors[f"{index}.{key}"] = value.detach().contiguous().cpu()
            else:
                scalars[f"{index}.{key}"] = value
    save_file(tensors, str(folder / "optimizer.safetensors"))
    (folder / "trainer_state.json").write_text(json.dumps({"param_groups": state["param_groups"],
                                                          "scalars": scalars}), encoding="utf-8")


def load_optimizer_state(folder: Path) -> dict[str, Any] | None:
    """The optimizer state saved by :func:`save_checkpoint`, or None when there is none."""
    from safetensors.torch import load_file

    if not (folder / "optimizer.safetensors").is_file():
        return None
    tensors = load_file(str(folder / "optimizer.safetensors"))
    meta = json.loads((folder / "trainer_state.json").read_text(encoding="utf-8"))
    state: dict[int, dict[str, Any]] = {}
    for key, value in [*tensors.items(), *meta["scalars"].items()]:
        index, _, name = key.partition(".")
        state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": meta["param_groups"]}


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """The checkpoint's manifest, after checking every listed file's hash."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise MllmConfigError(f"{folder}: model folder not found")
    if not path.is_file():
        raise MllmConfigError(f"{folder}: not an mllm checkpoint ({MANIFEST} missing; train one with "
                              "`emoreason train mllm`)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MllmConfigError(f"{path}: corrupt manifest: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise MllmConfigError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    for name, digest in manifest.get("sha256", {}).items():
        file = folder / name
        if not file.is_file():
            raise MllmConfigError(f"{file}: missing from the checkpoint")
        if _sha256(file) != digest:
            raise MllmConfigError(f"{file}: corrupt checkpoint file (SHA-256 does not match the manifest)")
    return manifest


def _load_tensors(path: Path) -> dict[str, Any]:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise MllmConfigError(f"{path}: corrupt checkpoint file: {exc}") from exc


def restore_weights(model: Any, folder: Path) -> None:
    """Load projectors and adapters of `folder` into `model` (names must match exactly)."""
    projectors = _load_tensors(folder / "projectors.safetensors")
    missing, unexpected = model.projectors.load_state_dict(projectors, strict=False)
    if missing or unexpected:
        raise MllmConfigError(f"{folder / 'projectors.safetensors'}: does not match the config's streams "
                              f"(missing {list(missing)[:3]}, unexpected {list(unexpected)[:3]})")
    adapter = _load_tensors(folder / "adapter.safetensors")
    if hasattr(model.lm, "peft_config"):
        from peft import set_peft_model_state_dict

        result = set_peft_model_state_dict(model.lm, adapter)
        if getattr(result, "unexpected_keys", None):
            raise MllmConfigError(f"{folder / 'adapter.safetensors'}: tensors the LM does not have: "
                                  f"{list(result.unexpected_keys)[:3]}")
    else:
        params = dict(model.lm.named_parameters())
        for name, value in adapter.items():
            if name not in params:
                raise MllmConfigError(f"{folder / 'adapter.safetensors'}: the LM has no tensor {name}")
            params[name].data.copy_(value)


def load_model(folder: str | Path, *, device: str = "cpu") -> Any:
    """A :class:`~emoreason.mllm.model.MultimodalLM` from a checkpoint folder, ready for inference."""
    import yaml

    from emoreason.mllm.model import MultimodalLM, load_lm

    folder = Path(folder)
    manifest = read_manifest(folder)
    config = parse_config(yaml.safe_load((folder / CONFIG_NAME).read_text(encoding="utf-8")),
                          str(folder / CONFIG_NAME))
    check_paths(config)
    lm, tokenizer = load_lm(config)
    model = MultimodalLM(config, lm, tokenizer, {k: int(v) for k, v in manifest["dims"].items()})
    restore_weights(model, folder)
    model.lm.eval()
    model.projectors.eval()
    return model.to(device)


def config_of(folder: str | Path) -> MllmConfig:
    """The config saved in a checkpoint folder."""
    import yaml

    path = Path(folder) / CONFIG_NAME
    return parse_config(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
