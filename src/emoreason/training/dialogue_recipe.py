"""Recipe ``dialogue``: utterance emotion in context, emotion–cause pairs and cause spans (ECF 1.0).

Fits on ECF 1.0 *train* (SemEval-2024 Task 3 Subtask-1 JSON, which carries the spans), selects
on *dev*, reports on ECF 1.0 *test* — the ECAC test set is scored by ``benchmarks/eval_converse.py``.
Writes ``dialogue_emotion.npz`` (in context), ``dialogue_emotion_plain.npz`` (the same head
without context, for the ablation), ``dialogue_cause.npz``, ``dialogue_span.npz``,
``speaker_pronouns.json`` (he/she per speaker name, counted in the ECEM training split) and
``MODEL_CARD.md``.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emoreason.conversations.model import FILES, DialogueHeads
from emoreason.conversations.records import MELD_EMOTIONS
from emoreason.training import dialogue_fit as fit
from emoreason.training.dialogue_data import DialogueCorpus, load_corpus, vector_table
from emoreason.training.model_card import ModelCard
from emoreason.training.registry import Trainer, TrainOptions, TrainResult, apply_overrides

log = logging.getLogger(__name__)
RECIPE_VERSION = "1"
#: ``fit_on``: ECF 1.0 splits fitted on. ``train`` keeps ECF 1.0 test held out; ``train+test`` (all of
#: SemEval-2024's Subtask-1 training file except ECF dev) is for the ECAC test, then ECF 1.0 test is in-sample.
DEFAULTS: dict[str, Any] = {"encoder": "e5-small", "lr": 2e-3, "batch_size": 256, "fit_on": "train"}
EMOTION_GRID: tuple[dict[str, Any], ...] = (
    {"hidden": 0, "weight_decay": 0.1, "epochs": 8}, {"hidden": 0, "weight_decay": 0.5, "epochs": 5},
)
PAIR_GRID: tuple[dict[str, Any], ...] = ({"hidden": 0, "weight_decay": 0.1, "epochs": 8},
                                         {"hidden": 128, "weight_decay": 0.01, "dropout": 0.3, "epochs": 8})
SPAN_GRID: tuple[dict[str, Any], ...] = ({"hidden": 0, "weight_decay": 1e-4, "epochs": 40},
                                         {"hidden": 32, "weight_decay": 1e-4, "epochs": 40})


def limit_corpus(corpus: DialogueCorpus, limit: int | None) -> DialogueCorpus:
    """`corpus` with each split cut after the conversation that reaches `limit` utterances (None: all)."""
    if not limit:
        return corpus
    kept: dict[str, list] = {}
    for split, convs in corpus.splits.items():
        out, total = [], 0
        for conv in convs:
            if total >= limit:
                break
            out.append(conv)
            total += len(conv.utterances)
        kept[split] = out
    return DialogueCorpus(splits=kept, files=corpus.files)


def fit_heads(corpus: DialogueCorpus, params: dict[str, Any], seed: int) -> tuple[DialogueHeads, dict[str, Any]]:
    """Fit all heads on train, select and tune on dev; returns the heads and the selection log."""
    encoder = params["encoder"]
    table = vector_table(corpus.texts(), encoder)
    dim = len(next(iter(table.values())))
    base = {k: params[k] for k in ("lr", "batch_size")}
    grid = lambda g: tuple({**base, **c} for c in g)  # noqa: E731
    meta = {"recipe_version": RECIPE_VERSION, "trained": f"ecf1-{params['fit_on']}-seed{seed}"}
    train = [c for split in str(params["fit_on"]).split("+") for c in corpus.splits[split]]
    dev = corpus.splits["dev"]
    heads: dict[str, fit.Fitted] = {}
    for key, context in (("emotion", True), ("emotion_plain", False)):
        heads[key] = fit.fit_softmax(fit.emotion_examples(train, table, dim, context=context),
                                     fit.emotion_examples(dev, table, dim, context=context),
                                     classes=list(MELD_EMOTIONS), encoder=encoder, seed=seed, grid=grid(EMOTION_GRID),
                                     score=fit.weighted_f1_score, metadata=dict(meta, head=f"dialogue-{key}"))
    heads["cause"] = fit.fit_softmax(fit.pair_examples(train, table, dim), fit.pair_examples(dev, table, dim),
                                     classes=["other", "cause"], encoder=encoder, seed=seed, grid=grid(PAIR_GRID),
                                     score=fit.log_likelihood, metadata=dict(meta, head="dialogue-cause"))
    heads["span"] = fit.fit_softmax(fit.span_examples(train), fit.span_examples(dev), classes=["other", "span"],
                                    encoder=encoder, seed=seed, grid=grid(SPAN_GRID), score=fit.log_likelihood,
                                    metadata=dict(meta, head="dialogue-span"))
    model = DialogueHeads(emotion=heads["emotion"].head, cause=heads["cause"].head, span=heads["span"].head,
                          emotion_plain=heads["emotion_plain"].head)
    decision, dev_f1 = fit.tune_decision(model, dev, table, dim)
    model.cause.metadata["decision"] = asdict(decision)  # type: ignore[attr-defined]
    selection = {key: {"params": f.params, "dev_score": round(f.dev_score, 4)} for key, f in heads.items()}
    selection["decision"] = {**model.cause.metadata["decision"], "dev_subtask2_weighted_f1": round(dev_f1, 4)}  # type: ignore[attr-defined]
    return model, {"selection": selection, "table": table, "dim": dim}


def evaluate_split(model: DialogueHeads, convs: list, table: dict, dim: int) -> dict[str, float]:
    """Emotion accuracy / weighted F1 with and without context, and pair / span F1 on `convs`."""
    from sklearn.metrics import accuracy_score, f1_score

    from emoreason.metrics.ecpe import weighted_pair_f1, weighted_proportional_f1, weighted_strict_f1

    out: dict[str, float] = {}
    for key, context in (("context", True), ("no_context", False)):
        x, y = fit.emotion_examples(convs, table, dim, context=context)
        head = model.emotion if context else model.emotion_plain
        guess = head.probabilities(x).argmax(1)  # type: ignore[attr-defined]
        out[f"emotion_accuracy_{key}"] = float(accuracy_score(y, guess))
        out[f"emotion_weighted_f1_{key}"] = float(f1_score(y, guess, average="weighted"))
    gold, pred = fit.predicted_pairs(model, convs, table, dim)
    out["pair_weighted_f1"] = weighted_pair_f1(gold, pred).value
    out["span_weighted_proportional_f1"] = weighted_proportional_f1(gold, pred).value
    out["span_weighted_strict_f1"] = weighted_strict_f1(gold, pred).value
    return out


def _counts(corpus: DialogueCorpus) -> dict[str, dict[str, int]]:
    out = {}
    for split, convs in corpus.splits.items():
        counts = Counter(u.emotion or "neutral" for c in convs for u in c.utterances)
        out[f"ECF 1.0 {split} ({sum(len(c.pairs) for c in convs)} cause pairs)"] = dict(sorted(counts.items()))
    return out


class DialogueTrainer(Trainer):
    """The ``dialogue`` recipe (see the module docstring)."""

    name = "dialogue"
    summary = "dialogue: utterance emotion in context, emotion–cause pairs, cause spans (ECF 1.0)"
    defaults = DEFAULTS

    def train(self, options: TrainOptions) -> TrainResult:
        """Run the recipe; writes the four heads, the pronoun table and ``MODEL_CARD.md``."""
        from emoreason.training.dialogue_card import pronoun_table, write_card

        params = apply_overrides(DEFAULTS, options.overrides, "dialogue")
        corpus = limit_corpus(load_corpus(options.data_root), options.limit)
        model, info = fit_heads(corpus, params, options.seed)
        metrics = {f"{split}/{k}": round(v, 4) for split in ("dev", "test")
                   for k, v in evaluate_split(model, corpus.splits[split], info["table"], info["dim"]).items()}
        out = Path(options.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for key, head in (("emotion", model.emotion), ("emotion_plain", model.emotion_plain), ("cause", model.cause),
                          ("span", model.span)):
            head.metadata["metrics"] = metrics  # type: ignore[union-attr]
            head.save(out / FILES[key])  # type: ignore[union-attr]
        pronouns = pronoun_table(options.data_root, corpus)
        (out / "speaker_pronouns.json").write_text(json.dumps(pronouns, indent=1, sort_keys=True, ensure_ascii=False)
                                                   + "\n", encoding="utf-8")
        card: ModelCard = write_card(options, params, corpus, _counts(corpus), info["selection"], metrics)
        return TrainResult(head=self.name, weights=out / FILES["emotion"], model_card=card.write(out / "MODEL_CARD.md"),
                           metrics=metrics, extra_files=[out / FILES[k] for k in ("emotion_plain", "cause", "span")]
                           + [out / "speaker_pronouns.json"])
