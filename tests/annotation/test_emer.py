"""EMER merge: Figure 1 / Figure 2 prompts verbatim, every call recorded, failures retried, bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from emoreason.annotation.emer import (
    combine,
    merge_clues,
    read_clue_file,
    read_emer_records,
    template_clue_summary,
    template_emotions,
)
from emoreason.annotation.errors import AnnotationError
from emoreason.annotation.llm import Recorder, build_backend
from emoreason.annotation.records import AnnotationStatus
from tests.tasks.judge_server import Script, serve

FIGURE_1 = ('Multi-paragraph descriptions of a video is given below. '
            'Please summarize these descriptions as follows:\n\n'
            '1. Please unify the subject of multiple paragraphs of "Clue Description" into "he".')
FIGURE_2 = ("Please summarize the most likely emotional state of the characters in the video based on the "
            "following "
            "description, and only output emotional words:\n\nDescription: Although he looks happy, he is actually "
            "very anxious.\n\nOutput: anxiety\n\nDescription: ")


def _clues(path: Path) -> Path:
    rows = [
        {"id": "clip1", "annotator": "a1", "face": "She frowns and stares.", "tone": "Her voice is loud.",
         "speech": "She says she is fed up.", "scene": ""},
        {"id": "clip1", "annotator": "a2", "face": "She frowns and stares.", "tone": "The tone is sharp and angry.",
         "speech": "", "scene": "An office."},
        {"id": "clip2", "annotator": "a1", "face": "He smiles.", "tone": "", "speech": "He thanks his friend.",
         "scene": ""},
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_template_merge_offline(tmp_path: Path) -> None:
    counts = merge_clues(_clues(tmp_path / "clues.csv"), tmp_path / "emer.jsonl", Recorder(None))
    assert counts == {"skipped": 0, "ok": 2}
    recs = {r.id: r for r in read_emer_records(tmp_path / "emer.jsonl")}
    one = recs["clip1"]
    assert one.annotators == ["a1", "a2"] and len(one.clue_descriptions) == 2
    assert one.clue_summary.count("He frowns and stares.") == 1  # repeated sentence removed, subject unified
    assert "angry" in one.emotions
    assert one.description.startswith("In the video, with the help of these “") and one.emotions in one.description
    assert [c.step for c in one.llm_calls] == ["emer.clues", "emer.emotions"]
    assert all(c.writer == "template" and len(c.prompt_hash) == 16 for c in one.llm_calls)
    again = merge_clues(tmp_path / "clues.csv", tmp_path / "emer.jsonl", Recorder(None))
    assert again == {"skipped": 2}


def test_llm_merge_sends_the_papers_prompts_and_records_calls(tmp_path: Path) -> None:
    script = Script(replies=["He frowns, speaks loudly and says he is fed up.", "Output: anger, frustration",
                             "He smiles and thanks his friend.", "gratitude, happiness"])
    with serve(script) as url:
        recorder = Recorder(build_backend("openai", model="gpt-x", base_url=url))
        counts = merge_clues(_clues(tmp_path / "clues.csv"), tmp_path / "out.jsonl", recorder)
    assert counts == {"skipped": 0, "ok": 2}
    first_prompt = script.requests[0]["messages"][-1]["content"]
    assert first_prompt.startswith(FIGURE_1)
    assert '"Clue Description 1": She frowns and stares. Her voice is loud. She says she is fed up.' in first_prompt
    assert '"Clue Description 2": ' in first_prompt and first_prompt.rstrip().endswith("Output:")
    second_prompt = script.requests[1]["messages"][-1]["content"]
    assert second_prompt == FIGURE_2 + "He frowns, speaks loudly and says he is fed up.\n\nOutput:"
    rec = {r.id: r for r in read_emer_records(tmp_path / "out.jsonl")}["clip1"]
    assert rec.emotions == "anger, frustration"
    assert rec.description == ("In the video, with the help of these “He frowns, speaks loudly and says he is fed up”, "
                               "we can infer the emotion state of the character as “anger, frustration”.")
    assert [c.raw_output for c in rec.llm_calls] == ["He frowns, speaks loudly and says he is fed up.",
                                                     "Output: anger, frustration"]
    assert all(c.model == "gpt-x" and c.writer == "openai" for c in rec.llm_calls)


def test_failed_call_is_recorded_and_retried(tmp_path: Path) -> None:
    clues = _clues(tmp_path / "clues.csv")
    with serve(Script(replies=[("status", 404)], default="anger")) as url:
        recorder = Recorder(build_backend("openai", model="m", base_url=url))
        first = merge_clues(clues, tmp_path / "out.jsonl", recorder)
        assert first == {"skipped": 0, "llm_failed": 1, "ok": 1}
        failed = {r.id: r for r in read_emer_records(tmp_path / "out.jsonl")}["clip1"]
        assert failed.status is AnnotationStatus.LLM_FAILED and "HTTP 404" in failed.llm_calls[0].error
        second = merge_clues(clues, tmp_path / "out.jsonl", recorder)
    assert second == {"skipped": 1, "ok": 1}


def test_jsonl_input_and_free_text_column(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"name": "v1", "annotator": "x", "clue": "He is sad and cries."}) + "\n")
    rows = read_clue_file(path)
    assert rows[0].id == "v1" and rows[0].texts() == ["He is sad and cries."]


@pytest.mark.parametrize(("content", "suffix", "message"), [
    ("{not json}\n", ".jsonl", "line 1 is not JSON"),
    ('["a"]\n', ".jsonl", "not a JSON object"),
    ("id,annotator,face\n,a1,frowns\n", ".csv", "row 2 has no id or no clue text"),
    ("id,annotator\nclip,a1\n", ".csv", "no id or no clue text"),
    ("", ".csv", "no clue rows"),
    ("x", ".txt", "are .jsonl or .csv"),
])
def test_malformed_clue_files(tmp_path: Path, content: str, suffix: str, message: str) -> None:
    path = tmp_path / f"clues{suffix}"
    path.write_text(content)
    with pytest.raises(AnnotationError, match=message):
        read_clue_file(path)


def test_template_helpers() -> None:
    assert template_clue_summary(["She cries", "she cries.  The woman looks down"]) == "He cries. He looks down."
    assert template_emotions("He is anxious and sad, very anxious.") == "anxious, sad"
    assert template_emotions("He walks.") == "neutral"
    assert combine("He cries.", "sad") == ("In the video, with the help of these “He cries”, we can infer the "
                                           "emotion state of the character as “sad”.")
