"""Extraction of a judge's answer from its reply text (score, label list, counts)."""

from __future__ import annotations

import json
import re

from emoreason.tasks.judges.base import JudgeParseError

_SCORE = re.compile(r"prediction\s*score['\"]?\s*[:：=]\s*['\"]?\s*(\d+(?:\.\d+)?)", re.I)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S)


def load_json_object(text: str) -> object:
    """Parse the first JSON value in `text` (code fences allowed)."""
    fenced = _FENCE.search(text)
    body = fenced.group(1) if fenced else text
    start = min((i for i in (body.find("{"), body.find("[")) if i >= 0), default=-1)
    if start < 0:
        raise JudgeParseError("reply contains no JSON")
    try:
        value, _ = json.JSONDecoder().raw_decode(body[start:])
    except json.JSONDecodeError as exc:
        raise JudgeParseError(f"reply JSON is malformed: {exc}") from exc
    return value


def parse_overlap_score(text: str) -> tuple[float, None]:
    """A 1–10 score from an EMER-style reply (``'prediction score': 7`` or JSON)."""
    match = _SCORE.search(text)
    if match is None:
        try:
            obj = load_json_object(text)
        except JudgeParseError:
            obj = None
        value = obj.get("prediction score", obj.get("score")) if isinstance(obj, dict) else None
        if not isinstance(value, (int, float)):
            raise JudgeParseError("no 'prediction score' in reply")
        score = float(value)
    else:
        score = float(match.group(1))
    if not 1.0 <= score <= 10.0:
        raise JudgeParseError(f"score {score} outside 1-10")
    return score, None


def parse_label_reply(text: str) -> tuple[None, list[str]]:
    """A label list from ``{"labels": [...]}`` (or a bare JSON list)."""
    obj = load_json_object(text)
    labels = obj.get("labels") if isinstance(obj, dict) else obj
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        raise JudgeParseError("reply has no list of label strings")
    return None, [x.strip().lower() for x in labels if x.strip()]


def parse_summary_words(text: str) -> tuple[None, list[str]]:
    """Emotion words from a free-text summary (EMER Figure 2 replies)."""
    body = text.strip().splitlines()[0] if text.strip() else ""
    body = re.sub(r"^\s*output\s*:\s*", "", body, flags=re.I)
    words = [w.strip(" .;'\"").lower() for w in re.split(r",|;|\band\b", body)]
    words = [w for w in words if w]
    if not words:
        raise JudgeParseError("empty emotion summary")
    return None, words


def parse_trigger_count(text: str, total: int) -> tuple[float, None]:
    """Recall ``correct / total`` from ``{"correct": c, "total": t}``; t must equal `total`."""
    obj = load_json_object(text)
    if not isinstance(obj, dict):
        raise JudgeParseError("reply is not a JSON object")
    correct, given_total = obj.get("correct"), obj.get("total", total)
    if not isinstance(correct, int) or isinstance(correct, bool) or not isinstance(given_total, int):
        raise JudgeParseError("'correct' and 'total' must be integers")
    if given_total != total or not 0 <= correct <= total:
        raise JudgeParseError(f"counts {correct}/{given_total} inconsistent with {total} reference triggers")
    return correct / total, None
