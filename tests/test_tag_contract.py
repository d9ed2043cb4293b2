"""Every cue tag a perception stage can emit is understood by fusion (or marked structural)."""

from __future__ import annotations

from emoreason.perception.face.expression import EXPRESSIONS
from emoreason.perception.face.vocabulary import AU_TERMS
from emoreason.perception.text.cues import TEXT_TAGS
from emoreason.perception.voice.tone import VOICE_TAGS
from emoreason.reasoning.cues import STRUCTURAL_TAGS, normalise_tag


def test_all_emitted_tags_are_known_to_fusion() -> None:
    face = {t for term in AU_TERMS.values() for t in term.tags} | {f"expression:{e}" for e in EXPRESSIONS}
    face |= {"head_down", "gaze_averted", "neutral_face", "peak_frame"}  # perception/face/clues.py
    emitted = set(VOICE_TAGS) | set(TEXT_TAGS) | face
    unknown = sorted(t for t in emitted if normalise_tag(t) is None and t not in STRUCTURAL_TAGS)
    assert unknown == []
