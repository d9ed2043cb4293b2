"""Re-run the text head's recipe with the shipped head's recorded settings and compare metrics.

The shipped ``text-emotion.npz`` records its hyper-parameters and seed; this script trains again
(search off: the recorded settings are the search's pick) into a temporary folder, prints each
test metric beside the shipped one, and exits 1 when any differs by more than ``--tolerance``.
The recipe pins torch to one thread while fitting, so the thread setting does not matter. Encoding is the slow
part; the embedding cache (``$EMOREASON_CACHE_DIR``) makes a second run take a few minutes.

Usage:
    python benchmarks/reproduce_text_head.py [--data-root ../shared/data] [--tolerance 1e-4]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: Settings that describe the run rather than the model.
NOT_SETTINGS = {"seed", "limit", "temperature", "valence_alpha", "search", "threads"}


def main() -> int:
    """Retrain and compare; returns 0 when every metric is reproduced."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    from emoreason.heads.head_file import HeadModel
    from emoreason.heads.text_emotion import TEXT_HEAD_FILE
    from emoreason.training import train

    shipped = HeadModel.load(TEXT_HEAD_FILE).metadata
    params = shipped["hyperparameters"]
    overrides = {k: str(v) for k, v in params.items() if k not in NOT_SETTINGS}
    overrides["search"] = "0"
    with tempfile.TemporaryDirectory() as out:
        result = train("text-emotion", args.data_root, out, seed=int(params.get("seed", 0)), overrides=overrides)
    worst = 0.0
    print(f"{'metric':45s} {'shipped':>8s} {'retrained':>9s}")
    for key, value in shipped["metrics"].items():
        again = round(result.metrics.get(key, float("nan")), 4)
        worst = max(worst, abs(again - value)) if again == again else float("inf")
        print(f"{key:45s} {value:8.4f} {again:9.4f}")
    print(f"largest difference: {worst:.6f} (tolerance {args.tolerance})")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
