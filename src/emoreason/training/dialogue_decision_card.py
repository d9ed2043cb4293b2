"""The model card of the ``dialogue-decision`` recipe (the decision settings of a folder of heads)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emoreason.conversations.model import Decision, DialogueHeads
from emoreason.conversations.records import CANONICAL
from emoreason.training.dialogue_card import LICENCES
from emoreason.training.dialogue_data import DialogueCorpus
from emoreason.training.dialogue_fit import NEUTRAL_SCALES, PAIR_THRESHOLDS
from emoreason.training.model_card import ModelCard, train_command
from emoreason.training.registry import TrainOptions

_SETS = {"tune": "tuning set", "dev": "ECF 1.0 dev", "dev_quiet": "ECF 1.0 dev, `!` read as `.`",
         "test": "ECF 1.0 test"}
_KEYS = {"base": "without the cause reader", "cause": "with the cause reader (the default)"}


def _table(metrics: dict[str, float], names: list[str]) -> str:
    keys = [k for k in _KEYS if f"{k}/dev/pair_weighted_f1" in metrics]
    rows = ["| decision | " + " | ".join(_SETS[n] for n in names) + " |", "|---" * (len(names) + 1) + "|"]
    rows += [f"| {_KEYS[k]} | " + " | ".join(f"{metrics[f'{k}/{n}/pair_weighted_f1']:.4f}" for n in names) + " |"
             for k in keys]
    return "\n".join(rows)


def write_decision_card(options: TrainOptions, params: dict[str, Any], corpus: DialogueCorpus, heads: DialogueHeads,
                        decisions: dict[str, Decision], metrics: dict[str, float], path: Path) -> Path:
    """Write the card of the re-tuned decisions to `path`; returns it."""
    counts = {f"ECF 1.0 {split}": dict(sorted(Counter(u.emotion or "neutral" for c in corpus.splits[split]
                                                      for u in c.utterances).items())) for split in ("dev", "test")}
    settings = "\n".join(f"- {_KEYS[k]}: `{json.dumps(asdict(d))}`" for k, d in decisions.items())
    quiet = params["tune_on"] == "dev+quiet"
    where = "ECF 1.0 dev and its quiet copy (every `!` read as `.`), with equal weight" if quiet else "ECF 1.0 dev"
    selection = (f"Tuned on {where}, by Subtask-2 weighted pair F1 over p(neutral) multipliers "
                 f"{list(NEUTRAL_SCALES)} and pair thresholds {list(PAIR_THRESHOLDS)} (the cause reader's share "
                 f"out of `{params['cause_weights']}`). "
                 f"Heads and readers: `{heads.model_ids()['heads']}`.\n\n{settings}\n\n"
                 + _table(metrics, ["tune", "dev", "dev_quiet"]))
    card = ModelCard(
        title="Decision settings of the dialogue heads and readers (`dialogue-decision`)",
        summary="The neutral prior, the pair threshold and the readers' shares with which `emoreason converse` turns "
                "the dialogue heads' and readers' probabilities into emotions and causes, re-tuned for the files "
                "that sit together in one folder; no weights are trained. The decision with the cause reader is "
                "stored in `dialogue_cause_lora.npz`, the one without it (`--no-cause-reader`) in "
                "`dialogue_emotion_lora.npz` (else `dialogue_cause.npz`).",
        encoder="e5-small (+ the LoRA readers beside the heads)", weights_file="dialogue_cause_lora.npz",
        command=train_command("dialogue-decision", options), data_files=dict(corpus.files), corpora=["meld"],
        class_counts=counts, mappings={"MELD / ECF (7)": dict(CANONICAL)},
        hyperparameters={**params, "limit": options.limit}, selection_markdown=selection,
        evaluation_markdown=_table(metrics, ["test"]) + "\n\nECF 1.0 test, text only, pair F1. ECAC test: "
                            "`python benchmarks/eval_converse.py`.",
        notes=[*LICENCES, "The quiet copy stands for transcripts that exclaim less than ECF's: 31 % of ECF "
               "utterances hold a `!`, 13 % of the SemEval-2024 Task 3 test file's (counted on the texts, no labels)."],
    )
    return card.write(path)
