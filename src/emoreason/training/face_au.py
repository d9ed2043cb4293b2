"""Recipe ``face-au``: MERR's AU descriptions → emotion classes (the face AU head).

Data: MERR fine-grained (``benchmarks/merr/MERR_fine_grained.cleaned.json``, 4,487 clips of
MER2023's unlabelled pool annotated by Emotion-LLaMA's pipeline). Features are the presence of
each of MERR's 17 AUs in the clip's AU list (its most frequent AUs) and in its peak-frame AU list
(:func:`emoreason.perception.face.emotion_head.au_features`; AU25/AU26 are left out, since
emoreason's geometric estimates of them measure speech more than expression); the target is MERR's pseudo label,
folded onto the decision classes (fear → worried; doubt and contempt, 86 clips, are dropped:
no decision class holds them). Clips kept for video evaluation are never used.

Splits are fixed by a hash of the clip name: 10 % test, 10 % dev (temperature), 80 % train.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np

from emoreason.training.corpora import HELD_OUT_CLIPS, CorpusError, sha256_file
from emoreason.training.fit import ClassifierConfig, expected_calibration_error, fit_classifier, fit_temperature
from emoreason.training.registry import Trainer, TrainOptions, TrainResult

MERR_FILE = ("benchmarks", "merr", "MERR_fine_grained.cleaned.json")
LABEL_FOLD = {"fear": "worried"}
DROPPED = ("doubt", "contempt")
CLASSES: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "worried", "surprise")
CONFIG = ClassifierConfig(hidden=0, weight_decay=1e-3, epochs=60, batch_size=128, lr=1e-2)


def _fold(name: str) -> str:
    """'test', 'dev' or 'train' by a hash of the clip name."""
    u = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if u < 0.1 else "dev" if u < 0.2 else "train"


def load_merr(data_root: Path) -> tuple[Path, dict[str, tuple[np.ndarray, str, str]]]:
    """MERR clips usable for the head: name → (AU features, class, subtitle)."""
    from emoreason.perception.face.emotion_head import au_features

    path = Path(data_root).joinpath(*MERR_FILE)
    if not path.is_file():
        raise CorpusError(f"{path}: missing (give the shared data root)")
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CorpusError(f"{path}: not readable JSON ({exc})") from exc
    out = {}
    for name, rec in sorted(records.items()):
        label = LABEL_FOLD.get(rec.get("pseu_emotion", ""), rec.get("pseu_emotion", ""))
        if name in HELD_OUT_CLIPS or label not in CLASSES:
            continue
        features = au_features(list(rec.get("AU_list", [])), list(rec.get("peak_AU_list", [])))
        out[name] = (features, label, str(rec.get("text", "") or ""))
    return path, out


def _metrics(probs: np.ndarray, y: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

    pred = probs.argmax(1)
    majority = np.bincount(y).argmax()
    return {
        "accuracy": round(float(accuracy_score(y, pred)), 4),
        "weighted_f1": round(float(f1_score(y, pred, average="weighted")), 4),
        "ece": round(expected_calibration_error(probs, y), 4),
        "majority_accuracy": round(float(np.mean(y == majority)), 4),
        "majority_weighted_f1": round(float(f1_score(y, np.full_like(y, majority), average="weighted")), 4),
        "n": int(len(y)),
    }


class FaceAUTrainer(Trainer):
    """MERR AU lists → 6 decision classes (linear softmax head, temperature on dev)."""

    name = "face-au"
    summary = "face AU pattern → 6 emotion classes (MERR fine-grained AU lists + pseudo labels)"

    def train(self, options: TrainOptions) -> TrainResult:
        """Fit, calibrate and evaluate the head; write ``face-au.npz`` + ``MODEL_CARD.md``."""
        from emoreason.heads.head_file import HeadModel

        path, clips = load_merr(options.data_root)
        folds: dict[str, list[str]] = {"train": [], "dev": [], "test": []}
        for name in clips:
            folds[_fold(name)].append(name)
        if options.limit:
            folds["train"] = folds["train"][: options.limit]
        index = {c: i for i, c in enumerate(CLASSES)}

        def arrays(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
            return (np.stack([clips[n][0] for n in names]), np.array([index[clips[n][1]] for n in names]))

        (xtr, ytr), (xdev, ydev), (xte, yte) = (arrays(folds[k]) for k in ("train", "dev", "test"))
        config = ClassifierConfig(**{**CONFIG.as_dict(), "seed": options.seed})
        stack = fit_classifier(xtr, ytr, len(CLASSES), config)
        temperature = fit_temperature(stack(xdev), ydev)
        head = HeadModel(classes=list(CLASSES), classifier=stack, encoder="merr-au-presence-30",
                         temperature=temperature)
        metrics = {"test": _metrics(head.probabilities(xte), yte), "dev": _metrics(head.probabilities(xdev), ydev)}
        head.metadata.update(head=self.name, metrics=metrics, hyperparameters=config.as_dict(),
                             data={"merr": {"file": str(Path(*MERR_FILE)), "sha256": sha256_file(path)}},
                             mappings={"fold": LABEL_FOLD, "dropped": list(DROPPED)})
        out = Path(options.out_dir)
        weights = head.save(out / "face-au.npz")
        counts = {k: Counter(clips[n][1] for n in v) for k, v in folds.items()}
        card = out / "MODEL_CARD-face-au.md"
        card.write_text(_card(path, counts, config, temperature, metrics), encoding="utf-8")
        return TrainResult(head=self.name, weights=weights, model_card=card,
                           metrics={"test_weighted_f1": metrics["test"]["weighted_f1"],
                                    "test_accuracy": metrics["test"]["accuracy"], "test_ece": metrics["test"]["ece"]})


def _card(path: Path, counts: dict[str, Counter], config: ClassifierConfig, temperature: float,
          metrics: dict[str, dict[str, float]]) -> str:
    rows = "\n".join(
        f"| {split} | {m['n']} | {m['accuracy']:.4f} | {m['weighted_f1']:.4f} | {m['ece']:.4f} | "
        f"{m['majority_accuracy']:.4f} | {m['majority_weighted_f1']:.4f} |" for split, m in metrics.items()
    )
    count_rows = "\n".join(f"| {c} | " + " | ".join(str(counts[k][c]) for k in ("train", "dev", "test")) + " |"
                           for c in CLASSES)
    return f"""# Model card: face AU head (`face-au.npz`)

Maps MERR's description of a face span — which of 15 AUs (MERR's 17 without the mouth-opening
AU25/AU26, which measure speech in emoreason's geometric estimates) are among its most frequent, and which
are present at its peak frame — to six emotion classes. emoreason's face stage computes the same
description per 3-s window from its geometric AU estimates (`perception/face/emotion_head.py`).

- **Data**: MERR fine-grained, `{Path(*MERR_FILE)}` (sha256 `{sha256_file(path)}`), 4,487 clips of the
  MER2023 unlabelled pool annotated by Emotion-LLaMA's MERR pipeline. **Licence: research use only**
  (MER2023 EULA; MERR annotations released for research). Commercial use of this head is not allowed.
- **Labels**: MERR pseudo labels (not human labels). fear → worried; doubt, contempt dropped.
  Held-out evaluation clips (`HELD_OUT_CLIPS`) are never used.
- **Caveat**: MERR's AUs come from OpenFace; emoreason's are geometric estimates from the mesh, so
  the head meets a shifted input at run time. Its scores on MERR are an upper bound.
- **Model**: linear softmax over 30 presence features; temperature {temperature} fitted on dev.
- **Hyper-parameters**: `{json.dumps(config.as_dict(), sort_keys=True)}`
- **Splits**: sha256 of the clip name: < 0.1 test, < 0.2 dev, rest train.

| class | train | dev | test |
|---|---|---|---|
{count_rows}

| split | n | accuracy | weighted F1 | ECE | majority acc | majority wF1 |
|---|---|---|---|---|---|---|
{rows}

Reproduce: `emoreason train face-au --data-root ../shared/data -o DIR`.
"""
