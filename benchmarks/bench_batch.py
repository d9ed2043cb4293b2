"""Benchmark batch throughput: clips/min with 1 and 2 local workers, and Ray's overhead per clip.

Runs ``emoreason.batch.run_batch`` on ``--clips`` copies (symlinks) of one clip (default: the
shipped Pexels sample, 19.7 s) into fresh output folders:

* ``local x1`` and ``local x2``: the local engine with 1 and 2 worker processes. Wall time
  includes starting the workers and loading their models (once per worker), as a user sees it;
  ``per clip (worker)`` is the mean time a worker spent in ``explain`` per clip.
* ``ray x1``: the Ray engine with one actor on a local Ray cluster started for the run (its
  start-up is timed apart). ``overhead/clip`` = (Ray wall - local x1 wall) / clips: what
  shipping tasks and records through Ray adds per clip, beside the cluster's start-up.

Numbers on a shared machine drift: the load average before and after is printed with them.

Usage:
    python benchmarks/bench_batch.py [--clips 6] [--video CLIP] [--stages voice,text,face] [--no-ray]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _copies(video: Path, n: int, folder: Path) -> Path:
    clips = folder / "clips"
    clips.mkdir()
    for i in range(n):
        (clips / f"clip{i:03d}{video.suffix}").symlink_to(video.resolve())
    return clips


def _run(clips: Path, out: Path, *, engine: str, workers: int, stages: list[str] | None) -> dict[str, float]:
    from emoreason.batch import ExplainOptions, ResultStore, run_batch

    started = time.perf_counter()
    summary = run_batch(clips, out, options=ExplainOptions(stages=stages), engine=engine, workers=workers)
    wall = time.perf_counter() - started
    records = list(ResultStore(out).iter_records())
    if summary.errors:
        raise SystemExit(f"{summary.errors} clip(s) failed: {summary.failed}")
    return {
        "wall_s": round(wall, 2), "clips": summary.done, "clips_per_min": round(60 * summary.done / wall, 2),
        "per_clip_worker_s": round(statistics.mean(r.seconds for r in records), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table and a JSON record."""
    from emoreason.data import sample_clip

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=6)
    parser.add_argument("--video", type=Path, default=None)
    parser.add_argument("--stages", default=None, help="comma-separated stages (default: all)")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args(argv)
    video = args.video or sample_clip()
    stages = args.stages.split(",") if args.stages else None
    load_before = os.getloadavg()
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        clips = _copies(video, args.clips, Path(tmp))
        rows["local x1"] = _run(clips, Path(tmp) / "l1", engine="local", workers=1, stages=stages)
        rows["local x2"] = _run(clips, Path(tmp) / "l2", engine="local", workers=2, stages=stages)
        if not args.no_ray:
            import ray

            t0 = time.perf_counter()
            ray.init(address="local", _node_ip_address="127.0.0.1", include_dashboard=False, num_cpus=2,
                     object_store_memory=96 * 2**20, log_to_driver=False)
            ray_start = time.perf_counter() - t0
            try:
                rows["ray x1"] = _run(clips, Path(tmp) / "r1", engine="ray", workers=1, stages=stages)
            finally:
                ray.shutdown()
            rows["ray x1"]["cluster_start_s"] = round(ray_start, 2)
            rows["ray x1"]["overhead_per_clip_s"] = round(
                (rows["ray x1"]["wall_s"] - rows["local x1"]["wall_s"]) / args.clips, 3)
    record = {
        "benchmark": "bench_batch", "video": str(video), "clips": args.clips, "stages": stages or "all",
        "cpus": os.cpu_count(), "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
        "results": rows,
    }
    print(f"{'run':<10} {'wall s':>8} {'clips/min':>10} {'per clip (worker) s':>20} {'overhead/clip s':>16}")
    for name, row in rows.items():
        overhead = row.get("overhead_per_clip_s")
        print(f"{name:<10} {row['wall_s']:>8.2f} {row['clips_per_min']:>10.2f} {row['per_clip_worker_s']:>20.3f} "
              f"{'' if overhead is None else f'{overhead:.3f}':>16}")
    if "ray x1" in rows:
        print(f"Ray cluster start-up: {rows['ray x1']['cluster_start_s']:.2f} s (not in the overhead per clip)")
    print(f"load average before {record['load_before']}, after {record['load_after']} on {os.cpu_count()} CPUs")
    print(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
