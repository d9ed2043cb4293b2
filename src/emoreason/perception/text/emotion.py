"""Words → learned clues: the shipped text head read over every transcript segment.

Each segment with readable words becomes one learned clue (source ``text-head``) carrying the
head's class probabilities and valence. Reliability falls for short segments (a two-word cue
says little) and with the recogniser's confidence when the words came from ASR.
"""

from __future__ import annotations

import logging

from emoreason.perception.learned import learned_clue
from emoreason.records import Evidence, Modality, Transcript

log = logging.getLogger(__name__)
#: Segments shorter than this many characters count proportionally less.
FULL_LENGTH_CHARS = 12
SOURCE = "text-head"


def _reliability(text: str, confidence: float | None) -> float:
    length = min(1.0, len(text.strip()) / FULL_LENGTH_CHARS)
    return length * (confidence if confidence is not None else 1.0)


def text_emotion_clues(transcript: Transcript | None, *, duration: float) -> list:
    """One learned clue per transcript segment the text head can read (none without the head)."""
    if transcript is None or not transcript.segments:
        return []
    from emoreason.heads import text_emotions

    segments = [s for s in transcript.segments if s.text.strip()]
    if not segments:
        return []
    try:
        readings = text_emotions([s.text for s in segments])
    except Exception as exc:  # noqa: BLE001 - a missing encoder must not sink the text stage
        log.warning("text head unavailable: %s", exc)
        return []
    out = []
    for seg, reading in zip(segments, readings, strict=True):
        if reading.status != "ok" or not reading.probabilities:
            continue
        start = seg.start if seg.start is not None else 0.0
        end = seg.end if seg.end is not None else duration
        label = reading.label or max(reading.probabilities, key=lambda c: reading.probabilities[c])
        extra = []
        if reading.valence is not None:
            extra.append(Evidence(name="valence", value=round(reading.valence, 3), unit="-1..1"))
        out.append(learned_clue(
            modality=Modality.TEXT, source=SOURCE, probabilities=reading.probabilities, start=start, end=end,
            reliability=_reliability(seg.text, seg.confidence), extra=extra,
            description=f"the words read as {label} (p={reading.probabilities[label]:.2f})",
        ))
    return out
