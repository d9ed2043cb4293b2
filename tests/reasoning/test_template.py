"""The deterministic template writer."""

from __future__ import annotations

import re

from emoreason.reasoning import get_reasoner
from emoreason.records import Modality, StageStatus
from tests.reasoning.factory import clue, request, sad_request, sarcastic_request


def test_emer_paragraph_cites_strongest_clue_per_modality_with_spans() -> None:
    req = request(
        clue("face", "smiles faintly", 0.0, 1.0, 0.3, ("smile",)),
        clue("face", "smiles broadly", 0.4, 2.1, 0.8, ("smile",)),
        clue("voice", "speaks loudly", 0.5, 3.0, 0.7, ("loud",)),
        clue("text", "hostile words", 0.0, 5.0, 0.75, ("lex:anger",)),
        subtitle="It's all your fault.",
    )
    outcome = get_reasoner("template").reason(req)
    text = outcome.explanation.text
    assert re.search(r"^In the video, .*smiles broadly \(0\.4-2\.1 s\) \[F2\]\. In the audio, .*speaks loudly "
                     r"\(0\.5-3\.0 s\) \[V1\]\. In the text, .*Therefore, ", text)
    assert "smiles faintly" not in text
    by_desc = {c.description: c.id for c in req.clues}
    expected = [by_desc["smiles broadly"], by_desc["speaks loudly"], by_desc["hostile words"]]
    assert outcome.explanation.cited_clues == expected
    assert outcome.explanation.writer == "template" and outcome.explanation.violations == []


def test_template_is_deterministic_and_grounded() -> None:
    for req in (sarcastic_request(), sad_request(), request(), request(subtitle="Fine.")):
        a = get_reasoner("template").reason(req)
        b = get_reasoner("template").reason(req)
        assert a == b
        assert a.explanation.violations == []
        assert a.emotions


def test_conflict_is_explained() -> None:
    text = get_reasoner("template").reason(sarcastic_request()).explanation.text
    assert "sarcasm" in text and "Therefore, the person most likely feels angry" in text


def test_absent_modalities_are_stated_without_claims() -> None:
    req = request(clue("text", "sad words", 0.0, 2.0, 0.7, ("lex:sadness",)), subtitle="I miss her.",
                  read=(Modality.TEXT,))
    outcome = get_reasoner("template").reason(req)
    assert "In the video, no facial clue was found (the clip has no such stream)." in outcome.explanation.text
    assert outcome.explanation.violations == []
    assert any(m.status == StageStatus.MISSING for m in req.modalities)


def test_options_for_models_are_reported_as_ignored() -> None:
    outcome = get_reasoner("template", model="x.gguf", prompt="emer").reason(sad_request())
    assert any("ignored model, prompt" in w for w in outcome.warnings)


def test_progression_cites_distinct_salient_clues_in_time_order() -> None:
    req = request(
        clue("face", "smiles broadly", 12.0, 19.0, 0.6, ("smile",)),
        clue("face", "turns the mouth corners down", 0.0, 6.0, 0.7, ("lip_corner_depress",)),
        clue("face", "smiles slightly", 9.0, 10.0, 0.3, ("smile",)),  # repeats a cited tag
        clue("face", "blinks", 3.0, 3.1, 0.2, ("blink",)),  # far less salient
        duration=20.0,
    )
    outcome = get_reasoner("template").reason(req)
    text = outcome.explanation.text
    assert re.search(r"mouth corners down \(0\.0-6\.0 s\) \[F\d\]; then smiles broadly \(12\.0-19\.0 s\)", text)
    assert "smiles slightly" not in text and "blinks" not in text
    assert outcome.explanation.violations == []
