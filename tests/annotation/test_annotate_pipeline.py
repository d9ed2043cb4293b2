"""`emoreason annotate`: records, media, resume, idempotence, LLM failures retried, contradiction filter."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.annotation.contradictions import au_pseudo_label, label_conflicts, modality_conflicts
from emoreason.annotation.records import ANNOTATIONS_NAME, AnnotationStatus
from emoreason.annotation.runner import AnnotateOptions, annotate, load_records
from emoreason.records import DecisionRecord, LabelProbability, ModalityVote
from tests.io.media_factory import synth_video
from tests.tasks.judge_server import Script, serve

FAST = AnnotateOptions(stages=["voice", "face"], asr=False)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short synthetic clips (no face; one with a tone, one silent)."""
    root = tmp_path_factory.mktemp("clips")
    synth_video(root / "tone.mp4", seconds=1.0, fps=10, tone_hz=220.0)
    synth_video(root / "silent.mp4", seconds=1.0, fps=10)
    return root


def _lines(dataset: Path) -> list[dict]:
    return [json.loads(x) for x in (dataset / ANNOTATIONS_NAME).read_text().splitlines() if x.strip()]


def test_folder_becomes_dataset_and_rerun_skips(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    first = annotate(clips, out, options=FAST)
    assert first.total == 2 and first.done == 2 and first.skipped == 0
    records = {r.id: r for r in load_records(out)}
    assert set(records) == {"tone.mp4", "silent.mp4"}
    for rec in records.values():
        assert rec.status in (AnnotationStatus.OK, AnnotationStatus.FLAGGED)
        assert rec.fine_caption.startswith("In the video,")
        assert rec.llm_calls and rec.llm_calls[0].writer == "template" and len(rec.llm_calls[0].prompt_hash) == 16
        assert "face" in rec.missing  # no face in the synthetic clip: said so, not silently empty
        assert rec.scene is None and "scene" in rec.missing
        assert rec.media and (out / rec.media).is_file()
    second = annotate(clips, out, options=FAST)
    assert second.done == 0 and second.skipped == 2
    assert len(_lines(out)) == 2  # idempotent: no duplicate lines


def test_torn_last_line_is_redone_once(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    annotate(clips, out, options=FAST)
    path = out / ANNOTATIONS_NAME
    data = path.read_bytes()
    path.write_bytes(data[: data.rstrip(b"\n").rfind(b"\n") + 1] + data.splitlines()[-1][:40])  # killed mid-write
    summary = annotate(clips, out, options=FAST)
    assert summary.done == 1 and summary.skipped == 1
    ids = [line["id"] for line in _lines(out)]
    assert sorted(ids) == ["silent.mp4", "tone.mp4"]


def test_llm_failure_recorded_then_retried_without_perception(clips: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    good = json.dumps({"caption": "In the video, the person speaks in a steady tone.", "emotion": "calm",
                       "contradictory": False})
    script = Script(replies=[("status", 400), ("status", 400)], default=good)
    with serve(script) as url:
        options = AnnotateOptions(stages=["voice", "face"], asr=False, reasoner="openai", model="m", base_url=url)
        first = annotate(clips, out, options=options)
        assert first.counts == {"llm_failed": 2} and set(first.failed) == {"tone.mp4", "silent.mp4"}
        for rec in load_records(out):
            assert rec.status is AnnotationStatus.LLM_FAILED and "HTTP 400" in rec.error
            assert rec.llm_calls[-1].ok is False and rec.llm_calls[-1].model.startswith("openai:m@")
        second = annotate(clips, out, options=options)
    assert second.counts.get("ok", 0) + second.counts.get("flagged", 0) == 2
    for rec in load_records(out):
        assert rec.fine_caption == "In the video, the person speaks in a steady tone."
        assert [c.ok for c in rec.llm_calls] == [False, True]  # history kept
        assert rec.llm_calls[-1].raw_output == good and rec.llm_calls[-1].model == "m"
    merge_prompt = script.requests[-1]["messages"][-1]["content"]
    assert "Audio tone:" in merge_prompt and "Visual expression" in merge_prompt
    assert len(_lines(out)) == 4  # two failures + two retries, latest wins


def test_unusable_llm_reply_is_a_failure(clips: Path, tmp_path: Path) -> None:
    with serve(Script(default="I cannot help with that.")) as url:
        options = AnnotateOptions(stages=["voice"], asr=False, reasoner="openai", model="m", base_url=url)
        summary = annotate(clips / "tone.mp4", tmp_path / "ds", options=options)
    assert summary.counts == {"llm_failed": 1}
    rec = load_records(tmp_path / "ds")[0]
    assert "unusable" in rec.error and rec.llm_calls[-1].raw_output == "I cannot help with that."


def test_unreadable_clip_becomes_error_record(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.mp4").write_bytes(b"not a video at all" * 100)
    summary = annotate(folder, tmp_path / "ds", options=FAST)
    assert summary.counts == {"error": 1}
    rec = load_records(tmp_path / "ds")[0]
    assert rec.status is AnnotationStatus.ERROR and "broken.mp4" in rec.error
    again = annotate(folder, tmp_path / "ds", options=FAST)
    assert again.skipped == 1  # not retried by default
    assert list(again.failed) == ["broken.mp4"] and "broken.mp4" in again.failed["broken.mp4"]  # but still said


def _decision(votes: list[tuple[str, str, dict[str, float]]], ranked: list[tuple[str, float]]) -> DecisionRecord:
    return DecisionRecord(
        label=ranked[0][0], probabilities=[LabelProbability(label=lab, score=p) for lab, p in ranked],
        votes=[ModalityVote(source=s, modality=m, probabilities=p, reliability=1.0, weight=1.0) for s, m, p in votes])


def test_contradiction_rules() -> None:
    assert au_pseudo_label(["AU06", "AU12", "AU25"]) == "happy"
    assert au_pseudo_label(["AU04", "AU05", "AU07", "AU23", "AU01"]) == "angry"
    assert au_pseudo_label(["AU25"]) is None
    clash = _decision([("face-au-head", "face", {"happy": 0.8, "angry": 0.2}),
                       ("text-head", "text", {"angry": 0.7, "happy": 0.3})], [("angry", 0.6), ("happy", 0.4)])
    found = modality_conflicts(clash)
    assert [c.kind for c in found] == ["modalities"] and "face says happy" in found[0].detail
    agree = _decision([("face-au-head", "face", {"happy": 0.8}), ("text-head", "text", {"happy": 0.9})],
                      [("happy", 0.9)])
    assert modality_conflicts(agree) == []
    weak = _decision([("a", "face", {"happy": 0.4}), ("b", "text", {"angry": 0.45})], [("angry", 0.5)])
    assert modality_conflicts(weak) == []
    kinds = [c.kind for c in label_conflicts("surprise", ["sad", "neutral"], "furious", True)]
    assert kinds == ["au-label", "caption-label", "llm-verdict"]
    assert label_conflicts("happy", ["happy", "sad"], "joyful", False) == []


@pytest.mark.slow
def test_sample_clip_with_real_models(sample_clip: Path, tmp_path: Path) -> None:
    summary = annotate(sample_clip, tmp_path / "ds")
    assert summary.done == 1
    rec = load_records(tmp_path / "ds")[0]
    assert rec.peak_index is not None and rec.peak_au_list and rec.peak_au_phrases
    assert rec.peak_frame and (tmp_path / "ds" / rec.peak_frame).stat().st_size > 5_000
    assert "voice" in rec.missing and "silent" in rec.missing["voice"]  # the sample's audio is digital silence
    assert rec.label and rec.fine_caption.startswith("In the video,")


@pytest.mark.slow
def test_shared_clip_with_real_models(shared_clips: Path, tmp_path: Path) -> None:
    clip = shared_clips / "sample_00000000.mp4"
    summary = annotate(clip, tmp_path / "ds")
    assert summary.done == 1
    rec = load_records(tmp_path / "ds")[0]
    assert rec.status in (AnnotationStatus.OK, AnnotationStatus.FLAGGED)
    assert rec.transcript and rec.transcript_source == "asr"  # Whisper by default
    assert rec.audio_tone or "voice" in rec.missing
    assert rec.peak_au_list and rec.peak_frame
