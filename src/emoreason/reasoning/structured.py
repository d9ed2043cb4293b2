"""Structured model output: extract a JSON answer, repair it within bounds, validate it.

The contract (``prompts/answer_format.txt``)::

    {"reasoning": "…", "explanation": "In the video, …", "emotions": ["angry", "sarcastic"], "cited_clues": ["F1"]}

(``reasoning`` comes first so that the model reasons before it labels; it is kept in the raw
output only.)

:func:`parse_answer` tries, in order: the raw reply; the reply with code fences and prose
around the outermost ``{…}`` removed; then a fixed set of repairs (trailing commas, smart
quotes, Python literals, single-quoted keys, closing a reply cut off by ``max_tokens``).
Nothing is ever guessed from prose: a reply with no parseable JSON object raises
:class:`~emoreason.errors.ModelOutputError`, and so does one whose labels are not words.
"""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, Field, ValidationError, field_validator

from emoreason.errors import ModelOutputError
from emoreason.reasoning.vocabulary import normalise_word

MIN_EXPLANATION_CHARS = 20
MAX_LABELS = 8
_LABEL = re.compile(r"^[a-z][a-z' -]{1,30}$")
_NON_WORD = re.compile(r"[^A-Za-z' \-\u2019_]")
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)


#: The contract as a JSON schema, for backends that constrain generation (llama.cpp grammars):
#: keys in this order (reasoning first, labels last), one to three labels.
ANSWER_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string"},
        "explanation": {"type": "string"},
        "emotions": {"type": "array", "items": {"type": "string", "maxLength": 30}, "minItems": 1, "maxItems": 3},
        "cited_clues": {"type": "array", "items": {"type": "string", "maxLength": 24}, "maxItems": 12},
    },
    "required": ["reasoning", "explanation", "emotions", "cited_clues"],
}


class ModelAnswer(BaseModel):
    """A validated model answer."""

    emotions: list[str] = Field(min_length=1)
    explanation: str = Field(min_length=MIN_EXPLANATION_CHARS)
    cited_clues: list[str] = Field(default_factory=list)
    dropped_labels: list[str] = Field(default_factory=list)

    @field_validator("explanation")
    @classmethod
    def _squeeze(cls, value: str) -> str:
        return " ".join(value.split())


def _candidates(text: str) -> list[str]:
    out = [text.strip()]
    out += [m.group(1).strip() for m in _FENCE.finditer(text)]
    start = text.find("{")
    if start >= 0:
        end = text.rfind("}")
        out.append(text[start:end + 1] if end > start else text[start:])
    return list(dict.fromkeys(c for c in out if c))


def _close(text: str) -> str:
    """Close strings, arrays and objects left open by a truncated reply."""
    stack: list[str] = []
    in_str = escaped = False
    for ch in text:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    closed = text + ('"' if in_str else "")
    closed = re.sub(r",\s*$", "", closed)
    return closed + "".join(reversed(stack))


_REPAIRS = (
    lambda s: s.replace("\u201c", '"').replace("\u201d", '"').replace("\u2018", "'").replace("\u2019", "'"),
    lambda s: re.sub(r",\s*([}\]])", r"\1", s),
    lambda s: re.sub(r"\bTrue\b", "true", re.sub(r"\bFalse\b", "false", re.sub(r"\bNone\b", "null", s))),
    lambda s: re.sub(r"'([A-Za-z_]+)'\s*:", r'"\1":', s),
    lambda s: re.sub(r"([{,]\s*)([A-Za-z_]+)\s*:", r'\1"\2":', s),
    _close,
)


def extract_json(text: str) -> tuple[dict, bool]:
    """The first JSON object found in `text`, and whether a repair was needed.

    Raises:
        ModelOutputError: no candidate parses as a JSON object, even after the repairs.
    """
    if not text or not text.strip():
        raise ModelOutputError("the model returned an empty reply")
    last = "no JSON object found"
    for candidate in _candidates(text):
        attempt = candidate
        for step in range(len(_REPAIRS) + 1):
            try:
                value = json.loads(attempt)
            except json.JSONDecodeError as exc:
                last = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
            else:
                if isinstance(value, dict):
                    return value, step > 0 or attempt != text.strip()
                last = f"expected a JSON object, got {type(value).__name__}"
            if step < len(_REPAIRS):
                attempt = _REPAIRS[step](attempt)
    raise ModelOutputError(f"the model reply is not valid JSON: {last}")


def _labels(raw: object) -> tuple[list[str], list[str]]:
    if isinstance(raw, str):
        raw = [x for x in re.split(r"[,;/]", raw) if x.strip()]
    if not isinstance(raw, list):
        raise ModelOutputError("'emotions' must be a list of emotion words")
    kept: list[str] = []
    dropped: list[str] = []
    for item in raw:
        label = item.get("label") if isinstance(item, dict) else item
        text = str(label) if isinstance(label, str) else ""
        word = "" if _NON_WORD.search(text) else normalise_word(text)
        if bool(_LABEL.match(word)) and len(word.split()) <= 3:
            if word not in kept:
                kept.append(word)
        else:
            dropped.append(str(label))
    return kept[:MAX_LABELS], dropped


def validate_answer(value: dict) -> ModelAnswer:
    """Check a parsed reply against the contract.

    Raises:
        ModelOutputError: a field is missing, mistyped, or no label is a word.
    """
    emotions = value.get("emotions", value.get("emotion", value.get("labels")))
    if emotions is None:
        raise ModelOutputError("the reply has no 'emotions' field")
    kept, dropped = _labels(emotions)
    if not kept:
        raise ModelOutputError(f"no usable emotion word among {emotions!r}")
    explanation = value.get("explanation", value.get("reason", value.get("reasoning")))
    if not isinstance(explanation, str):
        raise ModelOutputError("the reply has no 'explanation' string")
    cited = value.get("cited_clues", value.get("clues", []))
    cited = [str(c) for c in cited] if isinstance(cited, list) else []
    try:
        return ModelAnswer(emotions=kept, explanation=explanation, cited_clues=cited, dropped_labels=dropped)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ModelOutputError(f"invalid reply field {first['loc'][0]}: {first['msg']}") from exc


def parse_answer(text: str) -> tuple[ModelAnswer, bool]:
    """Extract and validate a model answer; also say whether it needed repair.

    Raises:
        ModelOutputError: the reply cannot be parsed or does not meet the contract.
    """
    value, repaired = extract_json(text)
    return validate_answer(value), repaired
