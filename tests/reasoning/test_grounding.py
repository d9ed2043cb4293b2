"""The grounding guard catches planted hallucinations and leaves grounded text alone."""

from __future__ import annotations

from emoreason.reasoning.grounding import check_grounding
from emoreason.records import Modality
from tests.reasoning.factory import clue, request, sad_request, sarcastic_request


def _kinds(text: str, req) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(v.kind, v.claim.lower()) for v in check_grounding(text, req)]


def test_planted_upbeat_music_is_caught() -> None:
    """Video-LLaMA's hallucination in EMER Fig. 5."""
    found = _kinds("He smiles broadly. The background music was upbeat and made him sound enthusiastic.",
                   sarcastic_request())
    assert ("clue", "music") in found
    assert ("modality", "background") in found


def test_planted_phone_is_caught() -> None:
    """Video-ChatGPT's hallucination in EMER Fig. 6."""
    assert ("clue", "phone") in _kinds("He is talking into the phone, annoyed.", sad_request())


def test_face_claim_without_face_evidence_is_caught() -> None:
    req = request(clue("voice", "trembling voice", 0.0, 2.0, 0.7, ("trembling",)), read=(Modality.VOICE,))
    found = _kinds("Her facial expression is tense and she frowns, and her voice trembles.", req)
    assert ("modality", "facial") in found and ("clue", "frowns") in found
    assert not any(claim == "trembles" for _, claim in found)


def test_unsupported_voice_quality_is_caught() -> None:
    found = _kinds("In the audio, the speech is slow and soft with long pauses [V1].", sarcastic_request())
    assert {("clue", "slow"), ("clue", "soft"), ("clue", "pauses")} <= set(found)


def test_grounded_text_has_no_violation() -> None:
    text = ("In the video, he smiles broadly [F1] (0.4-2.1 s). In the audio, he speaks loudly with raised pitch [V1] "
            "(0.5-3.0 s). In the text, the subtitle says \"Great, it's all your fault, you useless idiot.\" [T1]. "
            "Therefore, the smile is sarcastic and he is angry.")
    assert check_grounding(text, sarcastic_request()) == []


def test_negated_and_quoted_mentions_are_not_claims() -> None:
    req = request(subtitle="Oh no, my phone and wallet are both in the bag.")
    text = ('In the video, no facial clue was found. There is no background music. '
            'In the text, the subtitle reads: "Oh no, my phone and wallet are both in the bag."')
    assert check_grounding(text, req) == []


def test_times_outside_clip_or_clues_are_caught() -> None:
    found = check_grounding("At 7.5 s he smiles; from 0.4-2.1 s he smiles.", sarcastic_request())
    assert [(v.kind, v.detail) for v in found] == [("time", "outside the clip")]
    req = request(clue("face", "smiles", 0.0, 1.0, 0.8, ("smile",)), duration=10.0)
    assert [v.kind for v in check_grounding("He smiles at 6.0 s.", req)] == ["time"]


def test_cited_ids_and_their_spans_must_exist() -> None:
    found = check_grounding("He smiles [F1] (3.0-4.0 s) and frowns [F7].", sarcastic_request())
    kinds = sorted((v.kind, v.claim) for v in found)
    assert ("clue", "[F7]") in kinds
    assert any(k == "time" and "[F1]" in c for k, c in kinds)
    assert any(k == "clue" and c == "frowns" for k, c in kinds)


def test_violation_offsets_point_at_the_claim() -> None:
    text = "He is calm. Upbeat music plays."
    (v, *_) = [v for v in check_grounding(text, sad_request()) if v.claim == "music"]
    assert text[v.start:v.end] == "music"
