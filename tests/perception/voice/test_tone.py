"""Tone rules on synthetic speech with known pitch movement and loudness (webrtcvad finds it as speech)."""

from __future__ import annotations

import numpy as np

from emoreason.perception.voice import analyse_voice, describe_tone
from emoreason.records import Prosody, SpeechSegment, VoiceSummary
from tests.perception.voice.signals import SR, glide, silence, vowel


def _utterance(*parts: np.ndarray, gap: float = 0.6) -> np.ndarray:
    out = [silence(0.4)]
    for p in parts:
        out += [p, silence(gap)]
    return np.concatenate(out)


def _clues_with(tag: str, clues: list) -> list:
    return [c for c in clues if tag in c.tags]


def test_end_rise_is_detected_only_where_pitch_rises() -> None:
    flat = vowel(150, 1.0)
    rising = np.concatenate([vowel(150, 0.6), glide(150, 240, 0.5)])
    falling = np.concatenate([vowel(150, 0.6), glide(150, 95, 0.5)])
    x = _utterance(flat, rising, falling)
    analysis = analyse_voice(x, SR, vad="webrtc")
    segs = analysis.summary.speech_segments
    assert len(segs) == 3
    rises = _clues_with("rising_pitch", describe_tone(analysis.summary))
    assert len(rises) == 1, [c.description for c in rises]
    assert rises[0].start == segs[1].start and rises[0].end == segs[1].end
    assert segs[1].prosody.f0_end_slope_st_per_s > 8
    assert segs[2].prosody.f0_end_slope_st_per_s < -8


def test_loud_segment_is_flagged_with_its_time_span() -> None:
    x = _utterance(vowel(140, 1.0, level=0.1), vowel(140, 1.0, level=0.4), vowel(140, 1.0, level=0.1))
    analysis = analyse_voice(x, SR, vad="webrtc")
    segs = analysis.summary.speech_segments
    assert len(segs) == 3
    assert segs[1].prosody.loudness_db - segs[0].prosody.loudness_db > 10
    loud = _clues_with("loud", describe_tone(analysis.summary))
    assert [(c.start, c.end) for c in loud] == [(segs[1].start, segs[1].end)]
    assert any(e.name == "loudness_db" for e in loud[0].evidence)


def test_raised_pitch_segment_against_speaker_baseline() -> None:
    x = _utterance(vowel(130, 1.0), vowel(130, 1.0), vowel(200, 1.0), vowel(130, 1.0))
    analysis = analyse_voice(x, SR, vad="webrtc")
    raised = _clues_with("raised_pitch", describe_tone(analysis.summary))
    segs = analysis.summary.speech_segments
    assert [(c.start, c.end) for c in raised] == [(segs[2].start, segs[2].end)]


def test_monotone_voice_is_flat_and_a_long_pause_is_reported() -> None:
    x = _utterance(vowel(110, 1.5), vowel(110, 1.5), gap=1.6)
    analysis = analyse_voice(x, SR, vad="webrtc")
    clues = describe_tone(analysis.summary)
    assert _clues_with("flat", clues)
    pauses = _clues_with("long_pause", clues)
    segs = analysis.summary.speech_segments
    assert len(pauses) == 1 and pauses[0].start == segs[0].end and pauses[0].end == segs[1].start


def test_population_rules_from_numbers() -> None:
    fast = Prosody(speaking_rate_syl_per_s=6.8, f0_range_st=6.0, f0_mean_hz=180.0, voiced_ratio=0.7,
                   f0_tremor_st=1.6, jitter_local=0.04, shimmer_local=0.12)
    summary = VoiceSummary(speech_segments=[SpeechSegment(start=1.0, end=3.0, prosody=fast)], clip_prosody=fast)
    tags = {t for c in describe_tone(summary) for t in c.tags}
    assert {"fast", "trembling"} <= tags
    assert "slow" not in tags


def test_no_speech_gives_no_clues() -> None:
    assert describe_tone(VoiceSummary()) == []


def test_all_emitted_tags_are_declared() -> None:
    from emoreason.perception.voice.tone import VOICE_TAGS

    x = _utterance(vowel(110, 1.0, level=0.1), np.concatenate([vowel(150, 0.6), glide(150, 240, 0.5)]),
                   vowel(200, 1.0, level=0.4), gap=1.2)
    clues = describe_tone(analyse_voice(x, SR, vad="webrtc").summary)
    assert clues
    assert {t for c in clues for t in c.tags} <= VOICE_TAGS
