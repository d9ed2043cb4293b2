"""Factories for reasoning tests: constructed evidence, no media needed."""

from __future__ import annotations

from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.records import (
    Clue,
    Evidence,
    MediaInfo,
    Modality,
    ModalityReport,
    StageStatus,
    Transcript,
    TranscriptSegment,
    TranscriptSource,
)

ALL = (Modality.FACE, Modality.VOICE, Modality.TEXT)


def clue(
    modality: str | Modality,
    description: str,
    start: float,
    end: float,
    strength: float = 0.8,
    tags: tuple[str, ...] = (),
    evidence: tuple[Evidence, ...] = (),
) -> Clue:
    """One clue."""
    return Clue(
        modality=Modality(modality), description=description, start=start, end=end, strength=strength,
        tags=list(tags), evidence=list(evidence), source="test",
    )


def request(
    *clues: Clue,
    subtitle: str | None = None,
    duration: float = 5.0,
    read: tuple[Modality, ...] = ALL,
) -> ReasoningRequest:
    """A request whose `read` modalities are OK (with the given clues) and the others missing."""
    reports = []
    for modality in Modality:
        mine = [c for c in clues if c.modality == modality]
        status = StageStatus.OK if modality in read or mine else StageStatus.MISSING
        reports.append(ModalityReport(modality=modality, status=status, clues=mine, extractor="test"))
    transcript = None
    if subtitle is not None:
        transcript = Transcript(
            source=TranscriptSource.SUBTITLE_TEXT, language="en",
            segments=[TranscriptSegment(start=0.0, end=duration, text=subtitle)],
        )
    media = MediaInfo(path="/clips/test.mp4", container="mp4", size_bytes=1000, duration=duration)
    return ReasoningRequest(media=media, modalities=reports, transcript=transcript)


def sarcastic_request() -> ReasoningRequest:
    """Smiling face, loud voice, angry words: EMER's sarcasm case."""
    return request(
        clue("face", "smiles broadly", 0.4, 2.1, 0.8, ("smile", "AU12")),
        clue("voice", "speaks loudly with raised pitch", 0.5, 3.0, 0.7, ("loud", "raised_pitch")),
        clue("text", "hostile words: 'useless', 'fault'", 0.0, 5.0, 0.75, ("lex:anger", "accusation")),
        subtitle="Great, it's all your fault, you useless idiot.",
    )


def sad_request() -> ReasoningRequest:
    """Downturned mouth, slow soft voice with pauses, sad words."""
    return request(
        clue("face", "mouth corners pulled down", 1.0, 3.5, 0.7, ("lip_corner_depress", "inner_brow_raise")),
        clue("voice", "speaks slowly and softly with long pauses", 0.2, 4.6, 0.7, ("slow", "soft", "pauses")),
        clue("text", "sad words: 'anymore', 'lost'", 0.0, 5.0, 0.6, ("lex:sadness", "negative_words")),
        subtitle="It doesn't really matter anymore, I lost everything.",
    )
