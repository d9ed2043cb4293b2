"""Speed of `converse`: utterances per second on a 100-utterance dialogue, text only, and with clips.

Text only: the first 100 utterances of the SemEval-2024 Task 3 test conversations (joined into one
dialogue; a synthetic dialogue when ../shared/data is absent), analysed with the shipped heads and
the template writer, embeddings computed (no cache). Load time (encoder + heads) is reported apart;
with a shipped cause reader, also with ``--no-cause-reader`` (the frozen cause head alone).
With clips: the shipped sample clip cut into N two-second utterances (video + speaker subtitles),
each clip read by the full `emoreason.pipeline.explain` (face, voice, text).

Usage: python benchmarks/bench_converse.py [--utterances 100] [--rounds 3] [--clip-utterances 8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

DATA = Path(os.environ.get("EMOREASON_DATA_ROOT", Path(__file__).resolve().parents[2] / "shared" / "data"))


def text_dialogue(n: int) -> object:
    from emoreason.conversations.records import Dialogue, Utterance

    source = DATA / "benchmarks/ecf/semeval2024_ecac/Subtask_2_test.json"
    rows: list[tuple[str, str]] = []
    if source.is_file():
        for conv in json.loads(source.read_text(encoding="utf-8")):
            rows += [(u["speaker"], u["text"]) for u in conv["conversation"]]
            if len(rows) >= n:
                break
    while len(rows) < n:
        k = len(rows)
        rows.append((f"S{k % 4}", f"I can not believe you did that again , number {k} ?"))
    return Dialogue(conversation_id="bench", format="bench", source=str(source if source.is_file() else "synthetic"),
                    utterances=[Utterance(utterance_id=k + 1, speaker=s, text=t) for k, (s, t) in enumerate(rows[:n])])


def bench_text(n: int, rounds: int, *, cause_reader: bool = True) -> dict[str, float]:
    from emoreason.conversations import converse
    from emoreason.conversations.model import default_heads
    from emoreason.heads.encoders import get_encoder

    t0 = time.perf_counter()
    heads = default_heads() if cause_reader else default_heads().without_cause_reader()
    get_encoder(heads.encoder).load()
    load = time.perf_counter() - t0
    dialogue = text_dialogue(n)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        (analysis,) = converse([dialogue], heads=heads, cache=False)
        times.append(time.perf_counter() - t)
        assert len(analysis.utterances) == n
    median = statistics.median(times)
    return {"utterances": n, "load_s": round(load, 3), "median_s": round(median, 3),
            "utterances_per_s": round(n / median, 1), "rounds": rounds}


def bench_clips(n: int) -> dict[str, float]:
    from emoreason.conversations import converse
    from emoreason.data import sample_clip

    with tempfile.TemporaryDirectory() as tmp:
        srt = Path(tmp) / "scene.srt"
        cues = [f"{k + 1}\n00:00:{2 * k:02d},000 --> 00:00:{2 * k + 2:02d},000\n{'Anna' if k % 2 else 'Ben'}: "
                f"line {k} of the scene.\n" for k in range(n)]
        srt.write_text("\n".join(cues), encoding="utf-8")
        t = time.perf_counter()
        (analysis,) = converse(sample_clip(), subtitle=srt)
        elapsed = time.perf_counter() - t
    ok = sum(1 for r in analysis.utterances if r.evidence is not None and r.evidence.status == "ok")
    return {"utterances": n, "with_clip_evidence": ok, "total_s": round(elapsed, 2),
            "utterances_per_s": round(n / elapsed, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--utterances", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clip-utterances", type=int, default=8, help="0 skips the clip benchmark (max 9)")
    args = parser.parse_args()
    from emoreason.conversations.model import default_heads

    print("text only:", json.dumps(bench_text(args.utterances, args.rounds)))
    if default_heads().cause_lora is not None:
        print("text only, --no-cause-reader:", json.dumps(bench_text(args.utterances, args.rounds, cause_reader=False)))
    if args.clip_utterances:
        print("with clips:", json.dumps(bench_clips(min(args.clip_utterances, 9))))
    print(f"cpus: {os.cpu_count()}, threads: EMOREASON_THREADS={os.environ.get('EMOREASON_THREADS', '2')}")


if __name__ == "__main__":
    main()
