"""Corpus loaders on the real shared data: label orders, held-out clips, scales, the dev fold."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from emoreason.training import corpora
from emoreason.training.text_eval import TRAIN_MAJORITY

pytestmark = pytest.mark.shared_data


def test_meld_int_order_matches_the_published_class_counts(shared_data: Path) -> None:
    published = {  # MELD paper, Table 3 (train / dev / test)
        "train": {"anger": 1109, "disgust": 271, "fear": 268, "joy": 1743, "neutral": 4710, "sadness": 683,
                  "surprise": 1205},
        "val": {"anger": 153, "disgust": 22, "fear": 40, "joy": 163, "neutral": 470, "sadness": 111, "surprise": 150},
        "test": {"anger": 345, "disgust": 68, "fear": 50, "joy": 402, "neutral": 1256, "sadness": 208,
                 "surprise": 281},
    }
    labels, _ = corpora.corpus_files(shared_data, "meld")
    for split, expected in published.items():
        raw = corpora._read_labels(labels, split)
        counts = Counter(corpora.MELD_INT_ORDER[int(v["emo"])] for v in raw.values())
        assert counts == expected, split


def test_meld_utterances_carry_canonical_labels_in_both_languages(shared_data: Path) -> None:
    rows = corpora.load_split(shared_data, "meld", "val")
    assert {u.language for u in rows} == {"zh", "en"}
    assert Counter(u.label for u in rows if u.language == "en")["worried"] == 40  # fear → worried
    assert all(u.valence is None for u in rows)


def test_held_out_clips_never_appear(shared_data: Path) -> None:
    labels, _ = corpora.corpus_files(shared_data, "mer2023")
    raw_train = corpora._read_labels(labels, "train")
    assert corpora.HELD_OUT_CLIPS & set(raw_train), "several held-out clips sit in MER2023-train"
    for split in ("train", "test1", "test2", "test3"):
        names = {u.name for u in corpora.load_split(shared_data, "mer2023", split, languages=("en",))}
        assert not names & corpora.HELD_OUT_CLIPS


def test_valence_scales_and_missing_values(shared_data: Path) -> None:
    train = corpora.load_split(shared_data, "mer2023", "train", languages=("zh",))
    assert all(-1.0 <= u.valence <= 1.0 for u in train) and min(u.valence for u in train) == -1.0
    assert all(u.valence is None for u in corpora.load_split(shared_data, "mer2023", "test3", languages=("zh",)))
    mosi = corpora.load_split(shared_data, "cmumosi", "train", languages=("en",))
    assert all(u.label is None and -1.0 <= u.valence <= 1.0 for u in mosi)
    signs = Counter("positive" if u.valence > 0 else "negative" for u in mosi if u.valence != 0)
    assert signs.most_common(1)[0][0] == TRAIN_MAJORITY["cmumosi"]


def test_dev_fold_is_deterministic_and_about_a_tenth(shared_data: Path) -> None:
    names = [u.name for u in corpora.load_split(shared_data, "mer2023", "train", languages=("en",))]
    picked = [n for n in names if corpora.dev_fold(n)]
    assert picked == [n for n in names if corpora.dev_fold(n)]
    assert 0.07 < len(picked) / len(names) < 0.13


def test_bad_roots_and_splits_raise(tmp_path: Path, shared_data: Path) -> None:
    with pytest.raises(corpora.CorpusError, match="merbench_labels"):
        corpora.labels_dir(tmp_path)
    with pytest.raises(corpora.CorpusError, match="no split 'dev'"):
        corpora.load_split(shared_data, "meld", "dev")
