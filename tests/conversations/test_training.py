"""The ``dialogue`` recipe: features, span candidates, a seeded fit that reproduces itself, and the ECEM split."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emoreason.conversations import features as feats
from emoreason.conversations.model import FILES, DialogueHeads, adjust_prior
from emoreason.tasks.records import CausePairRecord, Conversation, Utterance
from emoreason.training.dialogue_data import DialogueCorpus
from tests.conversations.factory import DIM, hashed_vectors


def test_context_rows_use_only_earlier_turns() -> None:
    vectors = np.eye(4, DIM, dtype=np.float32)
    rows = feats.context_rows(vectors, ["A", "B", "A", "B"])
    assert rows.shape == (4, feats.context_dim(DIM))
    assert np.array_equal(rows[2, :DIM], vectors[2]) and np.array_equal(rows[2, DIM:2 * DIM], vectors[1])
    assert not rows[0, DIM:2 * DIM].any() and rows[0, 2 * DIM] == 1.0 and rows[2, 2 * DIM + 2] == 1.0
    changed = vectors.copy()
    changed[3] += 1.0
    assert np.array_equal(feats.context_rows(changed, ["A", "B", "A", "B"])[:3], rows[:3])  # no peeking ahead


def test_pair_rows_and_candidates() -> None:
    assert feats.candidates(0, 5) == [0, 1, 2] and feats.candidates(10, 12) == list(range(2, 12))
    rows = feats.pair_rows(np.eye(5, DIM, dtype=np.float32), ["A", "B", "A", "B", "A"], 4, [0, 4], "joy")
    base = 3 * DIM
    assert rows[1, base + feats.DISTANCE_BUCKETS.index(0)] == 1 and rows[0, base + feats.DISTANCE_BUCKETS.index(4)] == 1
    assert rows[0, base + len(feats.DISTANCE_BUCKETS)] == 1.0  # same speaker
    assert rows[0, base + len(feats.DISTANCE_BUCKETS) + 1 + feats.NON_NEUTRAL.index("joy")] == 1.0


def test_span_candidates_are_clause_runs_without_punctuation() -> None:
    text = "Oh , yeah . Had that dream ."
    spans = {(c.start, c.end) for c in feats.span_candidates(text)}
    tokens = text.split()
    assert (4, 7) in spans and (0, 7) in spans and (0, 1) in spans
    assert all(not feats.is_punct(tokens[a]) and not feats.is_punct(tokens[b - 1]) for a, b in spans)
    assert feats.span_candidates("") == [] and feats.span_candidates("...")[0].n_tokens == 1


def test_adjust_prior() -> None:
    p = adjust_prior(np.array([[0.6, 0.4, 0, 0, 0, 0, 0]]), 0.5)
    assert p.sum() == pytest.approx(1.0) and p[0, 1] > p[0, 0]


def _conversation(k: int, rng: np.random.Generator) -> Conversation:
    emotions = ["neutral", "joy", "anger", "surprise", "sadness"]
    utts = [Utterance(index=i, speaker="AB"[i % 2], text=f"turn {i} of talk {k} , really {rng.integers(0, 50)} ?",
                      emotion=emotions[int(rng.integers(0, 5))]) for i in range(1, 7)]
    pairs = [CausePairRecord(emotion_utterance=u.index, cause_utterance=max(1, u.index - int(rng.integers(0, 2))),
                             emotion=u.emotion or "neutral", start=0, end=3) for u in utts if u.emotion != "neutral"]
    return Conversation(id=str(k), utterances=utts, pairs=pairs)


def test_fit_is_seeded_and_reproducible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from emoreason.training import dialogue_fit as fit
    from emoreason.training.dialogue_recipe import evaluate_split, fit_heads

    monkeypatch.setattr("emoreason.training.dialogue_recipe.vector_table",
                        lambda texts, name: dict(zip(texts, hashed_vectors(texts), strict=True)))
    monkeypatch.setattr("emoreason.training.dialogue_recipe.EMOTION_GRID", ({"hidden": 0, "epochs": 3},))
    monkeypatch.setattr("emoreason.training.dialogue_recipe.PAIR_GRID", ({"hidden": 0, "epochs": 3},))
    monkeypatch.setattr("emoreason.training.dialogue_recipe.SPAN_GRID", ({"hidden": 0, "epochs": 3},))
    rng = np.random.default_rng(0)
    corpus = DialogueCorpus(splits={s: [_conversation(k + 100 * n, rng) for k in range(12)]
                                    for n, s in enumerate(("train", "dev", "test"))})
    params = {"encoder": "hash-test", "lr": 2e-3, "batch_size": 64, "fit_on": "train"}
    first, info = fit_heads(corpus, params, seed=0)
    assert 0.0 < first.decision.cause_threshold < 1.0
    again = fit.fit_softmax(fit.emotion_examples(corpus.splits["train"], info["table"], DIM, context=True),
                            fit.emotion_examples(corpus.splits["dev"], info["table"], DIM, context=True),
                            classes=first.emotion.classes, encoder="hash-test", seed=0,
                            grid=({**params, "hidden": 0, "epochs": 3},), score=fit.weighted_f1_score, metadata={})
    assert np.array_equal(first.emotion.classifier.weights[0], again.head.classifier.weights[0])
    metrics = evaluate_split(first, corpus.splits["test"], info["table"], info["dim"])
    assert {"emotion_accuracy_context", "emotion_weighted_f1_no_context", "pair_weighted_f1"} <= set(metrics)
    for key, head in (("emotion", first.emotion), ("emotion_plain", first.emotion_plain), ("cause", first.cause),
                      ("span", first.span)):
        head.save(tmp_path / FILES[key])
    loaded = DialogueHeads.load(tmp_path)
    assert loaded.decision == first.decision and loaded.encoder == "hash-test"


def test_committed_ecem_split_matches_the_data(shared_data: Path) -> None:
    from emoreason.conversations.ecem import SPLIT_FILE, build_split

    committed = json.loads(SPLIT_FILE.read_text(encoding="utf-8"))
    rebuilt = build_split(shared_data)
    assert {k: sorted(v) for k, v in rebuilt.items()} == {k: sorted(committed[k]) for k in rebuilt}
    assert not set(committed["test"]) & set(committed["train"])
