"""Fusion on constructed evidence: labels, conflicts, partial evidence, drivers."""

from __future__ import annotations

from emoreason.reasoning.fusion import MIN_SCORE, NEUTRAL_PRIOR, fuse
from emoreason.reasoning.vocabulary import LabelSet, canonical
from emoreason.records import Modality
from tests.reasoning.factory import clue, request, sad_request, sarcastic_request


def _labels(result) -> list[str]:  # noqa: ANN001
    return [e.label for e in result.emotions]


def test_smiling_face_with_angry_words_is_sarcastic_anger() -> None:
    result = fuse(sarcastic_request())
    assert result.decide() == "angry"
    assert "sarcastic" in _labels(result)
    assert [f.rule for f in result.findings] == ["sarcasm"]
    happy = next(e for e in result.emotions if e.label == "happy")
    assert happy.score < result.emotions[0].score / 2
    assert result.valence is not None and result.valence < 0


def test_positive_words_with_rhetorical_question_and_agitated_voice_are_ironic() -> None:
    """EMER sample_00006748: 'I was very happy, now are you satisfied?' said trembling and fast."""
    req = request(
        clue("voice", "agitated, trembling voice", 0.0, 3.0, 0.7, ("trembling", "fast")),
        clue("face", "brows drawn together", 0.5, 2.5, 0.6, ("frown",)),
        clue("text", "joy words with a rhetorical question", 0.0, 3.0, 0.7,
             ("lex:joy", "positive_words", "rhetorical_question")),
        subtitle="OK. How did I feel? I was happy. I was very happy, now are you satisfied?",
    )
    result = fuse(req)
    assert result.decide() == "angry"
    assert "forced_positive" in [f.rule for f in result.findings]
    assert {"sarcastic", "dissatisfied"} <= set(_labels(result))


def test_calm_face_with_trembling_voice_is_masked_anxiety() -> None:
    req = request(
        clue("face", "no expression change", 0.0, 4.0, 0.6, ("neutral_face",)),
        clue("voice", "trembling voice", 0.5, 3.5, 0.7, ("trembling",)),
    )
    result = fuse(req)
    assert "masked_anxiety" in [f.rule for f in result.findings]
    assert result.decide() == "worried"
    assert "nervous" in _labels(result)
    nervous = next(e for e in result.emotions if e.label == "nervous")
    assert set(nervous.drivers) == {c.id for c in req.clues}


def test_laugh_over_self_critical_words_is_self_deprecating_humour() -> None:
    req = request(
        clue("voice", "laughs while speaking", 1.0, 3.0, 0.7, ("laugh",)),
        clue("text", "not knowing", 0.0, 4.0, 0.6, ("uncertainty", "repetition")),
        subtitle="I don't know! I, I, I don't have experience in this area.",
    )
    result = fuse(req)
    assert result.decide() == "happy"
    assert {"self-deprecating", "humorous"} <= set(_labels(result))


def test_sad_evidence_is_sad() -> None:
    result = fuse(sad_request())
    assert result.decide() == "sad"
    assert result.decide(LabelSet.EKMAN7) == "sadness"
    assert result.valence is not None and result.valence < -0.3


def test_no_clue_is_neutral_prior() -> None:
    result = fuse(request())
    assert _labels(result) == ["neutral"]
    assert result.emotions[0].score == NEUTRAL_PRIOR
    assert result.valence is None and result.arousal is None


def test_partial_evidence_voice_only() -> None:
    req = request(clue("voice", "shouting", 0.2, 1.5, 0.9, ("shout",)), read=(Modality.VOICE,))
    result = fuse(req)
    assert result.decide() == "angry"
    assert "furious" in _labels(result)


def test_partial_evidence_text_only() -> None:
    req = request(clue("text", "fear words", 0.0, 2.0, 0.8, ("lex:fear", "plea")), subtitle="Please hurry, I'm scared.",
                  read=(Modality.TEXT,))
    assert fuse(req).decide() == "worried"


def test_untagged_clue_is_read_from_its_description() -> None:
    req = request(clue("face", "smiles broadly", 0.0, 2.0, 0.8))
    result = fuse(req)
    assert result.decide() == "happy"
    assert result.hits[0].inferred
    assert "description smile" in result.emotions[0].rationale[0]


def test_unknown_tags_are_ignored_and_reported() -> None:
    req = request(clue("face", "something", 0.0, 1.0, 0.8, ("wiggle", "smile")))
    result = fuse(req)
    assert result.ignored_tags == ["wiggle"]
    assert result.decide() == "happy"


def test_au_codes_count_as_tags() -> None:
    req = request(clue("face", "AU1+AU2+AU5+AU26", 1.0, 1.6, 0.9, ("AU1", "AU2", "AU5", "AU26")))
    result = fuse(req)
    assert result.decide() == "surprise"
    assert "astonished" in _labels(result)


def test_repeated_clues_do_not_stack() -> None:
    one = fuse(request(clue("face", "smile", 0.0, 1.0, 0.6, ("smile",))))
    many = fuse(request(*[clue("face", f"smile {i}", i, i + 0.5, 0.6, ("smile",)) for i in range(5)]))
    assert abs(one.family_scores[max(one.family_scores, key=one.family_scores.get)]
               - many.family_scores[max(many.family_scores, key=many.family_scores.get)]) < 1e-6


def test_every_label_is_canonical_scored_and_driven() -> None:
    for req in (sarcastic_request(), sad_request()):
        result = fuse(req)
        ids = {c.id for c in req.clues}
        scores = [e.score for e in result.emotions]
        assert scores == sorted(scores, reverse=True)
        for e in result.emotions:
            assert canonical(e.label) is not None and e.score >= MIN_SCORE
            assert e.drivers and set(e.drivers) <= ids
            assert e.rationale and e.family


def test_scores_per_closed_set() -> None:
    scores = fuse(sarcastic_request()).scores(LabelSet.MER6)
    assert set(scores) == {"neutral", "angry", "happy", "sad", "worried", "surprise"}
    assert max(scores, key=scores.get) == "angry"
