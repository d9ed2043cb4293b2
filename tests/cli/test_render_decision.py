"""Text and Markdown renderings show the decision and the timeline, and list observed clues only."""

from __future__ import annotations

from emoreason.perception.learned import learned_clue
from emoreason.reasoning.fusion import fuse
from emoreason.reasoning.protocol import ReasoningRequest
from emoreason.reasoning.timeline import build_timeline
from emoreason.records import Clue, ExplainResult, MediaInfo, Modality, ModalityReport, StageStatus
from emoreason.render import to_markdown, to_text


def _result() -> ExplainResult:
    media = MediaInfo(path="clip.mp4", duration=6.0, size_bytes=1, container="mp4")
    clues = [
        learned_clue(modality=Modality.FACE, source="face-expression", probabilities={"sad": 0.8, "neutral": 0.2},
                     start=0.0, end=3.0, reliability=1.0, description="expression model reads sad (p=0.80)"),
        learned_clue(modality=Modality.FACE, source="face-expression", probabilities={"happy": 0.9, "neutral": 0.1},
                     start=3.0, end=6.0, reliability=1.0, description="expression model reads happy (p=0.90)"),
        Clue(modality=Modality.FACE, description="smiles broadly from 3.0 s", start=3.0, end=6.0, strength=0.7,
             tags=["smile"]),
    ]
    request = ReasoningRequest(media=media, modalities=[ModalityReport(modality=Modality.FACE,
                                                                       status=StageStatus.OK, clues=clues)])
    fusion = fuse(request)
    return ExplainResult(media=media, modalities=request.modalities, emotions=fusion.emotions,
                         valence=fusion.valence, decision=fusion.decision, timeline=build_timeline(request))


def test_text_shows_decision_timeline_and_only_observed_clues() -> None:
    text = to_text(_result())
    assert "Decision: " in text and "driven by face" in text
    timeline = text.split("Timeline:\n")[1].split("\n\n")[0].splitlines()
    assert [line.split()[1] for line in timeline] == ["sad", "happy"]
    assert "smiles broadly" in text and "expression model reads" not in text.split("Clues:")[1]


def test_markdown_shows_the_timeline() -> None:
    md = to_markdown(_result())
    assert "**Timeline:**" in md and "**Decision:**" in md
    assert "expression model reads" not in md.split("| time |")[1]
