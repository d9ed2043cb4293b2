"""Parsing, bounded repair and validation of model answers."""

from __future__ import annotations

import pytest

from emoreason.errors import ModelOutputError
from emoreason.reasoning.structured import extract_json, parse_answer

GOOD = (
    '{"emotions": ["angry", "sarcastic"], "explanation": "In the video, he smiles [F1]. Therefore, angry.", '
    '"cited_clues": ["F1"]}'
)


def test_clean_json() -> None:
    answer, repaired = parse_answer(GOOD)
    assert answer.emotions == ["angry", "sarcastic"] and answer.cited_clues == ["F1"] and not repaired


@pytest.mark.parametrize(
    "reply",
    [
        f"Sure! Here is the answer:\n```json\n{GOOD}\n```\nHope it helps.",
        GOOD.replace('"F1"]', '"F1",]'),
        GOOD.replace('"', "\u201c", 1),
        "{emotions: ['angry'], explanation: \"In the video, he smiles [F1]. Therefore, angry.\"}".replace("'", '"'),
        GOOD[:-30],  # cut off by max_tokens inside the explanation
    ],
)
def test_repairs(reply: str) -> None:
    answer, repaired = parse_answer(reply)
    assert answer.emotions[0] == "angry" and repaired


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("The person is angry because he smiles sarcastically.", "not valid JSON"),
        ('["angry"]', "not valid JSON"),
        ('{"explanation": "In the video he smiles and is angry."}', "no 'emotions'"),
        ('{"emotions": ["angry"]}', "no 'explanation'"),
        ('{"emotions": ["angry"], "explanation": "short"}', "explanation"),
        ('{"emotions": ["!!!", "42"], "explanation": "In the video he smiles and is angry."}', "no usable"),
    ],
)
def test_invalid_replies_raise_and_never_yield_labels(reply: str, message: str) -> None:
    with pytest.raises(ModelOutputError, match=message):
        parse_answer(reply)


def test_labels_are_normalised_deduplicated_and_bad_ones_dropped() -> None:
    answer, _ = parse_answer(
        '{"emotions": ["Angry", "angry", {"label": "Sarcastic", "score": 0.5}, "<b>x</b> 123 !!", '
        '"a very long phrase of words"],'
        ' "explanation": "In the video, he smiles [F1]. Therefore, angry."}'
    )
    assert answer.emotions == ["angry", "sarcastic"]
    assert len(answer.dropped_labels) == 2


def test_extract_json_reports_why() -> None:
    with pytest.raises(ModelOutputError, match="not valid JSON"):
        extract_json("{not json at all")
