"""A checkpoint as a system ``emoreason eval`` can score: one JSONL line per clip.

Each line holds ``id``, ``label`` (the coarse answer), ``labels`` (the emotion words in it,
for open-vocabulary tasks) and ``text`` (the fine answer) — the fields
:func:`emoreason.tasks.predictions.read_predictions` reads. Features come from the same
cache as training, so scoring never decodes media twice.

    python -m emoreason.mllm.predict --model DIR --source emer --data-root ../shared/data -o preds.jsonl
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emoreason.mllm.config import SourceConfig
from emoreason.mllm.sources import RawSample, read_source


def predict_samples(model: Any, samples: list[RawSample], cache_dir: str | Path,
                    tasks: tuple[str, ...] = ("coarse", "fine")) -> list[dict[str, Any]]:
    """Generate the coarse and/or fine answer for every sample."""
    from emoreason.mllm.dataset import FeatureCache
    from emoreason.mllm.reasoner import emotion_words
    from emoreason.mllm.templates import render_prompt

    cache = FeatureCache(cache_dir, model.config, model.dims)
    rows = []
    for sample in samples:
        features = cache.features(sample)
        row: dict[str, Any] = {"id": sample.id}
        for task in tasks:
            prompt = render_prompt(model.config.data.template, task, streams=model.config.streams,
                                   present=set(features), subtitle=sample.subtitle, key=sample.id,
                                   question=sample.question if task == "fine" else None)
            answer = model.generate(prompt.text, features)
            if task == "coarse":
                row["label"] = answer
                row["labels"] = emotion_words(answer) or [answer]
            else:
                row["text"] = answer
        rows.append(row)
    return rows


def write_predictions(model_dir: str | Path, source: SourceConfig, data_root: str | Path, out: str | Path,
                      *, tasks: tuple[str, ...] = ("coarse", "fine")) -> Path:
    """Predict every sample of `source` with the checkpoint in `model_dir`; write JSONL to `out`."""
    from emoreason.mllm.checkpoint import load_model

    model = load_model(model_dir)
    cache = model.config.data.cache_dir or Path(model_dir) / "feature-cache"
    rows = predict_samples(model, read_source(source, data_root), cache, tasks)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: ``python -m emoreason.mllm.predict``."""
    from emoreason.errors import EmoreasonError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--source", required=True, choices=["merr", "ecem", "emer", "ovmerd", "explain", "batch",
                                                            "synthetic"])
    parser.add_argument("--path")
    parser.add_argument("--data-root", default="../shared/data")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--task", choices=["coarse", "fine", "both"], default="both")
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    tasks = ("coarse", "fine") if args.task == "both" else (args.task,)
    try:
        path = write_predictions(args.model, SourceConfig(kind=args.source, path=args.path, limit=args.limit),
                                 args.data_root, args.output, tasks=tasks)
    except EmoreasonError as exc:
        print(f"error: {exc}")
        return 2
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
