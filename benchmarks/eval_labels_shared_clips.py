"""Label accuracy of fusion on the shared MER2023 clips (6-way) and OV-label overlap.

Runs the full pipeline (``emoreason.explain`` with the English subtitle from
``ground_truth.csv``) with the template reasoner on every clip of ``../shared/data/clips``,
maps fusion's decision to the MER 6 classes and compares it with the ground truth and with
the majority-class baseline. Where OV labels exist it reports the overlap of emoreason's
open-vocabulary labels with them: exact canonical-label recall, and family recall (an OV
ground-truth label counts as hit when some predicted label shares its family).

Usage::

    .venv/bin/python benchmarks/eval_labels_shared_clips.py [--clips DIR] [--json OUT]
        [--ablate]   # also score text-only / no-text runs from the same perception output
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = REPO.parent / "shared" / "data" / "clips"


def _ov(cell: str) -> list[str]:
    if not cell or not cell.strip():
        return []
    try:
        return [str(x).strip().lower() for x in ast.literal_eval(cell)]
    except (ValueError, SyntaxError):
        return [x.strip().lower() for x in cell.strip("[]").split(",") if x.strip()]


def _ov_scores(pred: list[str], gold: list[str]) -> tuple[float, float]:
    from emoreason.reasoning.vocabulary import canonical

    pred_terms = [canonical(p) for p in pred]
    pred_labels = {t.label for t in pred_terms if t}
    pred_families = {t.family for t in pred_terms if t}
    gold_terms = [canonical(g) for g in gold]
    exact = sum(1 for t in gold_terms if t and t.label in pred_labels) / len(gold)
    family = sum(1 for t in gold_terms if t and t.family in pred_families) / len(gold)
    return exact, family


def _subset(request, keep):  # noqa: ANN001, ANN202
    """The request restricted to the modalities in `keep`."""
    mods = [m if m.modality in keep else m.model_copy(update={"clues": []}) for m in request.modalities]
    return request.model_copy(update={"modalities": mods})


def run(clips: Path, ablate: bool) -> dict:
    """Evaluate every clip; the per-clip rows and the summary."""
    from emoreason import explain
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.protocol import ReasoningRequest
    from emoreason.reasoning.vocabulary import LabelSet
    from emoreason.records import Modality

    rows = list(csv.DictReader((clips / "ground_truth.csv").open(encoding="utf-8")))
    out = []
    for row in rows:
        started = time.perf_counter()
        result = explain(clips / f"{row['name']}.mp4", subtitle=row["subtitle_en"], language="en")
        request = ReasoningRequest(media=result.media, modalities=result.modalities,
                                   transcript=result.transcript, face=result.face, voice=result.voice)
        fusion = fuse(request)
        item = {
            "name": row["name"], "gold": row["label"], "pred": fusion.decide(LabelSet.MER6),
            "labels": [e.label for e in result.emotions], "seconds": round(time.perf_counter() - started, 2),
            "rules": [f.rule for f in fusion.findings], "valence": result.valence,
            "gold_valence": float(row["valence"]) if row["valence"] else None,
            "clues": {m.value: sum(1 for c in result.clues if c.modality == m) for m in Modality},
        }
        if ablate:
            item["pred_text_only"] = fuse(_subset(request, {Modality.TEXT})).decide(LabelSet.MER6)
            item["pred_no_text"] = fuse(_subset(request, {Modality.FACE, Modality.VOICE})).decide(LabelSet.MER6)
        gold_ov = _ov(row.get("ov_labels", ""))
        if gold_ov:
            item["ov_exact_recall"], item["ov_family_recall"] = _ov_scores(item["labels"], gold_ov)
            item["ov_gold"] = gold_ov
        out.append(item)
        print(f"{item['name']}: gold={item['gold']:<8} pred={item['pred']:<8} {item['labels'][:4]} "
              f"({item['seconds']} s)", file=sys.stderr)
    return {"clips": out, "summary": _summary(out, ablate)}


def _summary(rows: list[dict], ablate: bool) -> dict:
    counts = Counter(r["gold"] for r in rows)
    majority, majority_n = counts.most_common(1)[0]
    n = len(rows)
    summary = {
        "n": n,
        "accuracy_6way": round(sum(r["pred"] == r["gold"] for r in rows) / n, 3),
        "majority_class": majority,
        "majority_baseline": round(majority_n / n, 3),
        "predicted_distribution": dict(Counter(r["pred"] for r in rows)),
        "mean_seconds_per_clip": round(sum(r["seconds"] for r in rows) / n, 2),
    }
    if ablate:
        summary["accuracy_text_only"] = round(sum(r["pred_text_only"] == r["gold"] for r in rows) / n, 3)
        summary["accuracy_face_voice_only"] = round(sum(r["pred_no_text"] == r["gold"] for r in rows) / n, 3)
    ov = [r for r in rows if "ov_exact_recall" in r]
    if ov:
        summary["ov_clips"] = len(ov)
        summary["ov_exact_recall"] = round(sum(r["ov_exact_recall"] for r in ov) / len(ov), 3)
        summary["ov_family_recall"] = round(sum(r["ov_family_recall"] for r in ov) / len(ov), 3)
    return summary


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--json", type=Path, default=None, help="write per-clip rows and the summary here")
    parser.add_argument("--ablate", action="store_true", help="also score text-only and face+voice-only fusion")
    args = parser.parse_args()
    if not (args.clips / "ground_truth.csv").is_file():
        print(f"no ground_truth.csv in {args.clips}: the shared clips are only present in the workplace",
              file=sys.stderr)
        return 2
    report = run(args.clips, args.ablate)
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(json.dumps(report["summary"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
