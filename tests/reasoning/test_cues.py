"""The tag vocabulary perception and reasoning share."""

from __future__ import annotations

import pytest

from emoreason.reasoning.cues import (
    CUES,
    EXPECTED_TAGS,
    FACE_TAGS,
    TEXT_TAGS,
    VOICE_TAGS,
    normalise_tag,
    tags_from_description,
)


@pytest.mark.parametrize(
    ("raw", "tag"),
    [("smile", "smile"), ("AU12", "smile"), ("au:AU04", "frown"), ("AU12_r", "smile"), ("Raised Pitch", "raised_pitch"),
     ("lex:anger", "lex:anger"), ("expr:happiness", "expr:happy"), ("monotone", "flat"), ("frobnicate", None)],
)
def test_normalise_tag(raw: str, tag: str | None) -> None:
    assert normalise_tag(raw) == tag


def test_the_issue_tags_are_known() -> None:
    for tag in ("smile", "frown", "brow_raise", "eyes_widen", "lip_press", "loud", "fast", "raised_pitch",
                "trembling", "flat", "pauses", "negative_words", "contrast", "rhetorical_question",
                "negated_positive", "lex:anger", "lex:joy"):
        assert tag in EXPECTED_TAGS


def test_weights_are_probabilities() -> None:
    for spec in CUES.values():
        assert all(0 < w <= 1 for w in spec.weights.values())
        assert -1 <= spec.valence <= 1 and -1 <= spec.arousal <= 1


def test_tag_groups_do_not_overlap() -> None:
    assert not (set(FACE_TAGS) & set(VOICE_TAGS)) and not (set(VOICE_TAGS) & set(TEXT_TAGS))


def test_tags_from_description() -> None:
    assert tags_from_description("She smiles while her voice trembles") == ["smile", "trembling"]
    assert tags_from_description("shouts loudly") == ["shout"]
    assert tags_from_description("looks at the window") == []
