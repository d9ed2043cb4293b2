"""Benchmark of Whisper ASR (the default recogniser): model build + load, real-time factor, memory.

Each measurement runs in a fresh subprocess so its peak RSS (``ru_maxrss``) covers one job:

* ``build``: joining + verifying the shipped model into an empty cache (first run on a machine).
* ``asr``: loading Whisper, then VoiceStage (for the speech spans) + TextStage on every shared
  clip (../shared/data/clips); the text stage's seconds / audio seconds is the real-time factor.
  Prints per clip the detected language, its probability, mean segment confidence and the words.
* ``explain``: ``emoreason.explain()`` without subtitles on a ~5 s shared clip (fresh process:
  imports and model load included, as on the command line), then a second call in the same
  process; prints the total and the text stage's seconds.

Usage::

    python benchmarks/bench_asr.py                      # all three, beam 5
    python benchmarks/bench_asr.py --beam 1 --json-out benchmarks/results/asr.json

Times depend on the machine's load (printed in the header); the project's VMs are 2 shared cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CLIPS = REPO.parent / "shared" / "data" / "clips"
EXPLAIN_CLIP = "sample_00004671"  # 4.7 s, one speaker


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _child_build() -> dict:
    from emoreason.perception.text.whisper_model import whisper_base_dir

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        whisper_base_dir(tmp)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        whisper_base_dir(tmp)
        reuse = time.perf_counter() - t
    return {"build_s": round(cold, 2), "reuse_s": round(reuse, 3), "peak_rss_mb": _peak_mb()}


def _child_asr(beam: int) -> dict:
    import numpy as np

    from emoreason.io import probe
    from emoreason.perception.base import ClipContext
    from emoreason.perception.text import TextStage, WhisperRecognizer
    from emoreason.perception.voice import VoiceStage

    t, c = time.perf_counter(), time.process_time()
    rec = WhisperRecognizer(beam_size=beam)
    load_s, load_cpu = time.perf_counter() - t, time.process_time() - c
    voice, text = VoiceStage(egemaps=False), TextStage(asr=rec)
    clips, audio_s, asr_s, asr_cpu = [], 0.0, 0.0, 0.0
    for path in sorted(CLIPS.glob("*.mp4")):
        ctx = ClipContext(path=path, media=probe(path))
        voice.run(ctx)
        t, c = time.perf_counter(), time.process_time()
        text.run(ctx)
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        tr = ctx.transcript
        conf = [s.confidence for s in tr.segments if s.confidence is not None] if tr else []
        clips.append({"clip": path.stem, "audio_s": round(ctx.media.duration, 2), "asr_s": round(seconds, 2),
                      "cpu_s": round(cpu, 2),
                      "language": tr.language if tr else None,
                      "p": tr.language_probability if tr else None,
                      "confidence": round(float(np.mean(conf)), 3) if conf else None,
                      "text": tr.text if tr else ""})
        audio_s += ctx.media.duration
        asr_s += seconds
        asr_cpu += cpu
    return {"beam": beam, "load_s": round(load_s, 2), "load_cpu_s": round(load_cpu, 2), "audio_s": round(audio_s, 2),
            "asr_s": round(asr_s, 2), "cpu_s": round(asr_cpu, 2), "rtf": round(asr_s / audio_s, 3),
            "rtf_cpu": round(asr_cpu / audio_s, 3), "peak_rss_mb": _peak_mb(), "clips": clips}


def _child_explain() -> dict:
    from emoreason.pipeline import explain

    path = CLIPS / f"{EXPLAIN_CLIP}.mp4"
    runs = []
    for _ in range(2):
        t, c = time.perf_counter(), time.process_time()
        result = explain(path)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        runs.append({"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "total_s": round(result.timings["total"], 2),
                     "text_s": round(result.timings.get("text", float("nan")), 2),
                     "stages": {k: round(v, 2) for k, v in result.timings.items()}})
    tr = result.transcript
    return {"clip": EXPLAIN_CLIP, "duration_s": round(result.media.duration, 2), "cold": runs[0], "warm": runs[1],
            "language": tr.language if tr else None, "text": tr.text if tr else "", "peak_rss_mb": _peak_mb()}


def _measure(mode: str, beam: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--beam", str(beam)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=REPO, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _print(record: dict) -> None:
    print(f"# {record['date']} git {record['git']} · {record['cpus']} CPUs · load average {record['load']:.1f}")
    if "build" in record:
        b = record["build"]
        print(f"model build (join + sha256) {b['build_s']:.2f} s · reuse {b['reuse_s']:.3f} s · "
              f"peak {b['peak_rss_mb']:.0f} MB")
    if "asr" in record:
        a = record["asr"]
        print(f"whisper base int8 beam {a['beam']}: load {a['load_s']:.2f} s (cpu {a['load_cpu_s']:.2f} s) · "
              f"{a['audio_s']:.1f} s audio in {a['asr_s']:.2f} s · RTF {a['rtf']:.2f} (cpu-seconds per audio "
              f"second {a['rtf_cpu']:.2f}) · peak {a['peak_rss_mb']:.0f} MB")
        for c in a["clips"]:
            print(f"  {c['clip']:<20} {c['audio_s']:>5.1f} s  {c['asr_s']:>5.2f} s  cpu {c['cpu_s']:>5.2f} s  "
                  f"{c['language']} "
                  f"p={c['p']}  conf={c['confidence']}  {c['text']}")
    if "explain" in record:
        e = record["explain"]
        for k in ("cold", "warm"):
            print(f"explain {e['clip']} ({e['duration_s']:.1f} s, ASR, {k}): total {e[k]['total_s']:.2f} s "
                  f"(process CPU {e[k]['cpu_s']:.2f} s), text stage {e[k]['text_s']:.2f} s · {e[k]['stages']}")
        print(f"  peak {e['peak_rss_mb']:.0f} MB · {e['language']}: {e['text']}")


def main() -> None:
    """Run the benchmark and print (and optionally save) the results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", choices=("build", "asr", "explain"), help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=("build", "asr", "explain"), nargs="*", default=["build", "asr", "explain"])
    ap.add_argument("--beam", type=int, default=5, help="Whisper beam size for the 'asr' measurement")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    if args.child:
        child = {"build": _child_build, "asr": lambda: _child_asr(args.beam), "explain": _child_explain}
        print(json.dumps(child[args.child](), ensure_ascii=False))
        return
    if not (CLIPS / "ground_truth.csv").is_file():
        sys.exit(f"shared clips not found at {CLIPS}")
    record = {"date": dt.datetime.now().isoformat(timespec="seconds"), "git": _sha(), "cpus": os.cpu_count(),
              "machine": platform.platform(), "python": platform.python_version(), "load": os.getloadavg()[0]}
    for mode in args.only:
        record[mode] = _measure(mode, args.beam)
    _print(record)
    if args.json_out:
        args.json_out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
