"""The clips of a batch: every media file under a folder, or the rows of a CSV manifest.

Manifest columns: ``path`` (required), ``subtitle`` (a file or literal text), ``language``
and ``id`` (optional). Relative paths are read from the manifest's folder. A row whose file
is missing or broken is *not* rejected here: the batch records it as an error row and goes on.
"""

from __future__ import annotations

import csv
from pathlib import Path

from emoreason.batch.records import ClipTask
from emoreason.errors import EmoreasonError
from emoreason.io.filenames import is_utf8, readable

#: Media suffixes picked up when a folder is given (videos first, then audio-only files).
MEDIA_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".avi", ".webm", ".mpg", ".mpeg", ".flv", ".wmv", ".ts",
    ".wav", ".mp3", ".flac", ".m4a", ".ogg", ".opus", ".aac",
})

#: Subtitle files used when they sit beside a clip with the same name (``clip.srt`` for ``clip.mp4``).
SIDECAR_SUFFIXES = (".srt", ".vtt")


class ManifestError(EmoreasonError):
    """A manifest or input folder cannot be read as a list of clips."""


def read_clips(source: str | Path) -> list[ClipTask]:
    """The clips named by `source`: a folder (searched recursively) or a CSV manifest.

    Raises:
        ManifestError: `source` is missing, holds no clips, lacks a ``path`` column or repeats an id.
    """
    src = Path(source)
    if src.is_dir():
        clips = _folder_clips(src)
    elif src.is_file():
        clips = _manifest_clips(src)
    else:
        raise ManifestError(f"{src}: no such folder or manifest file")
    if not clips:
        raise ManifestError(f"{src}: no clips found (looked for {', '.join(sorted(MEDIA_SUFFIXES))})")
    _check_unique(src, clips)
    return clips


def _folder_clips(folder: Path) -> list[ClipTask]:
    root = folder.resolve()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in MEDIA_SUFFIXES)
    clips = []
    for path in files:
        if not is_utf8(str(path)):  # records are UTF-8 JSON: say so in an error row instead of failing the batch
            clips.append(ClipTask(id=readable(path.relative_to(root).as_posix()), path=readable(str(path)),
                                  problem="the file name is not valid UTF-8; rename the file"))
            continue
        sidecar = next((s for s in (path.with_suffix(x) for x in SIDECAR_SUFFIXES) if s.is_file()), None)
        clips.append(ClipTask(
            id=path.relative_to(root).as_posix(), path=str(path), subtitle=str(sidecar) if sidecar else None,
        ))
    return clips


def _manifest_clips(manifest: Path) -> list[ClipTask]:
    if manifest.suffix.lower() != ".csv":
        raise ManifestError(f"{manifest}: not a folder or a .csv manifest (columns: path, subtitle, language, id)")
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [(f or "").strip().lower() for f in reader.fieldnames or []]
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ManifestError(f"{manifest}: cannot read the manifest ({exc})") from exc
    if "path" not in fields:
        raise ManifestError(f"{manifest}: no 'path' column (found: {', '.join(fields) or 'nothing'})")
    base = manifest.resolve().parent
    clips = []
    for number, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        if not row.get("path"):
            raise ManifestError(f"{manifest}: row {number} has an empty path")
        clips.append(ClipTask(
            id=row.get("id") or row["path"],
            path=str(_resolve(base, row["path"])),
            subtitle=_subtitle(base, row.get("subtitle") or None),
            language=row.get("language") or None,
        ))
    return clips


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _subtitle(base: Path, value: str | None) -> str | None:
    """A subtitle cell naming an existing file (relative to the manifest) becomes its path; else literal text."""
    if value is None:
        return None
    candidate = _resolve(base, value)
    return str(candidate) if len(value) < 1024 and candidate.is_file() else value


def _check_unique(src: Path, clips: list[ClipTask]) -> None:
    seen: set[str] = set()
    for clip in clips:
        if clip.id in seen:
            raise ManifestError(f"{src}: clip id {clip.id!r} appears twice; ids must be unique")
        seen.add(clip.id)
