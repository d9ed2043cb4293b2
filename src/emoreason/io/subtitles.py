"""Read subtitles and transcripts: SRT, WebVTT, JSON segments, plain text — from a file or a string.

Files are decoded by trying, in order, a BOM-declared encoding, strict UTF-8, strict GB18030
(Chinese drama subtitles) and finally Latin-1; the encoding used is recorded. Cue times are
kept as written; :func:`fit_to_clip` checks them against the media before any stage uses them.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from pydantic import ValidationError

from emoreason.errors import SubtitleError
from emoreason.records import Transcript, TranscriptSegment, TranscriptSource

SUBTITLE_SUFFIXES = frozenset({".srt", ".vtt", ".txt", ".json", ".sub"})
_ENCODINGS = ("utf-8", "gb18030", "latin-1")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})"
_CUE = re.compile(rf"{_TIME}\s*-->\s*{_TIME}")
_TAGS = re.compile(r"<[^>]+>|\{\\[^}]*\}")


def decode_text(data: bytes, origin: str) -> tuple[str, str]:
    """Decode subtitle bytes; return (text, encoding).

    Raises:
        SubtitleError: the bytes are binary data, not text.
    """
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise SubtitleError(f"{origin}: declares {enc} but does not decode ({exc.reason})") from exc
    if b"\x00" in data:
        raise SubtitleError(f"{origin}: binary data, not a text subtitle file")
    for enc in _ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise SubtitleError(f"{origin}: undecodable text")  # pragma: no cover - latin-1 decodes all


def _seconds(h: str | None, m: str, s: str, frac: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(frac.ljust(3, "0")[:3]) / 1000.0


def _clean(line: str) -> str:
    return _TAGS.sub("", line).strip()


def parse_cues(text: str) -> list[TranscriptSegment]:
    """Parse SRT or WebVTT cue blocks (timing line `a --> b` followed by text lines)."""
    segments: list[TranscriptSegment] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [ln for ln in block.strip().split("\n") if ln.strip()]
        for i, line in enumerate(lines):
            match = _CUE.search(line)
            if not match:
                continue
            g = match.groups()
            start, end = _seconds(*g[:4]), _seconds(*g[4:])
            body = " ".join(_clean(ln) for ln in lines[i + 1 :] if _clean(ln))
            if body:
                # times kept as written; fit_to_clip() checks them against the media
                segments.append(TranscriptSegment(start=start, end=end, text=body))
            break
    return segments


def _parse_json(text: str, origin: str) -> list[TranscriptSegment]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubtitleError(f"{origin}: invalid JSON transcript ({exc.msg} at line {exc.lineno})") from exc
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise SubtitleError(f"{origin}: JSON transcript needs a list of segments or {{'segments': [...]}}")
    return [_json_segment(item, i, origin) for i, item in enumerate(items)]


def _json_segment(item: object, index: int, origin: str) -> TranscriptSegment:
    """One JSON segment object → TranscriptSegment (one-line SubtitleError when malformed)."""
    if not isinstance(item, dict):
        raise SubtitleError(f"{origin}: JSON segment {index} is a {type(item).__name__}, not an object "
                            "with 'text' (and optional 'start', 'end')")
    try:
        return TranscriptSegment.model_validate({k: item[k] for k in ("start", "end", "text", "speaker") if k in item})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "segment"
        problem = first.get("msg", "invalid")
        raise SubtitleError(f"{origin}: malformed JSON segment {index} ({where}: {problem})") from exc


def _parses_as_transcript(text: str) -> bool:
    """Whether literal text that starts like JSON really is a JSON transcript."""
    try:
        _parse_json(text, "<text>")
    except SubtitleError:
        return False
    return True


def parse_subtitle_text(text: str, *, origin: str = "<text>", suffix: str = "") -> list[TranscriptSegment]:
    """Parse subtitle content of any supported kind into segments."""
    stripped = text.lstrip("\ufeff").strip()
    if suffix == ".json":
        return _parse_json(stripped, origin)
    if not suffix and stripped[:1] in "[{" and _parses_as_transcript(stripped):
        # literal text like "[LAUGHTER] oh no" is text; only a real JSON transcript is parsed as one
        return _parse_json(stripped, origin)
    if _CUE.search(stripped):
        segments = parse_cues(stripped)
        if not segments:
            raise SubtitleError(f"{origin}: has cue timings but no subtitle text")
        return segments
    lines = [_clean(ln) for ln in stripped.splitlines()]
    return [TranscriptSegment(text=ln) for ln in lines if ln and ln.upper() != "WEBVTT"]


def read_subtitles(source: str | Path, *, language: str | None = None) -> Transcript:
    """Read subtitles from a file path (.srt/.vtt/.json/.txt) or from a literal string.

    A `str` naming an existing file is read as a file; a `str` that ends in a subtitle
    suffix but does not exist is an error; any other `str` is the subtitle text itself.

    Raises:
        SubtitleError: unreadable, binary or malformed subtitles, or no text at all.
    """
    path = Path(source) if isinstance(source, Path) or _looks_like_path(source) else None
    if path is None:
        segments = parse_subtitle_text(str(source))
        src, origin, encoding = TranscriptSource.SUBTITLE_TEXT, "<text>", None
    else:
        if not path.is_file():
            problem = "not a regular file (a FIFO, device or folder)" if path.exists() else "subtitle file not found"
            raise SubtitleError(f"{path}: {problem}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SubtitleError(f"{path}: cannot read subtitle file ({exc.strerror})") from exc
        text, encoding = decode_text(data, str(path))
        segments = parse_subtitle_text(text, origin=str(path), suffix=path.suffix.lower())
        src, origin = TranscriptSource.SUBTITLE_FILE, str(path)
    if not any(s.text.strip() for s in segments):
        raise SubtitleError(f"{origin}: no subtitle text found")
    return Transcript(source=src, language=language, segments=segments, origin=origin, encoding=encoding)


def _looks_like_path(value: str | Path) -> bool:
    text = str(value)
    if "\n" in text or len(text) > 4096:
        return False
    if Path(text).suffix.lower() in SUBTITLE_SUFFIXES:
        return True
    try:
        return Path(text).is_file()
    except OSError:
        return False


#: Most transcript segments kept for one clip (a long film's subtitles have ~2,000 cues).
MAX_SEGMENTS = 10_000


def fit_to_clip(transcript: Transcript, duration: float) -> tuple[Transcript, str | None]:
    """Check cue times against a clip of `duration` seconds; return the fitted transcript and one warning.

    Untimed segments (plain text) span the whole clip. Cues with NaN/infinite or reversed times are
    dropped, and so are cues that start at or after the clip's end or end before 0; cues that
    overhang an edge are clamped to it. At most :data:`MAX_SEGMENTS` are kept. The warning (None
    when nothing was changed) counts what was dropped and clamped. With ``duration <= 0``
    (a still image) the clip's length is not checked.
    """
    limit = duration if duration > 0 else math.inf
    kept: list[TranscriptSegment] = []
    bad = outside = clamped = 0
    for seg in transcript.segments:
        if seg.start is None or seg.end is None:
            kept.append(seg.model_copy(update={"start": 0.0, "end": max(0.0, duration)}))
            continue
        start, end = seg.start, seg.end
        if not (math.isfinite(start) and math.isfinite(end)) or end < start:
            bad += 1
        elif start >= limit or end < 0:
            outside += 1
        else:
            fitted = (max(0.0, start), min(limit, end))
            clamped += fitted != (start, end)
            kept.append(seg if fitted == (start, end) else seg.model_copy(update={"start": fitted[0],
                                                                                   "end": fitted[1]}))
    overflow = max(0, len(kept) - MAX_SEGMENTS)
    if overflow:
        kept = sorted(kept, key=lambda s: s.start or 0.0)[:MAX_SEGMENTS]
    warning = _fit_warning(transcript, duration, bad=bad, outside=outside, clamped=clamped, overflow=overflow)
    changed = bool(bad or outside or clamped or overflow) or not transcript.is_timed
    return (transcript.model_copy(update={"segments": kept}) if changed else transcript), warning


def _fit_warning(transcript: Transcript, duration: float, *, bad: int, outside: int, clamped: int,
                 overflow: int) -> str | None:
    """One line counting what :func:`fit_to_clip` changed, or None."""
    parts = []
    if outside:
        parts.append(f"{outside:,} outside the {duration:.1f} s clip dropped")
    if bad:
        parts.append(f"{bad:,} with invalid times (NaN, infinite or end before start) dropped")
    if clamped:
        parts.append(f"{clamped:,} clamped to the clip")
    if overflow:
        parts.append(f"{overflow:,} beyond the first {MAX_SEGMENTS:,} dropped")
    if not parts:
        return None
    name = f" {transcript.origin}" if transcript.source is TranscriptSource.SUBTITLE_FILE else ""
    return f"subtitles{name}: of {len(transcript.segments):,} cues, " + ", ".join(parts)
