"""Recipe ``fusion``: fit the learned decision's pooling weights, bias and temperature.

Two sources of labelled evidence:

* **your own labelled clips** (``--set results=OUT_DIR/results.jsonl --set labels=labels.csv``,
  columns ``id,label``): the learned clues that ``emoreason batch`` stored for each clip give every
  source's vote (text head, face AU head, expression model, rule cues) with its reliability,
  exactly as the decision sees them; weights of all sources are fitted there.
* **MERR** (default): every clip has a subtitle and an AU description, so the text head and the
  face AU head can be pooled on MERR's pseudo labels (face-au recipe's dev fold for fitting, its
  test fold for the report; the face AU head from ``face-au.npz`` in the output folder, else the
  shipped one). MERR's pseudo labels were derived with AU evidence, so the fit favours the AU head
  by construction: the card reports it beside the default weights, and emoreason does not ship it.

Either way the written ``fusion.json`` (load it by copying it to ``reasoning/weights/``) states
what was fitted and its held-out ECE.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from emoreason.records.decision import DECISION_CLASSES
from emoreason.training.fit import expected_calibration_error
from emoreason.training.registry import Trainer, TrainOptions, TrainResult

SOURCES = ("text-head", "face-au-head")
ALL_SOURCES = ("text-head", "face-au-head", "face-expression", "cues")
EPS = 1e-3


def _head_probs(clips: dict, names: list[str], options: TrainOptions) -> dict[str, np.ndarray]:
    """Per source, (n, 7) probabilities over the decision classes for the MERR clips `names`."""
    from emoreason.heads import text_emotions
    from emoreason.heads.head_file import HeadModel
    from emoreason.perception.face.emotion_head import FACE_AU_HEAD

    local = Path(options.out_dir) / "face-au.npz"
    au_head = HeadModel.load(local if local.is_file() else FACE_AU_HEAD)
    au = au_head.probabilities(np.stack([clips[n][0] for n in names]))
    au_full = np.zeros((len(names), len(DECISION_CLASSES)))
    for j, c in enumerate(au_head.classes):
        au_full[:, DECISION_CLASSES.index(c)] = au[:, j]
    readings = text_emotions([clips[n][2] or "" for n in names])
    text = np.array([[r.probabilities.get(c, 1 / len(DECISION_CLASSES)) if r.probabilities
                      else 1 / len(DECISION_CLASSES) for c in DECISION_CLASSES] for r in readings])
    return {"text-head": text, "face-au-head": au_full}


def _pooled(params: np.ndarray, logs: list[np.ndarray]) -> np.ndarray:
    """Pooled probabilities for parameters [weights per source, bias per class, log temperature]."""
    k = len(DECISION_CLASSES)
    weights, bias, log_t = params[: len(logs)], params[len(logs): len(logs) + k], params[-1]
    z = bias[None, :] + sum(w * lp for w, lp in zip(weights, logs, strict=True))
    z = z / np.exp(log_t)
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(1, keepdims=True)


def fit_logs(logs: list[np.ndarray], y: np.ndarray) -> np.ndarray:
    """Parameters minimising the NLL of `y` given reliability-scaled log-probabilities (L-BFGS)."""
    from scipy.optimize import minimize

    def nll(params: np.ndarray) -> float:
        p = _pooled(params, logs)[np.arange(len(y)), y]
        return float(-np.mean(np.log(np.maximum(p, 1e-12))) + 1e-3 * np.sum(params[len(logs):-1] ** 2))

    start = np.concatenate([np.ones(len(logs)), np.zeros(len(DECISION_CLASSES)), [0.0]])
    bounds = [(0.0, 5.0)] * len(logs) + [(-5.0, 5.0)] * len(DECISION_CLASSES) + [(-2.0, 2.0)]
    return minimize(nll, start, method="L-BFGS-B", bounds=bounds).x


def default_params(sources: tuple[str, ...]) -> np.ndarray:
    """The shipped defaults of :mod:`emoreason.reasoning.decision` as fit parameters (for comparison)."""
    from emoreason.reasoning.decision import FusionWeights

    w = FusionWeights()
    return np.concatenate([[w.weight(s) for s in sources], np.zeros(len(DECISION_CLASSES)), [0.0]])


def _scores(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import f1_score

    pred = probs.argmax(1)
    return {"accuracy": round(float(np.mean(pred == y)), 4),
            "weighted_f1": round(float(f1_score(y, pred, average="weighted")), 4),
            "ece": round(expected_calibration_error(probs, y), 4), "n": int(len(y))}


class FusionTrainer(Trainer):
    """Pooling weights of the learned decision, fitted on your labelled batch results or on MERR."""

    name = "fusion"
    summary = "learned decision's pooling weights, bias and temperature (your labelled batch results, or MERR)"

    def train(self, options: TrainOptions) -> TrainResult:
        """Fit, report on held-out clips, write ``fusion.json`` + ``MODEL_CARD-fusion.md``."""
        if "results" in options.overrides or "labels" in options.overrides:
            sources, logs, y, origin = _labelled_batch(options)
        else:
            sources, logs, y, origin = _merr(options)
        params = fit_logs(logs["dev"], y["dev"])
        baseline = default_params(sources)
        report = {k: {"fitted": _scores(_pooled(params, logs[k]), y[k]),
                      "default": _scores(_pooled(baseline, logs[k]), y[k]),
                      **{s: _scores(_pooled(_only(i, sources), logs[k]), y[k]) for i, s in enumerate(sources)}}
                  for k in logs}
        n = len(sources)
        fitted = {
            "weights": {s: round(float(w), 4) for s, w in zip(sources, params[:n], strict=True)},
            "bias": {c: round(float(b), 4) for c, b in zip(DECISION_CLASSES, params[n:-1], strict=True)},
            "temperature": round(float(np.exp(params[-1])), 4),
            "origin": f"{origin}; held-out ECE {report['test']['fitted']['ece']:.3f}",
            "not_fitted": [s for s in ALL_SOURCES if s not in sources], "report": report,
        }
        out = Path(options.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        weights = out / "fusion.json"
        weights.write_text(json.dumps(fitted, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        card = out / "MODEL_CARD-fusion.md"
        card.write_text(_card(fitted, report), encoding="utf-8")
        test = report["test"]["fitted"]
        return TrainResult(head=self.name, weights=weights, model_card=card,
                           metrics={"test_accuracy": test["accuracy"], "test_weighted_f1": test["weighted_f1"],
                                    "test_ece": test["ece"]})


def _only(index: int, sources: tuple[str, ...]) -> np.ndarray:
    """Parameters that read one source alone (weight 1, no bias, T = 1)."""
    params = np.zeros(len(sources) + len(DECISION_CLASSES) + 1)
    params[index] = 1.0
    return params


def _merr(options: TrainOptions) -> tuple[tuple[str, ...], dict, dict, str]:
    """MERR dev/test folds: full-reliability log-probabilities of the text and face AU heads."""
    from emoreason.training.face_au import _fold, load_merr

    _, clips = load_merr(options.data_root)
    folds = {k: [n for n in clips if _fold(n) == k] for k in ("dev", "test")}
    if options.limit:
        folds = {k: v[: options.limit] for k, v in folds.items()}
    y = {k: np.array([DECISION_CLASSES.index(clips[n][1]) for n in v]) for k, v in folds.items()}
    logs = {}
    for k, names in folds.items():
        probs = _head_probs(clips, names, options)
        logs[k] = [np.log(probs[s] + EPS) for s in SOURCES]
    return SOURCES, logs, y, f"fitted on MERR pseudo labels (dev n={len(y['dev'])})"


def _labelled_batch(options: TrainOptions) -> tuple[tuple[str, ...], dict, dict, str]:
    """Votes of each labelled clip of a batch's results.jsonl, split dev/test by a hash of the id."""
    import csv

    from emoreason.batch.records import ClipRecord
    from emoreason.reasoning.decision import learned_vote, merge_votes
    from emoreason.training.corpora import CorpusError
    from emoreason.training.face_au import _fold

    results, labels = (Path(options.overrides.get(k, "")) for k in ("results", "labels"))
    for path in (results, labels):
        if not path.is_file():
            raise CorpusError(f"{path}: missing (give --set results=OUT_DIR/results.jsonl --set labels=FILE.csv)")
    with labels.open(encoding="utf-8", newline="") as handle:
        gold = {row["id"]: row["label"].strip().lower() for row in csv.DictReader(handle)}
    rows: dict[str, list] = {"dev": [], "test": []}
    for line in results.read_text(encoding="utf-8").splitlines():
        record = ClipRecord.model_validate_json(line) if line.strip() else None
        if record is None or record.result is None or gold.get(record.id) not in DECISION_CLASSES:
            continue
        learned = [learned_vote(c) for c in record.result.clues]
        votes = {v.source: v for v in merge_votes([v for v in learned if v is not None])}
        label = DECISION_CLASSES.index(gold[record.id])
        rows["test" if _fold(record.id) == "test" else "dev"].append((votes, label))
    if len(rows["dev"]) < 10 or not rows["test"]:
        raise CorpusError(f"{results}: too few labelled clips with learned clues ({len(rows['dev'])} dev, "
                          f"{len(rows['test'])} test)")
    uniform = np.full(len(DECISION_CLASSES), 1 / len(DECISION_CLASSES))

    def logs_of(part: list) -> list[np.ndarray]:
        return [np.stack([(v[s].reliability if s in v else 0.0) * np.log((v[s].probs if s in v else uniform) + EPS)
                          for v, _ in part]) for s in ALL_SOURCES[:3]]

    logs = {k: logs_of(v) for k, v in rows.items()}
    y = {k: np.array([label for _, label in v]) for k, v in rows.items()}
    return ALL_SOURCES[:3], logs, y, f"fitted on {results.name} with {labels.name} (dev n={len(y['dev'])})"


def _card(fitted: dict, report: dict) -> str:
    rows = "\n".join(
        f"| {split} | {src} | {m['n']} | {m['accuracy']:.4f} | {m['weighted_f1']:.4f} | {m['ece']:.4f} |"
        for split, by_src in report.items() for src, m in by_src.items()
    )
    return f"""# Model card: fusion weights (`fusion.json`)

Log-linear pooling of the learned heads' class probabilities (`reasoning/decision.py`):
`log p(c) ∝ bias(c) + Σ weight(source) · reliability · log p_source(c)`, then a temperature.

- **Origin**: {fitted['origin']}.
- **Fitted**: weights {json.dumps(fitted['weights'])}, temperature {fitted['temperature']}.
- **Not fitted** (defaults in `reasoning/decision.py`): {', '.join(fitted['not_fitted']) or 'none'}.
- **Licences**: MERR and MER2023 are research-only (MER2023 EULA); weights fitted on them are too.
- **Rows**: `fitted` = these weights; `default` = emoreason's shipped defaults; one row per source alone.

| split | pooling | n | accuracy | weighted F1 | ECE |
|---|---|---|---|---|---|
{{rows}}

Use: copy `fusion.json` into `src/emoreason/reasoning/weights/` (or your installed package's).
Reproduce: `emoreason train face-au -o DIR && emoreason train fusion -o DIR` (MERR), or
`emoreason train fusion -o DIR --set results=OUT/results.jsonl --set labels=labels.csv`.
""".replace("{{rows}}", rows)
