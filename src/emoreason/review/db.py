"""The review database: ratings, preferences and edits in SQLite (WAL), each with annotator and time.

Every write is an INSERT in its own short transaction, so two annotators writing the same clip
at the same moment both land (SQLite serialises writers; ``busy_timeout`` makes the second wait
instead of failing). Edits form a history: each carries the id of the edit it was based on, and
an edit whose base is no longer the latest is kept and marked ``conflict`` — nothing is lost, and
the page shows both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DB_NAME = "review.sqlite"
SCORES = {1: "completely wrong", 2: "correct (small part)", 3: "correct (most part)", 4: "completely correct"}
CHOICES = ("left", "right", "tie")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY, clip_id TEXT NOT NULL, annotator TEXT NOT NULL, target TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 4), created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS preferences (
    id INTEGER PRIMARY KEY, clip_id TEXT NOT NULL, annotator TEXT NOT NULL, left_key TEXT NOT NULL,
    right_key TEXT NOT NULL, choice TEXT NOT NULL CHECK (choice IN ('left', 'right', 'tie')), created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS edits (
    id INTEGER PRIMARY KEY, clip_id TEXT NOT NULL, annotator TEXT NOT NULL, field TEXT NOT NULL,
    text TEXT NOT NULL, base_id INTEGER, conflict INTEGER NOT NULL DEFAULT 0, created TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ratings_clip ON ratings (clip_id);
CREATE INDEX IF NOT EXISTS edits_clip ON edits (clip_id, field);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ReviewDB:
    """One SQLite file; a fresh connection per operation (safe across threads and processes)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA busy_timeout=30000")
        try:
            yield con
        finally:
            con.close()

    def add_rating(self, clip_id: str, annotator: str, score: int, target: str = "fine_caption") -> int:
        """Store a 1-4 plausibility rating; returns its row id."""
        if score not in SCORES:
            raise ValueError(f"score must be 1-4, got {score!r}")
        with self._connect() as con:
            cur = con.execute("INSERT INTO ratings (clip_id, annotator, target, score, created) VALUES (?,?,?,?,?)",
                              (clip_id, annotator, target, score, _now()))
            return int(cur.lastrowid or 0)

    def add_preference(self, clip_id: str, annotator: str, left: str, right: str, choice: str) -> int:
        """Store a pairwise preference between two descriptions; returns its row id."""
        if choice not in CHOICES:
            raise ValueError(f"choice must be one of {', '.join(CHOICES)}, got {choice!r}")
        with self._connect() as con:
            cur = con.execute("INSERT INTO preferences (clip_id, annotator, left_key, right_key, choice, created) "
                              "VALUES (?,?,?,?,?,?)", (clip_id, annotator, left, right, choice, _now()))
            return int(cur.lastrowid or 0)

    def add_edit(self, clip_id: str, annotator: str, field: str, text: str, base_id: int | None) -> tuple[int, bool]:
        """Store an edit; returns its id and whether it conflicts (its base was not the latest edit)."""
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            head = con.execute("SELECT max(id) FROM edits WHERE clip_id=? AND field=?", (clip_id, field)).fetchone()[0]
            conflict = head is not None and head != base_id
            cur = con.execute("INSERT INTO edits (clip_id, annotator, field, text, base_id, conflict, created) "
                              "VALUES (?,?,?,?,?,?,?)",
                              (clip_id, annotator, field, text, base_id, int(conflict), _now()))
            con.execute("COMMIT")
            return int(cur.lastrowid or 0), conflict

    def current_text(self, clip_id: str, field: str, original: str) -> tuple[str, int | None]:
        """The latest edited text of a field (or `original`) and the id of that edit."""
        with self._connect() as con:
            row = con.execute("SELECT id, text FROM edits WHERE clip_id=? AND field=? ORDER BY id DESC LIMIT 1",
                              (clip_id, field)).fetchone()
        return (row["text"], int(row["id"])) if row else (original, None)

    def history(self, clip_id: str) -> list[dict[str, Any]]:
        """Every edit of a clip, newest first."""
        with self._connect() as con:
            rows = con.execute("SELECT * FROM edits WHERE clip_id=? ORDER BY id DESC", (clip_id,)).fetchall()
        return [dict(r) for r in rows]

    def rows(self, table: str, clip_id: str | None = None) -> list[dict[str, Any]]:
        """All rows of ``ratings``, ``preferences`` or ``edits`` (optionally of one clip), oldest first."""
        if table not in ("ratings", "preferences", "edits"):
            raise ValueError(f"unknown table {table!r}")
        query = f"SELECT * FROM {table}" + (" WHERE clip_id=?" if clip_id is not None else "") + " ORDER BY id"
        with self._connect() as con:
            return [dict(r) for r in con.execute(query, (clip_id,) if clip_id is not None else ()).fetchall()]

    def latest_ratings(self, target: str = "fine_caption") -> list[tuple[str, str, float]]:
        """(annotator, clip, score) with each annotator's last rating of each clip."""
        latest: dict[tuple[str, str], float] = {}
        for row in self.rows("ratings"):
            if row["target"] == target:
                latest[(row["annotator"], row["clip_id"])] = float(row["score"])
        return [(a, c, s) for (a, c), s in latest.items()]

    def stats(self) -> dict[str, Any]:
        """Per-annotator counts and mean rating, and the agreement report."""
        from emoreason.review.agreement import agreement_report

        people: dict[str, dict[str, Any]] = {}

        def person(name: str) -> dict[str, Any]:
            return people.setdefault(name, {"ratings": 0, "preferences": 0, "edits": 0, "mean_rating": None,
                                            "_sum": 0.0})

        for row in self.rows("ratings"):
            p = person(row["annotator"])
            p["ratings"] += 1
            p["_sum"] += row["score"]
        for table in ("preferences", "edits"):
            for row in self.rows(table):
                person(row["annotator"])[table] += 1
        for p in people.values():
            p["mean_rating"] = p.pop("_sum") / p["ratings"] if p["ratings"] else None
        latest = self.latest_ratings()
        report = agreement_report(latest) if latest else {}
        agreement = {k: v for k, v in report.items() if k.startswith("krippendorff") and v is not None}
        for pair, values in (report.get("cohen_kappa_pairs") or {}).items():
            agreement[f"cohen_kappa {pair}"] = values["kappa"]
        return {"annotators": people, "agreement": agreement, "report": report}
