"""EMER merge: several annotators' four-aspect clue texts per clip → one description.

EMER (Lian et al. 2023, Sec. 2): each clip is described by three annotators from four aspects
(face and body, tone and intonation, speech content, video content and environment); the
descriptions are summarised with the prompt of Figure 1, the emotions are summarised from that
summary with the few-shot prompt of Figure 2, and both are combined into one sentence. The
prompts are the paper's, verbatim (``reasoning/prompts/emer-merge.yaml``).

Input: JSONL (one object per annotator and clip) or CSV with the columns ``id`` (or ``name``),
``annotator``, ``face``, ``tone``, ``speech``, ``scene`` (or one free-text ``clue`` column).
Output: one :class:`~emoreason.annotation.records.EmerRecord` per clip in a JSONL file, appended
atomically; a re-run skips merged clips and retries failed ones. Without a model (``template``)
the summaries are deterministic: repeated sentences dropped, the subject unified to "he", and
the emotion words of the canonical vocabulary found in the summary.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from emoreason.annotation.errors import AnnotationError
from emoreason.annotation.llm import Recorder
from emoreason.annotation.records import AnnotationStatus, EmerClueInput, EmerRecord
from emoreason.batch.store import append_line
from emoreason.reasoning.llm import ChatMessage

PROMPT = "emer-merge"
_ALIASES = {
    "name": "id", "names": "id", "clip": "id", "video": "id",
    "facial": "face", "visual": "face", "face_body": "face",
    "voice": "tone", "audio": "tone", "intonation": "tone",
    "text": "speech", "content": "speech", "subtitle": "speech",
    "environment": "scene", "video_content": "scene",
}
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+")
_SUBJECT = ((re.compile(r"\bShe\b"), "He"), (re.compile(r"\bshe\b"), "he"), (re.compile(r"\bherself\b"), "himself"),
            (re.compile(r"\b(The|the) (person|character|woman|man|speaker)\b"), "he"))


def read_clue_file(path: str | Path) -> list[EmerClueInput]:
    """The annotator rows of a JSONL or CSV clue file.

    Raises:
        AnnotationError: missing file, unknown format, a row without id or text, bad JSON.
    """
    src = Path(path)
    if not src.is_file():
        raise AnnotationError(f"{src}: no such clue file")
    rows = _jsonl_rows(src) if src.suffix.lower() in (".jsonl", ".json") else _csv_rows(src)
    out = []
    for number, row in rows:
        norm = {_ALIASES.get(k.strip().lower(), k.strip().lower()): ("" if v is None else str(v))
                for k, v in row.items()}
        if "clue" in norm and not any(norm.get(k) for k in ("face", "tone", "speech", "scene")):
            norm["face"] = norm.pop("clue")
        norm.pop("clue", None)
        known = {k: v for k, v in norm.items() if k in EmerClueInput.model_fields}
        try:
            item = EmerClueInput(**known)
        except ValidationError as exc:
            raise AnnotationError(f"{src}: row {number}: {exc.errors()[0]['msg']} ({exc.errors()[0]['loc']})") from exc
        if not item.id.strip() or not item.texts():
            raise AnnotationError(f"{src}: row {number} has no id or no clue text (columns: id, annotator, face, "
                                  "tone, speech, scene)")
        out.append(item)
    if not out:
        raise AnnotationError(f"{src}: no clue rows found")
    return out


def _jsonl_rows(src: Path) -> list[tuple[int, dict]]:
    rows = []
    try:
        lines = src.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnnotationError(f"{src}: cannot read the clue file ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AnnotationError(f"{src}: line {number} is not JSON ({exc.msg})") from exc
        if not isinstance(value, dict):
            raise AnnotationError(f"{src}: line {number} is not a JSON object")
        rows.append((number, value))
    return rows


def _csv_rows(src: Path) -> list[tuple[int, dict]]:
    if src.suffix.lower() != ".csv":
        raise AnnotationError(f"{src}: clue files are .jsonl or .csv")
    try:
        with src.open(newline="", encoding="utf-8-sig") as fh:
            return [(n, row) for n, row in enumerate(csv.DictReader(fh), start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise AnnotationError(f"{src}: cannot read the clue file ({exc})") from exc


def group_by_clip(rows: list[EmerClueInput]) -> dict[str, list[EmerClueInput]]:
    """Annotator rows per clip id, in file order."""
    out: dict[str, list[EmerClueInput]] = {}
    for row in rows:
        out.setdefault(row.id, []).append(row)
    return out


def unify_subject(text: str) -> str:
    """Figure 1, instruction 1 without a model: the subject becomes "he"."""
    for pattern, repl in _SUBJECT:
        text = pattern.sub(repl, text)
    return re.sub(r"(^|[.!?]\s+)he\b", lambda m: m.group(1) + "He", text)


def template_clue_summary(descriptions: list[str]) -> str:
    """Figure 1 without a model: unified subject, repeated sentences dropped, punctuation checked."""
    seen: set[str] = set()
    kept = []
    for paragraph in descriptions:
        for sentence in _SENTENCE.split(unify_subject(" ".join(paragraph.split()))):
            key = re.sub(r"\W+", " ", sentence.lower()).strip()
            if key and key not in seen:
                seen.add(key)
                kept.append(sentence if sentence[-1] in ".!?。！？" else sentence + ".")
    return " ".join(kept)


def template_emotions(summary: str, limit: int = 3) -> str:
    """Figure 2 without a model: the vocabulary's emotion words in the summary, in order."""
    from emoreason.reasoning.vocabulary import canonical

    found: list[str] = []
    for token in re.findall(r"[A-Za-z]+", summary):
        term = canonical(token.lower())
        if term is not None and term.label not in found:
            found.append(term.label)
    return ", ".join(found[:limit]) or "neutral"


def clue_messages(descriptions: list[str]) -> list[ChatMessage]:
    """Figure 1's prompt for these descriptions."""
    from emoreason.reasoning.prompting import fill, load_step_prompts

    prompts = load_step_prompts(PROMPT)
    line = prompts.lists["clue_line"][0]
    lines = "\n".join(fill(line, {"n": str(i), "clue": d}) for i, d in enumerate(descriptions, start=1))
    return [ChatMessage(role="system", content=prompts.system),
            ChatMessage(role="user", content=fill(prompts.steps["clues"], {"clue_lines": lines}))]


def emotion_messages(reason: str) -> list[ChatMessage]:
    """Figure 2's few-shot prompt for one clue summary."""
    from emoreason.reasoning.prompting import fill, load_step_prompts

    prompts = load_step_prompts(PROMPT)
    return [ChatMessage(role="system", content=prompts.system),
            ChatMessage(role="user", content=fill(prompts.steps["emotions"], {"reason": reason}))]


def combine(clues: str, emotions: str) -> str:
    """EMER's "Combination of Clues and Emotions" sentence."""
    from emoreason.reasoning.prompting import fill, load_step_prompts

    return fill(load_step_prompts(PROMPT).steps["combine"], {"clues": clues.rstrip(". "), "emotions": emotions})


def _clean_emotions(text: str) -> str:
    first = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    return re.sub(r"^\s*(output|emotions?)\s*:\s*", "", first, flags=re.IGNORECASE).strip().strip('"“”.')


def merge_clip(clip_id: str, rows: list[EmerClueInput], recorder: Recorder) -> EmerRecord:
    """Figure 1, Figure 2 and the combination for one clip; LLM failures become a failed record."""
    descriptions = [" ".join(r.texts()) for r in rows]
    rec = EmerRecord(id=clip_id, annotators=[r.annotator for r in rows], clue_descriptions=descriptions)
    first = recorder.ask("emer.clues", f"{PROMPT}:clues", clue_messages(descriptions),
                         template_reply=template_clue_summary(descriptions))
    rec.llm_calls.append(first.call)
    if first.text is None:
        rec.status, rec.error = AnnotationStatus.LLM_FAILED, f"clue summary failed: {first.call.error}"
        return rec
    rec.clue_summary = " ".join(re.sub(r"^\s*output\s*:\s*", "", first.text, flags=re.IGNORECASE).split())
    second = recorder.ask("emer.emotions", f"{PROMPT}:emotions", emotion_messages(rec.clue_summary),
                          template_reply=template_emotions(rec.clue_summary))
    rec.llm_calls.append(second.call)
    if second.text is None or not _clean_emotions(second.text):
        rec.status = AnnotationStatus.LLM_FAILED
        rec.error = f"emotion summary failed: {second.call.error or 'no emotion words in the reply'}"
        return rec
    rec.emotions = _clean_emotions(second.text)
    rec.description = combine(rec.clue_summary, rec.emotions)
    return rec


def merge_clues(
    clue_file: str | Path, out_path: str | Path, recorder: Recorder,
    on_record: Callable[[EmerRecord], None] | None = None,
) -> dict[str, int]:
    """Merge every clip of `clue_file` into `out_path` (JSONL); returns counts by status (and 'skipped').

    Raises:
        AnnotationError: the clue file cannot be read.
        OutputError: the output cannot be written.
    """
    from emoreason.batch.store import ResultStore

    groups = group_by_clip(read_clue_file(clue_file))
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    ResultStore(out.parent, name=out.name).repair()
    done = {r.id for r in read_emer_records(out) if r.status is AnnotationStatus.OK}
    counts = {"skipped": sum(1 for k in groups if k in done)}
    fd = os.open(out, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        for clip_id, rows in groups.items():
            if clip_id in done:
                continue
            rec = merge_clip(clip_id, rows, recorder)
            append_line(fd, (rec.model_dump_json() + "\n").encode("utf-8"), out)
            counts[rec.status.value] = counts.get(rec.status.value, 0) + 1
            if on_record is not None:
                on_record(rec)
    finally:
        os.close(fd)
    return counts


def read_emer_records(path: str | Path) -> list[EmerRecord]:
    """The latest record of each clip of an EMER merge output (unreadable lines skipped)."""
    src = Path(path)
    latest: dict[str, EmerRecord] = {}
    if not src.is_file():
        return []
    for line in src.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                rec = EmerRecord.model_validate_json(line)
            except ValidationError:
                continue
            latest[rec.id] = rec
    return list(latest.values())
