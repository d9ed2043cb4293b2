"""Evaluate a text head on the test splits, each number beside its majority baseline.

Targets (issue #12): MELD test 7-class weighted F1 ≥ 0.58 (published text-only single
utterance: EmoBERTa 0.6346); MER2023 test1 text-only WAF ≥ 0.45 (MacBERT 0.4632; Chinese
subtitles, the corpus's own language). Also CMU-MOSI binary weighted F1 / accuracy from the
valence output, and MER2023 valence Pearson r. Texts are encoded through the embedding cache
(``$EMOREASON_CACHE_DIR``), so a second run is fast.

Usage:
    python benchmarks/eval_text_head.py [--head PATH] [--data-root ../shared/data] [--languages zh,en] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGETS = {("meld", "test", "en", "weighted_f1_7"): 0.58, ("mer2023", "test1", "zh", "waf_6"): 0.45,
           ("mer2023", "test1", "zh", "waf_6_all"): 0.45}


def main() -> int:
    """Print the evaluation table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--head", type=Path, default=None, help="head .npz (default: the shipped one)")
    parser.add_argument("--data-root", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--languages", default="zh,en")
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = parser.parse_args()

    from emoreason.heads.head_file import HeadModel
    from emoreason.heads.text_emotion import TEXT_HEAD_FILE
    from emoreason.heads.text_scorer import TextScorer
    from emoreason.training.text_data import TEST_PARTS, featurise, load_parts, split_unreadable
    from emoreason.training.text_eval import evaluate, table_markdown

    if not args.data_root.is_dir():
        print(f"{args.data_root}: shared data not found; nothing to evaluate", file=sys.stderr)
        return 2
    head = HeadModel.load(args.head or TEXT_HEAD_FILE)
    langs = set(args.languages.split(","))
    rows, unread = split_unreadable([u for u in load_parts(args.data_root, TEST_PARTS, keep_unreadable=True)
                                     if u.language in langs])
    table = evaluate(TextScorer.from_head(head), featurise(rows, head.encoder), unread)
    if args.json:
        print(json.dumps([r.as_dict() for r in table], indent=2))
        return 0
    print(f"head: {args.head or TEXT_HEAD_FILE} (encoder {head.encoder})\n")
    print(table_markdown(table))
    print("\ntargets:")
    for key, target in TARGETS.items():
        hit = [r for r in table if (r.dataset, r.split, r.language, r.metric) == key]
        if hit:
            verdict = "met" if hit[0].value >= target else "NOT met"
            print(f"  {'/'.join(key)}: {hit[0].value:.4f} (target {target}, majority {hit[0].majority:.4f}) {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
