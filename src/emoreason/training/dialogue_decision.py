"""Recipe ``dialogue-decision``: re-tune the decision settings of a folder of dialogue heads and readers.

The decision (neutral prior, pair threshold, the readers' shares) turns the heads' probabilities into
``converse``'s answers. The training recipes tune it on ECF 1.0 dev; this recipe re-tunes it for the
heads and readers as they sit together in one folder (``--set heads=DIR``, default the shipped
weights), without training anything. ``tune_on=dev+quiet`` (the default) tunes on dev and its quiet
copy (every ``!`` read as ``.``, ``dialogue_fit.quiet_copy``) with equal weight, so the decision also
fits transcripts that exclaim less than ECF's; ``tune_on=dev`` tunes on dev alone. Two decisions are
tuned: the one without the cause reader (``--no-cause-reader``; stored in the emotion reader's file,
else the cause head's) and, when the folder has a cause reader, the one with it (stored in its file,
``cause_weight`` out of ``cause_weights``). Writes the re-tuned files (weights unchanged, pooled
companions copied beside them) and ``MODEL_CARD-decision.md``; copy them next to the heads to use
them. ECF 1.0 test only fills the evaluation table.
"""

from __future__ import annotations

import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from emoreason.conversations.model import CAUSE_LORA_FILE, FILES, LORA_FILE, WEIGHTS_DIR, Decision, DialogueHeads
from emoreason.training.registry import Trainer, TrainOptions, TrainResult, apply_overrides

CARD_NAME = "MODEL_CARD-decision.md"
DEFAULTS: dict[str, Any] = {"heads": "", "tune_on": "dev+quiet", "cause_weights": "0.5,1"}
#: The line a re-tuned file's card ends with (a second re-tuning replaces it).
REPLACED_NOTE = "**The decision settings stored in this file were re-tuned by `dialogue-decision`** and replace the " \
                "ones above: see"


def _params(overrides: dict[str, str]) -> dict[str, Any]:
    from emoreason.training.dialogue_cause_lora import shares
    from emoreason.training.dialogue_fit import tuning_conversations

    params = apply_overrides(DEFAULTS, overrides, "dialogue-decision")
    shares(params["cause_weights"])
    tuning_conversations([], str(params["tune_on"]))
    return params


def retune(heads: DialogueHeads, corpus: Any, params: dict[str, Any]) -> tuple[dict[str, Decision], dict[str, float]]:
    """Decisions tuned on ``tune_on`` without (``base``) and, if `heads` have one, with (``cause``) the cause
    reader; and each one's pair F1 on the tuning set, dev, dev's quiet copy and test."""
    from emoreason.training.dialogue_cause_lora import shares
    from emoreason.training.dialogue_data import conversation_table
    from emoreason.training.dialogue_fit import pair_f1, quiet_copy, tune_decision, tuning_conversations
    from emoreason.training.dialogue_lora import memo_heads

    dev, test = corpus.splits["dev"], corpus.splits["test"]
    tune = tuning_conversations(dev, str(params["tune_on"]))
    sets = {"tune": tune, "dev": dev, "dev_quiet": quiet_copy(dev), "test": test}
    table, dim = conversation_table((c for cs in sets.values() for c in cs), heads.encoder)
    memo = memo_heads(heads)
    jobs = {"base": (memo.without_cause_reader(), (1.0,))}
    if heads.cause_lora is not None:
        jobs["cause"] = (memo, shares(params["cause_weights"]))
    decisions: dict[str, Decision] = {}
    metrics: dict[str, float] = {}
    for key, (model, cause_weights) in jobs.items():
        decisions[key], _ = tune_decision(model, tune, table, dim, (model.decision.linear_weight,), cause_weights)
        metrics.update({f"{key}/{name}/pair_weighted_f1": round(pair_f1(model, cs, table, dim), 4)
                        for name, cs in sets.items()})
    return decisions, metrics


def _write(heads: DialogueHeads, decisions: dict[str, Decision], tuning: dict[str, Any], folder: Path,
           out: Path) -> list[Path]:
    """Save the files that hold `decisions` into `out`, each with its card (a pooled reader's companions and
    their cards copied beside it)."""
    from emoreason.training.dialogue_cause_lora import CARD_NAME as CAUSE_CARD
    from emoreason.training.dialogue_lora import CARD_NAME as LORA_CARD
    from emoreason.training.dialogue_lora import COMPANION_CARD

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    base = {**asdict(decisions["base"]), "tuning": tuning}
    if heads.emotion_lora is not None:
        first = getattr(heads.emotion_lora, "readers", [heads.emotion_lora])[0]
        first.config.metadata = {**first.config.metadata, "decision": base}
        written.append(first.save(out / LORA_FILE))
        _card(folder / LORA_CARD, out / LORA_CARD)
        for k, entry in enumerate(first.config.metadata.get("pooled_with", []), start=1):
            _copy(folder / entry["file"], out / entry["file"])
            _copy(folder / COMPANION_CARD.format(k=k), out / COMPANION_CARD.format(k=k))
    else:
        heads.cause.metadata["decision"] = base  # type: ignore[attr-defined]
        written.append(heads.cause.save(out / FILES["cause"]))  # type: ignore[attr-defined]
        _card(folder / "MODEL_CARD.md", out / "MODEL_CARD.md")
    if "cause" in decisions and heads.cause_lora is not None:
        meta = heads.cause_lora.config.metadata  # type: ignore[attr-defined]
        tuned_with = heads.without_cause_reader().model_ids()["heads"]
        meta["decision"] = {**asdict(decisions["cause"]), "tuned_with": tuned_with, "tuning": tuning}
        written.append(heads.cause_lora.save(out / CAUSE_LORA_FILE))  # type: ignore[attr-defined]
        _card(folder / CAUSE_CARD, out / CAUSE_CARD)
    return written


def _copy(source: Path, target: Path) -> None:
    if source.is_file() and source.resolve() != target.resolve():
        shutil.copyfile(source, target)


def _card(source: Path, target: Path) -> None:
    """Copy the card of a re-tuned file (when there is one), saying where its decision now comes from."""
    if not source.is_file():
        return
    text = source.read_text(encoding="utf-8").split(REPLACED_NOTE)[0].rstrip("\n")
    target.write_text(f"{text}\n\n{REPLACED_NOTE} `{CARD_NAME}`.\n", encoding="utf-8")


class DialogueDecisionTrainer(Trainer):
    """The ``dialogue-decision`` recipe (see the module docstring)."""

    name = "dialogue-decision"
    summary = "dialogue-decision: re-tune the dialogue decision settings (neutral prior, pair threshold) on ECF dev"
    defaults = DEFAULTS

    def train(self, options: TrainOptions) -> TrainResult:
        """Run the recipe; writes the re-tuned files and ``MODEL_CARD-decision.md``."""
        from emoreason.training.dialogue_data import load_corpus
        from emoreason.training.dialogue_decision_card import write_decision_card
        from emoreason.training.dialogue_recipe import limit_corpus

        params = _params(options.overrides)
        folder = Path(params["heads"]) if params["heads"] else WEIGHTS_DIR
        heads = DialogueHeads.load(folder)
        corpus = limit_corpus(load_corpus(options.data_root), options.limit)
        decisions, metrics = retune(heads, corpus, params)
        tuning = {"recipe": self.name, "tune_on": params["tune_on"], "metrics": metrics}
        written = _write(heads, decisions, tuning, folder, Path(options.out_dir))
        card = write_decision_card(options, params, corpus, heads, decisions, metrics,
                                   Path(options.out_dir) / CARD_NAME)
        return TrainResult(head=self.name, weights=written[-1], model_card=card, metrics=metrics,
                           extra_files=written[:-1])
