"""End-to-end time and peak memory of ``emoreason explain`` with each offline reasoner.

Each run is a fresh ``emoreason explain CLIP --format json`` process (so model loading,
imports and perception are all counted); wall time is measured around the process and the
peak resident set size comes from ``os.wait4``'s rusage of that process alone. The default
clip is the shared clip closest to 5 s (``sample_00004671``, 4.8 s) with its English
subtitle; the LLM cache is a fresh temporary folder so the language model really generates.

Targets (issue 5): template < 3 s including model load, < 1.5 GB peak RSS. Issue 12: with the
learned heads, < 3 s with subtitles and, with ``--asr`` (no subtitle: Whisper transcribes),
< 5 s.

Usage::

    .venv/bin/python benchmarks/bench_explain.py [--clip PATH --subtitle TEXT] [--repeat N]
        [--reasoners template,llama-cpp] [--asr]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIPS = REPO.parent / "shared" / "data" / "clips"
DEFAULT_CLIP = "sample_00004671"
EMOREASON = Path(sys.executable).with_name("emoreason")


def _subtitle(clip: Path) -> str | None:
    table = clip.parent / "ground_truth.csv"
    if not table.is_file():
        return None
    rows = {r["name"]: r for r in csv.DictReader(table.open(encoding="utf-8"))}
    row = rows.get(clip.stem)
    return row["subtitle_en"] if row else None


def _popen_rusage(cmd: list[str], env: dict[str, str]) -> tuple[bytes, bytes, int, object]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return out, err, proc.returncode, usage


def measure(clip: Path, subtitle: str | None, reasoner: str, repeat: int) -> dict:
    """`repeat` runs of one reasoner; median seconds and max peak RSS."""
    runs = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache_dir:
            cmd = [str(EMOREASON), "explain", str(clip), "--format", "json", "--reasoner", reasoner, "--no-cache"]
            if subtitle:
                cmd += ["--subtitle", subtitle, "--language", "en"]
            started = time.perf_counter()
            out, err, code, usage = _popen_rusage(cmd, {**os.environ, "EMOREASON_CACHE_DIR": cache_dir})
            seconds = time.perf_counter() - started
            if code != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed ({code}): {err.decode()[-800:]}")
            result = json.loads(out)
            runs.append({
                "seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # type: ignore[attr-defined]
                "writer": result["explanation"]["writer"], "fallback": result["explanation"].get("fallback_reason"),
                "labels": [e["label"] for e in result["emotions"][:4]],
                "violations": len(result["explanation"]["violations"]), "timings": result.get("timings", {}),
            })
    return {
        "reasoner": reasoner, "runs": runs,
        "median_seconds": statistics.median(r["seconds"] for r in runs),
        "max_peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
    }


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=CLIPS / f"{DEFAULT_CLIP}.mp4")
    parser.add_argument("--subtitle", default=None, help="subtitle text (default: ground_truth.csv's subtitle_en)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reasoners", default="template,llama-cpp")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--asr", action="store_true", help="no subtitle: the words come from speech recognition")
    args = parser.parse_args()
    if not args.clip.is_file():
        print(f"{args.clip} not found (the shared clips are only present in the workplace)", file=sys.stderr)
        return 2
    subtitle = None if args.asr else (args.subtitle or _subtitle(args.clip))
    report = {
        "clip": args.clip.name, "subtitle": subtitle, "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"), "results": [],
    }
    for name in args.reasoners.split(","):
        result = measure(args.clip, subtitle, name.strip(), args.repeat)
        report["results"].append(result)
        print(f"{name:10s} median {result['median_seconds']:.2f} s, peak RSS {result['max_peak_rss_mb']:.0f} MB, "
              f"writer {result['runs'][0]['writer']}, labels {result['runs'][0]['labels']}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps([{k: r[k] for k in ("reasoner", "median_seconds", "max_peak_rss_mb")} for r in report["results"]]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
