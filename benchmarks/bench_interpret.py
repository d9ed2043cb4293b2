"""Speed of `interpret` on a 640-px photo, offline (target: < 1.5 s per photo once models are loaded).

The shared group photo (5 people) is downscaled to 640 px on its longer side; each round
interprets it with everything on (faces, pose per person, hands, statistics, OCR). The first
call of the process also loads every model (mediapipe graphs, fer, OCR): it is reported apart
as the cold start. Prints one JSON record.

    .venv/bin/python benchmarks/bench_interpret.py [--rounds 5] [--photo PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

TARGET_S = 1.5
DEFAULT_PHOTO = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "samples" / "multi_face.jpg"


def _photo_640(src: Path, folder: Path) -> Path:
    from PIL import Image

    img = Image.open(src).convert("RGB")
    img.thumbnail((640, 640))
    out = folder / "photo_640.jpg"
    img.save(out, quality=92)
    return out


def main() -> None:
    """Run the rounds and print the record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--photo", type=Path, default=DEFAULT_PHOTO)
    args = parser.parse_args()
    if not args.photo.is_file():
        raise SystemExit(f"{args.photo}: photo not found (pass --photo)")
    from emoreason.images import interpret

    with tempfile.TemporaryDirectory() as tmp:
        photo = _photo_640(args.photo, Path(tmp))
        t = time.perf_counter()
        first = interpret(photo)
        cold = time.perf_counter() - t
        warm, cpu = [], []
        for _ in range(args.rounds):
            t, c = time.perf_counter(), time.process_time()
            result = interpret(photo)
            warm.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    record = {
        "benchmark": "interpret", "photo": f"{args.photo.name} downscaled to 640 px",
        "size": [first.scene.width, first.scene.height],
        "people": len(result.people), "triggers": len(result.triggers), "text_read": result.modalities[-1].status.value,
        "cold_start_s": round(cold, 3), "warm_median_s": round(statistics.median(warm), 3),
        "warm_max_s": round(max(warm), 3), "warm_cpu_median_s": round(statistics.median(cpu), 3),
        "stage_timings_last": result.timings, "target_s": TARGET_S,
        "meets_target_warm": statistics.median(warm) < TARGET_S, "meets_target_cold": cold < TARGET_S,
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs (shared)",
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
