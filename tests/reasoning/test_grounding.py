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


def test_quote_copied_from_the_few_shot_example_is_caught() -> None:
    """SmolLM2 wrote the example's subtitle into an explanation of another clip (issue 15)."""
    text = "In the text, the subtitle says 'I lost it all, it does not matter now' [T1]. Therefore, she is sad."
    found = check_grounding(text, sarcastic_request())
    quotes = [v for v in found if v.kind == "quote"]
    assert len(quotes) == 1 and quotes[0].claim == "I lost it all, it does not matter now"
    assert text[quotes[0].start:quotes[0].end] == "'I lost it all, it does not matter now'"
    assert "not in the transcript" in quotes[0].detail
    assert not any(v.kind == "clue" and v.claim == "lost" for v in found)  # quoted words are no claims


def test_quotes_of_the_transcript_or_clues_pass_case_and_punctuation_blind() -> None:
    req = sarcastic_request()
    for text in (
        'The subtitle says "great, it\u2019s all your FAULT" [T1].',
        "The subtitle says \u201cGreat \u2026 you useless idiot\u201d [T1].",
        "The subtitle says 'it's all your fault...' and uses hostile words such as 'useless' [T1].",
        "The person's smile [F1] and the speaker's loud voice [V1] suggest anger.",
    ):
        assert [v for v in check_grounding(text, req) if v.kind == "quote"] == [], text


def test_partial_words_and_quotes_without_a_transcript_are_caught() -> None:
    found = check_grounding('The subtitle says "your faul" [T1].', sarcastic_request())
    assert [v.claim for v in found if v.kind == "quote"] == ["your faul"]
    req = request(clue("face", "smiles broadly", 0.4, 2.1, 0.8, ("smile",)), read=(Modality.FACE,))
    found = check_grounding('She smiles broadly [F1] as if saying "what a day".', req)
    assert [(v.kind, v.claim) for v in found] == [("quote", "what a day")]
    assert "no transcript" in found[0].detail
