"""Reader for ECEM (FAME-Net) chat-format records.

Each record: ``video`` id and a conversation ``human``: "Explain why the emotion of this
statement is <emotion> <Speaker: utterance>" → ``gpt``: the explanation. Broken
encodings are repaired (:mod:`.encoding`) and reported as :class:`LoadIssue`; records
whose text stays broken are kept and reported, never dropped silently.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from emoreason.tasks.loaders.encoding import repair_text
from emoreason.tasks.records import Dataset, LoadIssue, Sample

_PROMPT = re.compile(r"emotion of this statement is\s+(\w+)\s*<(.*)>\s*$", re.S)


def load_ecem_chat(path: Path, *, split: str | None = None, extra_path: Path | None = None) -> Dataset:
    """ECEM records as samples (``label`` emotion, ``subtitle`` statement, ``text`` explanation)."""
    from emoreason.tasks.loaders import DataLoadError

    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataLoadError(f"{path}: cannot read ECEM JSON: {exc}") from exc
    samples, issues = [], []
    for rec in records:
        rid = f"{rec.get('id')}:{rec.get('video')}"
        turns = {t.get("from"): str(t.get("value", "")) for t in rec.get("conversations", [])}
        human, changed_h, broken_h = repair_text(turns.get("human", ""))
        answer, changed_a, broken_a = repair_text(turns.get("gpt", ""))
        if changed_h or changed_a or broken_h or broken_a:
            problem = "broken character encoding" + (" (left as is)" if broken_h or broken_a else " (repaired)")
            issues.append(LoadIssue(record=rid, problem=problem, repaired=not (broken_h or broken_a)))
        match = _PROMPT.search(human)
        samples.append(Sample(id=rid, label=match.group(1).lower() if match else None,
                              subtitle=match.group(2).strip() if match else None, text=answer,
                              question=human.replace("<video>\n", "").strip()))
    return Dataset(name="ecem", source=str(path), samples=samples, issues=issues)
