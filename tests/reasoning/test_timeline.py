"""The emotion timeline: windows from speech segments or face windows, and its summary sentence."""

from __future__ import annotations

from emoreason.perception.learned import learned_clue
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.reasoning.timeline import build_timeline, summarise
from emoreason.records import (
    MediaInfo,
    Modality,
    ModalityReport,
    StageStatus,
    TimelineEntry,
    Transcript,
    TranscriptSegment,
    TranscriptSource,
)


def _clue(modality: Modality, source: str, label: str, start: float, end: float):  # noqa: ANN202
    return learned_clue(modality=modality, source=source, probabilities={label: 0.8, "neutral": 0.2},
                        start=start, end=end, reliability=1.0, description=f"reads {label}")


def _request(clues: list, transcript: Transcript | None = None) -> ReasoningRequest:
    media = MediaInfo(path="x.mp4", duration=10.0, size_bytes=1, container="mp4")
    mods = {}
    for c in clues:
        mods.setdefault(c.modality, []).append(c)
    reports = [ModalityReport(modality=m, status=StageStatus.OK, clues=cs) for m, cs in mods.items()]
    return ReasoningRequest(media=media, modalities=reports, transcript=transcript)


def test_windows_follow_speech_segments_and_the_words_in_them() -> None:
    transcript = Transcript(source=TranscriptSource.ASR, segments=[
        TranscriptSegment(start=0.0, end=4.0, text="first part"), TranscriptSegment(start=5.0, end=9.0, text="second"),
    ])
    clues = [_clue(Modality.TEXT, "text-head", "sad", 0.0, 4.0), _clue(Modality.TEXT, "text-head", "happy", 5.0, 9.0),
             _clue(Modality.FACE, "face-expression", "happy", 5.0, 9.0)]
    timeline = build_timeline(_request(clues, transcript))
    assert [(e.start, e.end, e.label) for e in timeline] == [(0.0, 4.0, "sad"), (5.0, 9.0, "happy")]
    assert timeline[0].text == "first part"
    assert timeline[1].modalities == ["face", "text"]
    assert timeline[0].valence < 0 < timeline[1].valence


def test_without_speech_the_face_windows_are_the_timeline() -> None:
    clues = [_clue(Modality.FACE, "face-au-head", "sad", 0.0, 3.0),
             _clue(Modality.FACE, "face-au-head", "happy", 3.0, 6.0)]
    assert [e.label for e in build_timeline(_request(clues))] == ["sad", "happy"]
    assert build_timeline(_request([])) == []


def test_summary_names_the_changes_and_what_dominates() -> None:
    entries = [TimelineEntry(start=0, end=2, label="sad"), TimelineEntry(start=2, end=4, label="sad"),
               TimelineEntry(start=4, end=10, label="happy")]
    text = summarise(entries)
    assert text == "Over time: sad 0.0–4.0 s, then happy 4.0–10.0 s; happy dominates (60 % of the time)."
    assert summarise(entries[:1]) is None


def test_short_segments_far_apart_are_not_merged() -> None:
    transcript = Transcript(source=TranscriptSource.ASR, segments=[
        TranscriptSegment(start=0.0, end=0.5, text="oh"), TranscriptSegment(start=6.0, end=6.4, text="no"),
    ])
    clues = [_clue(Modality.TEXT, "text-head", "surprise", 0.0, 0.5),
             _clue(Modality.TEXT, "text-head", "sad", 6.0, 6.4)]
    assert [(e.start, e.end) for e in build_timeline(_request(clues, transcript))] == [(0.0, 0.5), (6.0, 6.4)]
