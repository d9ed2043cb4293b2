"""The ``dialogue`` recipe's model card and its speaker-pronoun table (ECEM training split only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emoreason.conversations.ecem import ECEM_FILE, ECF_MELD_FILE, committed_split, load_ecem
from emoreason.conversations.ecem import pronoun_table as _table
from emoreason.conversations.records import CANONICAL
from emoreason.training.dialogue_data import DialogueCorpus, sha256
from emoreason.training.model_card import ModelCard, train_command
from emoreason.training.registry import TrainOptions

LICENCES = [
    "ECF 1.0 / ECF 2.0 (SemEval-2024 Task 3 ECAC; Wang et al. 2023, Xia et al.) — conversations of the TV series "
    "Friends built on MELD; released for research (see the NUSTM/MECPE and SemEval-2024 Task 3 pages; licence "
    "not re-checked offline). The weights derived from it are for research use.",
    "ECEM (FAME-Net) explanation records — only speaker names and the he/she of their reference explanations "
    "(training split) are used, for `speaker_pronouns.json`; research use.",
]


def pronoun_table(data_root: str | Path, corpus: DialogueCorpus) -> dict[str, Any]:
    """He/she per speaker from ECEM references of the *train* part of the committed split."""
    train_ids = committed_split()["train"]
    records = [r for r in load_ecem(data_root) if r.id in train_ids]
    corpus.files[str(ECEM_FILE)] = sha256(Path(data_root) / ECEM_FILE)
    corpus.files[str(ECF_MELD_FILE)] = sha256(Path(data_root) / ECF_MELD_FILE)
    return {"about": "speaker name → pronoun used by ECEM reference explanations (train split, ≥3 records, "
                     "≥75% agreement); used only to word template explanations",
            "pronouns": _table(records)}


def _metrics_markdown(metrics: dict[str, float]) -> str:
    rows = ["| split | metric | value |", "|---|---|---|"]
    rows += [f"| {k.split('/', 1)[0]} | {k.split('/', 1)[1]} | {v:.4f} |" for k, v in sorted(metrics.items())
             if k.startswith("test/")]
    return "\n".join(rows)


def _fit_note(fitted: list[str]) -> str:
    if "test" in fitted:
        return (f"Fitted on ECF 1.0 {' + '.join(fitted)} (SemEval-2024 Task 3's training data minus ECF dev); dev "
                "chose every setting. The SemEval ECAC test conversations (scored by `benchmarks/eval_converse.py`) "
                "are new ones and were never fitted on; ECF 1.0 test rows above are in-sample.")
    return ("Fitted on ECF 1.0 train only; dev chose every setting; test was never used for fitting or selection. "
            "SemEval's Subtask_1_train.json holds ECF 1.0 train+dev+test: only the train conversations (by ECF "
            "1.0's train.txt ids) are fitted.")


def write_card(options: TrainOptions, params: dict[str, Any], corpus: DialogueCorpus,
               counts: dict[str, dict[str, int]], selection: dict[str, Any], metrics: dict[str, float]) -> ModelCard:
    """The model card of the four dialogue heads (written by the caller)."""
    fitted = str(params["fit_on"]).split("+")
    in_sample = "test" in fitted
    dev_rows = "\n".join(f"- dev {k.split('/', 1)[1]}: {v:.4f}" for k, v in sorted(metrics.items())
                         if k.startswith("dev/"))
    return ModelCard(
        title="Dialogue heads (`dialogue`): emotion in context, emotion–cause pairs, cause spans",
        summary=f"Four small heads over a frozen sentence encoder, trained on ECF 1.0 {' + '.join(fitted)}: the "
                "emotion of an "
                "utterance given the turn before it and who spoke "
                "(`dialogue_emotion.npz`), the same head without context (`dialogue_emotion_plain.npz`, for the "
                "ablation), which earlier (or the next two) utterances caused an emotion (`dialogue_cause.npz`), "
                "and which clause run of a cause utterance carries the cause (`dialogue_span.npz`).",
        encoder=params["encoder"], weights_file="dialogue_emotion.npz (+ dialogue_emotion_plain, dialogue_cause, "
                                                "dialogue_span, speaker_pronouns.json)",
        command=train_command("dialogue", options),
        data_files=dict(corpus.files), corpora=["meld"], class_counts=counts,
        mappings={"MELD / ECF (7)": dict(CANONICAL)},
        hyperparameters={**params, "seed": options.seed, "limit": options.limit},
        selection_markdown="```json\n" + json.dumps(selection, indent=2, sort_keys=True) + "\n```\n\n" + dev_rows,
        evaluation_markdown=_metrics_markdown(metrics) + ("\n\n**ECF 1.0 test was fitted on (`fit_on` includes "
                                                          "it): these rows are in-sample.**" if in_sample else "")
        + "\n\nECF 1.0 test, text only. `emotion_*_context` uses "
                            "the in-context head, `_no_context` the same recipe on the utterance alone (argmax, "
                            "no neutral prior). Pair/span F1 are the SemEval-2024 Task 3 / ECF scorers "
                            "(`emoreason.metrics.ecpe`) on predicted emotions. ECAC test: "
                            "`python benchmarks/eval_converse.py`.",
        notes=[*LICENCES, _fit_note(fitted)],
        **({"evaluation_heading": "Evaluation (ECF 1.0 test: in-sample, fitted on)"} if in_sample else {}),
    )
