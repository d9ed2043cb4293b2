"""Face evidence → emotion probabilities per window: the learned AU head and the expression model.

Two votes per window of the main face track (see :mod:`emoreason.perception.learned`):

* ``face-au-head`` — a head trained on MERR fine-grained (``emoreason train face-au``) that
  maps MERR's AU description of a span (its most frequent AUs and the AUs at its peak frame,
  as :func:`~emoreason.perception.face.peak.peak_frame` computes them, mouth-opening AUs left
  out: see :data:`HEAD_AUS`) to the decision classes;
* ``face-expression`` — the FER2013 expression model's mean probabilities, folded onto the
  decision classes (fear → worried) and softened by :data:`EXPRESSION_TEMPERATURE`, since the
  model is over-confident on drama frames (no labelled face video ships to fit it).

Reliability is the share of sampled frames in the window where the face was found.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.perception.face.peak import peak_frame
from emoreason.perception.learned import learned_clue
from emoreason.records import Clue, Modality
from emoreason.records.decision import DECISION_CLASSES

#: MERR's AU inventory (OpenFace presence AUs without blinks), the AU head's feature order.
MERR_AUS: tuple[str, ...] = (
    "AU01", "AU02", "AU04", "AU05", "AU06", "AU07", "AU09", "AU10", "AU12",
    "AU14", "AU15", "AU17", "AU20", "AU23", "AU25", "AU26", "AU28",
)
#: AUs the head reads: MERR's inventory without the mouth-opening AUs. emoreason's geometric AU25/AU26
#: fire with every syllable spoken, while MERR's OpenFace AU lists hold AU25 in 1 % of clips (mostly
#: doubt and neutral): read as MERR reads them, speech would look like a neutral face.
HEAD_AUS: tuple[str, ...] = tuple(a for a in MERR_AUS if a not in ("AU25", "AU26"))
FACE_AU_HEAD = Path(__file__).resolve().parents[2] / "heads" / "weights" / "face-au.npz"
WINDOW_SECONDS = 3.0
EXPRESSION_TEMPERATURE = 2.0
#: FER2013 class → decision class.
EXPRESSION_TO_CLASS = {
    "anger": "angry", "disgust": "disgust", "fear": "worried", "happiness": "happy", "sadness": "sad",
    "surprise": "surprise", "neutral": "neutral",
}


def au_features(frequent: list[str], peak: list[str]) -> np.ndarray:
    """MERR AU description → the head's 30 presence features (frequent AUs, then peak AUs, of HEAD_AUS)."""
    return np.array([a in frequent for a in HEAD_AUS] + [a in peak for a in HEAD_AUS], dtype=np.float32)


@lru_cache(maxsize=2)
def _head(path: Path = FACE_AU_HEAD):  # noqa: ANN202 - HeadModel, imported lazily
    from emoreason.heads.head_file import HeadModel

    return HeadModel.load(path) if path.is_file() else None


def au_probabilities(frequent: list[str], peak: list[str]) -> dict[str, float] | None:
    """The AU head's class probabilities for one AU description (None without shipped weights)."""
    head = _head()
    if head is None:
        return None
    probs = head.probabilities(au_features(frequent, peak)[None, :])[0]
    out = {c: 0.0 for c in DECISION_CLASSES}
    out.update({c: float(p) for c, p in zip(head.classes, probs, strict=True)})
    return out


def expression_probabilities(mean_probs: dict[str, float]) -> dict[str, float] | None:
    """Mean FER probabilities → softened decision-class probabilities (None when all NaN)."""
    raw = np.array([mean_probs.get(e, np.nan) for e in EXPRESSIONS], dtype=float)
    if np.isnan(raw).all():
        return None
    soft = np.power(np.nan_to_num(raw, nan=0.0) + 1e-4, 1.0 / EXPRESSION_TEMPERATURE)
    soft /= soft.sum()
    out = {c: 0.0 for c in DECISION_CLASSES}
    for name, p in zip(EXPRESSIONS, soft, strict=True):
        out[EXPRESSION_TO_CLASS[name]] += float(p)
    return out


def _windows(start: float, end: float) -> list[tuple[float, float]]:
    n = max(1, round((end - start) / WINDOW_SECONDS))
    edges = np.linspace(start, end, n + 1)
    return [(float(a), float(b)) for a, b in zip(edges, edges[1:], strict=False)]


def _top(probs: dict[str, float]) -> tuple[str, float]:
    label = max(probs, key=lambda c: probs[c])
    return label, probs[label]


def window_clues(table: pd.DataFrame, face_id: int) -> list[Clue]:
    """Learned face clues (AU head and expression model) for each window of one track."""
    rows = table[table["face_id"] == face_id].sort_values("timestamp")
    found = rows[rows["success"] == 1]
    if found.empty:
        return []
    out: list[Clue] = []
    for a, b in _windows(float(found["timestamp"].iloc[0]), float(found["timestamp"].iloc[-1])):
        inside = rows[(rows["timestamp"] >= a) & (rows["timestamp"] <= b + 1e-6)]
        hit = inside[inside["success"] == 1]
        if len(hit) < 2:
            continue
        coverage = len(hit) / max(len(inside), 1)
        peak = peak_frame(hit)
        if peak is not None:
            probs = au_probabilities(peak.frequent_aus, peak.aus)
            if probs is not None:
                label, p = _top(probs)
                aus = ", ".join(peak.frequent_aus) or "no frequent AU"
                out.append(learned_clue(
                    modality=Modality.FACE, source="face-au-head", probabilities=probs, start=a, end=b,
                    reliability=coverage, track_id=face_id,
                    description=f"AU pattern ({aus}) reads as {label} (p={p:.2f})",
                ))
        means = {e: float(hit[e].mean()) for e in EXPRESSIONS if e in hit}
        probs = expression_probabilities(means)
        if probs is not None:
            label, p = _top(probs)
            out.append(learned_clue(
                modality=Modality.FACE, source="face-expression", probabilities=probs, start=a, end=b,
                reliability=coverage, track_id=face_id,
                description=f"expression model reads {label} (p={p:.2f})",
            ))
    return out
