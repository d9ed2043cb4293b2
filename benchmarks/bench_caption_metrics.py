"""Runtime of emoreason's BLEU/METEOR/ROUGE-L/CIDEr against pycocoevalcap on the same pairs.

Builds N (default 10,000) real description pairs from ../shared/data: zero-shot model
descriptions of the OV-MERD clips against the EMER-v2 reference of the same clip, then
MERR fine-grained reasoning captions against other captions with the same pseudo
label. Both implementations score the same PTB-tokenised strings in the same run; the
script checks that every corpus and per-sample value is identical and prints the
runtimes and their ratio.

Usage: python benchmarks/bench_caption_metrics.py [--n 10000] [--data-root ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


def build_pairs(data_root: Path, n: int) -> tuple[list[str], list[str]]:
    """`n` (hypothesis, reference) description pairs from the shared benchmarks."""
    bench = data_root / "benchmarks"
    refs_table = pd.read_csv(bench / "emer" / "emer_v2_reasons.csv")
    reference = dict(zip(refs_table["name"], refs_table["english"], strict=True))
    hyps, refs = [], []
    for path in sorted((bench / "ovmerd_zeroshot").glob("*/*-eng.npz")):
        for name, text in np.load(path, allow_pickle=True)["name2reason"].item().items():
            hyps.append(str(text))
            refs.append(str(reference[name]))
    merr = json.loads((bench / "merr" / "MERR_fine_grained.cleaned.json").read_text(encoding="utf-8"))
    by_label: dict[str, list[str]] = defaultdict(list)
    for record in merr.values():
        by_label[record["pseu_emotion"]].append(record["smp_reason_caption"])
    for offset in (1, 2):
        for captions in by_label.values():
            for i, caption in enumerate(captions):
                hyps.append(caption)
                refs.append(captions[(i + offset) % len(captions)])
    if len(hyps) < n:
        raise SystemExit(f"only {len(hyps)} pairs available, asked for {n}")
    return hyps[:n], refs[:n]


def timed(func, *args):  # noqa: ANN001, ANN201 - tiny local helper
    start = time.perf_counter()
    value = func(*args)
    return value, time.perf_counter() - start


def run_both(refs: list[list[str]], hyps: list[str]) -> tuple[dict, dict, dict, dict]:
    """Time each metric for emoreason then pycocoevalcap, metric by metric (so that load
    from other processes hits both sides alike)."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge

    from emoreason.metrics.caption.bleu import bleu
    from emoreason.metrics.caption.cider import cider
    from emoreason.metrics.caption.meteor import meteor
    from emoreason.metrics.caption.rouge import rouge_l

    gts = {i: r for i, r in enumerate(refs)}
    res = {i: [h] for i, h in enumerate(hyps)}
    coco_calls = {
        "bleu": lambda: Bleu(4).compute_score(gts, res, verbose=0),
        "meteor": lambda: Meteor().compute_score(gts, res),  # includes JVM start, as ours does
        "rouge_l": lambda: Rouge().compute_score(gts, res),
        "cider": lambda: Cider().compute_score(gts, res),
    }
    ours_calls = {"bleu": bleu, "meteor": meteor, "rouge_l": rouge_l, "cider": cider}
    ours, coco, t_ours, t_coco = {}, {}, {}, {}
    for name in ours_calls:
        ours[name], t_ours[name] = timed(ours_calls[name], refs, hyps)
        coco[name], t_coco[name] = timed(coco_calls[name])
    return ours, coco, t_ours, t_coco


def check_identical(ours: dict[str, object], coco: dict[str, object]) -> list[str]:
    """Names of metrics whose corpus or per-sample values differ."""
    bad = []
    bleu_ours, (bleu_c, bleu_c_per) = ours["bleu"], coco["bleu"]
    for k in range(4):
        if bleu_ours[k].value != bleu_c[k] or bleu_ours[k].per_sample != list(bleu_c_per[k]):
            bad.append(f"bleu_{k + 1}")
    for name in ("meteor", "rouge_l", "cider"):
        value, per = coco[name]
        if ours[name].value != float(value) or ours[name].per_sample != [float(x) for x in per]:
            bad.append(name)
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--data-root", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    from emoreason.metrics.caption.tokenize import ptb_tokenize

    hyps_raw, refs_raw = build_pairs(args.data_root, args.n)
    tokens, tok_time = timed(ptb_tokenize, hyps_raw + refs_raw)
    hyps, refs = tokens[: args.n], [[r] for r in tokens[args.n :]]
    print(f"{args.n} pairs, mean hypothesis length {np.mean([len(h.split()) for h in hyps]):.1f} tokens; "
          f"PTB tokenisation (shared by both) {tok_time:.1f} s")
    ours, coco, t_ours, t_coco = run_both(refs, hyps)
    bad = check_identical(ours, coco)
    print(f"{'metric':<10}{'emoreason s':>14}{'pycocoevalcap s':>18}{'speed-up':>10}")
    for name in t_ours:
        print(f"{name:<10}{t_ours[name]:>14.2f}{t_coco[name]:>18.2f}{t_coco[name] / t_ours[name]:>9.1f}x")
    total_ours, total_coco = sum(t_ours.values()), sum(t_coco.values())
    print(f"{'total':<10}{total_ours:>14.2f}{total_coco:>18.2f}{total_coco / total_ours:>9.1f}x")
    print("values identical: " + ("yes (corpus and per-sample)" if not bad else f"NO: {', '.join(bad)}"))
    for k in range(4):
        print(f"  bleu_{k + 1} = {ours['bleu'][k].value!r}")
    for name in ("meteor", "rouge_l", "cider"):
        print(f"  {name} = {ours[name].value!r}")
    if bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
