"""Lexical cues: the EMER seed sentence, negation, intensifiers, questions, contrast, hesitation."""

from __future__ import annotations

from emoreason.perception.text.lexicon import analyse_sentence, lookup, nrc_lexicon, split_sentences, tokenize


def test_emer_seed_sentence_contrast_and_irony() -> None:
    c = analyse_sentence("I was very happy, now are you satisfied?")
    assert c.rhetorical == "are you satisfied"
    assert c.contrast == "was … now"
    assert c.contrast_shift < -0.5  # positive past, ironic present
    assert [m.word for m in c.intensified] == ["happy"]
    assert [(m.word, m.modifier) for m in c.negated] == [("satisfied", "rhetorical question")]
    assert "satisfied" not in c.emotions.get("joy", [])


def test_negation_flips_and_reaches_over_a_few_words() -> None:
    c = analyse_sentence("I am not happy at all!")
    assert [(m.word, m.modifier) for m in c.negated] == [("happy", "not")]
    assert c.emotions == {}
    assert c.exclamation
    c = analyse_sentence("None of you are good people.")
    assert [m.word for m in c.negated] == ["good"]
    c = analyse_sentence("I don't think this is good.")
    assert c.negated and c.negated[0].modifier == "don't"


def test_negation_stops_at_clause_boundary() -> None:
    c = analyse_sentence("No, I am happy.")
    assert not c.negated and "happy" in c.emotions["joy"]


def test_questions_plain_incredulous_rhetorical() -> None:
    assert not analyse_sentence("Where is the station?").rhetorical
    assert analyse_sentence("Where is the station?").question
    assert analyse_sentence("Really?").incredulous
    assert analyse_sentence("How could you do this to me?").rhetorical
    assert analyse_sentence("It doesn't really matter anymore, what about the future?").rhetorical


def test_contrast_with_but_and_hedges_and_stammer() -> None:
    c = analyse_sentence("I'm so old, but I've been kicked around by you guys.")
    assert c.contrast == "but"
    assert "kicked" in c.emotions["anger"]
    assert analyse_sentence("I don't know, maybe.").hedges == ["i don't know", "maybe"]
    assert analyse_sentence("I, I, I don't have experience.").repeated == ["i"]
    assert analyse_sentence("Oh no, my phone is gone.").interjections == {"oh no": "dismay"}


def test_lookup_strips_inflections_and_tokenizer_keeps_apostrophes() -> None:
    lex = nrc_lexicon()
    assert len(lex) > 6000
    assert "anger" in lookup("kicked", lex)
    assert lookup("zzzz", lex) == ()
    assert tokenize("Don’t go!") == ["don't", "go", "!"]
    assert [s for _, _, s in split_sentences("Really? Impossible. Fine!")] == ["Really?", "Impossible.", "Fine!"]
