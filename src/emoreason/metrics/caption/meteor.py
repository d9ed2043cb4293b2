"""METEOR 1.5 through the jar that ships in pycocoevalcap, with a pipelined runner.

pycocoevalcap sends one ``SCORE`` line and waits for its statistics before sending the
next, in one Java process. :class:`MeteorRunner` writes all ``SCORE`` lines from a writer
thread while the main thread reads the statistics, and :func:`meteor` can split the
samples over several Java processes (the statistics of a sample do not depend on the
others), then sends one ``EVAL`` line with all statistics in input order. The jar, its
arguments (``-l en -norm``) and the hypothesis clean-up (``|||`` removed, double spaces
halved) are pycocoevalcap's, so the values are identical.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType

from emoreason.metrics.base import MetricError, MetricOutput, check_same_length
from emoreason.metrics.caption.java import java_executable, pycocoevalcap_file


class MeteorRunner:
    """A running METEOR 1.5 process (use as a context manager)."""

    def __init__(self, *, max_heap: str = "2G") -> None:
        """Start ``java -jar meteor-1.5.jar - - -stdio -l en -norm``."""
        jar = pycocoevalcap_file("meteor/meteor-1.5.jar")
        cmd = [java_executable(), "-jar", f"-Xmx{max_heap}", str(jar), "-", "-", "-stdio", "-l", "en", "-norm"]
        self._proc = subprocess.Popen(cmd, cwd=jar.parent, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.DEVNULL)

    def __enter__(self) -> MeteorRunner:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the Java process."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    @staticmethod
    def _score_line(hypothesis: str, references: Sequence[str]) -> bytes:
        hypothesis = hypothesis.replace("|||", "").replace("  ", " ")
        return (" ||| ".join(("SCORE", " ||| ".join(references), hypothesis)) + "\n").encode()

    def _readline(self) -> str:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise MetricError("METEOR process ended unexpectedly (out of memory or a malformed input line)")
        return line.decode().strip()

    def statistics(self, references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> list[str]:
        """The jar's sufficient-statistics line of each sample."""
        assert self._proc.stdin is not None
        stdin = self._proc.stdin
        lines = [self._score_line(h, r) for h, r in zip(hypotheses, references, strict=True)]

        def write_all() -> None:
            for line in lines:
                stdin.write(line)
            stdin.flush()

        writer = threading.Thread(target=write_all, daemon=True)
        writer.start()
        stats = [self._readline() for _ in lines]
        writer.join()
        return stats

    def evaluate(self, stats: Sequence[str]) -> tuple[float, list[float]]:
        """Corpus METEOR and per-sample METEOR from statistics lines."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(("EVAL ||| " + " ||| ".join(stats) + "\n").encode())
        self._proc.stdin.flush()
        per_sample = [float(self._readline()) for _ in stats]
        return float(self._readline()), per_sample

    def score(self, references: Sequence[Sequence[str]], hypotheses: Sequence[str]) -> tuple[float, list[float]]:
        """Corpus METEOR and per-sample METEOR."""
        return self.evaluate(self.statistics(references, hypotheses))


def meteor(
    references: Sequence[Sequence[str]], hypotheses: Sequence[str], *, workers: int | None = None
) -> MetricOutput:
    """METEOR 1.5 of `hypotheses` against their references (tokenised strings).

    Args:
        references: For each sample, its tokenised reference strings.
        hypotheses: One tokenised hypothesis per sample.
        workers: Java processes to split the samples over (default: half the CPU count,
            at most 4, since each JVM also runs JIT/GC threads; each takes up to 2 GB of
            heap). The result does not depend on it.
    """
    check_same_length(references, hypotheses, "meteor")
    if not hypotheses:
        raise MetricError("meteor: no samples to score")
    n_workers = max(1, min(workers or min((os.cpu_count() or 1) // 2, 4), len(hypotheses) // 200 + 1))
    bounds = [round(i * len(hypotheses) / n_workers) for i in range(n_workers + 1)]
    runners = [MeteorRunner() for _ in range(n_workers)]
    try:
        with ThreadPoolExecutor(max_workers=n_workers) as pool:
            parts = pool.map(lambda i: runners[i].statistics(references[bounds[i]:bounds[i + 1]],
                                                             hypotheses[bounds[i]:bounds[i + 1]]), range(n_workers))
            stats = [line for part in parts for line in part]
        value, per_sample = runners[0].evaluate(stats)
    finally:
        for runner in runners:
            runner.close()
    return MetricOutput(name="meteor", value=value, per_sample=per_sample, n_scored=len(per_sample))
