"""Judge machinery: extract → verify → typed verdict, with an on-disk cache and bounded retries.

A judge renders a prompt, asks a :class:`~emoreason.reasoning.llm.ChatBackend` (any
object with that ``complete`` method: OpenAI-compatible HTTP, llama-cpp, a test stub),
and parses the reply. A reply that does not parse is retried up to ``max_attempts``
times and then recorded as ``parse_failed``; a backend failure is recorded as
``error``. Such verdicts carry no score: they are counted in the result, never replaced
by a default. Replies that parsed are cached on disk under the SHA-256 of
``model + prompt`` (the prompt contains the input), so re-running costs nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path
from typing import Protocol

import numpy as np
from pydantic import Field

from emoreason.errors import EmoreasonError
from emoreason.metrics.base import MetricOutput
from emoreason.records.base import Record
from emoreason.tasks.judges.prompts import prompt_hash
from emoreason.tasks.records import JudgeInfo


class JudgeParseError(EmoreasonError):
    """A judge reply does not contain the expected answer."""


class JudgeStatus(str, Enum):
    """Outcome of one judged item."""

    OK = "ok"
    PARSE_FAILED = "parse_failed"
    ERROR = "error"


class JudgeVerdict(Record):
    """One judged item."""

    sample_id: str
    judge: str
    model: str
    prompt_hash: str
    temperature: float
    status: JudgeStatus
    score: float | None = None
    labels: list[str] | None = None
    raw_output: str = ""
    reported_model: str = ""  # the model id the server put in its reply (version as served)
    attempts: int = 0
    cached: bool = False
    error: str = ""


class ChatLike(Protocol):
    """The part of ``ChatBackend`` a judge uses (structural typing)."""

    def complete(self, messages: list, *, temperature: float = 0.0, max_tokens: int = 512,
                 json_mode: bool = False) -> object:
        """Return an object with ``.text`` and ``.model``."""
        ...


class JudgeCache:
    """Parsed-OK judge replies on disk, one JSON file per call."""

    def __init__(self, folder: str | Path | None) -> None:
        """Use `folder` (created on first write); ``None`` disables caching."""
        self.folder = Path(folder) if folder else None

    @staticmethod
    def key(model: str, prompt: str) -> str:
        """Cache key of one call."""
        return hashlib.sha256(f"{model}\x00{prompt}".encode()).hexdigest()

    def get(self, key: str) -> str | None:
        """The cached reply text, if any."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        if not path.is_file():
            return None
        return str(json.loads(path.read_text(encoding="utf-8"))["text"])

    def put(self, key: str, model: str, text: str) -> None:
        """Store a reply."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / f"{key}.json").write_text(json.dumps({"model": model, "text": text}), encoding="utf-8")


def _message(prompt: str) -> list:
    try:
        from emoreason.reasoning.llm import ChatMessage

        return [ChatMessage(role="user", content=prompt)]
    except ImportError:  # pragma: no cover - the reasoning package is part of emoreason
        return [{"role": "user", "content": prompt}]


class LLMJudge:
    """Base of the built-in judges."""

    name = "judge"
    template = ""
    json_mode = False
    max_tokens = 512

    def __init__(self, backend: ChatLike, *, model_id: str | None = None, temperature: float = 0.0,
                 max_attempts: int = 3, cache: JudgeCache | None = None) -> None:
        """Judge with `backend` at `temperature`, retrying unparsable replies `max_attempts` times."""
        if max_attempts < 1:
            raise EmoreasonError(f"max_attempts must be >= 1, got {max_attempts}")
        self.backend = backend
        self.model_id = model_id or str(getattr(backend, "model_id", "unknown"))
        self.temperature = temperature
        self.max_attempts = max_attempts
        self.cache = cache or JudgeCache(None)
        self.verdicts: list[JudgeVerdict] = []

    @property
    def prompt_hash(self) -> str:
        """Hash of this judge's template."""
        return prompt_hash(self.template)

    def ask(self, sample_id: str, prompt: str, parse: Callable[[str], tuple[float | None, list[str] | None]]
            ) -> JudgeVerdict:
        """Run one judged call: cache → backend (retried) → parse → verdict."""
        key = self.cache.key(self.model_id, prompt)
        base = {"sample_id": sample_id, "judge": self.name, "model": self.model_id,
                "prompt_hash": self.prompt_hash, "temperature": self.temperature}
        cached = self.cache.get(key)
        if cached is not None:
            score, labels = parse(cached)
            verdict = JudgeVerdict(**base, status=JudgeStatus.OK, score=score, labels=labels, raw_output=cached,
                                   cached=True)
            self.verdicts.append(verdict)
            return verdict
        raw, problem = "", ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                reply = self.backend.complete(_message(prompt), temperature=self.temperature,
                                              max_tokens=self.max_tokens, json_mode=self.json_mode)
            except EmoreasonError as exc:
                verdict = JudgeVerdict(**base, status=JudgeStatus.ERROR, attempts=attempt, error=str(exc))
                self.verdicts.append(verdict)
                return verdict
            raw = str(getattr(reply, "text", ""))
            base["reported_model"] = str(getattr(reply, "model", ""))
            try:
                score, labels = parse(raw)
            except JudgeParseError as exc:
                problem = str(exc)
                continue
            self.cache.put(key, self.model_id, raw)
            verdict = JudgeVerdict(**base, status=JudgeStatus.OK, score=score, labels=labels, raw_output=raw,
                                   attempts=attempt)
            self.verdicts.append(verdict)
            return verdict
        verdict = JudgeVerdict(**base, status=JudgeStatus.PARSE_FAILED, raw_output=raw, attempts=self.max_attempts,
                               error=problem)
        self.verdicts.append(verdict)
        return verdict

    def info(self) -> JudgeInfo:
        """Summary of every call this judge made."""
        count = {s: sum(v.status is s for v in self.verdicts) for s in JudgeStatus}
        return JudgeInfo(name=self.name, model=self.model_id, prompt_hash=self.prompt_hash,
                         temperature=self.temperature, calls=len(self.verdicts), ok=count[JudgeStatus.OK],
                         parse_failed=count[JudgeStatus.PARSE_FAILED], errors=count[JudgeStatus.ERROR],
                         cached=sum(v.cached for v in self.verdicts))


def mean_verdict_score(verdicts: Sequence[JudgeVerdict], *, name: str = "judge_mean") -> MetricOutput:
    """Mean score over OK verdicts; failures are counted (``n_excluded``), not scored."""
    per_sample = [v.score if v.status is JudgeStatus.OK else None for v in verdicts]
    kept = [s for s in per_sample if s is not None]
    failures = len(per_sample) - len(kept)
    return MetricOutput(name=name, value=float(np.mean(kept)) if kept else float("nan"), per_sample=per_sample,
                        n_scored=len(kept), n_excluded=failures,
                        components={"failed": float(failures), "failure_rate": failures / max(1, len(per_sample))})


class JudgeReport(Record):
    """All verdicts of one judge run (saved next to the task result)."""

    info: JudgeInfo
    verdicts: list[JudgeVerdict] = Field(default_factory=list)
