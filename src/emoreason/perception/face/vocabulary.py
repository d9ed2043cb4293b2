"""AU names, MERR-style phrases, clue verbs and machine-readable cue tags.

MERR (Emotion-LLaMA) turns OpenFace AUs into phrases such as "AU12: lip corner puller
(smile)"; the reasoner reads clue *tags* (``smile``, ``frown`` …). One table holds all
three views of each AU so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AUTerm:
    """How one action unit is named, phrased and tagged."""

    code: str
    name: str  # FACS name
    phrase: str  # MERR-style phrase used in peak-frame descriptions
    verb: str  # clue description, third person ("frowns")
    tags: tuple[str, ...]  # machine-readable cue tags (the reasoner's cue vocabulary)
    in_clues: bool = True  # whether sustained activity becomes a clue


AU_TERMS: dict[str, AUTerm] = {
    t.code: t
    for t in (
        AUTerm("AU01", "Inner brow raiser", "inner brow raiser", "raises the inner brows", ("inner_brow_raise",)),
        AUTerm("AU02", "Outer brow raiser", "outer brow raiser", "raises the outer brows", ("brow_raise",)),
        AUTerm("AU04", "Brow lowerer", "brow lowerer (frown)", "frowns", ("frown",)),
        AUTerm("AU05", "Upper lid raiser", "upper lid raiser (eyes widen)", "widens the eyes", ("eyes_widen",)),
        AUTerm("AU06", "Cheek raiser", "cheek raiser", "raises the cheeks", ("cheek_raise",)),
        AUTerm("AU07", "Lid tightener", "lid tightener (eyes narrow)", "narrows the eyes", ("lid_tighten",)),
        AUTerm("AU09", "Nose wrinkler", "nose wrinkler", "wrinkles the nose", ("nose_wrinkle",)),
        AUTerm("AU10", "Upper lip raiser", "upper lip raiser", "raises the upper lip", ("upper_lip_raise",)),
        AUTerm("AU12", "Lip corner puller", "lip corner puller (smile)", "smiles", ("smile",)),
        AUTerm("AU14", "Dimpler", "dimpler", "tightens the mouth corners (dimples)", ("dimpler",)),
        AUTerm(
            "AU15",
            "Lip corner depressor",
            "lip corner depressor",
            "turns the mouth corners down",
            ("lip_corner_depress",),
        ),
        AUTerm("AU17", "Chin raiser", "chin raiser", "raises the chin boss (pouts)", ("chin_raise",)),
        AUTerm("AU20", "Lip stretcher", "lip stretcher", "stretches the lips", ("lip_stretch",)),
        AUTerm("AU23", "Lip tightener", "lip tightener", "presses the lips together", ("lip_press", "lip_tighten")),
        AUTerm("AU25", "Lips part", "lips part", "parts the lips", ("mouth_open",), in_clues=False),
        AUTerm("AU26", "Jaw drop", "jaw drop", "drops the jaw (mouth opens)", ("jaw_drop",)),
        AUTerm("AU28", "Lip suck", "lip suck", "sucks the lips in", ("lip_suck",)),
        AUTerm("AU45", "Blink", "blink", "blinks", ("blink",), in_clues=False),
    )
}


def au_phrase(code: str, *, with_code: bool = False) -> str:
    """MERR-style phrase of an AU (``"lip corner puller (smile)"``, or with ``"AU12: "``)."""
    term = AU_TERMS[code]
    return f"{code}: {term.phrase}" if with_code else term.phrase


def au_tags(code: str) -> tuple[str, ...]:
    """Cue tags of an AU (``("smile",)`` for AU12)."""
    return AU_TERMS[code].tags
