"""Where Subtask-2 pair F1 is lost: the shipped dialogue pipeline with gold emotions and/or gold causes.

For ECF 1.0 dev and the SemEval-2024 ECAC test file, prints the weighted pair F1 (spans ignored) of
four runs: predicted emotions and causes (what ``converse`` does), predicted emotions with the gold
causes of each emotion utterance (the cause head's when gold has none), gold emotions with predicted
causes, and both gold. The gap between rows says which part to improve.

Usage:
    python benchmarks/oracle_converse.py [--data-root ../shared/data] [--heads DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
ECAC_TEST = Path("benchmarks/ecf/semeval2024_ecac/Subtask_2_test.json")


def _pairs(heads: object, conv: object, table: dict, dim: int, gold_emotions: bool, gold_causes: bool) -> list:
    from emoreason.conversations.model import adjust_prior, emotion_probabilities, predict_causes
    from emoreason.conversations.records import MELD_EMOTIONS
    from emoreason.metrics.ecpe import CausePair
    from emoreason.training.dialogue_data import conversation_vectors

    utts = conv.utterances  # type: ignore[attr-defined]
    vectors = conversation_vectors(conv, table, dim)  # type: ignore[arg-type]
    speakers, texts = [u.speaker for u in utts], [u.text for u in utts]
    probs = adjust_prior(emotion_probabilities(heads, vectors, speakers, texts=texts),  # type: ignore[arg-type]
                         heads.decision.neutral_scale)  # type: ignore[attr-defined]
    causes: dict[int, list[int]] = {}
    for p in conv.pairs:  # type: ignore[attr-defined]
        causes.setdefault(p.emotion_utterance, []).append(p.cause_utterance)
    out = []
    for i, u in enumerate(utts):
        emotion = (u.emotion or "neutral") if gold_emotions else MELD_EMOTIONS[int(np.argmax(probs[i]))]
        if emotion == "neutral" or not texts[i].strip():
            continue
        cause_ids = causes.get(u.index, []) if gold_causes else []
        if not cause_ids:
            cause_ids = [utts[j].index for j, _ in predict_causes(heads, vectors, speakers, texts, i, emotion)]  # type: ignore[arg-type]
        out += [CausePair(conv.id, u.index, j, emotion, 0, 0) for j in cause_ids]  # type: ignore[attr-defined]
    return out


def main() -> int:
    """Print one JSON record: split → run → weighted pair F1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--heads", type=Path, default=None, help="weights folder (default: the shipped heads)")
    args = parser.parse_args()
    if not args.data_root.is_dir():
        print(f"{args.data_root}: shared data not found; nothing to evaluate", file=sys.stderr)
        return 2
    from emoreason.conversations.model import DialogueHeads
    from emoreason.metrics.ecpe import CausePair, weighted_pair_f1
    from emoreason.tasks.loaders.ecf import read_ecac_conversations
    from emoreason.training.dialogue_data import conversation_table, load_corpus

    heads = DialogueHeads.load(args.heads)
    sets = {"ecf_dev": load_corpus(args.data_root).splits["dev"],
            "ecac_test": read_ecac_conversations(args.data_root / ECAC_TEST)[0]}
    record: dict[str, object] = {"heads": heads.model_ids()["heads"]}
    for name, convs in sets.items():
        table, dim = conversation_table(convs, heads.encoder)
        gold = [CausePair(c.id, p.emotion_utterance, p.cause_utterance, p.emotion, 0, 0)
                for c in convs for p in c.pairs]
        runs = {}
        for emo in (False, True):
            for cause in (False, True):
                pred = [p for c in convs for p in _pairs(heads, c, table, dim, emo, cause)]
                key = f"emotions_{'gold' if emo else 'predicted'}__causes_{'gold' if cause else 'predicted'}"
                runs[key] = round(weighted_pair_f1(gold, pred).value, 4)
        record[name] = runs
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    from emoreason.errors import EmoreasonError

    try:
        sys.exit(main())
    except (EmoreasonError, ValueError) as exc:  # a bad file or setting: one line, exit 2
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
