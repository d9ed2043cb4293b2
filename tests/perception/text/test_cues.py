"""Text clues with their time spans: from word times, and from untimed text laid along speech."""

from __future__ import annotations

from emoreason.perception.text.cues import SpeechTimeline, is_english, lexical_clues
from emoreason.records import Modality, Transcript, TranscriptSegment, TranscriptSource, Word


def _timed(text: str, t0: float = 1.0, step: float = 0.4) -> Transcript:
    words = [Word(text=w, start=t0 + i * step, end=t0 + (i + 1) * step) for i, w in enumerate(text.split())]
    seg = TranscriptSegment(start=words[0].start, end=words[-1].end, text=text, words=words)
    return Transcript(source=TranscriptSource.ASR, language="en", segments=[seg])


def test_word_times_give_the_clue_span() -> None:
    clues = lexical_clues(_timed("i am not happy today"))
    neg = [c for c in clues if "negated_positive" in c.tags]
    assert len(neg) == 1
    assert (neg[0].start, neg[0].end) == (2.2, 2.6)  # the word 'happy'
    assert neg[0].modality is Modality.TEXT
    assert any(e.name == "word" and e.value == "happy" for e in neg[0].evidence)


def test_seed_example_clues() -> None:
    t = Transcript(source=TranscriptSource.SUBTITLE_TEXT, segments=[
        TranscriptSegment(start=0.0, end=4.0, text="I was very happy, now are you satisfied?")])
    tags = {t for c in lexical_clues(t) for t in c.tags}
    assert {"contrast", "rhetorical_question", "negated_positive", "irony", "lex:joy", "intensified"} <= tags
    assert "positive_words" not in tags  # VADER's +0.78 is not taken at face value


def test_untimed_sentences_are_laid_along_speech() -> None:
    t = Transcript(source=TranscriptSource.SUBTITLE_TEXT, segments=[
        TranscriptSegment(start=0.0, end=10.0, text="Really? I am so angry with you now!")])
    clues = lexical_clues(t, speech=[(1.0, 2.0), (6.0, 9.0)], duration=10.0)
    really = next(c for c in clues if "incredulity" in c.tags)
    angry = next(c for c in clues if "lex:anger" in c.tags)
    assert 1.0 <= really.start < really.end <= 2.0
    assert angry.start >= really.end and angry.end <= 9.0


def test_timeline_skips_pauses() -> None:
    line = SpeechTimeline(0.0, 10.0, ((1.0, 2.0), (8.0, 9.0)))
    assert line.at(0.0) == 1.0 and line.at(0.5) == 2.0 and line.at(0.75) == 8.5 and line.at(1.0) == 9.0
    assert SpeechTimeline(0.0, 4.0).at(0.25) == 1.0


def test_language_check_and_scale() -> None:
    zh = Transcript(source=TranscriptSource.SUBTITLE_TEXT, segments=[TranscriptSegment(text="我很高兴")])
    assert not is_english(zh)
    assert is_english(_timed("hello there"))
    assert not is_english(Transcript(source=TranscriptSource.SUBTITLE_TEXT, language="zh",
                                     segments=[TranscriptSegment(text="hello")]))
    full = lexical_clues(_timed("i am so angry"))
    weak = lexical_clues(_timed("i am so angry"), scale=0.5)
    assert weak[0].strength < full[0].strength


def test_all_emitted_tags_are_declared() -> None:
    from emoreason.perception.text.cues import TEXT_TAGS

    text = ("I was very happy, now are you satisfied? Really? I am not sad! I, I don't know. "
            "Oh no, but this is terrible and I hate it.")
    t = Transcript(source=TranscriptSource.SUBTITLE_TEXT, segments=[TranscriptSegment(start=0, end=9, text=text)])
    tags = {tag for c in lexical_clues(t) for tag in c.tags}
    assert len(tags) > 12
    assert tags <= TEXT_TAGS
