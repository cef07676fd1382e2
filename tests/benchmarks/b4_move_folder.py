"""B4: move and rename a folder with 100,000 descendants (``Big`` at the real size) over
HTTP, beside one bare SQL ``UPDATE`` of the same rows, on a copy of the scale database.

The reference rewrites what a move must rewrite for the tree to stay true (each row's path
and the columns derived from it) in one statement and one transaction, with nothing else
around it, on a connection set up as the server's for a move. While the HTTP
move runs, a reader counts the folder's descendants at the old path again and again: it
must only ever see all of them or none (one transaction).

What the name search index (file_system_name_search and two indexes) costs writes, on the
same copy afterwards: the bare move, and a bare insert of one entry (one transaction each,
the store's own statement), with the index and with it dropped.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from benchmarks.harness import Figure
from benchmarks.scale_support import (
    bare,
    ok_json,
    scale_database,
    served,
    size,
    writable_copy,
)
from tui import paths
from tui.server.routes.file_system import SUBTREE_CACHE_KIB
from tui.server.seed_scale import BIG_FOLDER, BIG_SHARE
from tui.server.store import file_system as fs

SCENARIO = "B4"
TITLE = "move and rename a folder with 100,000 descendants"

# Moved into a new folder and renamed at once, then back: each way is one sample.
ELSEWHERE = "Archive 2026/Big (moved)"
ROUNDS = 2
SMOKE_ROUNDS = 1
TARGET_S = 5.0
RATIO_TARGET = 2.0
# How often the reader looks while a move runs.
READER_PAUSE_S = 0.1
# Bare inserts of one entry timed with the name index and without.
INSERTS = 200
SMOKE_INSERTS = 10
# What schema 4 added for search, dropped to time writes without it.
SEARCH_INDEX_DDL = (
    "DROP TRIGGER file_system_name_search_insert",
    "DROP TRIGGER file_system_name_search_delete",
    "DROP TRIGGER file_system_name_search_update",
    "DROP TABLE file_system_name_search",
    "DROP INDEX file_system_pk_project",
    "DROP INDEX file_system_search_odd",
)

DESCENDANTS_SQL = "SELECT COUNT(*) FROM file_system WHERE project_id = 1 AND path >= ? AND path < ?"
# The same rewrite the store makes of every descendant, as one bare statement.
UPDATE_SQL = (
    "UPDATE file_system SET path = ? || substr(path, ?), path_folded = ? || substr(path_folded, ?),"
    " parent_path = ? || substr(parent_path, ?), depth = depth + ?"
    " WHERE project_id = 1 AND path >= ? AND path < ?"
)


def _bare_move(conn: sqlite3.Connection, old: str, new: str) -> float:
    """Seconds of one transaction rewriting ``old``'s descendants and the folder itself."""
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    shift = paths.depth(new) - paths.depth(old)
    cut, cut_folded = len(old) + 1, len(old.casefold()) + 1
    conn.execute(
        UPDATE_SQL,
        (new, cut, new.casefold(), cut_folded, new, cut, shift, old + "/", old + "0"),
    )
    name = paths.escape(paths.basename(new))
    conn.execute(
        "UPDATE file_system SET path = ?, path_folded = ?, parent_path = ?, depth = ?,"
        " name_folded = ? WHERE project_id = 1 AND path = ?",
        (new, new.casefold(), paths.parent(new), paths.depth(new), name.casefold(), old),
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    _fold_wal(conn)
    return elapsed


def _bare_inserts_ms(conn: sqlite3.Connection, count: int, tag: str) -> list[float]:
    """Milliseconds of each of ``count`` inserts of one entry, one transaction each (the
    store's INSERT, derived columns computed as it computes them)."""
    timings: list[float] = []
    for index in range(count):
        path = f"Archive 2026/Inserted {tag}/Weekly retention {index}"
        derived = fs.Derived.of(path)
        row = (
            str(uuid.uuid4()), 1, path, derived.depth, "insight", None, None, "{}", 0,
            fs.now(), None, derived.parent_path, derived.path_folded, derived.name_folded,
        )  # fmt: skip
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        fs.insert_many(conn, [row])
        conn.execute("COMMIT")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _fold_wal(db: sqlite3.Connection | Path) -> None:
    """Checkpoint, untimed (the server checkpoints in the background after answering): each
    move, over HTTP or bare, starts from a folded WAL."""
    conn = db if isinstance(db, sqlite3.Connection) else bare(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if conn is not db:
        conn.close()


def _descendants(conn: sqlite3.Connection, folder: str) -> int:
    return int(conn.execute(DESCENDANTS_SQL, (folder + "/", folder + "0")).fetchone()[0])


class _Reader(threading.Thread):
    """Counts the descendants left at ``folder`` until told to stop: every count it sees."""

    def __init__(self, db_path: Path, folder: str) -> None:
        super().__init__(daemon=True)
        self.db_path = db_path
        self.folder = folder
        self.seen: set[int] = set()
        self.done = threading.Event()

    def run(self) -> None:
        conn = bare(self.db_path)
        while not self.done.is_set():
            self.seen.add(_descendants(conn, self.folder))
            time.sleep(READER_PAUSE_S)
        conn.close()


def run(smoke: bool) -> list[Figure]:
    spec = size(smoke)
    source, figures = scale_database(spec)
    moved = spec.entries // BIG_SHARE
    rounds = SMOKE_ROUNDS if smoke else ROUNDS
    with tempfile.TemporaryDirectory() as workdir, writable_copy(source, Path(workdir)) as db:
        conn = bare(db)
        # The server's settings for a move (its page cache; the WAL checkpointed in the
        # background, not in the COMMIT), so that only what is around the UPDATE differs.
        conn.execute(f"PRAGMA cache_size = {-SUBTREE_CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        assert _descendants(conn, BIG_FOLDER) == moved
        bare_s: list[float] = []
        for _ in range(rounds):
            bare_s.append(_bare_move(conn, BIG_FOLDER, ELSEWHERE))
            bare_s.append(_bare_move(conn, ELSEWHERE, BIG_FOLDER))
        assert _descendants(conn, BIG_FOLDER) == moved
        conn.close()

        http_s: list[float] = []
        partial: set[int] = set()
        with served(db) as server:
            folder = ok_json(server.client.get("file_system/", params={"path": BIG_FOLDER}))
            folder_id = folder["results"][0]["id"]  # type: ignore[index]
            for _ in range(rounds):
                for old, new in ((BIG_FOLDER, ELSEWHERE), (ELSEWHERE, BIG_FOLDER)):
                    reader = _Reader(db, old)
                    reader.start()
                    started = time.perf_counter()
                    ok_json(
                        server.client.post(f"file_system/{folder_id}/move/", json={"new_path": new})
                    )
                    http_s.append(time.perf_counter() - started)
                    reader.done.set()
                    reader.join()
                    partial |= reader.seen - {0, moved}
                    _fold_wal(db)
            check = bare(db)
            moved_back = _descendants(check, BIG_FOLDER)
            check.close()
        # The name index's cost on writes: the same bare move and inserts, with it and
        # without it (dropped from this copy).
        conn = bare(db)
        conn.execute(f"PRAGMA cache_size = {-SUBTREE_CACHE_KIB}")
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        inserts = SMOKE_INSERTS if smoke else INSERTS
        insert_ms = _bare_inserts_ms(conn, inserts, "with")
        _fold_wal(conn)
        for statement in SEARCH_INDEX_DDL:
            conn.execute(statement)
        insert_bare_ms = _bare_inserts_ms(conn, inserts, "without")
        _fold_wal(conn)
        unindexed_s: list[float] = []
        for _ in range(rounds):
            unindexed_s.append(_bare_move(conn, BIG_FOLDER, ELSEWHERE))
            unindexed_s.append(_bare_move(conn, ELSEWHERE, BIG_FOLDER))
        conn.close()
    assert moved_back == moved, moved_back

    value, reference = statistics.median(http_s), statistics.median(bare_s)
    atomic = not partial
    return [
        *figures,
        Figure(
            scenario=SCENARIO,
            name=f"move + rename {BIG_FOLDER} ({moved:,} descendants)"
            + ("" if atomic else f"; a reader saw {sorted(partial)[:3]}"),
            value=value,
            unit="s",
            reference_name="bare SQL UPDATE",
            reference=reference,
            ratio=value / reference,
            target=f"≤ {TARGET_S:.0f} s, ≤ {RATIO_TARGET:.0f}x, one transaction",
            passed=value <= TARGET_S and value / reference <= RATIO_TARGET and atomic,
        ),
        Figure(
            scenario=SCENARIO,
            name=f"bare UPDATE of {moved:,} rows, with the name index",
            value=reference,
            unit="s",
            reference_name="the same, index dropped",
            reference=statistics.median(unindexed_s),
            ratio=reference / statistics.median(unindexed_s),
            target="(reported, no target)",
            passed=True,
        ),
        Figure(
            scenario=SCENARIO,
            name="bare insert of one entry (a transaction), p50, with the name index",
            value=statistics.median(insert_ms),
            unit="ms",
            reference_name="the same, index dropped",
            reference=statistics.median(insert_bare_ms),
            ratio=statistics.median(insert_ms) / statistics.median(insert_bare_ms),
            target="(reported, no target)",
            passed=True,
        ),
    ]
