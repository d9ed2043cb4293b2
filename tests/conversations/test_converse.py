"""`converse` end to end with seeded stand-in heads: every utterance back, ids kept, causes and spans
well-formed, clips cited or their gap said, bad dialogues reported without losing finished ones."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from emoreason.cli.app import main
from emoreason.conversations import DialogueAnalysis, DialogueBatchError, converse
from emoreason.conversations.model import DialogueHeads
from emoreason.records import Clue, EmotionScore, ExplainResult, MediaInfo, Modality, ModalityReport, StageStatus
from emoreason.tasks.predictions import read_predictions
from tests.conversations.factory import hashed_vectors, write_heads

LINES = [("Chandler", "Alright , so I am back in high school , and I realize I am totally naked ."),
         ("All", "Oh , yeah . Had that dream ."),
         ("Chandler", "Then I look down , and I realize there is a phone ... there ."),
         ("Joey", "Instead of ... ?"),
         ("Chandler", "That is right ."),
         ("Phoebe", ""),
         ("Joey", "Never had that dream .")]


@pytest.fixture()
def heads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DialogueHeads:
    monkeypatch.setattr("emoreason.conversations.analyse.embed", hashed_vectors)
    folder = tmp_path / "heads"
    folder.mkdir()
    return DialogueHeads.load(write_heads(folder))


def ecac_file(tmp_path: Path, conversations: list[list[tuple[str, str]]], *, first_id: int = 40) -> Path:
    data = [{"conversation_ID": first_id + k, "conversation": [
        {"utterance_ID": i, "text": t, "speaker": s, "emotion": "joy", "video_name": f"dia{first_id + k}utt{i}.mp4"}
        for i, (s, t) in enumerate(conv, 1)]} for k, conv in enumerate(conversations)]
    path = tmp_path / "dialogues.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_every_utterance_comes_back_well_formed(tmp_path: Path, heads: DialogueHeads) -> None:
    (analysis,) = converse(ecac_file(tmp_path, [LINES]), heads=heads)
    assert analysis.conversation_id == "40" and [r.utterance_id for r in analysis.utterances] == list(range(1, 8))
    ids = {r.utterance_id for r in analysis.utterances}
    for pos, row in enumerate(analysis.utterances):
        assert [e.label for e in row.emotions][0] == row.emotion and len(row.emotions) == 7
        assert abs(sum(e.score for e in row.emotions) - 1.0) < 0.01
        assert row.explanation is not None and row.explanation.text
        if row.emotion == "neutral":
            assert not row.causes and not row.spans
        for cause in row.causes:
            assert cause.utterance_id in ids and cause.utterance_id - row.utterance_id <= 2
            assert analysis.utterances[cause.utterance_id - 1].text.strip()  # never an empty turn
        for span in row.spans:
            tokens = analysis.utterances[span.utterance_id - 1].text.split()
            assert 0 <= span.start < span.end <= len(tokens) and span.text == " ".join(tokens[span.start:span.end])
        assert pos != 5 or (row.emotion == "neutral" and any("empty utterance" in n for n in row.notes))
    assert any(r.causes for r in analysis.utterances), "the stand-in heads should predict some emotions"
    assert {f.speaker for f in analysis.speakers} == {s for s, _ in LINES}
    assert any("empty utterance" in w for w in analysis.warnings)


def test_template_explanation_is_ecem_style_and_cites_its_cause(tmp_path: Path, heads: DialogueHeads) -> None:
    (analysis,) = converse(ecac_file(tmp_path, [LINES]), heads=heads)
    row = next(r for r in analysis.utterances if r.causes)
    assert row.explanation.text.startswith("The reason ") and " is that " in row.explanation.text
    assert row.explanation.cited_utterances == [max(row.causes, key=lambda c: c.score).utterance_id]


def test_semeval_output_is_read_by_the_task_loader(tmp_path: Path, heads: DialogueHeads,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    src = ecac_file(tmp_path, [LINES, LINES[:3]])
    out = tmp_path / "pred.json"
    monkey_heads = str(heads.source)
    code = main(["converse", str(src), "--format", "semeval", "-o", str(out), "--heads", monkey_heads])
    assert code == 0, capsys.readouterr().err
    preds = read_predictions(out)
    assert [c.id for c in preds.conversations] == ["40", "41"] and not preds.issues
    analyses = converse(src, heads=heads)
    expected = sum(len(r.causes) for a in analyses for r in a.utterances)
    assert sum(len(c.pairs) for c in preds.conversations) == expected
    assert all(p.end >= p.start for c in preds.conversations for p in c.pairs)


def test_bad_dialogue_is_reported_and_finished_ones_are_kept(tmp_path: Path, heads: DialogueHeads,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = LINES[:3], LINES[:2]
    src = ecac_file(tmp_path, [good, bad, good])
    data = json.loads(src.read_text())
    data[1]["conversation"][1]["utterance_ID"] = 1  # duplicate id in the middle conversation
    src.write_text(json.dumps(data))
    out = tmp_path / "out.jsonl"
    code = main(["converse", str(src), "--format", "json", "-o", str(out), "--heads", str(heads.source)])
    err = capsys.readouterr().err
    assert code == 2 and "utterance id 1 is used twice" in err and str(src) in err and "Traceback" not in err
    kept = [DialogueAnalysis.model_validate_json(line) for line in out.read_text().splitlines()]
    assert [a.conversation_id for a in kept] == ["40", "42"]
    with pytest.raises(DialogueBatchError) as info:
        converse(src, heads=heads)
    assert [a.conversation_id for a in info.value.analyses] == ["40", "42"]


def test_malformed_file_exits_2_with_one_line(tmp_path: Path, heads: DialogueHeads,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("[{\"conversation_ID\": 1,")
    code = main(["converse", str(bad), "--heads", str(heads.source)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and str(bad) in err and len(err.splitlines()) == 1


def test_missing_clips_are_said_and_present_ones_cited(tmp_path: Path, heads: DialogueHeads) -> None:
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "dia40utt1.mp4").write_bytes(b"stand-in clip")
    seen: list[tuple[str, str]] = []

    def runner(clip: Path, text: str) -> ExplainResult:
        seen.append((clip.name, text))
        clue = Clue(modality=Modality.FACE, description="smiles broadly", start=0.2, end=1.0, strength=0.8)
        return ExplainResult(media=MediaInfo(path=str(clip), container="mp4", size_bytes=1, duration=1.0),
                             modalities=[ModalityReport(modality=Modality.FACE, status=StageStatus.OK, clues=[clue]),
                                         ModalityReport(modality=Modality.VOICE, status=StageStatus.EMPTY)],
                             emotions=[EmotionScore(label="happy", score=0.9, family="happy")])

    (analysis,) = converse(ecac_file(tmp_path, [LINES[:3]]), heads=heads, clips=clips, clip_runner=runner)
    assert seen == [("dia40utt1.mp4", LINES[0][1])]
    first, second = analysis.utterances[0], analysis.utterances[1]
    assert first.evidence.status == "ok" and first.evidence.clues[0].description == "smiles broadly"
    assert f"[{first.evidence.clues[0].id}]" in first.explanation.text
    assert first.explanation.cited_clues == [first.evidence.clues[0].id] and first.evidence.unread == ["voice: empty"]
    assert second.evidence.status == "missing" and any("analysed from text only" in n for n in second.notes)
    assert any("2 of 3 utterances have no usable clip" in w for w in analysis.warnings)


def test_long_dialogue_streams_in_linear_time(tmp_path: Path, heads: DialogueHeads) -> None:
    long = [(f"S{k % 5}", f"line number {k} , and it goes on ?") for k in range(1200)]
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps({"speaker": s, "text": t, "id": f"r{k}"}) + "\n"
                            for k, (s, t) in enumerate(long)), encoding="utf-8")
    t0 = time.perf_counter()
    (analysis,) = converse(path, heads=heads)
    assert len(analysis.utterances) == 1200 and analysis.utterances[-1].id == "r1199"
    assert time.perf_counter() - t0 < 30
    assert all(c.utterance_id >= r.utterance_id - 8 for r in analysis.utterances for c in r.causes)


def test_no_context_option_changes_only_the_emotion_head(tmp_path: Path, heads: DialogueHeads) -> None:
    src = ecac_file(tmp_path, [LINES])
    with_ctx = converse(src, heads=heads)[0]
    without = converse(src, heads=heads, context=False)[0]
    assert [r.utterance_id for r in without.utterances] == [r.utterance_id for r in with_ctx.utterances]
    assert [r.emotions[0].score for r in without.utterances] != [r.emotions[0].score for r in with_ctx.utterances]


def test_video_with_speaker_subtitles_is_cut_per_utterance(tmp_path: Path, heads: DialogueHeads,
                                                           sample_clip: Path) -> None:
    from emoreason.io import probe

    srt = tmp_path / "scene.srt"
    srt.write_text("1\n00:00:01,000 --> 00:00:03,000\nAnna: I thought it was over.\n\n"
                   "2\n00:00:09,800 --> 00:00:12,500\nBen: It is not , look at this !\n\n"
                   "3\n00:00:30,000 --> 00:00:31,000\nAnna: Past the end.\n", encoding="utf-8")
    durations: dict[str, float] = {}

    def runner(clip: Path, text: str) -> ExplainResult:
        media = probe(clip)
        durations[text] = media.duration
        return ExplainResult(media=media, modalities=[], emotions=[])

    (analysis,) = converse(sample_clip, subtitle=srt, heads=heads, clip_runner=runner)
    assert [r.speaker for r in analysis.utterances] == ["Anna", "Ben", "Anna"]
    assert durations["I thought it was over."] == pytest.approx(2.0, abs=0.1)
    assert durations["It is not , look at this !"] == pytest.approx(2.7, abs=0.1)
    assert analysis.utterances[2].evidence.status == "missing"  # starts after the video ends


def test_text_and_markdown_formats(tmp_path: Path, heads: DialogueHeads, capsys: pytest.CaptureFixture[str]) -> None:
    src = ecac_file(tmp_path, [LINES[:4]])
    assert main(["converse", str(src), "--heads", str(heads.source)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Conversation 40 (ecac-json, 4 utterances)") and "Emotion flow per speaker:" in text
    assert "u3 Chandler: Then I look down" in text
    assert main(["converse", str(src), "--heads", str(heads.source), "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert md.startswith("## Conversation 40") and md.count("\n| u") == 4


def test_warnings_reach_stderr_once_when_the_output_cannot_show_them(tmp_path: Path, heads: DialogueHeads,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "latin.csv"
    src.write_bytes("conversation_id,speaker,text\n1,Ann,caf\xe9 again\n1,Bob,what ?\n2,Ann,na\xefve\n"
                    .encode("latin-1"))
    out = tmp_path / "pred.json"
    code = main(["converse", str(src), "--format", "semeval", "-o", str(out), "--heads", str(heads.source)])
    err = capsys.readouterr().err.splitlines()
    assert code == 0 and len(read_predictions(out).conversations) == 2
    assert err == [f"warning: {src.name}: not UTF-8; read as latin-1"]
    code = main(["converse", str(src), "--heads", str(heads.source)])
    captured = capsys.readouterr()
    assert code == 0 and captured.err == "" and captured.out.count("not UTF-8") == 2
