"""Benchmark of the voice + words stages: real-time factor and peak memory.

Runs VoiceStage then TextStage (a) with subtitles given and (b) with the ASR fallback, on
the shared clips (../shared/data/clips) and on long inputs built by concatenating their
audio (default 10 and 30 minutes). Every measurement runs in a fresh subprocess so its
peak RSS (``ru_maxrss``) includes model loading and nothing else.

Usage::

    python benchmarks/bench_voice.py                 # clips + 10 min (both modes) + 30 min (subtitles)
    python benchmarks/bench_voice.py --minutes 10 --json-out bench.json

Speed is reported as "× real time" (audio seconds per wall-clock second; higher is faster).
"""

from __future__ import annotations

import argparse
import csv
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


def _run_stages(paths: list[Path], subtitles: dict[str, str] | None) -> dict[str, float]:
    """Run voice + text on each path in this process; return totals."""
    from emoreason.perception.text import TextStage
    from emoreason.perception.voice import VoiceStage

    voice, text = VoiceStage(), TextStage()
    audio_s = wall = 0.0
    n_clues = 0
    load_started = time.perf_counter()
    warm = paths[0] if paths[0].stat().st_size < 5_000_000 else None  # warm-up on a short clip only
    if warm is not None:
        _one(voice, text, warm, subtitles)
    load_s = time.perf_counter() - load_started
    cpu0 = time.process_time()
    for path in paths:
        started = time.perf_counter()
        duration, clues = _one(voice, text, path, subtitles)
        wall += time.perf_counter() - started
        audio_s += duration
        n_clues += clues
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"audio_s": round(audio_s, 2), "wall_s": round(wall, 3), "x_real_time": round(audio_s / wall, 1),
            "warmup_s": round(load_s, 2) if warm is not None else None,
            "cpu_s": round(time.process_time() - cpu0, 2), "peak_rss_mb": round(peak_kb / 1024, 1), "clues": n_clues}


def _one(voice: object, text: object, path: Path, subtitles: dict[str, str] | None) -> tuple[float, int]:
    """Decode, run voice then text on one file; return (duration, number of clues)."""
    from emoreason.io import probe, read_subtitles
    from emoreason.perception.base import ClipContext

    media = probe(path)
    tr = None
    if subtitles is not None:
        tr = read_subtitles(subtitles.get(path.stem) or "(no subtitle)", language="en")
        tr = tr.model_copy(update={"segments": [s.model_copy(update={"start": 0.0, "end": media.duration})
                                                for s in tr.segments]})
    ctx = ClipContext(path=path, media=media, transcript=tr)
    reports = voice.run(ctx) + text.run(ctx)
    return media.duration, sum(len(r.clues) for r in reports)


def _child(args: argparse.Namespace) -> None:
    paths = [Path(p) for p in args.paths]
    subs = None
    if args.mode == "subtitles":
        subs = {r["name"]: r["subtitle_en"] for r in csv.DictReader((CLIPS / "ground_truth.csv").open())}
        subs.update({p.stem: " ".join(subs.values()) for p in paths if p.stem not in subs})
    print(json.dumps(_run_stages(paths, subs)))


def _measure(paths: list[Path], mode: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", "--mode", mode, *map(str, paths)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_long_input(minutes: float, folder: Path) -> Path:
    """A 16 kHz mono WAV of at least `minutes`, the shared clips' audio repeated end to end."""
    import numpy as np
    import soundfile as sf

    from emoreason.io import load_audio

    clips = [load_audio(p).samples for p in sorted(CLIPS.glob("*.mp4"))]
    unit = np.concatenate(clips)
    reps = int(np.ceil(minutes * 60 * 16000 / len(unit)))
    path = folder / f"long_{minutes:g}min.wav"
    with sf.SoundFile(str(path), "w", samplerate=16000, channels=1, subtype="PCM_16") as fh:
        for _ in range(reps):
            fh.write(unit)
    return path


def _sha() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              cwd=REPO, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    """Run the benchmark and print (and optionally save) a table of results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mode", choices=("subtitles", "asr"), default="subtitles")
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--minutes", type=float, nargs="*", default=[10.0, 30.0],
                    help="lengths of the concatenated long inputs (ASR runs on the shortest only)")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    if not (CLIPS / "ground_truth.csv").is_file():
        sys.exit(f"shared clips not found at {CLIPS}")
    clips = sorted(CLIPS.glob("*.mp4"))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mode in ("subtitles", "asr"):
            rows.append({"input": f"{len(clips)} shared clips", "mode": mode, **_measure(clips, mode)})
        for i, minutes in enumerate(sorted(args.minutes)):
            long = build_long_input(minutes, Path(tmp))
            for mode in ("subtitles", "asr") if i == 0 else ("subtitles",):
                rows.append({"input": f"{minutes:g} min concatenated", "mode": mode, **_measure([long], mode)})
    record = {"date": dt.datetime.now().isoformat(timespec="seconds"), "git": _sha(), "cpus": os.cpu_count(),
              "machine": platform.platform(), "python": platform.python_version(), "results": rows}
    load = os.getloadavg()[0]
    print(f"# {record['date']} git {record['git']} · {record['cpus']} CPUs · load average {load:.1f}")
    print(f"{'input':<26} {'mode':<10} {'audio s':>8} {'wall s':>8} {'× RT':>7} {'× RT cpu':>8} {'peak MB':>8}"
          f" {'clues':>6}")
    for r in rows:
        cpu_rt = r["audio_s"] / r["cpu_s"] if r["cpu_s"] else float("nan")
        print(f"{r['input']:<26} {r['mode']:<10} {r['audio_s']:>8.1f} {r['wall_s']:>8.2f} {r['x_real_time']:>7.1f}"
              f" {cpu_rt:>8.1f} {r['peak_rss_mb']:>8.0f} {r['clues']:>6}")
    if args.json_out:
        args.json_out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
