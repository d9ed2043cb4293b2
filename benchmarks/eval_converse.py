"""Evaluate `emoreason converse` (offline default: shipped heads, template writer) and print the numbers.

1. SemEval-2024 Task 3 (ECAC) test: predictions written by `converse --format semeval`, scored by the
   existing `ecac-subtask2` (weighted pair F1) and `ecac-subtask1` (weighted strict / proportional F1),
   each with its 95 % bootstrap interval over the conversations (``--bootstrap 1000``, as ``emoreason eval``).
2. ECF 1.0 test: the same, scored by `ecf1-pairs`.
3. Utterance emotion accuracy / weighted F1 in context vs the same head without context (both test sets).
4. ECEM explanation generation on the committed split by dialogue (gold emotion given, causes predicted):
   BLEU-4, METEOR, ROUGE-L, CIDEr, BERTScore (local MiniLM: not comparable to published BERTScore).

Usage:
    python benchmarks/eval_converse.py [--data-root ../shared/data] [--out DIR] [--writer template|llama-cpp]
                                       [--ecem-limit N] [--skip-ecem] [--bootstrap N]
The first run embeds the corpora once into the on-disk embedding cache; later runs reuse it.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

ANCHORS = {"ecac-subtask2/weighted_pair_f1": "1st 0.3774, 3rd 0.3435 (SemEval-2024 Task 3 Subtask 2)",
           "ecac-subtask1/weighted_proportional_f1": "2nd 0.264 (Subtask 1)"}
TARGET = ("ecac-subtask2/weighted_pair_f1", 0.30)


def _score(task: str, predictions: Path, data_root: Path, bootstrap: int) -> dict[str, float]:
    """The task's metrics; with `bootstrap` > 0 also each one's 95 % interval over that many draws of the
    conversations (``<metric>/ci_low``, ``<metric>/ci_high``)."""
    from emoreason.tasks.api import bootstrap_task, run_task

    result = run_task(task, predictions, data_root=data_root)
    numbers = {f"{task}/{m.name}": m.value for m in result.metrics}
    if bootstrap:
        report = bootstrap_task(task, [predictions], [result], data_root=data_root, resamples=bootstrap)
        for iv in report.intervals[0]:
            numbers |= {f"{task}/{iv.metric}/ci_low": iv.low, f"{task}/{iv.metric}/ci_high": iv.high}
    return numbers


def pairs_section(data_root: Path, out: Path, heads: object, bootstrap: int = 0) -> dict[str, float]:
    from emoreason.conversations.evaluation import predict_file

    ecf = data_root / "benchmarks/ecf"
    numbers: dict[str, float] = {}
    jobs = [("ecac", ecf / "semeval2024_ecac/Subtask_2_test.json", ("ecac-subtask2", "ecac-subtask1")),
            ("ecf1", ecf / "test.txt", ("ecf1-pairs",))]
    for name, source, tasks in jobs:
        t0 = time.perf_counter()
        pred = predict_file(source, out / f"converse-{name}-test.json", heads=heads)  # type: ignore[arg-type]
        print(f"  emoreason converse {source} --format semeval -o {pred}   ({time.perf_counter() - t0:.1f} s)")
        for task in tasks:
            draws = f" --bootstrap {bootstrap}" if bootstrap else ""
            print(f"  emoreason eval {task} --predictions {pred} --data-root {data_root}{draws}")
            numbers.update(_score(task, pred, data_root, bootstrap))
    return numbers


def emotion_section(data_root: Path, heads: object) -> dict[str, float]:
    from emoreason.conversations.evaluation import emotion_scores
    from emoreason.tasks.loaders.ecf import load_ecf_txt, read_ecac_conversations

    ecf = data_root / "benchmarks/ecf"
    ecac, _ = read_ecac_conversations(ecf / "semeval2024_ecac/Subtask_2_test.json")
    out = {}
    for name, convs in (("ecac-test", ecac), ("ecf1-test", load_ecf_txt(ecf / "test.txt").conversations)):
        out.update({f"emotion/{name}/{k}": v for k, v in emotion_scores(convs, heads).items()})  # type: ignore[arg-type]
    return out


def ecem_section(data_root: Path, heads: object, writer: str, limit: int | None, out: Path) -> dict[str, float]:
    from emoreason.conversations.evaluation import caption_scores, ecem_hypotheses
    from emoreason.conversations.writers import make_writer

    t0 = time.perf_counter()
    ids, refs, hyps = ecem_hypotheses(data_root, heads, make_writer(writer), limit=limit)  # type: ignore[arg-type]
    (out / f"ecem-test-{writer}.jsonl").write_text(
        "".join(json.dumps({"id": i, "reference": r, "explanation": h}) + "\n" for i, r, h in zip(ids, refs, hyps,
                                                                                                   strict=True)),
        encoding="utf-8")
    scores = caption_scores(refs, hyps)
    print(f"  ECEM test split: {len(ids)} records, writer {writer} ({time.perf_counter() - t0:.1f} s); "
          f"explanations in {out / f'ecem-test-{writer}.jsonl'}")
    return {f"ecem-test/{writer}/{k}": v for k, v in scores.items()} | {f"ecem-test/{writer}/n": float(len(ids))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=Path(os.environ.get("EMOREASON_DATA_ROOT", "../shared/data")))
    parser.add_argument("--out", type=Path, default=Path("out/converse"),
                        help="Folder for predictions (they hold dialogue text: keep them out of the repo).")
    parser.add_argument("--writer", default="template")
    parser.add_argument("--ecem-limit", type=int, default=None)
    parser.add_argument("--skip-ecem", action="store_true")
    parser.add_argument("--heads", type=Path, default=None, help="Weights folder (default: the shipped heads).")
    parser.add_argument("--bootstrap", type=int, default=1000,
                        help="Draws of the conversations for 95%% intervals of the pair metrics (0: none).")
    args = parser.parse_args()
    from emoreason.conversations.model import DialogueHeads, default_heads

    args.out.mkdir(parents=True, exist_ok=True)
    heads = DialogueHeads.load(args.heads) if args.heads else default_heads()
    print(f"heads: {heads.model_ids()}")
    numbers = pairs_section(args.data_root, args.out, heads, args.bootstrap)
    numbers.update(emotion_section(args.data_root, heads))
    if not args.skip_ecem:
        numbers.update(ecem_section(args.data_root, heads, args.writer, args.ecem_limit, args.out))
    print("\n| metric | value | published anchor |\n|---|---|---|")
    for key, value in numbers.items():
        print(f"| {key} | {value:.4f} | {ANCHORS.get(key, '')} |")
    key, target = TARGET
    print(f"\ntarget {key} >= {target}: {'met' if numbers.get(key, 0.0) >= target else 'NOT met'} "
          f"({numbers.get(key, 0.0):.4f})")
    (args.out / "eval_converse.json").write_text(json.dumps(numbers, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
