"""Judges against a real HTTP server on 127.0.0.1: parse, retry, fail visibly, cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.reasoning.backends import OpenAIBackend
from emoreason.tasks.judges import JudgeStatus, make_judge
from emoreason.tasks.judges.base import JudgeCache, mean_verdict_score
from emoreason.tasks.judges.parsing import parse_overlap_score
from emoreason.tasks.judges.prompts import EMER_CLUE_OVERLAP, prompt_hash
from emoreason.tasks.spec import JudgeKind

from .judge_server import Script, serve


def _judge(kind: JudgeKind, url: str, tmp_path: Path | None = None, attempts: int = 3):  # noqa: ANN202
    backend = OpenAIBackend(url, "judge-model-x", max_retries=0)  # the judge's own retries are under test
    return make_judge(kind, backend, max_attempts=attempts, cache_dir=tmp_path)


def test_clue_overlap_ok_records_provenance() -> None:
    script = Script(replies=["'prediction score': 8; 'reason': both mention anger"])
    with serve(script) as url:
        judge = _judge(JudgeKind.EMER_CLUE_OVERLAP, url)
        verdict = judge.judge("s1", "He is angry.", "He seems furious.")
    assert verdict.status is JudgeStatus.OK and verdict.score == 8.0
    assert verdict.model == f"openai:judge-model-x@{url}" and verdict.temperature == 0.0
    assert verdict.reported_model == "judge-model-x"
    assert verdict.prompt_hash == prompt_hash(EMER_CLUE_OVERLAP)
    assert "He seems furious." in script.requests[0]["messages"][0]["content"]  # type: ignore[index]
    assert "'prediction score': prediction score; 'reason': reason" in EMER_CLUE_OVERLAP


def test_unparsable_reply_retried_then_succeeds() -> None:
    script = Script(replies=["I think they are similar.", "'prediction score': 6; 'reason': ok"])
    with serve(script) as url:
        verdict = _judge(JudgeKind.EMER_CLUE_OVERLAP, url).judge("s1", "a", "b")
    assert verdict.status is JudgeStatus.OK and verdict.score == 6.0 and verdict.attempts == 2


def test_parse_failures_are_counted_not_replaced() -> None:
    script = Script(replies=["no score here", "score: eleven", "'prediction score': 42"], default="nothing")
    with serve(script) as url:
        judge = _judge(JudgeKind.EMER_CLUE_OVERLAP, url, attempts=3)
        bad = judge.judge("s1", "a", "b")
        good = judge.judge("s2", "a", "b")
    assert bad.status is JudgeStatus.PARSE_FAILED and bad.score is None and bad.attempts == 3
    assert "outside 1-10" in bad.error and bad.raw_output == "'prediction score': 42"
    assert good.status is JudgeStatus.PARSE_FAILED  # default reply never parses
    metric = mean_verdict_score(judge.verdicts)
    assert metric.n_excluded == 2 and metric.n_scored == 0 and metric.components["failed"] == 2.0
    assert judge.info().parse_failed == 2


def test_http_error_and_malformed_body_are_errors() -> None:
    script = Script(replies=[("status", 500), ("raw", "not json at all")])
    with serve(script) as url:
        judge = _judge(JudgeKind.EMER_CLUE_OVERLAP, url)
        first = judge.judge("s1", "a", "b")
        second = judge.judge("s2", "a", "b")
    assert first.status is JudgeStatus.ERROR and "HTTP 500" in first.error
    assert second.status is JudgeStatus.ERROR and "not a chat-completion reply" in second.error
    assert judge.info().errors == 2


def test_cache_avoids_second_call(tmp_path: Path) -> None:
    script = Script(default="'prediction score': 5; 'reason': r")
    with serve(script) as url:
        first = _judge(JudgeKind.EMER_CLUE_OVERLAP, url, tmp_path).judge("s1", "a", "b")
        second = _judge(JudgeKind.EMER_CLUE_OVERLAP, url, tmp_path).judge("s1", "a", "b")
    assert len(script.requests) == 1
    assert not first.cached and second.cached and second.score == 5.0
    stored = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert stored["model"] == f"openai:judge-model-x@{url}"
    assert JudgeCache.key("judge-model-x", "p") != JudgeCache.key("other-model", "p")


def test_label_overlap_two_steps() -> None:
    script = Script(replies=["anger", "Output: annoyance, frustration", "'prediction score': 6; 'reason': close"])
    with serve(script) as url:
        judge = _judge(JudgeKind.EMER_LABEL_OVERLAP, url)
        verdict = judge.judge("s1", "He shouts.", "He is annoyed.")
    assert verdict.status is JudgeStatus.OK and verdict.score == 6.0
    final_prompt = script.requests[2]["messages"][0]["content"]  # type: ignore[index]
    assert '"True Emotion ": anger' in final_prompt and "annoyance, frustration" in final_prompt
    assert len(judge.verdicts) == 1


def test_description_to_labels_json_mode() -> None:
    script = Script(replies=['```json\n{"labels": ["Happy", "relieved"]}\n```'])
    with serve(script) as url:
        verdict = _judge(JudgeKind.DESCRIPTION_TO_LABELS, url).judge("s1", "He smiles with relief.")
    assert verdict.labels == ["happy", "relieved"]
    assert script.requests[0]["response_format"] == {"type": "json_object"}


def test_trigger_recall_validates_counts() -> None:
    reference = "1. Broken bike.\n2. Rain.\n3. Lost keys."
    script = Script(replies=['{"correct": 2, "total": 3}', '{"correct": 5, "total": 3}'], default='{"total": 3}')
    with serve(script) as url:
        judge = _judge(JudgeKind.EIBENCH_TRIGGER_RECALL, url)
        ok = judge.judge("img1", "Why sad?", reference, "His bike broke in the rain.")
        bad = judge.judge("img2", "Why sad?", reference, "No idea.")
    assert ok.score == pytest.approx(2 / 3)
    assert bad.status is JudgeStatus.PARSE_FAILED


@pytest.mark.parametrize(("text", "score"), [
    ("'prediction score': 7; 'reason': x", 7.0),
    ("\"prediction score\": 8.5, reason", 8.5),
    ('{"prediction score": 3}', 3.0),
])
def test_score_extraction(text: str, score: float) -> None:
    assert parse_overlap_score(text)[0] == score
