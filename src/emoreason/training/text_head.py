"""Recipe ``text-emotion``: 7 canonical emotions + valence from words, over a frozen sentence encoder.

Emotion classifier: MER2023-train (minus a 10 % dev fold; Chinese and English text) + MELD-train
(English; its Chinese translation hurt on dev); softmax head (linear or one hidden layer),
temperature fitted on the dev splits, then pooled with a character n-gram logistic regression
(:mod:`emoreason.training.text_ngrams`; C and the pooling weight picked on dev).
Valence: ridge regression on MER2023 valence (÷5) and CMU-MOSI sentiment (÷3).
Selection uses dev splits only (MER2023 dev fold, MELD-val, CMU-MOSI-val); test splits only
fill the evaluation table. See :mod:`emoreason.training.text_data`.

Hyper-parameters are :data:`DEFAULTS`, overridden with ``--set key=value``; ``--set search=1``
first tries :data:`SEARCH_GRID` on the dev splits and keeps the best.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.heads.head_file import HeadModel
from emoreason.heads.text_emotion import CANONICAL_CLASSES
from emoreason.heads.text_scorer import TextScorer
from emoreason.training import corpora
from emoreason.training.fit import (
    FIT_THREADS,
    ClassifierConfig,
    expected_calibration_error,
    fit_classifier,
    fit_ridge,
    fit_temperature,
    merge_ensemble,
)
from emoreason.training.model_card import ModelCard, train_command
from emoreason.training.registry import Trainer, TrainOptions, TrainResult, apply_overrides
from emoreason.training.text_data import (
    DEV_PARTS,
    TEST_PARTS,
    TRAIN_PARTS,
    TextSet,
    featurise,
    load_parts,
    split_unreadable,
)
from emoreason.training.text_eval import EvalRow, evaluate, table_markdown
from emoreason.training.text_ngrams import attach_ngram_reader

log = logging.getLogger(__name__)

WEIGHTS_NAME = "text-emotion.npz"
CARD_NAME = "MODEL_CARD-text-emotion.md"
RECIPE_VERSION = "1"
DEFAULTS: dict[str, Any] = {
    "encoder": "e5-small", "hidden": 512, "class_weight": "none", "weight_decay": 1e-4, "epochs": 80,
    "batch_size": 256, "lr": 4e-3, "dropout": 0.1, "label_smoothing": 0.0, "mer_weight": 1.0,
    "valence_alphas": "1,3,10,30,100", "standardise": 0, "ensemble": 1, "search": 0,
    # Training languages per corpus (dev/test are read in both). MELD's machine-translated Chinese
    # lowered the MER2023 dev-fold WAF (0.43 → 0.36) in selection, so MELD trains in English only.
    "mer_languages": "zh,en", "meld_languages": "en", "mosi_languages": "zh,en",
    # The character n-gram reader pooled with the MLP (``text_ngrams``): C and pooling-weight grids, n-gram sizes.
    "ngram_c": "4,16", "ngram_weights": "0.2,0.35,0.5", "ngram_range": "1,2",
}
#: Candidates tried by ``--set search=1`` (each on top of the other settings), picked by :func:`dev_score`;
#: the defaults above are the pick of the shipped run.
SEARCH_GRID: tuple[dict[str, Any], ...] = (
    {"hidden": 0, "standardise": 1, "lr": 2e-3, "epochs": 40},
    {"hidden": 256, "standardise": 0, "lr": 6e-3, "epochs": 40},
    {"hidden": 512, "standardise": 0, "lr": 4e-3, "epochs": 80},
    {"hidden": 256, "standardise": 0, "lr": 2e-3, "epochs": 80, "class_weight": "sqrt"},
)
LANGUAGE_KEYS = {"mer2023": "mer_languages", "meld": "meld_languages", "cmumosi": "mosi_languages"}


def resolve_params(overrides: dict[str, str]) -> dict[str, Any]:
    """:data:`DEFAULTS` with `overrides` (strings from the command line) applied and typed."""
    return apply_overrides(DEFAULTS, overrides, "text-emotion")


def _classifier_config(params: dict[str, Any], seed: int) -> ClassifierConfig:
    return ClassifierConfig(hidden=int(params["hidden"]), weight_decay=float(params["weight_decay"]),
                            epochs=int(params["epochs"]), batch_size=int(params["batch_size"]), lr=float(params["lr"]),
                            dropout=float(params["dropout"]), class_weight=str(params["class_weight"]),
                            label_smoothing=float(params["label_smoothing"]), seed=seed)


def dev_score(rows: list[EvalRow]) -> float:
    """Selection score: mean of MELD-val weighted F1 (en) and MER2023 dev-fold WAF (zh)."""
    wanted = {("meld", "en", "weighted_f1_7"), ("mer2023", "zh", "waf_6")}
    values = [r.value for r in rows if (r.dataset, r.language, r.metric) in wanted]
    return float(np.mean(values)) if values else 0.0


def fit_head(train: TextSet, dev: TextSet, params: dict[str, Any], seed: int) -> HeadModel:
    """Classifier (+ temperature on dev) and valence ridge (alpha picked on dev) → a head.

    With ``standardise`` the features are centred and scaled by the training rows' mean and
    standard deviation first (stored in the head as ``input.mean``/``input.scale``).
    """
    mean, scale = None, None
    if int(params["standardise"]):
        mean = train.features.mean(axis=0).astype(np.float32)
        scale = np.maximum(train.features.std(axis=0), 1e-6).astype(np.float32)
        train, dev = _standardised(train, mean, scale), _standardised(dev, mean, scale)
    labelled = train.where(labelled=True)
    weights = np.array([float(params["mer_weight"]) if u.corpus == "mer2023" else 1.0 for u in labelled.utterances])
    classifier = merge_ensemble([
        fit_classifier(labelled.features, labelled.labels, len(CANONICAL_CLASSES),
                       _classifier_config(params, seed + member), sample_weight=weights)
        for member in range(max(1, int(params["ensemble"])))])
    dev_labelled = dev.where(labelled=True)
    temperature = fit_temperature(classifier(dev_labelled.features), dev_labelled.labels) if len(dev_labelled) else 1.0
    valenced, dev_valenced = train.where(valenced=True), dev.where(valenced=True)
    valence, best = None, (np.inf, None)
    if len(valenced):
        for alpha in (float(a) for a in str(params["valence_alphas"]).split(",")):
            candidate = fit_ridge(valenced.features, valenced.valences, alpha)
            err = (float(np.mean((np.clip(candidate(dev_valenced.features)[:, 0], -1, 1) - dev_valenced.valences) ** 2))
                   if len(dev_valenced) else 0.0)
            if err < best[0]:
                best, valence = (err, alpha), candidate
    meta = {"head": "text-emotion", "recipe_version": RECIPE_VERSION, "valence_alpha": best[1],
            "hyperparameters": {**params, "seed": seed}}
    return HeadModel(classes=list(CANONICAL_CLASSES), classifier=classifier, encoder=str(params["encoder"]),
                     temperature=temperature, valence=valence, input_mean=mean, input_scale=scale, metadata=meta)


def _standardised(rows: TextSet, mean: np.ndarray, scale: np.ndarray) -> TextSet:
    return TextSet(rows.utterances, ((rows.features - mean) / scale).astype(np.float32))


def _search(train: TextSet, dev: TextSet, params: dict[str, Any], seed: int) -> tuple[dict[str, Any], list[str]]:
    best, lines = (-1.0, params), ["| candidate | dev score |", "|---|---|"]
    for change in SEARCH_GRID:
        candidate = {**params, **change}
        score = dev_score(evaluate(TextScorer(fit_head(train, dev, candidate, seed)), dev))
        lines.append(f"| {json.dumps(change, sort_keys=True)} | {score:.4f} |")
        log.info("search %s: dev %.4f", change, score)
        if score > best[0]:
            best = (score, candidate)
    return best[1], lines


def _class_counts(rows: TextSet) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for key in sorted({(u.corpus, u.split, u.language) for u in rows.utterances}):
        part = rows.where(corpus=key[0], split=key[1], language=key[2])
        counts = Counter(u.label if u.label is not None else "(valence only)" for u in part.utterances)
        out["/".join(key)] = dict(sorted(counts.items()))
    return out


class TextEmotionTrainer(Trainer):
    """The ``text-emotion`` recipe (see the module docstring)."""

    name = "text-emotion"
    summary = "text → 7 canonical emotions + valence over a frozen sentence encoder (MER2023 + MELD + CMU-MOSI)"
    defaults = DEFAULTS

    def train(self, options: TrainOptions) -> TrainResult:
        """Run the recipe; writes ``text-emotion.npz`` and ``MODEL_CARD-text-emotion.md`` into ``options.out_dir``."""
        params = resolve_params(options.overrides)
        parts = {role: load_parts(options.data_root, p, options.limit, keep_unreadable=role == "test")
                 for role, p in (("train", TRAIN_PARTS), ("dev", DEV_PARTS), ("test", TEST_PARTS))}
        parts["test"], unread = split_unreadable(parts["test"])
        parts["train"] = [u for u in parts["train"] if u.language in str(params[LANGUAGE_KEYS[u.corpus]]).split(",")]
        everything = featurise([u for rows in parts.values() for u in rows], params["encoder"])
        sets, start = {}, 0
        for role, rows in parts.items():
            sets[role] = TextSet(rows, everything.features[start:start + len(rows)])
            start += len(rows)
        selection: list[str] = []
        if int(params["search"]):
            params, selection = _search(sets["train"], sets["dev"], params, options.seed)
        head = fit_head(sets["train"], sets["dev"], params, options.seed)
        scorer, pooling = attach_ngram_reader(head, sets["train"], sets["dev"], params, dev_score)
        selection += ["", "Pooling with the character n-gram reader (dev splits):", "", *pooling]
        dev_rows, test_rows = evaluate(scorer, sets["dev"]), evaluate(scorer, sets["test"], unread)
        dev_labelled = sets["dev"].where(labelled=True)
        ece = expected_calibration_error(scorer.probabilities(dev_labelled.texts, dev_labelled.features),
                                         dev_labelled.labels)
        head.metadata.update(metrics={f"{r.dataset}/{r.split}/{r.language}/{r.metric}": round(r.value, 4)
                                      for r in test_rows},
                             dev_score=round(dev_score(dev_rows), 4), dev_ece=round(ece, 4),
                             mappings={"mer2023": corpora.MER2023_LABELS, "meld": corpora.MELD_LABELS})
        out = Path(options.out_dir)
        weights = head.save(out / WEIGHTS_NAME)
        card = self._card(options, params, sets, head, dev_rows, test_rows, selection)
        metrics = {f"{r.dataset}/{r.split}/{r.language}/{r.metric}": r.value for r in test_rows}
        return TrainResult(head=self.name, weights=weights, model_card=card.write(out / CARD_NAME),
                           metrics=metrics)

    def _card(self, options: TrainOptions, params: dict[str, Any], sets: dict[str, TextSet], head: HeadModel,
              dev_rows: list[EvalRow], test_rows: list[EvalRow], selection: list[str]) -> ModelCard:
        root = corpora.labels_dir(options.data_root)
        files = {str(p.relative_to(root)): corpora.sha256_file(p)
                 for c in ("mer2023", "meld", "cmumosi") for p in corpora.corpus_files(options.data_root, c)}
        dev_table = table_markdown(dev_rows) + f"\n\nDev score (selection): {dev_score(dev_rows):.4f}; " \
            f"temperature {head.temperature}; dev ECE {head.metadata['dev_ece']}; " \
            f"valence ridge alpha {head.metadata['valence_alpha']}."
        return ModelCard(
            title="Text emotion + valence head (`text-emotion`)",
            summary="Reads 7 canonical emotions (neutral, happy, sad, angry, worried, surprise, disgust) and a "
                    "valence in [-1, 1] from an utterance's words alone (Chinese, English and the other languages "
                    "of the encoder). A small head over a frozen sentence encoder, pooled with a character n-gram "
                    "logistic regression (pooling weight and temperature chosen on the dev splits), trained by "
                    "emoreason's recipe.",
            encoder=head.encoder, weights_file=WEIGHTS_NAME,
            command=train_command("text-emotion", options),
            data_files=files, corpora=["mer2023", "meld", "cmumosi"],
            class_counts={f"train {k}": v for k, v in _class_counts(sets["train"]).items()}
            | {f"dev {k}": v for k, v in _class_counts(sets["dev"]).items()},
            mappings={"MER2023 (6-way)": corpora.MER2023_LABELS,
                      "MELD (label.npz ints 0..6 = " + ", ".join(corpora.MELD_INT_ORDER) + ")": corpora.MELD_LABELS,
                      "CMU-MOSI sentiment −3..3": {"valence": "sentiment / 3"},
                      "MER2023 valence −5..5": {"valence": "valence / 5"}},
            hyperparameters={**params, "seed": options.seed, "limit": options.limit,
                             "temperature": head.temperature, "valence_alpha": head.metadata["valence_alpha"]},
            evaluation_markdown=table_markdown(test_rows),
            selection_markdown=("\n".join(selection) + "\n\n" if selection else "") + dev_table,
            notes=[f"{len(corpora.HELD_OUT_CLIPS)} MER2023 clips kept for video evaluation are dropped from every "
                   "split.", "Test-split numbers are text-only, single utterance (no dialogue context).",
                   "`waf_6` scores MER2023 clips that have subtitles; `waf_6_all` the whole split, clips without "
                   "words answered with the training majority (neutral).",
                   "Also tried during development, on the dev splits only: MELD's Chinese translation as extra "
                   "training data (MER2023 dev WAF 0.43 → 0.36: dropped); e5-small ⊕ all-MiniLM-L6-v2 features "
                   "(dev score 0.479 vs 0.494 for e5 alone: dropped); MER2023 rows weighted ×2 and 3-seed "
                   "ensembles (dev 0.496–0.497, no clear gain).",
                   f"Fitted with {FIT_THREADS} torch thread (results depend on the thread count; the recipe "
                   "pins it)."],
        )
