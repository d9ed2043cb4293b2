"""Feature rows of the dialogue heads, built from one sentence vector per utterance.

Everything here is plain numpy over a dialogue's vectors ``E`` (n × d, unit rows; an empty
utterance has a zero row) and its speakers, so training and inference share one code path.

* **Emotion in context** (:func:`context_rows`): the utterance, the turn before it and 4 flags
  (first turn, same speaker as the previous turn, the speaker spoke before, position). Wider
  contexts (two turns back, the speaker's own previous turn, the next turn) scored lower on ECF
  dev. The **no-context** head sees the utterance alone.
* **Emotion–cause pair** (:func:`pair_rows`): the emotion utterance ``i`` and a candidate ``j``
  (``i - BACK ≤ j ≤ i + AHEAD``): ``E_i``, ``E_j``, ``E_i ⊙ E_j``, a one-hot of the distance
  ``i - j``, same speaker, and a one-hot of ``i``'s emotion (6 non-neutral labels).
* **Cause span** (:func:`span_candidates`, :func:`span_rows`): candidate spans are runs of
  whole clauses of the cause utterance (split at punctuation tokens, punctuation trimmed);
  each is described by its position, length and shape, the pair's distance and the emotion.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

import numpy as np

from emoreason.conversations.records import MELD_EMOTIONS

BACK = 8
AHEAD = 2
#: Distance buckets ``i - j`` of the pair head (j after i gives negative distances).
DISTANCE_BUCKETS: tuple[int, ...] = (-2, -1, 0, 1, 2, 3, 4, 5, 6)
NON_NEUTRAL: tuple[str, ...] = MELD_EMOTIONS[1:]
CONTEXT_FLAGS = 4
_CLAUSE_END = {",", ".", "!", "?", ";", ":", "...", "--", "..", "!!", "?!", "!?", "??"}


#: Between the earlier turns and the later ones in a reader's context (formats ``prevKnextM``).
NEXT_MARK = "|| next:"
#: What a ``prevKnextM`` context shows after :data:`NEXT_MARK` for the dialogue's last turn.
END_MARK = "(end of dialogue)"
_FORMAT = re.compile(r"prev(?:([1-4])(?:next([12]))?)?")


def format_window(fmt: str) -> tuple[int, int] | None:
    """(turns before, turns after) a reader input format shows: ``plain`` none (None), ``prev`` (1, 0),
    ``prev2``–``prev4`` (2–4, 0), ``prevKnextM`` K before and M (1 or 2) after, e.g. ``prev2next1``.

    Raises:
        ValueError: an unknown format.
    """
    if fmt == "plain":
        return None
    match = _FORMAT.fullmatch(fmt)
    if match is None:
        raise ValueError(f"format must be plain, prev, prev2…prev4 or prevKnextM (K 1–4, M 1–2), not {fmt!r}")
    return int(match.group(1) or 1), int(match.group(2) or 0)


def turn_pairs(texts: list[str], speakers: list[str], *, context: bool = True,
               turns: int = 1, after: int = 0) -> list[tuple[str | None, str]]:
    """(context, utterance) inputs of the fine-tuned emotion reader: ``"Speaker: text"`` after the `turns` turns
    before it (joined by spaces, oldest first); with `after` > 0 the context goes on with :data:`NEXT_MARK` and
    the `after` turns that follow (:data:`END_MARK` for the last turn).

    The first turn's context is empty (``""``, or only the later turns); without `context` every context is None
    (the utterance alone).
    """
    lines = [f"{s}: {t}" for s, t in zip(speakers, texts, strict=True)]
    if not context:
        return [(None, line) for line in lines]
    before = [" ".join(lines[max(0, i - turns):i]) for i in range(len(lines))]
    if after > 0:
        later = [" ".join(lines[i + 1:i + 1 + after]) or END_MARK for i in range(len(lines))]
        before = [f"{b} {NEXT_MARK} {n}".lstrip() for b, n in zip(before, later, strict=True)]
    return list(zip(before, lines, strict=True))


def format_pairs(texts: list[str], speakers: list[str], fmt: str) -> list[tuple[str | None, str]]:
    """:func:`turn_pairs` for a reader of input format `fmt` (see :func:`format_window`)."""
    window = format_window(fmt)
    if window is None:
        return turn_pairs(texts, speakers, context=False)
    return turn_pairs(texts, speakers, turns=window[0], after=window[1])


def cause_pair_inputs(texts: list[str], speakers: list[str], i: int, js: list[int],
                      emotion: str) -> list[tuple[str, str]]:
    """(context, text) inputs of the fine-tuned cause reader for the pairs (i, j), j in `js`: the candidate turn
    ``"Speaker: text"`` as context, then the emotion, where the candidate lies, and the emotion turn, e.g.
    ``("Monica: You got the job?", "joy; cause 1 turn back; Rachel: I know!")``."""
    target = f"{speakers[i]}: {texts[i]}"
    out = []
    for j in js:
        d = i - j
        turns = f"{abs(d)} turn{'s' if abs(d) > 1 else ''}"
        where = "in the same turn" if d == 0 else f"{turns} {'back' if d > 0 else 'ahead'}"
        out.append((f"{speakers[j]}: {texts[j]}", f"{emotion}; cause {where}; {target}"))
    return out


def context_dim(dim: int) -> int:
    """Width of a context row for vectors of width `dim`."""
    return 2 * dim + CONTEXT_FLAGS


def context_rows(vectors: np.ndarray, speakers: list[str]) -> np.ndarray:
    """One in-context feature row per utterance (uses only earlier utterances)."""
    n, dim = vectors.shape
    rows = np.zeros((n, context_dim(dim)), dtype=np.float32)
    seen: set[str] = set()
    for i in range(n):
        rows[i, :dim] = vectors[i]
        if i >= 1:
            rows[i, dim:2 * dim] = vectors[i - 1]
        rows[i, 2 * dim:] = (float(i == 0), float(i > 0 and speakers[i] == speakers[i - 1]),
                             float(speakers[i] in seen), min(i, 20) / 20.0)
        seen.add(speakers[i])
    return rows


def pair_dim(dim: int) -> int:
    """Width of a pair row for vectors of width `dim`."""
    return 3 * dim + len(DISTANCE_BUCKETS) + 1 + len(NON_NEUTRAL)


def _bucket(distance: int) -> int:
    clipped = min(max(distance, DISTANCE_BUCKETS[0]), DISTANCE_BUCKETS[-1])
    return DISTANCE_BUCKETS.index(clipped)


def candidates(i: int, n: int) -> list[int]:
    """Candidate cause positions of the emotion utterance at position `i` (0-based)."""
    return list(range(max(0, i - BACK), min(n, i + AHEAD + 1)))


def cause_candidates(texts: list[str], i: int) -> list[int]:
    """Candidate cause positions of the utterance at `i` that hold words (empty turns are never causes)."""
    return [j for j in candidates(i, len(texts)) if texts[j].strip()]


def pair_rows(vectors: np.ndarray, speakers: list[str], i: int, js: list[int], emotion: str) -> np.ndarray:
    """Feature rows of the pairs (i, j) for j in `js`."""
    dim = vectors.shape[1]
    rows = np.zeros((len(js), pair_dim(dim)), dtype=np.float32)
    if not js:
        return rows
    cand = vectors[js]
    rows[:, :dim] = vectors[i]
    rows[:, dim:2 * dim] = cand
    rows[:, 2 * dim:3 * dim] = cand * vectors[i]
    base = 3 * dim
    for r, j in enumerate(js):
        rows[r, base + _bucket(i - j)] = 1.0
        rows[r, base + len(DISTANCE_BUCKETS)] = float(speakers[i] == speakers[j])
    if emotion in NON_NEUTRAL:
        rows[:, base + len(DISTANCE_BUCKETS) + 1 + NON_NEUTRAL.index(emotion)] = 1.0
    return rows


# --------------------------------------------------------------------------- spans
def is_punct(token: str) -> bool:
    """Whether a whitespace token is punctuation only."""
    return bool(token) and all(ch in string.punctuation or ch in "…—–" for ch in token)


@dataclass(frozen=True)
class SpanCandidate:
    """Whitespace-token span ``[start, end)`` made of clauses ``first..last`` of ``n_clauses``."""

    start: int
    end: int
    first: int
    last: int
    n_clauses: int
    n_tokens: int


def clauses(tokens: list[str]) -> list[tuple[int, int]]:
    """Clause token ranges ``[a, b)`` without their punctuation tokens."""
    out, begin = [], 0
    for k, tok in enumerate(tokens + ["."]):
        if k == len(tokens) or tok in _CLAUSE_END or (is_punct(tok) and tok.endswith(tuple(".!?,;:"))):
            a, b = begin, k
            while a < b and is_punct(tokens[a]):
                a += 1
            while b > a and is_punct(tokens[b - 1]):
                b -= 1
            if b > a:
                out.append((a, b))
            begin = k + 1
    return out


def span_candidates(text: str) -> list[SpanCandidate]:
    """Every run of consecutive clauses of `text` (the whole utterance included)."""
    tokens = text.split()
    parts = clauses(tokens)
    if not parts:
        return [SpanCandidate(0, len(tokens), 0, 0, 1, len(tokens))] if tokens else []
    out = []
    for a in range(len(parts)):
        for b in range(a, len(parts)):
            out.append(SpanCandidate(parts[a][0], parts[b][1], a, b, len(parts), len(tokens)))
    return out


SPAN_FEATURES = 16 + len(DISTANCE_BUCKETS) + len(NON_NEUTRAL)


def span_rows(cands: list[SpanCandidate], tokens: list[str], distance: int, emotion: str) -> np.ndarray:
    """Feature rows of the span candidates of one cause utterance."""
    rows = np.zeros((len(cands), SPAN_FEATURES), dtype=np.float32)
    for r, c in enumerate(cands):
        n = max(c.n_tokens, 1)
        words = c.end - c.start
        after = tokens[c.end] if c.end < len(tokens) else ""
        rows[r, :16] = (
            c.start / n, c.end / n, words / n, np.log1p(words), float(c.first == 0),
            float(c.last == c.n_clauses - 1), float(c.first == 0 and c.last == c.n_clauses - 1),
            (c.last - c.first + 1) / c.n_clauses, float(c.n_clauses == 1), np.log1p(c.n_clauses),
            float("?" in after), float("!" in after), float(words <= 2),
            float(c.first > 0 and c.last == c.n_clauses - 1),
            float(distance == 0), np.log1p(n),
        )
        rows[r, 16 + _bucket(distance)] = 1.0
        if emotion in NON_NEUTRAL:
            rows[r, 16 + len(DISTANCE_BUCKETS) + NON_NEUTRAL.index(emotion)] = 1.0
    return rows
