"""Compare the fine-tuned emotion reader (``dialogue-lora``) with the frozen linear in-context head.

Prints, for ECF 1.0 dev/test and the SemEval-2024 ECAC test: emotion accuracy and weighted F1 of
the reader and of the frozen head, then the ECAC Subtask-2 weighted pair F1 of the conversation
pipeline with each (the shipped cause head, without the cause reader; each reader's decision settings
re-tuned on ECF dev).
Train the reader with ``emoreason train dialogue-lora --data-root ../shared/data -o DIR``.

Per set it also gives the share of utterances with a ``!``, and how often the reader (with its
stored neutral prior) and the gold labels say neutral. ``ecf_dev_no_exclaim`` is ECF 1.0 dev with
every ``!`` read as ``.``: how far a reader leans on exclamation marks (transcripts differ in how
often they write them). ``--pool-with FILE …`` averages the reader with others (``converse``'s
ReaderPool, each reader given its own input format); ``--linear-weights 0,0.2,0.35,0.5`` lets dev
also choose the linear head's pooled share.

Usage:
    python benchmarks/eval_dialogue_lora.py [--adapter DIR/dialogue_emotion_lora.npz] [--pool-with FILE …]
                                            [--linear-weights 0,...] [--data-root ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ECAC_TEST = Path("benchmarks/ecf/semeval2024_ecac/Subtask_2_test.json")


def _frozen(heads: object, convs: list, table: dict) -> np.ndarray:
    from emoreason.conversations.model import emotion_probabilities
    from emoreason.training.dialogue_fit import conversation_vectors

    dim = len(next(iter(table.values())))
    return np.concatenate([emotion_probabilities(heads, conversation_vectors(c, table, dim),  # type: ignore[arg-type]
                                                 [u.speaker for u in c.utterances]) for c in convs])


def _reader_probabilities(reader: object, convs: list) -> np.ndarray:
    """(n, 7) probabilities of a reader (or the mean of a pool's) over every utterance of `convs`, each reader
    given its own input format, in one batched call per reader."""
    from emoreason.conversations.model import ReaderPool
    from emoreason.training.dialogue_lora import examples

    readers = reader.readers if isinstance(reader, ReaderPool) else [reader]
    probs = []
    for one in readers:
        pairs, _gold = examples(convs, one.config.metadata.get("input_format", "prev"), skip_empty=False)
        probs.append(one.probabilities([p[1] for p in pairs], [p[0] for p in pairs]))
    return np.mean(probs, axis=0)


def _subtask2(heads: object, dev: list, test: list, table: dict,
              shares: tuple[float, ...] = (0.0,)) -> dict[str, float]:
    from emoreason.training.dialogue_fit import tuned_pair_f1

    dim = len(next(iter(table.values())))
    decision, dev_f1, test_f1 = tuned_pair_f1(heads, dev, test, table, dim, shares)  # type: ignore[arg-type]
    return {"dev_pair_f1": round(dev_f1, 4), "ecac_test_pair_f1": round(test_f1, 4),
            "neutral_scale": decision.neutral_scale, "cause_threshold": decision.cause_threshold,
            "linear_weight": decision.linear_weight}


def main() -> int:
    """Evaluate and print one JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path, default=None, help="reader file (default: the shipped one)")
    parser.add_argument("--pool-with", type=Path, nargs="*", default=[], help="reader files to average with")
    parser.add_argument("--linear-weights", default="0", help="shares of the linear head dev may choose from")
    parser.add_argument("--data-root", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    from emoreason.conversations.model import LORA_FILE, WEIGHTS_DIR, DialogueHeads, ReaderPool, adjust_prior
    from emoreason.heads.e5_lora import LoraClassifier
    from emoreason.tasks.loaders.ecf import read_ecac_conversations
    from emoreason.training.dialogue_data import conversation_table, load_corpus
    from emoreason.training.dialogue_fit import emotion_label, quiet_copy
    from emoreason.training.dialogue_lora import emotion_scores, linear_shares, memo_readers

    shares = linear_shares(args.linear_weights)  # a bad value fails before any work
    if not args.data_root.is_dir():
        print(f"{args.data_root}: shared data not found; nothing to evaluate", file=sys.stderr)
        return 2
    reader = LoraClassifier.load(args.adapter or WEIGHTS_DIR / LORA_FILE)
    if args.pool_with:
        reader = ReaderPool([reader, *(LoraClassifier.load(p) for p in args.pool_with)])
    fmt = reader.config.metadata.get("input_format", "prev")
    corpus = load_corpus(args.data_root)
    sets = {"ecf_dev": corpus.splits["dev"], "ecf_test": corpus.splits["test"],
            "ecac_test": read_ecac_conversations(args.data_root / ECAC_TEST)[0]}
    sets["ecf_dev_no_exclaim"] = quiet_copy(sets["ecf_dev"])
    frozen = DialogueHeads.load().without_cause_reader()
    frozen.emotion_lora = None
    table, _dim = conversation_table((c for cs in sets.values() for c in cs), frozen.encoder)
    memo = memo_readers(reader)
    record = {"adapter": str(args.adapter or WEIGHTS_DIR / LORA_FILE), "pool_with": [str(p) for p in args.pool_with],
              "format": fmt}
    for name, convs in sets.items():
        gold = np.array([emotion_label(u.emotion) for c in convs for u in c.utterances])
        started = time.perf_counter()
        probs = _reader_probabilities(memo, convs)
        seconds = time.perf_counter() - started
        scale = reader.config.metadata.get("decision", {}).get("neutral_scale", 1.0)
        record[name] = {"reader": emotion_scores(gold, probs), "frozen": emotion_scores(gold, _frozen(frozen, convs,
                                                                                                     table)),
                        "n": len(gold), "reader_utterances_per_s": round(len(gold) / seconds),
                        "share_with_exclamation": round(float(np.mean(["!" in u.text for c in convs
                                                                       for u in c.utterances])), 3),
                        "reader_neutral_rate": round(float(np.mean(adjust_prior(probs, scale).argmax(1) == 0)), 3),
                        "gold_neutral_rate": round(float(np.mean(gold == 0)), 3)}
    record["subtask2_frozen"] = _subtask2(frozen, sets["ecf_dev"], sets["ecac_test"], table)
    with_reader = DialogueHeads.load().without_cause_reader()
    with_reader.emotion_lora = memo
    record["subtask2_reader"] = _subtask2(with_reader, sets["ecf_dev"], sets["ecac_test"], table, shares)
    record["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    from emoreason.errors import EmoreasonError

    try:
        sys.exit(main())
    except (EmoreasonError, ValueError) as exc:  # a bad file or setting: one line, exit 2
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
