"""Words alone → emotions and valence: the shipped text head over a frozen sentence encoder.

:func:`text_emotions` takes a list of strings and returns one :class:`TextEmotion` per string,
in order. The canonical classes are :data:`CANONICAL_CLASSES` (values of
:class:`~emoreason.reasoning.vocabulary.Family`); :func:`to_label_set` folds their
probabilities onto a closed label set of the field (MELD7, MER6, EKMAN7).

Inputs the head cannot read never sink a batch: an empty or whitespace string comes back with
``status="empty"``, a string without any letter, digit or emoji with ``status="unreadable"``,
both without scores; an over-long string is cut to :data:`MAX_CHARS` characters and says so
in ``message``.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import Field

from emoreason.heads.head_file import HeadModel
from emoreason.heads.text_scorer import TextScorer
from emoreason.records.base import Record

if TYPE_CHECKING:  # the vocabulary's tables are read lazily: perception imports this module
    from emoreason.reasoning.vocabulary import LabelSet

#: The text head's classes, in output order.
CANONICAL_CLASSES: tuple[str, ...] = ("neutral", "happy", "sad", "angry", "worried", "surprise", "disgust")
#: Longer inputs are cut to this many characters (an utterance's emotion is in its first sentences).
MAX_CHARS = 2000
#: Where the shipped heads live.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"
TEXT_HEAD_FILE = WEIGHTS_DIR / "text-emotion.npz"

Status = Literal["ok", "empty", "unreadable"]


class LabelScore(Record):
    """One label and its probability."""

    label: str
    score: float = Field(ge=0.0, le=1.0)


class TextEmotion(Record):
    """What the text head reads in one utterance."""

    text: str = Field(description="The input as given.")
    label: str | None = Field(default=None, description="Top canonical label; None when nothing was read.")
    emotions: list[LabelScore] = Field(default_factory=list, description="Canonical labels, most likely first.")
    probabilities: dict[str, float] = Field(default_factory=dict, description="Probability of each canonical class.")
    valence: float | None = Field(default=None, ge=-1.0, le=1.0, description="Valence in [-1, 1].")
    status: Status = "ok"
    message: str = Field(default="", description="What could not be read, or what was changed (truncation).")


def _has_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" or 0x1F000 <= ord(char) <= 0x1FAFF


def prepare_text(text: object) -> tuple[str, Status, str]:
    """The string the encoder reads, its status and a note (see the module docstring)."""
    if text is None:
        return "", "empty", "no text"
    raw = str(text)
    clean = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n" else " " for ch in raw)
    if not clean.strip():
        return "", "empty", "empty or whitespace-only text"
    clean = " ".join(clean.replace("\ufffd", " ").split())
    if not clean:
        return "", "unreadable", "only undecodable characters (U+FFFD)"
    if not any(ch.isalnum() or _has_emoji(ch) for ch in clean):
        return "", "unreadable", "no letters, digits or emoji to read"
    notes = []
    if len(clean) > MAX_CHARS:
        notes.append(f"truncated from {len(clean)} to {MAX_CHARS} characters")
        clean = clean[:MAX_CHARS]
    if not any(ch.isalnum() for ch in clean):
        notes.append("no words: read from the emoji/symbols alone")
    return clean, "ok", "; ".join(notes)


def to_label_set(probabilities: dict[str, float], label_set: LabelSet) -> dict[str, float]:
    """Fold canonical-class probabilities onto `label_set` (e.g. disgust → angry in MER6).

    The result has every label of the set (zeros included), in the set's order.
    """
    from emoreason.reasoning.vocabulary import LABEL_MAPS, LABEL_SET_LABELS, Family

    if label_set not in LABEL_MAPS:
        known = ", ".join(s.value for s in LABEL_MAPS)
        raise ValueError(f"no family mapping for {label_set.value}; use one of {known}")
    out = dict.fromkeys(LABEL_SET_LABELS[label_set], 0.0)
    for name, p in probabilities.items():
        out[LABEL_MAPS[label_set][Family(name)]] += float(p)
    return out


def to_meld7(probabilities: dict[str, float]) -> dict[str, float]:
    """Probabilities over MELD's 7 labels (anger, disgust, fear, joy, neutral, sadness, surprise)."""
    from emoreason.reasoning.vocabulary import LabelSet

    return to_label_set(probabilities, LabelSet.MELD7)


def to_mer6(probabilities: dict[str, float]) -> dict[str, float]:
    """Probabilities over MER2023's 6 labels (disgust folds into angry)."""
    from emoreason.reasoning.vocabulary import LabelSet

    return to_label_set(probabilities, LabelSet.MER6)


class TextEmotionHead:
    """A text head file + its encoder; :meth:`predict` is batched and thread-safe."""

    def __init__(self, path: str | Path = TEXT_HEAD_FILE) -> None:
        """Load the head weights at `path` (the encoder loads on first prediction)."""
        from emoreason.heads.encoders import get_encoder

        self.path = Path(path)
        self.model = HeadModel.load(self.path)
        self.scorer = TextScorer.from_head(self.model)
        self.encoder = get_encoder(self.model.encoder)
        self._lock = threading.Lock()

    @property
    def classes(self) -> list[str]:
        """Output classes of the head."""
        return self.model.classes

    def scores(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Probabilities (n, classes) and valence (n,) of already prepared, non-empty texts."""
        unique = list(dict.fromkeys(texts))
        positions = {t: i for i, t in enumerate(unique)}
        with self._lock:
            vectors = self.encoder.encode(unique)
        probs = self.scorer.probabilities(unique, vectors)
        valence = self.scorer.predict_valence(vectors)
        index = [positions[t] for t in texts]
        return probs[index], (valence[index] if valence is not None else None)

    def predict(self, texts: Sequence[object]) -> list[TextEmotion]:
        """One :class:`TextEmotion` per input, in order; bad inputs carry a status, never raise."""
        prepared = [prepare_text(t) for t in texts]
        readable = [i for i, (_, status, _) in enumerate(prepared) if status == "ok"]
        probs, valence = self.scores([prepared[i][0] for i in readable]) if readable else (np.zeros((0, 0)), None)
        out = [TextEmotion(text=str(t) if t is not None else "", status=status, message=note)
               for t, (_, status, note) in zip(texts, prepared, strict=True)]
        for row, i in enumerate(readable):
            p = {c: float(v) for c, v in zip(self.classes, probs[row], strict=True)}
            ranked = sorted(p.items(), key=lambda kv: -kv[1])
            out[i].probabilities = p
            out[i].emotions = [LabelScore(label=c, score=round(min(max(s, 0.0), 1.0), 6)) for c, s in ranked]
            out[i].label = ranked[0][0]
            if valence is not None:
                out[i].valence = float(valence[row])
        return out


@lru_cache(maxsize=4)
def load_text_head(path: str | None = None) -> TextEmotionHead:
    """The text head at `path` (default: the shipped one), loaded once per process."""
    return TextEmotionHead(path or TEXT_HEAD_FILE)


def text_emotions(texts: Sequence[str], *, head: str | Path | None = None) -> list[TextEmotion]:
    """Emotions and valence read from each text alone (Chinese, English and ~100 more languages).

    Args:
        texts: Utterances; a bare string is treated as one utterance.
        head: A head ``.npz`` written by ``emoreason train text-emotion``; default the shipped one.

    Returns:
        One record per input, in order (``status`` says when nothing could be read).

    Raises:
        HeadFileError: the head file is missing or unreadable.
        DependencyError: the encoder's package is not installed.
    """
    if isinstance(texts, str):
        texts = [texts]
    return load_text_head(str(head) if head is not None else None).predict(list(texts))
