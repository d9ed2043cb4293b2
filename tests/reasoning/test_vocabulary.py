"""The canonical vocabulary and its mapping tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from emoreason.reasoning.conflicts import RULES
from emoreason.reasoning.fusion import REFINEMENTS
from emoreason.reasoning.vocabulary import (
    LABEL_SET_LABELS,
    Family,
    LabelSet,
    canonical,
    head,
    map_label,
    vocabulary,
)


@pytest.mark.parametrize(
    ("word", "label"),
    [("Anger", "angry"), ("angrily", "angry"), ("anxiety", "anxious"), ("Worry", "worried"),
     ("happiness", "happy"), ("self-deprecation", "self-deprecating"), ("dissatisfaction", "dissatisfied"),
     ("surprise", "surprised"), ("don\u2019t care", "indifferent"), ("sarcasm", "sarcastic")],
)
def test_word_forms_normalise_to_canonical_labels(word: str, label: str) -> None:
    term = canonical(word)
    assert term is not None and term.label == label


def test_unknown_word_is_none() -> None:
    assert canonical("banana") is None
    assert map_label("banana", LabelSet.MER6) is None


@pytest.mark.parametrize("label_set", list(LabelSet))
def test_every_family_maps_into_every_closed_set(label_set: LabelSet) -> None:
    for family in Family:
        assert map_label(head(family).label, label_set) in LABEL_SET_LABELS[label_set]


def test_closed_sets_are_covered_by_the_vocabulary() -> None:
    for label_set in (LabelSet.MER6, LabelSet.MER9, LabelSet.EKMAN7, LabelSet.MELD7):
        reached = {map_label(t.label, label_set) for t in vocabulary()}
        assert reached == set(LABEL_SET_LABELS[label_set]), label_set


def test_mappings_match_the_field() -> None:
    assert map_label("anxious", LabelSet.MER6) == "worried"
    assert map_label("fearful", LabelSet.MER6) == "worried"
    assert map_label("fearful", LabelSet.MER9) == "fear"
    assert map_label("joyful", LabelSet.EKMAN7) == "happiness"
    assert map_label("joyful", LabelSet.MELD7) == "joy"
    assert map_label("sarcastic", LabelSet.MER6) == "angry"
    assert map_label("delighted", LabelSet.SENTIMENT3) == "positive"
    assert map_label("calm", LabelSet.SENTIMENT3) == "neutral"
    assert map_label("surprise", LabelSet.MER6) == "surprise"


def test_terms_have_affect_in_range_and_unique_labels() -> None:
    labels = [t.label for t in vocabulary()]
    assert len(labels) == len(set(labels))
    for t in vocabulary():
        assert -1 <= t.valence <= 1 and -1 <= t.arousal <= 1


def test_labels_fusion_emits_are_canonical() -> None:
    assert all(canonical(label) is not None for label in REFINEMENTS.values())
    assert len(RULES) >= 5


def test_wheel_vocabulary_coverage(shared_data: Path) -> None:
    """Most level-1/2 words of the five OV-MER emotion wheels are canonical forms."""
    pd = pytest.importorskip("pandas")
    words: set[str] = set()
    for i in range(1, 6):
        frame = pd.read_excel(shared_data / "benchmarks" / "emotion_wheel" / f"wheel{i}.xlsx")
        for col in ("level1", "level2"):
            words |= {str(x).strip().lower() for x in frame[col].dropna()}
    known = {w for w in words if canonical(w) is not None}
    assert len(known) / len(words) >= 0.6, sorted(words - known)


def test_ovmerd_frequent_labels_are_covered(shared_data: Path) -> None:
    """The 40 most frequent OV-MERD ground-truth labels are nearly all canonical forms."""
    import ast
    from collections import Counter

    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(shared_data / "benchmarks" / "ov_merd" / "ground_truth_openset.csv")
    counts: Counter[str] = Counter()
    for cell in frame["openset"]:
        counts.update(str(x).strip().lower() for x in ast.literal_eval(cell))
    top = [w for w, _ in counts.most_common(40)]
    missing = [w for w in top if canonical(w) is None]
    assert len(missing) <= 10, missing
