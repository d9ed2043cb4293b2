"""Readers for ECF 1.0 (MECPE ``*.txt``) and ECF 2.0 / SemEval-2024 Task 3 (JSON).

ECAC JSON pairs are ``["<utt>_<emotion>", "<utt>_<span text>"]`` (Subtask 1 gold),
``["<utt>_<emotion>", "<utt>_<start>_<end>"]`` (Subtask 1 predictions, token indices) or
``["<utt>_<emotion>", "<utt>"]`` (Subtask 2). Gold span texts are located in the cause
utterance the way the official scorer does it: punctuation trimmed from both ends, then
the first exact whitespace-token match.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

from emoreason.tasks.records import CausePairRecord, Conversation, Dataset, LoadIssue, Utterance

_PAIR = re.compile(r"\((\d+),(\d+)\)")


def clean_span(span: str) -> str:
    """Trim whitespace and punctuation from both ends of a cause span."""
    span = span.strip()
    while span and (span[0] in string.punctuation or span[-1] in string.punctuation):
        if span[0] in string.punctuation:
            span = span[1:]
        if span and span[-1] in string.punctuation:
            span = span[:-1]
        span = span.strip()
    return span


def span_position(span: str, utterance: str) -> tuple[int, int]:
    """``[start, end)`` token indices of `span` in `utterance` (``(0, 0)`` if absent)."""
    cause, tokens = span.split(), utterance.split()
    for i in range(len(tokens) - len(cause) + 1):
        if tokens[i : i + len(cause)] == cause:
            return i, i + len(cause)
    return 0, 0


def load_ecf_txt(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """ECF 1.0: blocks of ``conv_id n``, a pair line ``(e,c),...``, then n utterance lines."""
    from emoreason.tasks.loaders import DataLoadError

    lines = path.read_text(encoding="utf-8").splitlines()
    conversations: list[Conversation] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        try:
            conv_id, n_utts = lines[i].split()
            pair_ids = [(int(a), int(b)) for a, b in _PAIR.findall(lines[i + 1])]
            utterances = []
            for row in lines[i + 2 : i + 2 + int(n_utts)]:
                index, speaker, emotion, text = (part.strip() for part in row.split(" | ")[:4])
                utterances.append(Utterance(index=int(index), speaker=speaker, text=text, emotion=emotion))
        except (ValueError, IndexError) as exc:
            raise DataLoadError(f"{path}:{i + 1}: malformed ECF block: {exc}") from exc
        emotion_of = {u.index: u.emotion or "neutral" for u in utterances}
        pairs = [CausePairRecord(emotion_utterance=e, cause_utterance=c, emotion=emotion_of.get(e, "neutral"))
                 for e, c in pair_ids]
        conversations.append(Conversation(id=conv_id, utterances=utterances, pairs=pairs))
        i += 2 + int(n_utts)
    return Dataset(name="ecf1", source=str(path), conversations=conversations)


def parse_ecac_pair(pair: list[str], utterances: list[Utterance], *, conv: str) -> tuple[CausePairRecord | None, str]:
    """One ECAC pair → record (or ``None`` and the reason it is malformed)."""
    if not isinstance(pair, list) or len(pair) != 2:
        return None, f"conversation {conv}: pair {pair!r} is not [emotion, cause]"
    emo_utt, _, emotion = str(pair[0]).partition("_")
    parts = str(pair[1]).split("_")
    try:
        emotion_utterance, cause_utterance = int(emo_utt), int(parts[0])
    except ValueError:
        return None, f"conversation {conv}: pair {pair!r} has a non-numeric utterance id"
    start = end = 0
    span_text = None
    if len(parts) == 3 and all(p.isdigit() for p in parts[1:]):
        start, end = int(parts[1]), int(parts[2])
    elif len(parts) > 1:
        span_text = clean_span(str(pair[1]).split("_", 1)[1])
        if 1 <= cause_utterance <= len(utterances):
            start, end = span_position(span_text, utterances[cause_utterance - 1].text)
    return CausePairRecord(emotion_utterance=emotion_utterance, cause_utterance=cause_utterance,
                           emotion=emotion, start=start, end=end, span_text=span_text), ""


def read_ecac_conversations(path: Path) -> tuple[list[Conversation], list[LoadIssue]]:
    """Conversations and pairs of an ECAC JSON file (gold or predictions)."""
    from emoreason.tasks.loaders import DataLoadError

    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataLoadError(f"{path}: cannot read ECAC JSON: {exc}") from exc
    conversations, issues = [], []
    for rec in records:
        conv = str(rec["conversation_ID"])
        utterances = [Utterance(index=int(u["utterance_ID"]), speaker=str(u.get("speaker", "")),
                                text=str(u.get("text", "")), emotion=u.get("emotion"))
                      for u in rec.get("conversation", [])]
        pairs = []
        for raw in rec.get("emotion-cause_pairs", []):
            pair, problem = parse_ecac_pair(raw, utterances, conv=conv)
            if pair is None:
                issues.append(LoadIssue(record=conv, problem=problem, repaired=False))
            else:
                pairs.append(pair)
        conversations.append(Conversation(id=conv, utterances=utterances, pairs=pairs))
    return conversations, issues


def load_ecac_json(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """ECF 2.0 / SemEval-2024 Task 3 conversations with gold pairs."""
    conversations, issues = read_ecac_conversations(path)
    return Dataset(name="ecac", source=str(path), conversations=conversations, issues=issues)
