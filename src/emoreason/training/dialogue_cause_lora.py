"""Recipe ``dialogue-cause-lora``: fine-tune e5-small with LoRA adapters to tell which turns caused an emotion.

The ``dialogue`` recipe's cause head scores an (emotion turn, candidate turn) pair from the two frozen
sentence vectors; this recipe reads the two turns' words together. Input (``features.cause_pair_inputs``):
the candidate turn as context, then the emotion, where the candidate lies and the emotion turn, e.g.
``<s> query: Monica: You got the job? </s></s> joy; cause 1 turn back; Rachel: I know! </s>``; a
two-way softmax head (other / cause) on :mod:`emoreason.heads.e5_lora`'s adapted encoder.

Training pairs are every candidate (``BACK`` turns back to ``AHEAD`` ahead, empty turns skipped) of
every utterance with a gold emotion other than neutral in ECF 1.0 train, labelled by the gold pairs,
with the gold emotion in the input; ``converse`` gives it the predicted one. Dev average precision
picks the epoch and dev fits the temperature. Then the decision settings (neutral prior, pair
threshold and ``cause_weight``, the reader's share blended with the cause head, out of
``cause_weights``) are re-tuned on dev together with the shipped dialogue heads and emotion reader
(``--set heads=DIR`` for others) and stored in the new file, where they replace theirs. Writes
``dialogue_cause_lora.npz`` (no pickle) and ``MODEL_CARD-cause-lora.md``; copy them next to the heads
to use them. ``device=auto`` trains on a GPU where torch sees one. Test splits only fill the
evaluation table.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.conversations import features as feats
from emoreason.conversations.model import CAUSE_LORA_FILE
from emoreason.training.lora_fit import device_name, fit_adapters, train_device
from emoreason.training.registry import Trainer, TrainOptions, TrainResult, apply_overrides

CARD_NAME = "MODEL_CARD-cause-lora.md"
CLASSES = ("other", "cause")
DEFAULTS: dict[str, Any] = {
    "targets": "q,v,fi,fo", "rank": 8, "alpha": 16.0, "max_length": 128, "dropout": 0.1, "epochs": 2,
    "batch_size": 32, "lr": 1e-3, "head_lr": 3e-3, "heads": "", "cause_weights": "0.5,1", "device": "auto",
}


def _params(overrides: dict[str, str]) -> dict[str, Any]:
    params = apply_overrides(DEFAULTS, overrides, "dialogue-cause-lora")
    shares(params["cause_weights"])
    train_device(str(params["device"]))
    return params


def shares(value: str) -> tuple[float, ...]:
    """The ``cause_weights`` setting as shares in (0, 1].

    Raises:
        ValueError: not a comma-separated list of numbers in (0, 1].
    """
    try:
        out = tuple(float(v) for v in str(value).split(",") if v.strip())
    except ValueError:
        out = ()
    if not out or not all(0.0 < v <= 1.0 for v in out):
        raise ValueError(f"cause_weights must be comma-separated numbers in (0, 1], not {value!r}")
    return out


def cause_examples(convs: list) -> tuple[list[tuple[str | None, str]], np.ndarray]:
    """(candidate turn, emotion turn) inputs of every candidate of every gold emotion turn, labelled 1 for
    gold causes."""
    from emoreason.training.dialogue_fit import gold_candidates

    pairs: list[tuple[str | None, str]] = []
    labels: list[int] = []
    for conv in convs:
        texts, speakers = [u.text for u in conv.utterances], [u.speaker for u in conv.utterances]
        for i, emotion, js, row_labels in gold_candidates(conv):
            pairs += feats.cause_pair_inputs(texts, speakers, i, js, emotion)
            labels += row_labels
    return pairs, np.asarray(labels, dtype=np.int64)


def cause_scores(gold: np.ndarray, logits: np.ndarray) -> dict[str, float]:
    """Accuracy and average precision (scikit-learn) of the cause class."""
    from sklearn.metrics import average_precision_score

    from emoreason.heads.head_file import softmax

    probs = softmax(logits, 1.0)[:, 1]
    ap = float(average_precision_score(gold, probs)) if gold.any() else 0.0
    return {"accuracy": round(float(np.mean((probs >= 0.5) == (gold == 1))), 4), "average_precision": round(ap, 4)}


def fine_tune(train: list, dev: list, params: dict[str, Any], seed: int) -> tuple[Any, list[dict[str, Any]]]:
    """Fit adapters + head on `train`'s candidate pairs, keep the best dev epoch; model and history."""
    import torch

    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    torch.manual_seed(seed)
    config = LoraConfig(classes=list(CLASSES), rank=int(params["rank"]), alpha=float(params["alpha"]),
                        targets=tuple(str(params["targets"]).split(",")), max_length=int(params["max_length"]),
                        dropout=float(params["dropout"]), metadata={"input_format": "cause-pair"})
    model = LoraClassifier(config, seed=seed, device=train_device(str(params["device"])))
    history = fit_adapters(model, cause_examples(train), cause_examples(dev), params, random.Random(seed),
                           score=cause_scores, select="average_precision", name="dialogue-cause-lora")
    return model, history


def decide_and_score(model: Any, corpus: Any, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
    """Decision settings tuned on dev with the heads and emotion reader (named under ``tuned_with``: retrain
    this reader after those), and the dev/test pair and cause scores."""
    from emoreason.conversations.model import DialogueHeads
    from emoreason.training.dialogue_data import conversation_table
    from emoreason.training.dialogue_fit import tuned_pair_f1
    from emoreason.training.dialogue_lora import memo_heads

    heads = DialogueHeads.load(params["heads"] or None).without_cause_reader()  # a cause reader there is replaced
    tuned_with = heads.model_ids()["heads"]
    heads = memo_heads(replace(heads, cause_lora=model))
    convs = {split: corpus.splits[split] for split in ("dev", "test")}
    table, dim = conversation_table((c for cs in convs.values() for c in cs), heads.encoder)
    decision, dev_f1, test_f1 = tuned_pair_f1(heads, convs["dev"], convs["test"], table, dim,
                                              (heads.decision.linear_weight,), shares(params["cause_weights"]))
    metrics: dict[str, float] = {"dev/pair_weighted_f1": round(dev_f1, 4), "test/pair_weighted_f1": round(test_f1, 4)}
    for split, cs in convs.items():  # the reader alone on gold emotion turns
        pairs, gold = cause_examples(cs)
        probs = heads.cause_lora.probabilities([t for _, t in pairs], [c for c, _ in pairs])
        metrics[f"{split}/cause_average_precision"] = cause_scores(gold, np.log(np.maximum(probs, 1e-12)))[
            "average_precision"]
    return {**asdict(decision), "tuned_with": tuned_with}, metrics


class DialogueCauseLoraTrainer(Trainer):
    """The ``dialogue-cause-lora`` recipe (see the module docstring)."""

    name = "dialogue-cause-lora"
    summary = "dialogue-cause-lora: e5-small fine-tuned with LoRA to score emotion-cause pairs (ECF 1.0)"
    defaults = DEFAULTS

    def train(self, options: TrainOptions) -> TrainResult:
        """Run the recipe; writes ``dialogue_cause_lora.npz`` and ``MODEL_CARD-cause-lora.md``."""
        from emoreason.training.dialogue_data import load_corpus
        from emoreason.training.dialogue_lora_card import write_cause_lora_card
        from emoreason.training.dialogue_recipe import limit_corpus

        params = _params(options.overrides)
        corpus = limit_corpus(load_corpus(options.data_root), options.limit)
        started = time.time()
        model, history = fine_tune(corpus.splits["train"], corpus.splits["dev"], params, options.seed)
        seconds = time.time() - started
        decision, metrics = decide_and_score(model, corpus, params)
        model.config.metadata = {"head": "dialogue-cause-lora", "input_format": "cause-pair",
                                 "trained_on": device_name(model.device),
                                 "trained": f"ecf1-train-cause-lora-seed{options.seed}", "decision": decision,
                                 "history": history, "metrics": metrics,
                                 "hyperparameters": {**params, "seed": options.seed, "limit": options.limit},
                                 "train_seconds": round(seconds, 1)}
        out = Path(options.out_dir)
        weights = model.save(out / CAUSE_LORA_FILE)
        card = write_cause_lora_card(options, params, corpus, model, out / CARD_NAME)
        return TrainResult(head=self.name, weights=weights, model_card=card, metrics=metrics)
