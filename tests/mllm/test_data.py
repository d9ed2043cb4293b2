"""The data builder: the field's formats, emoreason's own outputs, templates, the feature cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emoreason.mllm.config import SourceConfig, parse_config
from emoreason.mllm.dataset import build_dataset
from emoreason.mllm.sources import HELD_OUT_CLIPS, read_batch, read_explain, read_source
from emoreason.mllm.templates import render_prompt, split_prompt


def _evidence_config(lm: str, sources: list[dict], template: str = "emotion-llama") -> object:
    return parse_config({
        "streams": [{"name": "aus", "kind": "evidence", "source": "au", "projector": "linear"},
                    {"name": "clues", "kind": "evidence", "source": "clues", "projector": "resampler"}],
        "lm": {"path": lm}, "data": {"sources": sources, "template": template, "holdout_every": 5},
    })


def test_merr_records(shared_data: Path, tmp_path: Path) -> None:
    samples = read_source(SourceConfig(kind="merr"), shared_data)
    assert len(samples) > 4000 and not {s.id for s in samples} & HELD_OUT_CLIPS
    first = samples[0]
    assert first.label and first.description and first.subtitle
    assert first.evidence["au"].shape[1] == 17 and first.evidence["au"].max() == 1.0
    config = _evidence_config("unused", [{"kind": "merr", "limit": 30}])
    data = build_dataset(config, shared_data, tmp_path / "cache")
    assert {e.task for e in data.train} == {"coarse", "fine"} and data.validation
    coarse = next(e for e in data.train if e.task == "coarse")
    assert "[emotion]" in coarse.prompt and "<|stream:aus|>" in coarse.prompt and "clues" not in coarse.features
    assert coarse.target == coarse.label
    again = build_dataset(config, shared_data, tmp_path / "cache")  # second build reads the cache
    assert [e.target for e in again.train] == [e.target for e in data.train]
    assert np.array_equal(again.train[0].features["aus"], data.train[0].features["aus"])


def test_ecem_records_repaired(shared_data: Path, tmp_path: Path) -> None:
    samples = read_source(SourceConfig(kind="ecem"), shared_data)
    assert len(samples) > 5000
    assert not any("â€" in (s.description or "") + (s.subtitle or "") for s in samples)
    config = _evidence_config("unused", [{"kind": "ecem", "limit": 20}], template="affectgpt")
    data = build_dataset(config, shared_data, tmp_path)
    fine = next(e for e in data.train if e.task == "fine")
    assert fine.prompt.startswith("The audio content is as follows") and "Explain why the emotion" in fine.prompt
    assert not fine.features  # ECEM carries no evidence: a text-only example


def test_emer_and_ovmerd(shared_data: Path) -> None:
    emer = read_source(SourceConfig(kind="emer", limit=10), shared_data)
    assert len(emer) == 10 and all(s.description for s in emer)
    ov = read_source(SourceConfig(kind="ovmerd"), shared_data)
    assert ov and not {s.id for s in ov} & HELD_OUT_CLIPS
    assert any(s.label and "," in s.label for s in ov)  # open-vocabulary labels as the coarse target


def _result() -> object:
    from emoreason.records import (
        Clue,
        EmotionScore,
        Evidence,
        ExplainResult,
        Explanation,
        MediaInfo,
        Modality,
        ModalityReport,
        StageStatus,
    )

    clue = Clue(modality=Modality.FACE, description="smiles", start=1.0, end=2.0, strength=0.7, tags=["smile"],
                evidence=[Evidence(name="AU12_r", value=2.5)])
    return ExplainResult(media=MediaInfo(path="/gone/clip7.mp4", container="mp4", size_bytes=1, duration=4.0),
                         modalities=[ModalityReport(modality=Modality.FACE, status=StageStatus.OK, clues=[clue])],
                         emotions=[EmotionScore(label="happy", score=0.9)],
                         explanation=Explanation(text="The person smiles.", writer="template"))


def test_emoreason_outputs(tmp_path: Path) -> None:
    from emoreason.batch.records import ClipRecord

    result = _result()
    (tmp_path / "one.json").write_text(result.model_dump_json(), encoding="utf-8")
    [sample] = read_explain(tmp_path / "one.json", tmp_path)
    assert sample.id == "clip7" and sample.label == "happy" and sample.description == "The person smiles."
    assert sample.evidence["clues"].shape == (1, 40) and sample.evidence["au"][0, 8] == 0.5  # AU12 2.5/5
    record = ClipRecord(id="c1", path="/gone/clip7.mp4", status="ok", result=result)
    (tmp_path / "results.jsonl").write_text(record.model_dump_json() + "\n", encoding="utf-8")
    [from_batch] = read_batch(tmp_path, tmp_path)
    assert from_batch.id == "c1" and from_batch.source == "batch"


def test_templates_place_streams_by_slot() -> None:
    config = parse_config({"lm": {"path": "x"}, "streams": [
        {"name": "v", "kind": "vision", "encoder": "e"}, {"name": "a", "kind": "audio", "encoder": "e"},
        {"name": "t", "kind": "evidence", "source": "timeline"}]})
    prompt = render_prompt("affectgpt", "fine", streams=config.streams, present={"v", "a"}, subtitle="hi")
    assert "<Audio><|stream:a|></Audio>" in prompt.text and "<Video><|stream:v|></Video>" in prompt.text
    assert "stream:t" not in prompt.text and "<Subtitle>hi</Subtitle>" in prompt.text
    parts = split_prompt(prompt.text)
    assert [p for p in parts if p[0] == "stream"] == [("stream", "a"), ("stream", "v")]
    llama = render_prompt("emotion-llama", "coarse", streams=config.streams, present={"t"}, subtitle=None)
    assert llama.text.startswith("[INST] <video></video> <feature><|stream:t|></feature>")
