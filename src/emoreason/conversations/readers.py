"""Dialogue readers: SemEval-2024 ECAC JSON, ECF 1.0 txt, MELD CSV, plain JSONL/CSV, speaker-named subtitles.

:func:`iter_dialogues` yields one :class:`Dialogue` at a time, so a long file is analysed and
written dialogue by dialogue. Gold fields of the field's files (``emotion``,
``emotion-cause_pairs``, ECF's pair line) are never read into the records; malformed gold pairs
are only reported as issues. Files are decoded like subtitles (BOM, UTF-8, GB18030, Latin-1):
a file that is not UTF-8 is read and the encoding is said in ``Dialogue.issues``.

Errors: a file that cannot be parsed raises :class:`DialogueInputError` naming the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from emoreason.conversations.records import Dialogue, Utterance
from emoreason.errors import EmoreasonError, SubtitleError

TEXT_KEYS = ("text", "utterance", "Utterance", "sentence", "content")
SPEAKER_KEYS = ("speaker", "Speaker", "name", "role")
CONV_KEYS = ("conversation_ID", "conversation_id", "dialogue_id", "Dialogue_ID", "dialog_id", "dialogue")
UTT_KEYS = ("utterance_ID", "utterance_id", "Utterance_ID", "turn")
CLIP_KEYS = ("clip", "video", "video_name", "video_path", "path")
SUBTITLE_SUFFIXES = (".srt", ".vtt")
_ECF_HEAD = re.compile(r"^\s*(\S+)\s+(\d+)\s*$")
_PAIR = re.compile(r"\((\d+),\s*(\d+)\)")
_SPEAKER_CUE = re.compile(r"^\s*(?:-\s*)?(?:\[([^\]]{1,40})\]|([^:：\[\]]{1,40})[:：])\s*(.*)$", re.S)
_CLOCK = re.compile(r"(\d+):(\d{2}):(\d{2})[.,](\d{1,3})")


class DialogueInputError(EmoreasonError):
    """A dialogue file cannot be read; the message names the file and the problem."""


def _decode(path: Path) -> tuple[str, str]:
    from emoreason.io.subtitles import decode_text

    if not path.is_file():
        raise DialogueInputError(f"{path}: dialogue file not found")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DialogueInputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DialogueInputError(f"{path}: the file is empty")
    try:
        return decode_text(data, str(path))
    except SubtitleError as exc:
        raise DialogueInputError(str(exc)) from exc


def _encoding_issue(path: Path, encoding: str) -> list[str]:
    if encoding in ("utf-8", "utf-8-sig"):
        return []
    return [f"{path.name}: not UTF-8; read as {encoding}"]


def _first(row: dict, keys: tuple[str, ...]) -> object | None:
    for key in keys:
        value = row.get(key)
        if value not in (None, ""):
            return value
    return None


def _int_id(value: object, *, where: str) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise DialogueInputError(f"{where}: utterance id {value!r} is not a whole number")
    return int(text)


def _seconds(value: object) -> float | None:
    """Seconds from a number or an ``hh:mm:ss,mmm`` clock; None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    match = _CLOCK.search(text)
    if match:
        h, m, s, frac = match.groups()
        return int(h) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")[:3]) / 1000.0
    try:
        return float(text)
    except ValueError:
        return None


def check_pairs(pairs: list[tuple[int, int]], ids: set[int], *, where: str) -> list[str]:
    """Issues for gold pairs that name unknown utterances or point past the dialogue (pairs are ignored)."""
    issues = []
    last = max(ids) if ids else 0
    for emo, cause in pairs:
        if emo not in ids:
            issues.append(f"{where}: ignored gold pair ({emo},{cause}): emotion utterance {emo} does not exist")
        elif cause not in ids:
            past = " (past the end of the dialogue)" if cause > last else ""
            issues.append(f"{where}: ignored gold pair ({emo},{cause}): cause utterance {cause} does not exist{past}")
    return issues


# --------------------------------------------------------------------------- ECAC JSON
def _ecac_pairs(raw: object) -> list[tuple[int, int]]:
    out = []
    for pair in raw if isinstance(raw, list) else []:
        try:
            out.append((int(str(pair[0]).split("_")[0]), int(str(pair[1]).split("_")[0])))
        except (ValueError, IndexError, TypeError, KeyError):
            continue
    return out


def _ecac_dialogue(rec: object, path: Path, number: int) -> Dialogue:
    if not isinstance(rec, dict) or not isinstance(rec.get("conversation"), list):
        raise DialogueInputError(f"{path}: record {number} has no 'conversation' list of utterances")
    conv = str(rec.get("conversation_ID", rec.get("conversation_id", number)))
    where = f"{path}: conversation {conv}"
    utterances = []
    for pos, u in enumerate(rec["conversation"], 1):
        if not isinstance(u, dict):
            raise DialogueInputError(f"{where}: utterance {pos} is not an object")
        uid = _int_id(u.get("utterance_ID", pos), where=where)
        utterances.append(Utterance(utterance_id=uid, speaker=str(u.get("speaker") or ""),
                                    text=str(u.get("text") or ""), id=None if u.get("id") is None else str(u["id"]),
                                    clip=u.get("video_name") or u.get("clip")))
    issues = check_pairs(_ecac_pairs(rec.get("emotion-cause_pairs")), {u.utterance_id for u in utterances},
                         where=f"conversation {conv}")
    return Dialogue(conversation_id=conv, utterances=utterances, source=str(path), format="ecac-json", issues=issues)


def read_ecac_json(path: Path, text: str) -> Iterator[Dialogue]:
    """SemEval-2024 Task 3 JSON: a list of conversations (or one conversation object)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DialogueInputError(f"{path}: malformed JSON ({exc.msg} at line {exc.lineno})") from exc
    records = data if isinstance(data, list) else [data]
    for number, rec in enumerate(records, 1):
        yield _ecac_dialogue(rec, path, number)


# --------------------------------------------------------------------------- ECF 1.0 txt
def read_ecf_txt(path: Path, text: str) -> Iterator[Dialogue]:
    """ECF 1.0 blocks: ``conv n``, the pair line, then n lines ``i | speaker | emotion | text | time-or-id``."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        head = _ECF_HEAD.match(lines[i])
        if head is None:
            raise DialogueInputError(f"{path}:{i + 1}: expected 'conversation_id n_utterances', got {lines[i][:60]!r}")
        conv, n = head.group(1), int(head.group(2))
        rows = lines[i + 2: i + 2 + n]
        if len(rows) < n:
            raise DialogueInputError(f"{path}:{i + 1}: conversation {conv} announces {n} utterances, "
                                     f"the file ends after {len(rows)}")
        utterances = [_ecf_utterance(row, path, i + 3 + k) for k, row in enumerate(rows)]
        pairs = [(int(a), int(b)) for a, b in _PAIR.findall(lines[i + 1] if i + 1 < len(lines) else "")]
        issues = check_pairs(pairs, {u.utterance_id for u in utterances}, where=f"conversation {conv}")
        yield Dialogue(conversation_id=conv, utterances=utterances, source=str(path), format="ecf-txt", issues=issues)
        i += 2 + n


def _ecf_utterance(row: str, path: Path, line: int) -> Utterance:
    parts = [p.strip() for p in row.split(" | ")]
    if len(parts) < 4:
        raise DialogueInputError(f"{path}:{line}: expected 'index | speaker | emotion | text | ...', got {row[:60]!r}")
    uid = _int_id(parts[0], where=f"{path}:{line}")
    extra = parts[4] if len(parts) > 4 else ""
    times = _CLOCK.findall(extra)
    start = end = None
    if len(times) == 2:
        start, end = (int(h) * 3600 + int(m) * 60 + int(s) + int(f.ljust(3, "0")[:3]) / 1000 for h, m, s, f in times)
    ext_id = extra if extra and not times else None
    return Utterance(utterance_id=uid, speaker=parts[1], text=" | ".join(parts[3:4]), id=ext_id,
                     start=start, end=end if end is None or start is None or end >= start else start)


# --------------------------------------------------------------------------- rows: JSONL / CSV / MELD
def _rows_jsonl(path: Path, text: str) -> Iterator[dict]:
    first = True
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DialogueInputError(f"{path}:{number}: malformed JSON line ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise DialogueInputError(f"{path}:{number}: each line must be a JSON object")
        if first and not set(row) & set(TEXT_KEYS):  # the first row plays the CSV header's part
            raise DialogueInputError(f"{path}:{number}: rows need a text field ({', '.join(TEXT_KEYS)}); "
                                     f"found {', '.join(map(str, row)) or 'none'}")
        first = False
        row["_line"] = number
        yield row


def _rows_csv(path: Path, text: str) -> Iterator[dict]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise DialogueInputError(f"{path}: CSV has no header row")
    columns = set(reader.fieldnames)
    if not columns & set(TEXT_KEYS):
        raise DialogueInputError(f"{path}: CSV needs a text column ({', '.join(TEXT_KEYS)}); "
                                 f"found {', '.join(reader.fieldnames)}")
    try:
        for number, row in enumerate(reader, 2):
            row["_line"] = number
            yield row
    except csv.Error as exc:
        raise DialogueInputError(f"{path}: malformed CSV ({exc})") from exc


def _row_utterance(row: dict, position: int, *, path: Path, meld: bool) -> Utterance:
    where = f"{path}:{row.get('_line', position)}"
    text = _first(row, TEXT_KEYS)
    uid_raw = _first(row, UTT_KEYS)
    uid = position if uid_raw is None else _int_id(uid_raw, where=where)
    clip = _first(row, CLIP_KEYS)
    ext = _first(row, ("id", "ID", "Sr No."))
    if meld and clip is None:
        clip = f"dia{_first(row, CONV_KEYS)}_utt{uid_raw}.mp4"
    return Utterance(utterance_id=uid, speaker=str(_first(row, SPEAKER_KEYS) or ""),
                     text="" if text is None else str(text), id=None if ext is None else str(ext),
                     start=_seconds(_first(row, ("start", "StartTime", "start_time"))),
                     end=_seconds(_first(row, ("end", "EndTime", "end_time"))),
                     clip=None if clip is None else str(clip))


def read_rows(path: Path, text: str, *, kind: str) -> Iterator[Dialogue]:
    """Plain JSONL/CSV or MELD CSV: rows grouped into dialogues by a conversation-id column, in file order."""
    rows = _rows_jsonl(path, text) if kind == "jsonl" else _rows_csv(path, text)
    meld = kind == "meld-csv"
    current: str | None = None
    utterances: list[Utterance] = []
    seen: set[str] = set()
    for row in rows:
        conv = str(_first(row, CONV_KEYS) or "1")
        if current is not None and conv != current:
            yield Dialogue(conversation_id=current, utterances=utterances, source=str(path), format=kind)
            utterances = []
        if conv != current and conv in seen:
            raise DialogueInputError(f"{path}:{row.get('_line')}: conversation {conv} continues after another "
                                     "conversation began; keep each conversation's rows together")
        seen.add(conv)
        current = conv
        utterances.append(_row_utterance(row, len(utterances) + 1, path=path, meld=meld))
    if current is None:
        raise DialogueInputError(f"{path}: no utterances found")
    yield Dialogue(conversation_id=current, utterances=utterances, source=str(path), format=kind)


# --------------------------------------------------------------------------- subtitles
def split_speaker(text: str) -> tuple[str, str]:
    """``"Ross: Hi"`` / ``"[Ross] Hi"`` / ``"- Ross: Hi"`` → ("Ross", "Hi"); no prefix → ("", text)."""
    match = _SPEAKER_CUE.match(text)
    if match is None:
        return "", text.strip()
    return (match.group(1) or match.group(2)).strip(), match.group(3).strip()


def read_subtitle_dialogue(path: Path) -> Iterator[Dialogue]:
    """Timed subtitles with speaker names (SRT/VTT ``Speaker: text`` cues, or JSON segments with ``speaker``)."""
    from emoreason.io import read_subtitles

    try:
        transcript = read_subtitles(path)
    except SubtitleError as exc:
        raise DialogueInputError(str(exc)) from exc
    utterances = []
    for pos, seg in enumerate(transcript.segments, 1):
        speaker, words = (seg.speaker, seg.text.strip()) if seg.speaker else split_speaker(seg.text)
        utterances.append(Utterance(utterance_id=pos, speaker=speaker or "", text=words, start=seg.start, end=seg.end))
    issues = _encoding_issue(path, transcript.encoding or "utf-8")
    if any(not u.speaker for u in utterances):
        issues.append(f"{path.name}: some cues name no speaker ('Name: text'); they are attributed to 'unknown'")
        utterances = [u if u.speaker else u.model_copy(update={"speaker": "unknown"}) for u in utterances]
    yield Dialogue(conversation_id=path.stem, utterances=utterances, source=str(path), format="subtitles",
                   encoding=transcript.encoding, issues=issues)


# --------------------------------------------------------------------------- dispatch
def detect_format(path: Path, text: str) -> str:
    """The reader for `path`: ecac-json, ecf-txt, meld-csv, csv, jsonl or subtitles."""
    suffix = path.suffix.lower()
    stripped = text.lstrip("\ufeff").lstrip()
    if suffix in SUBTITLE_SUFFIXES:
        return "subtitles"
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "ecac-json" if stripped[:1] in "[{" and '"conversation"' in stripped[:20000] else "jsonl"
    if suffix == ".csv":
        header = stripped.splitlines()[0] if stripped else ""
        return "meld-csv" if "Dialogue_ID" in header and "Utterance_ID" in header else "csv"
    first = stripped.splitlines()[0] if stripped else ""
    if _ECF_HEAD.match(first):
        return "ecf-txt"
    if stripped[:1] == "{":
        return "jsonl"
    raise DialogueInputError(f"{path}: unknown dialogue format; use .json (SemEval-2024 ECAC), .txt (ECF 1.0), "
                             ".csv (MELD or speaker,text), .jsonl, or .srt/.vtt subtitles with 'Speaker: text' cues")


def iter_dialogues(path: str | Path) -> Iterator[Dialogue]:
    """Dialogues of `path`, one at a time, in file order.

    Raises:
        DialogueInputError: the file is missing, empty, binary or malformed (the message names it).
    """
    path = Path(path)
    if path.suffix.lower() in SUBTITLE_SUFFIXES:
        yield from read_subtitle_dialogue(path)
        return
    text, encoding = _decode(path)
    kind = detect_format(path, text)
    issues = _encoding_issue(path, encoding)
    if kind == "ecac-json":
        dialogues = read_ecac_json(path, text)
    elif kind == "ecf-txt":
        dialogues = read_ecf_txt(path, text)
    else:
        dialogues = read_rows(path, text, kind=kind)
    for dialogue in dialogues:
        yield dialogue.model_copy(update={"encoding": encoding, "issues": [*issues, *dialogue.issues]})


def read_dialogues(path: str | Path) -> list[Dialogue]:
    """All dialogues of `path` (see :func:`iter_dialogues`)."""
    return list(iter_dialogues(path))
