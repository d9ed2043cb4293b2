"""Benchmark the face stage: throughput (× real time, frames/s) and peak memory.

Measures, on one clip (default: the shipped Pexels sample), in the same run:

* PyAV decode only (no RGB conversion), and decode to RGB through ``emoreason.io.iter_frames``
  at full rate and at the sampling rate;
* the whole face pass (decode + detection/mesh + AUs + pose/gaze + expression + table) at
  full frame rate and at ``--fps`` sampling. One-time start-up (importing mediapipe, which
  imports matplotlib, and the first-ever graph run, done on one synthetic frame) is timed
  apart; each timed pass still builds its own graphs and models.

Each configuration runs in a fresh subprocess (so peak RSS is its own) ``--repeat`` times;
the median wall time is reported with the CPU time (user + system) and the machine's load
average, because on a shared 2-core machine other processes change the wall time.

Usage:
    python benchmarks/bench_face.py [VIDEO] [--fps 5] [--repeat 3] [--backend auto] [--save benchmarks/results]

Run from another checkout's folder (with ``PYTHONPATH=<checkout>/src``) it measures that
version and names its commit in the record.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

CONFIGS = ("decode_raw", "decode_rgb_full", "decode_rgb_sampled", "face_full", "face_sampled")


def _child(config: str, video: str, fps: float, backend: str = "mediapipe") -> dict[str, float]:
    """Run one configuration in this (child) process and return its measurements."""
    import av

    from emoreason.io import iter_frames
    from emoreason.perception.face import detect_faces

    extra: dict[str, float] = {}
    if config.startswith("face"):
        # One-time start-up, reported apart: imports, building the models and their first run
        # (XNNPACK packs the weights), done on the clip's first frame with the timed pass's
        # settings. Built models are kept for reuse, as in a batch over many clips.
        from emoreason.perception.face.analyzer import analyse_frames

        s0 = time.perf_counter()
        first = next(iter(iter_frames(video)))
        analyse_frames([first], sample_fps=None if config.endswith("full") else fps, backend=backend)
        extra["startup_s"] = time.perf_counter() - s0
        # the yardstick for the machine's speed of the moment, timed right before the pass
        d0 = time.perf_counter()
        sum(1 for _ in iter_frames(video))
        extra["yardstick_decode_s"] = time.perf_counter() - d0
    t0, c0 = time.perf_counter(), time.process_time()
    if config == "decode_raw":
        with av.open(video) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            frames = sum(1 for _ in container.decode(stream))
    elif config.startswith("decode_rgb"):
        rate = None if config.endswith("full") else fps
        frames = sum(1 for _ in iter_frames(video, fps=rate))
    else:
        rate = None if config.endswith("full") else fps
        result = detect_faces(video, fps=rate, backend=backend)
        frames = result.frames_analysed
        extra["faces"] = float((result.table["success"] == 1).sum())
        extra.update({k: float(v) for k, v in result.counters.items()})
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"wall_s": wall, "cpu_s": cpu, "frames": frames, "peak_rss_mb": peak_mb, **extra}


def _run(config: str, video: str, fps: float, backend: str = "mediapipe") -> dict[str, float]:
    cmd = [sys.executable, __file__, video, "--child", config, "--fps", str(fps), "--backend", backend]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _startup(row: dict[str, float]) -> str:
    return f", start-up {row['startup_s']:.2f} s" if "startup_s" in row else ""


def _git_sha() -> str:
    """Short commit of the working tree, with ``-dirty`` when it has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return "unknown"
    return f"{sha}-dirty" if dirty else sha or "unknown"


def _at_reference_speed(results: dict, duration: float, reference_fps: float) -> dict[str, float]:
    """The face pass's × real time rescaled to a machine that decodes to RGB at `reference_fps`.

    The shared machine's speed drifts by ±20 % within minutes. Each face run first decodes
    every frame to RGB in the same process (``yardstick_decode_s``, seconds before the pass);
    the pass's wall time as a multiple of that decode (median over the runs) is converted
    back at the reference decode speed (the issue's figure for this machine, ~890 frames/s).
    """
    frames = results["decode_rgb_full"]["frames"]
    reference_decode_s = frames / reference_fps
    out = {"decode_rgb_fps": results["decode_rgb_full"]["fps"], "reference_decode_fps": reference_fps}
    for config in ("face_full", "face_sampled"):
        ratio = results[config]["yardstick_ratio"]
        out[f"{config}_ratio"] = round(ratio, 3)
        out[f"{config}_x"] = round(duration / (ratio * reference_decode_s), 2)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=None, help="video file (default: the shipped sample clip)")
    parser.add_argument("--fps", type=float, default=5.0, help="sampling rate of the sampled configurations")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration (median reported)")
    parser.add_argument("--save", type=Path, default=None, help="folder for a dated JSON record")
    parser.add_argument(
        "--backend", choices=("mediapipe", "litert", "auto"), default="auto", help="face landmark backend"
    )
    parser.add_argument(
        "--reference-decode-fps", type=float, default=890.0,
        help="decode-to-RGB speed of the reference machine state (issue #3: ~890 frames/s)",
    )  # fmt: skip
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    own_clip = args.video is not None
    if args.video is None:
        from emoreason.data import sample_clip

        args.video = str(sample_clip())
    if args.child:
        print(json.dumps(_child(args.child, args.video, args.fps, args.backend)))
        return 0

    from emoreason.io import probe

    duration = probe(args.video).duration
    record: dict[str, object] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": _git_sha(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "video": Path(args.video).name,
        "backend": args.backend,
        "duration_s": duration,
        "sample_fps": args.fps,
        "results": {},
    }
    print(f"{Path(args.video).name}: {duration:.2f} s; sampled configurations at {args.fps:g} fps; "
          f"median of {args.repeat}")  # fmt: skip
    header = ("configuration", "wall s", "cpu s", "frames", "fps", "× real", "peak MB")
    print(f"{header[0]:22s} " + " ".join(f"{h:>7s}" for h in header[1:]))
    for config in CONFIGS:
        load = os.getloadavg()[0]
        runs = [_run(config, args.video, args.fps, args.backend) for _ in range(args.repeat)]
        wall = statistics.median(r["wall_s"] for r in runs)
        best = min(runs, key=lambda r: r["wall_s"])
        row = {
            "wall_s": round(wall, 3),
            "wall_best_s": round(best["wall_s"], 3),
            "cpu_s": round(statistics.median(r["cpu_s"] for r in runs), 3),
            "frames": int(runs[0]["frames"]),
            "fps": round(runs[0]["frames"] / wall, 1),
            "x_realtime": round(duration / wall, 2),
            "x_realtime_best": round(duration / best["wall_s"], 2),
            "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
            "load_avg_1min": round(load, 2),
        }
        if "startup_s" in runs[0]:
            row["startup_s"] = round(statistics.median(r["startup_s"] for r in runs), 3)
            row["yardstick_ratio"] = round(statistics.median(r["wall_s"] / r["yardstick_decode_s"] for r in runs), 3)
        record["results"][config] = row
        print(f"{config:22s} {row['wall_s']:7.3f} {row['cpu_s']:7.3f} {row['frames']:6d} {row['fps']:7.1f} "
              f"{row['x_realtime']:7.2f} {row['peak_rss_mb']:8.1f}   (best {row['x_realtime_best']:.2f}×, "
              f"load {load:.2f}{_startup(row)})")  # fmt: skip
    record["at_reference_speed"] = _at_reference_speed(record["results"], duration, args.reference_decode_fps)
    ref = record["at_reference_speed"]
    print(f"machine speed: decode to RGB {ref['decode_rgb_fps']:.0f} fps here vs {args.reference_decode_fps:g} "
          f"reference → face pass at reference speed: every frame {ref['face_full_x']:.1f}×, "
          f"{args.fps:g} fps {ref['face_sampled_x']:.1f}× "
          f"(face time ÷ decode time just before it: {ref['face_sampled_ratio']:.2f})")  # fmt: skip
    if args.save:
        args.save.mkdir(parents=True, exist_ok=True)
        clip = f"-{Path(args.video).stem}" if own_clip else ""
        stamp = str(record["date"])[:16].replace(":", "")  # e.g. 2026-11-27T0654: runs never overwrite
        name = f"face-{stamp}-{record['git']}-{args.backend}{clip}.json"
        (args.save / name).write_text(json.dumps(record, indent=2) + "\n")
        print(f"saved {args.save / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
