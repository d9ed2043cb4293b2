"""EIBench end to end: run :func:`interpret` over a folder of the benchmark's images → predictions.

EIBench's images (EmoSet-118K, CAER-S) are not redistributable; the user points ``--images`` at
their copy. Each question's image is looked up as ``DIR/<id>`` (the id is the image's path in
EIBench, e.g. ``CAER-S/train/Angry/0006.png``), else as ``DIR/<file name>``. Predictions are
written one JSON line per answered question (``{"id", "text", "method", ...}``) as they are
made, so an interrupted run resumes where it stopped and never loses finished work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from emoreason.errors import EmoreasonError, MediaError

log = logging.getLogger(__name__)


@dataclass
class FolderRun:
    """What a pass over an image folder did."""

    predictions: Path
    answered: int = 0
    reused: int = 0
    missing: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def image_for(sample_id: str, images: Path) -> Path | None:
    """The image file of an EIBench sample id (``path[#n]``) inside `images`, or None."""
    rel = sample_id.split("#", 1)[0]
    for candidate in (images / rel, images / Path(rel).name):
        if candidate.is_file():
            return candidate
    return None


def default_predictions_path(task: str, images: Path, method: str, model: str | None) -> Path:
    """A resumable predictions file for (task, folder, method, model) in the temp folder."""
    key = hashlib.sha256(f"{images.resolve()}|{method}|{model}".encode()).hexdigest()[:10]
    return Path(tempfile.gettempdir()) / f"emoreason-{task}-{method}-{key}.jsonl"


def _done(path: Path) -> set[str]:
    """Ids already answered in `path`; a line cut short by an interruption is dropped (and redone)."""
    if not path.is_file():
        return set()
    done: set[str] = set()
    kept: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        try:
            done.add(str(json.loads(line)["id"]))
        except (ValueError, KeyError, TypeError):
            continue
        kept.append(line)
    if len(kept) != len(lines):
        path.write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    return done


def predict_folder(
    task: str,
    images: str | Path,
    *,
    data_root: str | Path | None = None,
    output: str | Path | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key: str | None = None,
    method: str | None = None,
    limit: int | None = None,
) -> FolderRun:
    """Answer every question of an EIBench task whose image is in `images`; write predictions JSONL.

    Raises:
        EmoreasonError: `images` is not a folder, or the task is not an EIBench task.
    """
    from emoreason.images.interpret import interpret
    from emoreason.tasks.api import resolve_data_root
    from emoreason.tasks.loaders import load_dataset
    from emoreason.tasks.registry import get_task

    folder = Path(images)
    if not folder.is_dir():
        raise EmoreasonError(f"{folder}: --images must be a folder holding the EIBench images")
    spec = get_task(task)
    if not spec.dataset.loader.value.startswith("eibench"):
        raise EmoreasonError(f"--images runs interpret for EIBench tasks only, not {spec.name!r}")
    dataset = load_dataset(spec.dataset, resolve_data_root(data_root))
    chosen = method or ("cfsa" if base_url or model else "template")
    out = Path(output) if output else default_predictions_path(spec.name, folder, chosen, model)
    run = FolderRun(predictions=out)
    done = _done(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("a", encoding="utf-8") as sink:
        for sample in dataset.samples[:limit]:
            if sample.id in done:
                run.reused += 1
                continue
            path = image_for(sample.id, folder)
            if path is None:
                run.missing.append(sample.id)
                continue
            try:
                result = interpret(path, question=sample.question, base_url=base_url, model=model,
                                   api_key=api_key, method=chosen)
            except MediaError as exc:
                log.warning("%s", exc)
                run.failed.append(f"{sample.id}: {exc.problem}")
                continue
            row = {"id": sample.id, "text": result.answer, "method": result.method, "model": result.model,
                   "people": len(result.people), "fallback": result.fallback_reason,
                   "violations": len(result.violations)}
            sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            sink.flush()
            run.answered += 1
    return run
