"""ECEM (FAME-Net) explanation records, their dialogues in ECF, and the committed split by dialogue.

An ECEM record names a MELD clip (``480_5.mp4`` = MELD train dialogue 480, utterance 5;
``t_254_15.mp4`` = MELD test) and asks "Explain why the emotion of this statement is X
<Speaker: utterance>"; the answer is one ECEM-style sentence. ECF's
``all_data_pair_ECFvsMELD.txt`` maps MELD utterances to ECF conversations, which gives each
record its dialogue. The split (``ecem_split.json``, ids only) puts a record in *test* when its
ECF conversation is in ECF 1.0 test — so the cause heads never saw those dialogues — and in
*train* (few-shot pool, pronoun table) otherwise; records without an ECF dialogue are *unmapped*.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ECF_DIR = Path("benchmarks/ecf")
ECEM_FILE = Path("benchmarks/ecem/train_data_just_reason.json")
ECF_MELD_FILE = Path("benchmarks/ecf/all_data_pair_ECFvsMELD.txt")
SPLIT_FILE = Path(__file__).with_name("ecem_split.json")
_CLIP = re.compile(r"^(t_)?(\d+)_(\d+)\.mp4$")
GROUP_SPEAKERS = frozenset({"All", "Both", "Everyone", "Guys", "Girls", "The Guys", "Together"})
_HE = re.compile(r"\b(he|his|him|himself|he's)\b", re.I)
_SHE = re.compile(r"\b(she|her|hers|herself|she's)\b", re.I)


@dataclass(frozen=True)
class EcemRecord:
    """One ECEM record: the emotion to explain, the statement, the reference explanation."""

    id: str
    video: str
    emotion: str
    speaker: str
    statement: str
    reference: str


def load_ecem(data_root: str | Path) -> list[EcemRecord]:
    """ECEM records (encodings repaired by the task loader)."""
    from emoreason.tasks.loaders.ecem import load_ecem_chat

    dataset = load_ecem_chat(Path(data_root) / ECEM_FILE)
    out = []
    for sample in dataset.samples:
        speaker, _, statement = (sample.subtitle or "").partition(":")
        out.append(EcemRecord(id=sample.id, video=sample.id.split(":", 1)[1], emotion=sample.label or "neutral",
                              speaker=speaker.strip(), statement=statement.strip(), reference=sample.text or ""))
    return out


def meld_key(video: str) -> str | None:
    """``t_254_15.mp4`` → ``test_dia254_utt15``; ``480_5.mp4`` → ``train_dia480_utt5``."""
    match = _CLIP.match(video)
    if match is None:
        return None
    return f"{'test' if match.group(1) else 'train'}_dia{match.group(2)}_utt{match.group(3)}"


def ecf_index(data_root: str | Path) -> dict[str, tuple[str, int]]:
    """MELD utterance key → (ECF conversation id, ECF utterance index)."""
    lines = (Path(data_root) / ECF_MELD_FILE).read_text(encoding="utf-8").splitlines()
    out: dict[str, tuple[str, int]] = {}
    i = 0
    while i < len(lines):
        head = lines[i].split()
        if len(head) != 2 or not head[1].isdigit():
            i += 1
            continue
        for row in lines[i + 2: i + 2 + int(head[1])]:
            parts = [p.strip() for p in row.split(" | ")]
            if len(parts) >= 5 and parts[-1]:
                out[parts[-1]] = (head[0], int(parts[0]))
        i += 2 + int(head[1])
    return out


def ecf_split_ids(path: Path) -> set[str]:
    """Conversation ids listed in an ECF 1.0 txt file (the first line of each block)."""
    ids, lines, i = set(), path.read_text(encoding="utf-8").splitlines(), 0
    while i < len(lines):
        parts = lines[i].split()
        if len(parts) == 2 and parts[1].isdigit():
            ids.add(parts[0])
            i += 2 + int(parts[1])
        else:
            i += 1
    return ids


def build_split(data_root: str | Path) -> dict[str, list[str]]:
    """The split by dialogue: record ids in test (ECF-test dialogues), train, unmapped."""
    index = ecf_index(data_root)
    test_ids = ecf_split_ids(Path(data_root) / ECF_DIR / "test.txt")
    split: dict[str, list[str]] = {"test": [], "train": [], "unmapped": []}
    for rec in load_ecem(data_root):
        found = index.get(meld_key(rec.video) or "")
        part = "unmapped" if found is None else ("test" if found[0] in test_ids else "train")
        split[part].append(rec.id)
    return split


def write_split(data_root: str | Path, path: Path = SPLIT_FILE) -> Path:
    """Regenerate the committed split file (a maintainer step)."""
    split = build_split(data_root)
    doc = {"about": "ECEM records split by dialogue: test = the record's ECF conversation is in ECF 1.0 test "
                    "(built by emoreason.conversations.ecem.write_split; ids are '<record id>:<clip>')",
           "counts": {k: len(v) for k, v in split.items()}, **split}
    path.write_text(json.dumps(doc, indent=0) + "\n", encoding="utf-8")
    return path


@cache
def committed_split(path: str = str(SPLIT_FILE)) -> dict[str, frozenset[str]]:
    """The committed split: part → record ids."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: frozenset(doc.get(k, [])) for k in ("train", "test", "unmapped")}


def pronoun_counts(records: list[EcemRecord]) -> dict[str, dict[str, int]]:
    """Per speaker, how often a reference explanation's first pronoun is 'he' vs 'she'."""
    counts: dict[str, dict[str, int]] = {}
    for rec in records:
        he, she = _HE.search(rec.reference), _SHE.search(rec.reference)
        if he is None and she is None:
            continue
        first = "he" if she is None or (he is not None and he.start() < she.start()) else "she"
        row = counts.setdefault(rec.speaker, {"he": 0, "she": 0})
        row[first] += 1
    return counts


def pronoun_table(records: list[EcemRecord], *, min_count: int = 3, min_share: float = 0.75) -> dict[str, str]:
    """Speaker → 'he'/'she' where the references agree (≥ `min_count` records, ≥ `min_share` one way)."""
    table = {}
    for speaker, row in pronoun_counts(records).items():
        total = row["he"] + row["she"]
        top = max(row, key=row.get)  # type: ignore[arg-type]
        if speaker and speaker not in GROUP_SPEAKERS and total >= min_count and row[top] / total >= min_share:
            table[speaker] = top
    return dict(sorted(table.items()))
