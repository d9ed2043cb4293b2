"""Bad input fails before any training step, with one error naming the field or file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.mllm.config import MllmConfigError, load_config, parse_config
from emoreason.mllm.tiny import synthetic_samples, tiny_config
from emoreason.mllm.train import train_mllm


def _no_step_taken(out: Path) -> None:
    assert not (out / "metrics.jsonl").exists() and not (out / "checkpoints").exists()


def _evidence_only(bases: dict[str, Path], **stream: object) -> dict:
    data = tiny_config(bases).model_dump(mode="json")
    data["streams"] = [{"name": "aus", "kind": "evidence", "source": "au", "projector": "linear", **stream}]
    return data


def test_missing_model_paths_name_the_field(tiny_bases: dict[str, Path], tmp_path: Path) -> None:
    data = tiny_config(tiny_bases).model_dump(mode="json")
    data["lm"]["path"] = str(tmp_path / "no-such-lm")
    with pytest.raises(MllmConfigError, match=r"lm\.path.*no-such-lm"):
        train_mllm(parse_config(data), tmp_path / "out", ".")
    data = tiny_config(tiny_bases).model_dump(mode="json")
    data["streams"][1]["encoder"] = str(tmp_path / "no-such-encoder")
    with pytest.raises(MllmConfigError, match=r"streams\[1\]\.encoder \(speech\)"):
        train_mllm(parse_config(data), tmp_path / "out", ".")
    _no_step_taken(tmp_path / "out")


def test_config_file_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("lm: {}\nstreams: []\n", encoding="utf-8")
    with pytest.raises(MllmConfigError, match=r"bad\.yaml: field lm\.path"):
        load_config(bad)
    bad.write_text("lm: {path: x}\nstreams: [{name: v, kind: vision}]\n", encoding="utf-8")
    with pytest.raises(MllmConfigError, match="needs 'encoder'"):
        load_config(bad)
    bad.write_text("lm: {path: x}\ntrainable: [everything]\n", encoding="utf-8")
    with pytest.raises(MllmConfigError, match="trainable"):
        load_config(bad)
    with pytest.raises(MllmConfigError, match="not found"):
        load_config(tmp_path / "missing.yaml")
    bad.write_text("lm: [a, b\n", encoding="utf-8")
    with pytest.raises(MllmConfigError, match=r"bad\.yaml: not valid YAML at line 2 \(expected") as info:
        load_config(bad)
    assert "\n" not in str(info.value)


def test_mismatched_feature_dimensions(tiny_bases: dict[str, Path], tmp_path: Path) -> None:
    config = parse_config(_evidence_only(tiny_bases, input_dim=5))
    with pytest.raises(MllmConfigError, match=r"streams\[0\]\.input_dim \(aus\): 5"):
        train_mllm(config, tmp_path / "a", ".")
    config = parse_config(_evidence_only(tiny_bases))
    samples = synthetic_samples(8)
    samples[3].evidence["au"] = np.zeros((2, 5), dtype=np.float32)
    with pytest.raises(MllmConfigError, match=r"synthetic_0003: stream 'aus' features have shape \(2, 5\)"):
        train_mllm(config, tmp_path / "b", ".", samples=samples)
    _no_step_taken(tmp_path / "b")


def test_nan_features(tiny_bases: dict[str, Path], tmp_path: Path) -> None:
    samples = synthetic_samples(8)
    samples[5].evidence["au"] = np.full((2, 17), np.nan, dtype=np.float32)
    with pytest.raises(MllmConfigError, match=r"synthetic_0005: stream 'aus' features contain NaN"):
        train_mllm(parse_config(_evidence_only(tiny_bases)), tmp_path, ".", samples=samples)
    _no_step_taken(tmp_path)


def test_empty_dataset(tiny_bases: dict[str, Path], tmp_path: Path) -> None:
    config = parse_config(_evidence_only(tiny_bases))
    with pytest.raises(MllmConfigError, match="dataset is empty"):
        train_mllm(config, tmp_path, ".", samples=[])
    samples = synthetic_samples(4)
    for sample in samples:
        sample.label = sample.description = None
    with pytest.raises(MllmConfigError, match="dataset is empty"):
        train_mllm(config, tmp_path, ".", samples=samples)
    _no_step_taken(tmp_path)


def test_corrupt_checkpoint_names_the_file(tiny_run: tuple[object, Path], tmp_path: Path) -> None:
    import shutil

    from emoreason.mllm.checkpoint import load_model

    copy = tmp_path / "ckpt"
    shutil.copytree(tiny_run[1], copy, ignore=shutil.ignore_patterns("checkpoints", "feature-cache"))
    adapter = copy / "adapter.safetensors"
    adapter.write_bytes(adapter.read_bytes()[:1000])
    with pytest.raises(MllmConfigError, match=r"adapter\.safetensors: corrupt checkpoint file"):
        load_model(copy)
    (copy / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(MllmConfigError, match=r"manifest\.json: corrupt manifest"):
        load_model(copy)


def test_cli_needs_config_or_tiny(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from emoreason.cli.app import main

    assert main(["train", "mllm", "--data-root", str(tmp_path), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "--config FILE" in err and "Traceback" not in err
    assert main(["train", "mllm", "--config", str(tmp_path / "nope.yaml"), "--data-root", str(tmp_path),
                 "-o", str(tmp_path / "o")]) == 2
    assert "nope.yaml: config file not found" in capsys.readouterr().err
