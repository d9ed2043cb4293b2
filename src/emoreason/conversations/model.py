"""The learned dialogue heads (emotion in context, emotion–cause pairs, cause spans) and their inference.

Weights are ``emoreason-head`` npz files (:mod:`emoreason.heads.head_file`, no pickles) in
``conversations/weights/`` — written by ``emoreason train dialogue`` — or in a folder given by
the caller. Decision settings fitted on ECF dev (the neutral prior, the pair threshold) live in
the cause head's metadata under ``decision``.

When the folder also holds ``dialogue_emotion_lora.npz`` (``emoreason train dialogue-lora``: e5-small
fine-tuned with LoRA adapters, :mod:`emoreason.heads.e5_lora`) and torch is installed, that reader
gives the in-context emotions (pooled with the linear in-context head when its decision's
``linear_weight`` is above 0) and its own dev-fitted decision settings; the linear heads give the rest.
Likewise ``dialogue_cause_lora.npz`` (``emoreason train dialogue-cause-lora``) scores each emotion–cause
candidate from the words of both turns, blended with the cause head by ``decision.cause_weight``.

Inference for one dialogue is linear in its length: each utterance sees the turn before it
and who spoke, and each emotion utterance is paired with at most
``BACK + AHEAD + 1`` candidates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from emoreason.conversations import features as feats
from emoreason.conversations.records import MELD_EMOTIONS
from emoreason.errors import EmoreasonError

WEIGHTS_DIR = Path(__file__).with_name("weights")
FILES = {"emotion": "dialogue_emotion.npz", "emotion_plain": "dialogue_emotion_plain.npz",
         "cause": "dialogue_cause.npz", "span": "dialogue_span.npz"}
#: The optional fine-tuned emotion reader (``emoreason train dialogue-lora``); when present it reads emotions in
#: context and its own fitted decision settings replace the cause head's.
LORA_FILE = "dialogue_emotion_lora.npz"
#: The optional fine-tuned cause reader (``emoreason train dialogue-cause-lora``): scores each emotion–cause
#: candidate from the two turns' words, blended with the cause head; its decision settings come last.
CAUSE_LORA_FILE = "dialogue_cause_lora.npz"


class DialogueModelError(EmoreasonError):
    """The dialogue heads are missing or do not fit together."""


@dataclass(frozen=True)
class Decision:
    """Decision settings fitted on a dev split."""

    neutral_scale: float = 1.0  # p(neutral) is multiplied by this before the argmax
    cause_threshold: float = 0.5  # a candidate becomes a cause at or above this probability
    max_causes: int = 4
    linear_weight: float = 0.0  # share of the frozen in-context head pooled with the fine-tuned reader
    cause_weight: float = 1.0  # share of the fine-tuned cause reader (when present) blended with the cause head


@dataclass
class PredictedUtterance:
    """The heads' output for one utterance (positions are 0-based)."""

    probabilities: np.ndarray
    emotion: str
    causes: list[tuple[int, float]] = field(default_factory=list)
    spans: dict[int, tuple[int, int, float]] = field(default_factory=dict)


@dataclass
class DialogueHeads:
    """The three (four with the no-context ablation) heads and how to decide with them."""

    emotion: object  # HeadModel (imported lazily)
    cause: object
    span: object
    emotion_plain: object | None = None
    decision: Decision = field(default_factory=Decision)
    source: str = ""
    emotion_lora: object | None = None  # LoraClassifier (imported lazily)
    cause_lora: object | None = None  # LoraClassifier with classes (other, cause)
    decision_without_cause_reader: Decision | None = None  # the decision before the cause reader's replaced it

    def without_cause_reader(self) -> DialogueHeads:
        """These heads with the frozen cause head alone, and the decision fitted without the cause reader."""
        from dataclasses import replace

        if self.cause_lora is None:
            return self
        return replace(self, cause_lora=None, decision=self.decision_without_cause_reader or self.decision,
                       decision_without_cause_reader=None)

    @property
    def encoder(self) -> str:
        """Name of the sentence encoder the heads were trained over."""
        return str(self.emotion.encoder)  # type: ignore[attr-defined]

    def model_ids(self) -> dict[str, str]:
        """Component → version string, for result records."""
        meta = self.emotion.metadata  # type: ignore[attr-defined]
        tag = f"{meta.get('head', 'dialogue')}@{meta.get('trained', '?')}"
        if self.emotion_lora is not None:
            readers = getattr(self.emotion_lora, "readers", [self.emotion_lora])
            tag += "".join(f" + {r.config.metadata.get('trained', 'dialogue-lora')}" for r in readers)
        if self.cause_lora is not None:
            tag += f" + {self.cause_lora.config.metadata.get('trained', 'dialogue-cause-lora')}"  # type: ignore[attr-defined]
        return {"encoder": self.encoder, "heads": tag, "weights": self.source}

    @classmethod
    def load(cls, folder: str | Path | None = None) -> DialogueHeads:
        """Read the heads from `folder` (default: the shipped weights).

        Raises:
            DialogueModelError: a file is missing or the heads disagree on the encoder.
        """
        from emoreason.heads.head_file import HeadFileError, HeadModel

        folder = Path(folder) if folder is not None else WEIGHTS_DIR
        heads: dict[str, object] = {}
        for key, name in FILES.items():
            path = folder / name
            if not path.is_file():
                if key == "emotion_plain":
                    continue
                raise DialogueModelError(f"{path}: dialogue head not found; train it with "
                                         "`emoreason train dialogue --data-root ../shared/data -o DIR`")
            try:
                heads[key] = HeadModel.load(path)
            except HeadFileError as exc:
                raise DialogueModelError(str(exc)) from exc
        encoders = {h.encoder for h in heads.values()}  # type: ignore[attr-defined]
        if len(encoders) != 1:
            raise DialogueModelError(f"{folder}: the dialogue heads use different encoders {sorted(encoders)}")
        lora, cause_lora = _load_lora(folder / LORA_FILE), _load_lora(folder / CAUSE_LORA_FILE)
        raw = heads["cause"].metadata.get("decision", {})  # type: ignore[attr-defined]
        if lora is not None:
            raw = lora.config.metadata.get("decision", raw)  # type: ignore[attr-defined]
        base = _decision(raw)
        decision = base if cause_lora is None else _decision(
            cause_lora.config.metadata.get("decision", raw))  # type: ignore[attr-defined]
        return cls(emotion=heads["emotion"], cause=heads["cause"], span=heads["span"],
                   emotion_plain=heads.get("emotion_plain"), decision=decision, source=str(folder),
                   emotion_lora=lora, cause_lora=cause_lora, decision_without_cause_reader=base)


def _decision(raw: dict) -> Decision:
    """A :class:`Decision` from stored settings (unknown keys, such as ``tuned_with``, ignored)."""
    return Decision(**{k: v for k, v in raw.items() if k in Decision.__dataclass_fields__})


class ReaderPool:
    """Fine-tuned readers whose probabilities are averaged; the first one's config (decision, metadata) speaks."""

    def __init__(self, readers: list[object]) -> None:
        self.readers = readers
        self.config = readers[0].config  # type: ignore[attr-defined]

    def probabilities(self, texts: list[str], contexts: list[str | None]) -> np.ndarray:
        """Mean of the readers' (n, 7) probabilities."""
        return np.mean([r.probabilities(texts, contexts) for r in self.readers], axis=0)  # type: ignore[attr-defined]


def reader_probabilities(reader: object, texts: list[str], speakers: list[str]) -> np.ndarray:
    """(n, 7) probabilities of a fine-tuned reader (or the mean of a :class:`ReaderPool`'s) for one dialogue,
    each reader given the inputs of its own ``input_format`` (metadata; ``prev`` when absent)."""
    if isinstance(reader, ReaderPool):
        return np.mean([reader_probabilities(r, texts, speakers) for r in reader.readers], axis=0)
    pairs = feats.format_pairs(texts, speakers, reader.config.metadata.get("input_format", "prev"))  # type: ignore[attr-defined]
    return reader.probabilities([p[1] for p in pairs], [p[0] for p in pairs])  # type: ignore[attr-defined]


def _load_lora(path: Path) -> object | None:
    """The fine-tuned reader (emotion or cause) at `path` (a :class:`ReaderPool` when its metadata names
    companions under ``pooled_with``), or None when there is none (or torch is not installed)."""
    if not path.is_file():
        return None
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return None  # the linear in-context head answers instead
    from emoreason.heads.e5_lora import LoraClassifier, LoraFileError

    try:
        reader = LoraClassifier.load(path)
        companions = [LoraClassifier.load(_companion(path, entry))
                      for entry in reader.config.metadata.get("pooled_with", [])]
    except LoraFileError as exc:
        raise DialogueModelError(str(exc)) from exc
    return ReaderPool([reader, *companions]) if companions else reader


def _companion(path: Path, entry: dict) -> Path:
    """The companion reader file named by `entry` beside `path`, checked against its recorded sha256."""
    import hashlib

    other = path.with_name(str(entry.get("file", "")))
    if not other.is_file():
        raise DialogueModelError(f"{other}: reader pooled with {path.name} not found; keep the two files together")
    if entry.get("sha256") and hashlib.sha256(other.read_bytes()).hexdigest() != entry["sha256"]:
        raise DialogueModelError(f"{other}: not the reader {path.name} was pooled with (sha256 differs)")
    return other


_DEFAULT: DialogueHeads | None = None
_LOCK = threading.Lock()


def default_heads() -> DialogueHeads:
    """The shipped heads, loaded once per process."""
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            _DEFAULT = DialogueHeads.load()
        return _DEFAULT


def adjust_prior(probs: np.ndarray, neutral_scale: float) -> np.ndarray:
    """Probabilities with p(neutral) scaled by `neutral_scale` and renormalised (rows of `probs`)."""
    scaled = np.array(probs, dtype=np.float64)
    scaled[..., 0] *= neutral_scale
    return scaled / scaled.sum(axis=-1, keepdims=True)


def emotion_probabilities(heads: DialogueHeads, vectors: np.ndarray, speakers: list[str],
                          *, context: bool = True, texts: list[str] | None = None) -> np.ndarray:
    """(n, 7) probabilities over :data:`MELD_EMOTIONS`, with or without the context head.

    In context, the fine-tuned reader answers when the heads have one and `texts` are given, pooled
    with the frozen in-context head by the dev-fitted ``decision.linear_weight``.
    """
    if context and heads.emotion_lora is not None and texts is not None:
        if not texts:
            return np.zeros((0, len(MELD_EMOTIONS)))
        reader = reader_probabilities(heads.emotion_lora, texts, speakers)
        weight = heads.decision.linear_weight
        if weight <= 0.0:
            return reader
        linear = heads.emotion.probabilities(feats.context_rows(vectors, speakers))  # type: ignore[attr-defined]
        return (1.0 - weight) * reader + weight * linear
    if not context:
        if heads.emotion_plain is None:
            raise DialogueModelError("these weights hold no no-context emotion head")
        return heads.emotion_plain.probabilities(vectors)  # type: ignore[attr-defined]
    return heads.emotion.probabilities(feats.context_rows(vectors, speakers))  # type: ignore[attr-defined]


def cause_reader_scores(heads: DialogueHeads, speakers: list[str], texts: list[str],
                        emotions: dict[int, str]) -> dict[int, np.ndarray]:
    """The fine-tuned cause reader's p(cause) for every candidate of each emotion utterance ``i → emotion``,
    in one batched call (empty when the heads have no cause reader or its weight is 0)."""
    if heads.cause_lora is None or heads.decision.cause_weight <= 0.0 or not emotions:
        return {}
    rows = {i: feats.cause_pair_inputs(texts, speakers, i, feats.cause_candidates(texts, i), e)
            for i, e in emotions.items()}
    flat = [pair for pairs in rows.values() for pair in pairs]
    if not flat:
        return {}
    probs = heads.cause_lora.probabilities([t for _, t in flat], [c for c, _ in flat])[:, 1]  # type: ignore[attr-defined]
    bounds = np.cumsum([0, *(len(pairs) for pairs in rows.values())])
    return {i: probs[bounds[k]:bounds[k + 1]] for k, i in enumerate(rows)}


def predict_causes(heads: DialogueHeads, vectors: np.ndarray, speakers: list[str], texts: list[str], i: int,
                   emotion: str, reader: np.ndarray | None = None) -> list[tuple[int, float]]:
    """Cause positions of the emotion utterance at `i`, best first (at least one; empty turns never).

    `reader`: the cause reader's scores of these candidates when already computed (:func:`cause_reader_scores`).
    """
    js = feats.cause_candidates(texts, i)
    if not js:
        return []
    scores = heads.cause.probabilities(feats.pair_rows(vectors, speakers, i, js, emotion))[:, 1]  # type: ignore[attr-defined]
    if reader is None:
        reader = cause_reader_scores(heads, speakers, texts, {i: emotion}).get(i)
    if reader is not None:
        weight = heads.decision.cause_weight
        scores = (1.0 - weight) * scores + weight * reader
    order = np.argsort(-scores, kind="stable")
    keep = [k for k in order if scores[k] >= heads.decision.cause_threshold][: heads.decision.max_causes]
    if not keep:
        keep = [int(order[0])]
    return [(js[k], float(scores[k])) for k in keep]


def predict_span(heads: DialogueHeads, text: str, distance: int, emotion: str) -> tuple[int, int, float] | None:
    """Best cause span ``(start, end, score)`` of `text`, or None for an utterance without words."""
    cands = feats.span_candidates(text)
    if not cands:
        return None
    scores = heads.span.probabilities(feats.span_rows(cands, text.split(), distance, emotion))[:, 1]  # type: ignore[attr-defined]
    best = int(np.argmax(scores))
    return cands[best].start, cands[best].end, float(scores[best])


def predict_dialogue(heads: DialogueHeads, vectors: np.ndarray, speakers: list[str], texts: list[str],
                     *, context: bool = True, spans: bool = True) -> list[PredictedUtterance]:
    """Emotions, causes and (unless `spans` is False) cause spans of every utterance of one dialogue."""
    probs = adjust_prior(emotion_probabilities(heads, vectors, speakers, context=context, texts=texts),
                         heads.decision.neutral_scale)
    empty = np.eye(len(MELD_EMOTIONS))[0]
    probs = np.array([p if texts[i].strip() else empty for i, p in enumerate(probs)])
    labels = [MELD_EMOTIONS[int(np.argmax(p))] for p in probs]
    reader = cause_reader_scores(heads, speakers, texts, {i: e for i, e in enumerate(labels) if e != "neutral"})
    out = []
    for i, (p, label) in enumerate(zip(probs, labels, strict=True)):
        pred = PredictedUtterance(probabilities=p, emotion=label)
        if label != "neutral":
            pred.causes = predict_causes(heads, vectors, speakers, texts, i, label, reader.get(i))
            for j, _ in pred.causes if spans else []:
                span = predict_span(heads, texts[j], i - j, label)
                if span is not None:
                    pred.spans[j] = span
        out.append(pred)
    return out
