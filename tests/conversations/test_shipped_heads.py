"""The shipped dialogue heads on real data (slow: loads the sentence encoder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.conversations import converse
from emoreason.conversations.model import FILES, WEIGHTS_DIR, DialogueHeads
from emoreason.conversations.records import MELD_EMOTIONS


def test_shipped_weights_load_without_pickle() -> None:
    import numpy as np

    for name in FILES.values():
        with np.load(WEIGHTS_DIR / name, allow_pickle=False) as data:
            assert "metadata" in data.files
    heads = DialogueHeads.load()
    assert heads.emotion.classes == list(MELD_EMOTIONS) and heads.emotion_plain is not None
    assert 0.0 < heads.decision.cause_threshold < 1.0 and (WEIGHTS_DIR / "MODEL_CARD.md").is_file()
    for reader, card in ((heads.emotion_lora, "MODEL_CARD-lora.md"), (heads.cause_lora, "MODEL_CARD-cause-lora.md")):
        if reader is not None:  # the fine-tuned readers (torch installed): each with its card and its decision
            assert (WEIGHTS_DIR / card).is_file() and "decision" in reader.config.metadata
    if heads.cause_lora is not None:  # the cause reader's decision, fitted last, is the one in use
        assert heads.decision.cause_weight == heads.cause_lora.config.metadata["decision"]["cause_weight"]


@pytest.mark.slow
def test_real_ecac_conversation(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "benchmarks/ecf/semeval2024_ecac/Subtask_2_test.json"
    first = json.loads(source.read_text(encoding="utf-8"))[:2]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(first), encoding="utf-8")
    analyses = converse(path)
    assert [a.conversation_id for a in analyses] == [str(c["conversation_ID"]) for c in first]
    for analysis, conv in zip(analyses, first, strict=True):
        assert [r.utterance_id for r in analysis.utterances] == [u["utterance_ID"] for u in conv["conversation"]]
        emotional = [r for r in analysis.utterances if r.emotion != "neutral"]
        assert all(r.causes and r.explanation.text.startswith("The reason") for r in emotional)
    # gold labels agree with the prediction more often than chance would on 7 classes
    gold = [u["emotion"] for c in first for u in c["conversation"]]
    guess = [r.emotion for a in analyses for r in a.utterances]
    assert sum(g == p for g, p in zip(gold, guess, strict=True)) / len(gold) > 1 / 7


@pytest.mark.slow
def test_video_clips_are_read_by_the_pipeline_and_cited(sample_clip: Path, tmp_path: Path) -> None:
    srt = tmp_path / "scene.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:04,000\nAnna: I thought it was all over.\n\n"
                   "2\n00:00:12,000 --> 00:00:15,000\nBen: It is not, look at you smiling!\n", encoding="utf-8")
    (analysis,) = converse(sample_clip, subtitle=srt)
    for row in analysis.utterances:
        assert row.evidence is not None and row.evidence.status == "ok", row.notes
        assert any(c.modality == "face" for c in row.evidence.clues)
        assert all(f"[{cid}]" in row.explanation.text for cid in row.explanation.cited_clues)
        assert row.explanation.cited_clues
