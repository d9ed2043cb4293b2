"""FaceStage on the pipeline contract, main-character choice with speech, the `faces` command."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from emoreason.perception.base import ClipContext, PerceptionStage
from emoreason.perception.face import FaceStage
from emoreason.perception.face.characters import speaking_score, summarise_tracks
from emoreason.perception.face.table import finalise
from emoreason.records import Modality, SpeechSegment, StageStatus


def test_stage_follows_the_protocol() -> None:
    stage = FaceStage()
    assert isinstance(stage, PerceptionStage)
    assert stage.name == "face" and stage.modalities == (Modality.FACE,)
    with pytest.raises(ValueError, match="fps"):
        FaceStage(fps=0)


def _two_tracks() -> tuple[pd.DataFrame, pd.Series]:
    t = np.arange(0, 10, 0.2)
    rows, gaps = [], []
    for face_id, x in ((0, 50.0), (1, 350.0)):
        for i, ti in enumerate(t):
            rows.append({"frame": i, "face_id": face_id, "timestamp": ti, "success": 1, "face_x": x,
                         "face_y": 50.0, "face_w": 100.0, "face_h": 120.0, "neutral": 1.0})  # fmt: skip
            talking = face_id == 1 and 2.0 <= ti <= 8.0
            gaps.append(0.2 * (i % 2) if talking else 0.0)
    table = finalise(pd.DataFrame(rows))
    keyed = pd.DataFrame(rows)[["frame", "face_id"]].assign(gap=gaps)
    gap = table[["frame", "face_id"]].merge(keyed, on=["frame", "face_id"])["gap"]
    gap.index = table.index
    return table, gap


def test_the_face_that_talks_during_speech_is_the_main_character() -> None:
    table, gap = _two_tracks()
    silent = summarise_tracks(table, gap, frame_height=360, frames_analysed=50)
    assert {t.main_score for t in silent} == {silent[0].main_score}  # same size and screen time
    speech = [SpeechSegment(start=2.0, end=8.0)]
    tracks = summarise_tracks(table, gap, frame_height=360, frames_analysed=50, speech=speech)
    main = next(t for t in tracks if t.is_main)
    assert main.face_id == 1 and main.speaking_score > 0.5
    assert speaking_score(np.arange(5.0), np.zeros(5), []) is None


@pytest.mark.slow
def test_stage_on_the_sample_clip_sets_context_and_clues(sample_clip: Path) -> None:
    from emoreason.io import probe

    ctx = ClipContext(path=sample_clip, media=probe(sample_clip))
    (report,) = FaceStage(fps=5).run(ctx)
    assert report.status is StageStatus.OK and report.modality is Modality.FACE
    assert ctx.face is not None and ctx.face.main_face_id == 0
    assert ctx.face_table is not None and len(ctx.face_table) == ctx.face.frames_analysed
    assert ctx.face.peak is not None and ctx.face.peak.time > 9.0 and "AU12" in ctx.face.peak.aus
    smiles = [c for c in report.clues if "smile" in c.tags and "peak_frame" not in c.tags]
    assert smiles and min(c.start for c in smiles) > 9.0
    assert all(c.evidence for c in report.clues if "peak_frame" not in c.tags or c.evidence)
    assert any("expression:sadness" in c.tags and c.start < 2.0 for c in report.clues)


@pytest.mark.slow
def test_stage_reports_no_face_explicitly(tmp_path: Path) -> None:
    from emoreason.io import probe
    from tests.io.media_factory import synth_video

    video = synth_video(tmp_path / "blank.mp4", seconds=1.0, fps=10, size=(160, 120))
    ctx = ClipContext(path=video, media=probe(video))
    (report,) = FaceStage(fps=5).run(ctx)
    assert report.status is StageStatus.EMPTY
    assert report.message == "no face found in blank.mp4"
    assert ctx.face is not None and ctx.face.tracks == [] and ctx.face.peak is None


@pytest.mark.slow
def test_faces_command_writes_table_and_preview(tmp_path: Path, sample_clip: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from emoreason.cli.faces_cmd import register

    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps `faces` a named subcommand
        pass

    out, preview = tmp_path / "faces.csv", tmp_path / "peak.png"
    result = CliRunner().invoke(
        app, ["faces", str(sample_clip), "--fps", "2", "-o", str(out), "--preview", str(preview)]
    )
    assert result.exit_code == 0, result.output
    assert "Peak frame" in result.output and "AU12" in result.output
    table = pd.read_csv(out)
    assert table.columns[0] == "frame" and "AU12_r" in table.columns
    assert preview.stat().st_size > 10_000


def test_faces_command_fails_fast_with_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from emoreason.cli.app import main

    assert main(["faces", str(tmp_path / "missing.mp4")]) == 2
    assert "file not found" in capsys.readouterr().err
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0")
    assert main(["faces", str(clip), "-o", str(tmp_path / "faces.xlsx")]) == 2
    assert "use .csv or .parquet" in capsys.readouterr().err


def test_audio_only_input_is_a_missing_stream(tmp_path: Path) -> None:
    import av

    from emoreason.errors import MissingStreamError
    from emoreason.perception.face import detect_faces

    wav = tmp_path / "tone.wav"
    with av.open(str(wav), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=16000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1600), np.int16), format="s16", layout="mono")
        frame.sample_rate = 16000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    with pytest.raises(MissingStreamError, match="no video stream"):
        detect_faces(wav)
