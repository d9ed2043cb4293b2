"""Annotated text corpora of the field, read from ``../shared/data`` into one typed form.

Every corpus is mapped onto the canonical classes of the text head
(:data:`emoreason.heads.text_emotion.CANONICAL_CLASSES`); the tables are
:data:`MER2023_LABELS`, :data:`MELD_LABELS` and are copied into each model card.

Files (MERBench's processed labels, under ``<data root>/benchmarks/merbench_labels/``):

* ``mer2023-dataset-process/label-6way.npz`` — ``train_corpus``/``test1_corpus``/``test2_corpus``/
  ``test3_corpus``: name → {emo: MER6 word, val: valence −5..5, −10 = unknown};
* ``meld-process/label.npz`` — ``train``/``val``/``test_corpus``: name → {emo: int, val: −10};
* ``cmumosi-process/label.npz`` — ``train``/``val``/``test_corpus``: name → {emo: 0, val: sentiment −3..3};
* ``*/transcription-engchi-polish.csv`` — ``name,chinese,english`` (both translations).

MELD's integer order is **not** MELD's csv order; it was verified against the data (see
:data:`MELD_INT_ORDER`). The label files are pickled dicts: they are read with
``allow_pickle=True``, which is only safe for the trusted research data folder; nothing the
package ships is pickled. Clips kept for video evaluation (:data:`HELD_OUT_CLIPS`) are
always dropped.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from emoreason.errors import EmoreasonError

#: Never train or tune on these clips: they are kept for video evaluation (issue #12).
HELD_OUT_CLIPS: frozenset[str] = frozenset({
    "sample_00000000", "sample_00000167", "sample_00000338", "sample_00000669", "sample_00000694",
    "sample_00000727", "sample_00001073", "sample_00002422", "sample_00003358", "sample_00003462",
    "sample_00004136", "sample_00004671", "sample_00004735", "sample_00005854", "samplenew_00004251",
    "samplenew_00051251", "samplenew_00061200",
})

#: MELD's integer labels in ``meld-process/label.npz``. Verified two ways: the class counts of
#: every split equal the MELD paper's table (train anger 1109, joy 1743, sadness 683, neutral
#: 4710, disgust 271, fear 268, surprise 1205; dev 153/163/111/470/22/40/150; test
#: 345/402/208/1256/68/50/281), and a random sample of each class's English utterances reads
#: as that emotion (0: "NOOOO!!!!!!!!", 1: "You are so sweet.", 2: "Well that was depressing").
MELD_INT_ORDER: tuple[str, ...] = ("anger", "joy", "sadness", "neutral", "disgust", "fear", "surprise")

#: Corpus label → canonical class.
MELD_LABELS: dict[str, str] = {
    "neutral": "neutral", "joy": "happy", "sadness": "sad", "anger": "angry", "fear": "worried",
    "surprise": "surprise", "disgust": "disgust",
}
MER2023_LABELS: dict[str, str] = {
    "neutral": "neutral", "happy": "happy", "sad": "sad", "angry": "angry", "worried": "worried",
    "surprise": "surprise",
}
#: Valence scales mapped linearly onto [-1, 1].
VALENCE_SCALE: dict[str, float] = {"mer2023": 5.0, "cmumosi": 3.0}
MISSING_VALENCE = -10.0
LANGUAGES = {"zh": "chinese", "en": "english"}

CORPUS_FOLDERS = {
    "mer2023": ("mer2023-dataset-process", "label-6way.npz"),
    "meld": ("meld-process", "label.npz"),
    "cmumosi": ("cmumosi-process", "label.npz"),
}
SPLITS = {
    "mer2023": ("train", "test1", "test2", "test3"),
    "meld": ("train", "val", "test"),
    "cmumosi": ("train", "val", "test"),
}


class CorpusError(EmoreasonError):
    """A corpus file is missing or not in the expected form."""


@dataclass(frozen=True)
class Utterance:
    """One annotated utterance in one language."""

    corpus: str
    split: str
    name: str
    language: str  # "zh" | "en"
    text: str
    label: str | None  # canonical class; None when the corpus has no emotion label
    valence: float | None  # in [-1, 1]; None when unknown


def labels_dir(data_root: Path) -> Path:
    """``<data_root>/benchmarks/merbench_labels`` (or `data_root` itself when it is that folder)."""
    data_root = Path(data_root)
    for candidate in (data_root / "benchmarks" / "merbench_labels", data_root):
        if (candidate / "meld-process").is_dir() or (candidate / "mer2023-dataset-process").is_dir():
            return candidate
    raise CorpusError(f"{data_root}: no benchmarks/merbench_labels folder (give the shared data root)")


def corpus_files(data_root: Path, corpus: str) -> tuple[Path, Path]:
    """The label file and transcription csv of `corpus`."""
    if corpus not in CORPUS_FOLDERS:
        raise CorpusError(f"unknown corpus {corpus!r}; one of {', '.join(CORPUS_FOLDERS)}")
    folder, label_name = CORPUS_FOLDERS[corpus]
    base = labels_dir(data_root) / folder
    labels, texts = base / label_name, base / "transcription-engchi-polish.csv"
    for path in (labels, texts):
        if not path.is_file():
            raise CorpusError(f"{path}: missing")
    return labels, texts


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_labels(path: Path, split: str) -> dict[str, dict]:
    import numpy as np

    key = f"{split}_corpus"
    try:
        with np.load(path, allow_pickle=True) as data:  # trusted research data: pickled dicts
            if key not in data.files:
                raise CorpusError(f"{path}: no {key} (has {', '.join(data.files)})")
            return dict(data[key].item())
    except (OSError, ValueError) as exc:
        raise CorpusError(f"{path}: cannot read labels ({exc})") from exc


def _read_texts(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and not {"name", "chinese", "english"} <= set(rows[0]):
        raise CorpusError(f"{path}: expected columns name, chinese, english")
    return {row["name"]: row for row in rows}


def _label_of(corpus: str, emo: object) -> str | None:
    if corpus == "meld":
        return MELD_LABELS[MELD_INT_ORDER[int(emo)]]
    if corpus == "mer2023":
        return MER2023_LABELS[str(emo)]
    return None


def _valence_of(corpus: str, val: object) -> float | None:
    if corpus not in VALENCE_SCALE or val is None or float(val) == MISSING_VALENCE:
        return None
    return max(-1.0, min(1.0, float(val) / VALENCE_SCALE[corpus]))


def load_split(data_root: Path, corpus: str, split: str, languages: Iterable[str] = ("zh", "en"), *,
               keep_unreadable: bool = False) -> list[Utterance]:
    """The utterances of one split in the given languages (held-out clips dropped).

    Utterances without readable text are dropped, or kept with ``text=""`` when
    `keep_unreadable` (evaluation on a whole test split). Order: by name, then language as given.
    """
    if split not in SPLITS.get(corpus, ()):
        raise CorpusError(f"{corpus} has no split {split!r}; one of {', '.join(SPLITS.get(corpus, ()))}")
    from emoreason.heads.text_emotion import prepare_text

    label_path, text_path = corpus_files(data_root, corpus)
    labels, texts = _read_labels(label_path, split), _read_texts(text_path)
    out: list[Utterance] = []
    for name in sorted(labels):
        if name in HELD_OUT_CLIPS or name not in texts:
            continue
        record = labels[name]
        label, valence = _label_of(corpus, record.get("emo")), _valence_of(corpus, record.get("val"))
        for lang in languages:
            text, status, _ = prepare_text(texts[name][LANGUAGES[lang]])
            if status == "ok" or keep_unreadable:
                out.append(Utterance(corpus, split, name, lang, text if status == "ok" else "", label, valence))
    return out


def dev_fold(name: str, fraction: float = 0.1) -> bool:
    """Whether clip `name` falls in the deterministic dev fold (hash of the name, ~`fraction`)."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction
