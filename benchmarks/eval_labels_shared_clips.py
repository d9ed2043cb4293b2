"""Label accuracy of the learned decision on the shared MER2023 clips (6-way), valence sign, ablations.

Runs the full pipeline (``emoreason.explain``, template reasoner) on every clip of
``../shared/data/clips`` twice — without subtitles (the words come from speech recognition) and
with the English subtitle from ``ground_truth.csv`` — maps the decision to the MER 6 classes and
compares it with the ground truth and with the majority-class baseline. It also reports whether
the valence sign is right on every clip with |valence| ≥ 1, the per-modality ablation (the same
perception output fused from one modality, or face + voice), and the OV-label overlap.

These clips are kept for evaluation: nothing is trained or tuned on them.

Usage::

    .venv/bin/python benchmarks/eval_labels_shared_clips.py [--clips DIR] [--json OUT] [--ablate]
        [--modes asr,subtitle]
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


ABLATIONS = {"text": ("text",), "face": ("face",), "voice": ("voice",), "face+voice": ("face", "voice")}


def _clip(path: Path, row: dict, subtitle: str | None, ablate: bool) -> dict:
    from emoreason import explain
    from emoreason.reasoning.fusion import fuse
    from emoreason.reasoning.protocol import ReasoningRequest
    from emoreason.reasoning.vocabulary import LabelSet
    from emoreason.records import Modality

    started = time.perf_counter()
    result = explain(path, subtitle=subtitle, language="en" if subtitle else None)
    request = ReasoningRequest(media=result.media, modalities=result.modalities,
                               transcript=result.transcript, face=result.face, voice=result.voice)
    fusion = fuse(request)
    item = {
        "name": row["name"], "gold": row["label"], "pred": fusion.decide(LabelSet.MER6),
        "labels": [e.label for e in result.emotions], "seconds": round(time.perf_counter() - started, 2),
        "valence": result.valence, "gold_valence": float(row["valence"]) if row["valence"] else None,
        "driver": result.decision.driver if result.decision else None,
        "transcript": result.transcript.text if result.transcript else "",
        "language": result.transcript.language if result.transcript else None,
        "timeline": len(result.timeline),
    }
    if ablate:
        for name, mods in ABLATIONS.items():
            keep = {Modality(m) for m in mods}
            item[f"pred_{name}"] = fuse(_subset(request, keep)).decide(LabelSet.MER6)
    gold_ov = _ov(row.get("ov_labels", ""))
    if gold_ov:
        item["ov_exact_recall"], item["ov_family_recall"] = _ov_scores(item["labels"], gold_ov)
    return item


def run(clips: Path, ablate: bool, modes: list[str]) -> dict:
    """Evaluate every clip in each mode; per-clip rows and a summary per mode."""
    rows = list(csv.DictReader((clips / "ground_truth.csv").open(encoding="utf-8")))
    report: dict = {}
    for mode in modes:
        out = []
        for row in rows:
            subtitle = row["subtitle_en"] if mode == "subtitle" else None
            item = _clip(clips / f"{row['name']}.mp4", row, subtitle, ablate)
            out.append(item)
            print(f"[{mode}] {item['name']}: gold={item['gold']:<8} pred={item['pred']:<8} "
                  f"valence={item['valence']} (gold {item['gold_valence']}) driver={item['driver']} "
                  f"{item['transcript'][:40]!r} ({item['seconds']} s)", file=sys.stderr)
        report[mode] = {"clips": out, "summary": _summary(out, ablate)}
    return report


def _summary(rows: list[dict], ablate: bool) -> dict:
    counts = Counter(r["gold"] for r in rows)
    majority, majority_n = counts.most_common(1)[0]
    n = len(rows)
    strong = [r for r in rows if r["gold_valence"] is not None and abs(r["gold_valence"]) >= 1]
    summary = {
        "n": n,
        "top1_6way": f"{sum(r['pred'] == r['gold'] for r in rows)}/{n}",
        "majority_class": majority,
        "majority_baseline": f"{majority_n}/{n}",
        "valence_sign_right_where_abs_ge_1": f"{sum((r['valence'] or 0) * r['gold_valence'] > 0 for r in strong)}"
                                             f"/{len(strong)}",
        "predicted_distribution": dict(Counter(r["pred"] for r in rows)),
        "drivers": dict(Counter(r["driver"] for r in rows)),
        "mean_seconds_per_clip": round(sum(r["seconds"] for r in rows) / n, 2),
    }
    if ablate:
        for name in ABLATIONS:
            summary[f"top1_{name}_only"] = f"{sum(r[f'pred_{name}'] == r['gold'] for r in rows)}/{n}"
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
    parser.add_argument("--ablate", action="store_true", help="also score each modality alone and face+voice")
    parser.add_argument("--modes", default="asr,subtitle", help="asr (no subtitles), subtitle, or both")
    args = parser.parse_args()
    if not (args.clips / "ground_truth.csv").is_file():
        print(f"no ground_truth.csv in {args.clips}: the shared clips are only present in the workplace",
              file=sys.stderr)
        return 2
    report = run(args.clips, args.ablate, [m for m in args.modes.split(",") if m])
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(json.dumps({mode: part["summary"] for mode, part in report.items()}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
