"""Training data of the dialogue heads: ECF 1.0 conversations with emotions, cause pairs and spans.

SemEval-2024 Task 3's ``Subtask_1_train.json`` holds all 1,374 ECF 1.0 conversations with
utterance emotions and Subtask-1 cause spans; ECF 1.0's ``train/dev/test.txt`` say which
conversation belongs to which split. The heads fit on *train*, choose hyper-parameters and
decision settings on *dev*; *test* (and the ECAC test file) are only for reporting.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoreason.conversations.ecem import ECF_DIR, ecf_split_ids
from emoreason.tasks.loaders.ecf import read_ecac_conversations
from emoreason.tasks.records import Conversation

ECAC_TRAIN = ECF_DIR / "semeval2024_ecac" / "Subtask_1_train.json"
SPLITS = ("train", "dev", "test")


@dataclass
class DialogueCorpus:
    """Conversations per split, plus the files they came from and their hashes."""

    splits: dict[str, list[Conversation]]
    files: dict[str, str] = field(default_factory=dict)  # relative path → sha256

    def texts(self) -> list[str]:
        """Every distinct non-empty utterance text, sorted (the embedding job)."""
        return sorted({u.text for convs in self.splits.values() for c in convs for u in c.utterances if u.text.strip()})


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_corpus(data_root: str | Path) -> DialogueCorpus:
    """ECF conversations (ECAC JSON with spans) split as ECF 1.0 splits them."""
    from emoreason.tasks.loaders import DataLoadError

    root = Path(data_root)
    source = root / ECAC_TRAIN
    if not source.is_file():
        raise DataLoadError(f"{source}: ECAC training file not found (data root {root})")
    conversations, _ = read_ecac_conversations(source)
    files = {str(ECAC_TRAIN): sha256(source)}
    splits: dict[str, list[Conversation]] = {}
    for split in SPLITS:
        txt = root / ECF_DIR / f"{split}.txt"
        files[str(ECF_DIR / f"{split}.txt")] = sha256(txt)
        ids = ecf_split_ids(txt)
        splits[split] = [c for c in conversations if c.id in ids]
    return DialogueCorpus(splits=splits, files=files)


def vector_table(texts: list[str], encoder_name: str) -> dict[str, np.ndarray]:
    """Text → unit vector through the on-disk embedding cache (each corpus is encoded once)."""
    from emoreason.heads.embedding_cache import cached_encode
    from emoreason.heads.encoders import get_encoder

    vectors = cached_encode(get_encoder(encoder_name), texts)
    return dict(zip(texts, vectors, strict=True))


def conversation_table(convs: Iterable[Conversation], encoder_name: str) -> tuple[dict[str, np.ndarray], int]:
    """:func:`vector_table` of every utterance text of `convs` (sorted, each once) and the vectors' width."""
    table = vector_table(sorted({u.text for c in convs for u in c.utterances}), encoder_name)
    return table, len(next(iter(table.values())))


def conversation_vectors(conv: Conversation, table: dict[str, np.ndarray], dim: int) -> np.ndarray:
    """(n, dim) vectors of a conversation's utterances (zeros for empty text)."""
    zero = np.zeros(dim, dtype=np.float32)
    return np.stack([table.get(u.text, zero) for u in conv.utterances]).astype(np.float32)
