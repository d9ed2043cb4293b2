"""The text head's data: which corpus splits train, select and test it, as feature arrays.

========== ============================================ =====================================
role       splits                                        used for
========== ============================================ =====================================
train      MER2023-train (minus the dev fold), MELD-train emotion classifier (zh + en text)
           MER2023-train (minus dev), CMU-MOSI-train     valence regressor (zh + en text)
dev        MER2023-train dev fold (~10 %, by name hash), selection, temperature, ridge alpha
           MELD-val, CMU-MOSI-val
test       MELD-test, MER2023-test1/test2, CMU-MOSI-test the evaluation table only
========== ============================================ =====================================

Test splits are never seen by fitting or selection. Held-out video clips are dropped by
:func:`~emoreason.training.corpora.load_split`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from emoreason.heads.text_emotion import CANONICAL_CLASSES
from emoreason.training.corpora import Utterance, dev_fold, load_split

#: (corpus, split) pairs of each role; "mer2023/train-dev" is the dev fold of MER2023-train.
TRAIN_PARTS = (("mer2023", "train"), ("meld", "train"), ("cmumosi", "train"))
DEV_PARTS = (("mer2023", "train-dev"), ("meld", "val"), ("cmumosi", "val"))
TEST_PARTS = (("meld", "test"), ("mer2023", "test1"), ("mer2023", "test2"), ("cmumosi", "test"))


@dataclass
class TextSet:
    """Utterances of one role with their encoder features."""

    utterances: list[Utterance]
    features: np.ndarray

    def where(self, *, corpus: str | None = None, split: str | None = None, language: str | None = None,
              labelled: bool = False, valenced: bool = False) -> TextSet:
        """The rows matching every given filter."""
        keep = [i for i, u in enumerate(self.utterances)
                if (corpus is None or u.corpus == corpus) and (split is None or u.split == split)
                and (language is None or u.language == language) and (not labelled or u.label is not None)
                and (not valenced or u.valence is not None)]
        return TextSet([self.utterances[i] for i in keep], self.features[keep])

    @property
    def texts(self) -> list[str]:
        """The utterances' texts."""
        return [u.text for u in self.utterances]

    @property
    def labels(self) -> np.ndarray:
        """Canonical class indices (rows must be labelled)."""
        return np.array([CANONICAL_CLASSES.index(u.label) for u in self.utterances], dtype=np.int64)

    @property
    def valences(self) -> np.ndarray:
        """Valence targets in [-1, 1] (rows must carry valence)."""
        return np.array([u.valence for u in self.utterances], dtype=np.float64)

    def __len__(self) -> int:
        """Number of rows."""
        return len(self.utterances)


def load_parts(data_root: Path, parts: tuple[tuple[str, str], ...], limit: int | None = None, *,
               keep_unreadable: bool = False) -> list[Utterance]:
    """Utterances of `parts`; MER2023 "train" excludes, "train-dev" is, the dev fold. `limit`: per part.

    `keep_unreadable` keeps utterances without text (``text=""``), for scoring whole test splits.
    """
    out: list[Utterance] = []
    for corpus, split in parts:
        if corpus == "mer2023" and split.startswith("train"):
            want_dev = split == "train-dev"
            rows = [u for u in load_split(data_root, corpus, "train") if dev_fold(u.name) == want_dev]
            rows = [Utterance(u.corpus, split, u.name, u.language, u.text, u.label, u.valence) for u in rows]
        else:
            rows = load_split(data_root, corpus, split, keep_unreadable=keep_unreadable)
        out.extend(rows[:limit] if limit else rows)
    return out


def split_unreadable(utterances: list[Utterance]) -> tuple[list[Utterance], list[Utterance]]:
    """(utterances with text, utterances without)."""
    return [u for u in utterances if u.text], [u for u in utterances if not u.text]


def featurise(utterances: list[Utterance], encoder_name: str) -> TextSet:
    """Encode the utterances' texts with `encoder_name` through the on-disk embedding cache."""
    from emoreason.heads.embedding_cache import cached_encode
    from emoreason.heads.encoders import get_encoder

    encoder = get_encoder(encoder_name)
    features = cached_encode(encoder, [u.text for u in utterances]) if utterances else np.zeros((0, encoder.dim))
    return TextSet(utterances, np.asarray(features, dtype=np.float32))
