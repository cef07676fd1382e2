"""The SQLite database behind the local server: connections, schema, transactions.

One connection per worker thread (sqlite3 connections must not be shared across threads
while in use), WAL so readers never wait for a writer, foreign keys on, and one explicit
transaction per request that writes.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from pathlib import Path

from tui.server.dates import moment_text
from tui.server.store.name_search import ODD_PATH

# 2: file_system_child_counts (filled from the entries when a version-1 database opens).
# 3: persons.is_identified (added to an older database when it opens; see _migrate).
# 4: file_system_name_search, the trigram index of names (built when an older database opens).
SCHEMA_VERSION = 4

# A writer waits this long for another writer before SQLite gives up with "database is locked".
BUSY_TIMEOUT_MS = 30_000

SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS schema_info (version INTEGER NOT NULL);

CREATE TABLE IF NOT EXISTS projects (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    api_token   TEXT NOT NULL UNIQUE,   -- the public phc_ token SDKs capture with
    created_at  TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    first_name  TEXT NOT NULL DEFAULT '',
    last_name   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL,
    key_hash    TEXT UNIQUE               -- sha256 of the API key this user acts through
);

-- The objects behind tree entries (insights, dashboards, flags…), enough for delete and
-- undo to behave as in PostHog. `ref` is what entries point at: a short id or the id as text.
CREATE TABLE IF NOT EXISTS objects (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    type        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    name        TEXT NOT NULL,
    deleted     INTEGER NOT NULL DEFAULT 0,
    data        TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    UNIQUE (project_id, type, ref)
);

CREATE TABLE IF NOT EXISTS file_system (
    pk              INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    path            TEXT NOT NULL,          -- as given, escaped form
    depth           INTEGER NOT NULL,
    type            TEXT NOT NULL DEFAULT '',
    ref             TEXT,
    href            TEXT,
    meta            TEXT NOT NULL DEFAULT '{}',
    shortcut        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    last_viewed_at  TEXT,                   -- never written: Recents read file_system_view_log
    -- Derived from `path` on every write, only so that indexes can answer listings:
    parent_path     TEXT NOT NULL,          -- normalised path of the holding folder
    path_folded     TEXT NOT NULL,          -- casefold(path): case-insensitive order and search
    name_folded     TEXT NOT NULL           -- casefold of the escaped last segment
);

-- A folder's page of children, folders first then by path, straight off the index.
CREATE INDEX IF NOT EXISTS file_system_children
    ON file_system (project_id, parent_path, type <> 'folder', path_folded);
-- Rows whose path does not start with their parent_path + "/" (odd spellings such as a
-- leading "/"): almost always none, so a folder's page can skip re-checking every child.
CREATE INDEX IF NOT EXISTS file_system_odd_children ON file_system (project_id, parent_path)
    WHERE parent_path <> '' AND substr(path, 1, length(parent_path) + 1) <> parent_path || '/';
-- Exact path lookups and prefix (descendant) range scans; depth rides along so that a
-- count's first 200 descendants are read level by level (depth filtered in the index, path
-- order kept) without a second path-holding index: a move rewrites every index holding a
-- path for each moved row, and a separate (depth, path) index cost B4 about a second per
-- 100,000 rows. The top level (depth 1) is read off file_system_children (parent_path '').
DROP INDEX IF EXISTS file_system_path;
DROP INDEX IF EXISTS file_system_depth;
CREATE INDEX IF NOT EXISTS file_system_path_depth ON file_system (project_id, path, depth);
-- Whole-project listings in PostHog's default order; names ride along so that a `name:`
-- search reads this index rather than every row (it replaced file_system_folded).
DROP INDEX IF EXISTS file_system_folded;
CREATE INDEX IF NOT EXISTS file_system_folded_names
    ON file_system (project_id, path_folded, name_folded);
-- Entries of one object, for delete's "last reference" rule and `ref=` filters.
CREATE INDEX IF NOT EXISTS file_system_ref ON file_system (project_id, type, ref);

-- How many entries each folder path holds directly (entries by parent_path), so that a
-- page of a folder's children answers its `count` with one seek instead of counting up to
-- 100,000 index entries per page (half of B2's time). Kept exact by triggers, in the same
-- transaction as every write of file_system, whoever writes (the store, the seeds, tests).
CREATE TABLE IF NOT EXISTS file_system_child_counts (
    project_id  INTEGER NOT NULL,
    parent_path TEXT NOT NULL,
    children    INTEGER NOT NULL,
    PRIMARY KEY (project_id, parent_path)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS file_system_count_insert AFTER INSERT ON file_system BEGIN
    INSERT INTO file_system_child_counts VALUES (new.project_id, new.parent_path, 1)
        ON CONFLICT DO UPDATE SET children = children + 1;
END;
CREATE TRIGGER IF NOT EXISTS file_system_count_delete AFTER DELETE ON file_system BEGIN
    UPDATE file_system_child_counts SET children = children - 1
        WHERE project_id = old.project_id AND parent_path = old.parent_path;
END;
CREATE TRIGGER IF NOT EXISTS file_system_count_update
    AFTER UPDATE OF project_id, parent_path ON file_system
    WHEN old.project_id IS NOT new.project_id OR old.parent_path IS NOT new.parent_path
BEGIN
    UPDATE file_system_child_counts SET children = children - 1
        WHERE project_id = old.project_id AND parent_path = old.parent_path;
    INSERT INTO file_system_child_counts VALUES (new.project_id, new.parent_path, 1)
        ON CONFLICT DO UPDATE SET children = children + 1;
END;

-- Every entry's folded name in a trigram index, so that a substring of a name (a `name:`
-- search, and the names a plain word may match) is found without reading every name: see
-- tui.server.store.name_search. External content (the names stay in file_system only);
-- case_sensitive 1 because the names are already casefolded in Python, the one folding rule
-- of search (FTS5's own folding differs, e.g. on "ß"); columnsize=0 because nothing ranks.
-- Kept by triggers in the same transaction as every write, like the child counts. Only a
-- change of name_folded touches it: a move rewrites paths, not names, so moving 100,000
-- entries costs it nothing (an index of whole paths would rewrite 100,000 entries' trigrams).
CREATE VIRTUAL TABLE IF NOT EXISTS file_system_name_search USING fts5(
    name_folded, content='file_system', content_rowid='pk',
    tokenize='trigram case_sensitive 1', columnsize=0
);
CREATE TRIGGER IF NOT EXISTS file_system_name_search_insert AFTER INSERT ON file_system BEGIN
    INSERT INTO file_system_name_search (rowid, name_folded) VALUES (new.pk, new.name_folded);
END;
CREATE TRIGGER IF NOT EXISTS file_system_name_search_delete AFTER DELETE ON file_system BEGIN
    INSERT INTO file_system_name_search (file_system_name_search, rowid, name_folded)
        VALUES ('delete', old.pk, old.name_folded);
END;
CREATE TRIGGER IF NOT EXISTS file_system_name_search_update
    AFTER UPDATE OF name_folded ON file_system
    WHEN old.name_folded IS NOT new.name_folded
BEGIN
    INSERT INTO file_system_name_search (file_system_name_search, rowid, name_folded)
        VALUES ('delete', old.pk, old.name_folded);
    INSERT INTO file_system_name_search (rowid, name_folded) VALUES (new.pk, new.name_folded);
END;
-- The project of an entry by its pk, off a small index: a search counts its matches from
-- the name index's pks without reading each matching row (B3: 23,000 rows read cost
-- ~75 ms, these entries ~40). Neither column ever changes, so no move touches it.
CREATE INDEX IF NOT EXISTS file_system_pk_project ON file_system (pk, project_id);
-- Rows whose path is not their parent_path, "/" and their folded name (odd spellings: a
-- leading "/", "a//b", an unescaped backslash): almost always none. A plain word's search
-- takes every other row's path apart into parent and name (see name_search); these rows it
-- checks whole. The condition is name_search.ODD_PATH, character for character (SQLite
-- uses a partial index only for a query repeating its WHERE).
CREATE INDEX IF NOT EXISTS file_system_search_odd ON file_system (project_id)
    WHERE """
    + ODD_PATH
    + """;

-- People behind events: one person may have several distinct ids. is_identified is PostHog's
-- flag, set once an $identify, $create_alias or $merge_dangerously names the person
-- (tui.server.store.persons); events/ answers it with the person.
CREATE TABLE IF NOT EXISTS persons (
    pk          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    properties  TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    is_identified INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS person_distinct_ids (
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    distinct_id  TEXT NOT NULL,
    person_pk    INTEGER NOT NULL REFERENCES persons(pk),
    PRIMARY KEY (project_id, distinct_id)
);

CREATE TABLE IF NOT EXISTS events (
    pk              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    event           TEXT NOT NULL,
    distinct_id     TEXT NOT NULL,
    properties      TEXT NOT NULL DEFAULT '{}',
    timestamp       TEXT NOT NULL,          -- UTC, "2024-05-01T12:00:00.123000+00:00"
    elements_chain  TEXT NOT NULL DEFAULT ''
);
-- Newest first, whole project or one event name or one distinct id: each page off an index.
CREATE INDEX IF NOT EXISTS events_time ON events (project_id, timestamp);
CREATE INDEX IF NOT EXISTS events_name_time ON events (project_id, event, timestamp);
CREATE INDEX IF NOT EXISTS events_distinct_time ON events (project_id, distinct_id, timestamp);

-- Exported assets, per user; the content is stored once generated.
CREATE TABLE IF NOT EXISTS exports (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id),
    created_by      INTEGER REFERENCES users(id),
    dashboard_id    INTEGER REFERENCES objects(id),
    insight_id      INTEGER REFERENCES objects(id),
    export_format   TEXT NOT NULL,
    export_context  TEXT,                   -- JSON or NULL
    filename        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_after   TEXT NOT NULL,
    content         BLOB,
    exception       TEXT
);
CREATE INDEX IF NOT EXISTS exports_by_user ON exports (project_id, created_by, created_at);

-- Each user's own starred items ("Shortcuts" in PostHog's web tree), per project. Not the
-- tree's `shortcut` entries: those are links inside the tree, these belong to one user.
-- `position` is PostHog's `order` (a reserved word in SQL).
CREATE TABLE IF NOT EXISTS file_system_shortcuts (
    pk          INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    path        TEXT NOT NULL,
    type        TEXT NOT NULL DEFAULT '',
    ref         TEXT,
    href        TEXT,
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS file_system_shortcuts_by_user
    ON file_system_shortcuts (project_id, user_id, position);

-- When each user last viewed each object (by type and ref), per project: PostHog's Recents.
-- One row per (project, user, type, ref); a new view moves `viewed_at`.
CREATE TABLE IF NOT EXISTS file_system_view_log (
    pk          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    user_id     INTEGER NOT NULL REFERENCES users(id),
    type        TEXT NOT NULL,
    ref         TEXT NOT NULL,
    viewed_at   TEXT NOT NULL,
    UNIQUE (project_id, user_id, type, ref)
);
CREATE INDEX IF NOT EXISTS file_system_view_log_recent
    ON file_system_view_log (project_id, user_id, viewed_at);
"""
)


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _regexp(pattern: str, value: str | None) -> bool:
    """SQLite's ``X REGEXP Y`` calls ``regexp(Y, X)``; case-insensitive like Postgres' ``~*``."""
    return value is not None and _compiled(pattern).search(value) is not None


def _casefold(value: str | None) -> str | None:
    return None if value is None else value.casefold()


@lru_cache(maxsize=256)
def _compiled_exact(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _match_cs(value: str | None, pattern: str) -> bool:
    """``match_cs(value, pattern)``: a case-sensitive regex search like ClickHouse's ``match``,
    for event property filters.

    A bad pattern matches nothing rather than failing the query (callers check patterns first).
    """
    compiled = _compiled_exact(pattern)
    return value is not None and compiled is not None and compiled.search(value) is not None


def connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    # WAL + NORMAL is durable across application crashes (the only crash we model), and
    # avoids an fsync on every commit.
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.create_function("regexp", 2, _regexp, deterministic=True)
    conn.create_function("casefold", 1, _casefold, deterministic=True)
    conn.create_function("match_cs", 2, _match_cs, deterministic=True)
    conn.create_function("best_effort_date", 1, moment_text, deterministic=True)
    return conn


@contextmanager
def cache_size(conn: sqlite3.Connection, kib: int) -> Iterator[None]:
    """A bigger page cache for this connection for a while (a bulk insert), then the old one."""
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def indexes_deferred(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """Drop ``table``'s indexes for a bulk insert and build them again after it, inside the
    caller's transaction (a failure rolls the drop back with the rest).

    Building an index sorts its keys once; keeping it up to date inserts each key into a
    B-tree far bigger than the cache. The indexes of UNIQUE constraints cannot be dropped and
    stay up to date.
    """
    saved = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
        " AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _ in saved:
        conn.execute(f'DROP INDEX "{name}"')
    yield
    for _, sql in saved:
        conn.execute(sql)


NAME_INDEX_INSERT_TRIGGER = "file_system_name_search_insert"


@contextmanager
def name_index_deferred(conn: sqlite3.Connection) -> Iterator[None]:
    """Leave file_system's new names out of the name index during a bulk insert, then
    rebuild the index once, inside the caller's transaction.

    Row by row, each insert adds its trigrams to the index's pending terms and SQLite
    flushes and merges them over and over; one rebuild tokenizes every name once.
    """
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (NAME_INDEX_INSERT_TRIGGER,),
    ).fetchone()
    conn.execute(f'DROP TRIGGER "{NAME_INDEX_INSERT_TRIGGER}"')
    yield
    conn.execute(sql)
    conn.execute("INSERT INTO file_system_name_search (file_system_name_search) VALUES ('rebuild')")


# SQLite folds the WAL back into the database file (a checkpoint) inside the COMMIT of
# whichever write takes the WAL past 1,000 pages: a move of 100,000 rows waited 1-2 s for it
# before answering. A Database's connections leave it to a background thread instead, once
# the WAL has grown past this size (SQLite's own threshold).
CHECKPOINT_AFTER_BYTES = 1000 * 4096
# The background checkpoint retries this often while writes keep it from finishing.
CHECKPOINT_RETRY_S = 5.0

log = logging.getLogger("hogtree.server")


class _Checkpointer(threading.Thread):
    """Checkpoints one database file when nudged, on a connection of its own.

    PASSIVE: it copies what it can without ever blocking a reader or a writer.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(name="hogtree-checkpoint", daemon=True)
        self.path = path
        self.nudge = threading.Event()
        self._stopping = False

    def run(self) -> None:
        conn = connect(self.path)
        try:
            while True:
                self.nudge.wait(CHECKPOINT_RETRY_S)
                self.nudge.clear()
                if self._stopping:
                    return
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                except sqlite3.Error:
                    log.exception("background checkpoint of %s failed", self.path)
        finally:
            conn.close()

    def stop(self) -> None:
        self._stopping = True
        self.nudge.set()
        self.join()


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring a database written at schema ``version`` up to :data:`SCHEMA_VERSION`, inside
    the caller's transaction. ``SCHEMA`` has already created what was missing entirely."""
    if version < 2:
        # Entries written before the counts existed: count them once.
        conn.execute("DELETE FROM file_system_child_counts")
        conn.execute(
            "INSERT INTO file_system_child_counts"
            " SELECT project_id, parent_path, COUNT(*) FROM file_system"
            " GROUP BY project_id, parent_path"
        )
    if version < 3:
        # CREATE TABLE IF NOT EXISTS left the old persons table as it was.
        columns = {row[1] for row in conn.execute("PRAGMA table_info(persons)")}
        if "is_identified" not in columns:
            conn.execute("ALTER TABLE persons ADD COLUMN is_identified INTEGER NOT NULL DEFAULT 0")
        # Before version 3 a person got a second distinct id only through $identify or
        # $create_alias (or the demo seed, for its signed-up people): exactly what makes
        # PostHog's ingestion mark a person identified.
        conn.execute(
            "UPDATE persons SET is_identified = 1 WHERE pk IN"
            " (SELECT person_pk FROM person_distinct_ids"
            "  GROUP BY person_pk HAVING COUNT(*) > 1)"
        )
    if version < 4:
        # SCHEMA created the name index empty (its triggers only see writes from now on).
        conn.execute(
            "INSERT INTO file_system_name_search (file_system_name_search) VALUES ('rebuild')"
        )


class Database:
    """Hands each thread its own connection to one SQLite file."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._checkpointer: _Checkpointer | None = None
        self._create_schema()

    def _create_schema(self) -> None:
        conn = self.connection()
        conn.executescript(SCHEMA)
        found = self._schema_version(conn)
        if found is not None and found >= SCHEMA_VERSION:
            return  # up to date: opening takes no write lock
        with self.write():
            version = self._schema_version(conn)  # again, now that no one else can write
            if version is None:
                conn.execute("INSERT INTO schema_info (version) VALUES (?)", (SCHEMA_VERSION,))
            elif version < SCHEMA_VERSION:
                _migrate(conn, version)
                conn.execute("UPDATE schema_info SET version = ?", (SCHEMA_VERSION,))

    @staticmethod
    def _schema_version(conn: sqlite3.Connection) -> int | None:
        version: int | None = conn.execute("SELECT MAX(version) FROM schema_info").fetchone()[0]
        return version

    def connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            conn.execute("PRAGMA wal_autocheckpoint = 0")  # see CHECKPOINT_AFTER_BYTES
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for a request that only reads."""
        conn = self.connection()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    @contextmanager
    def write(self, *, cache_kib: int | None = None) -> Iterator[sqlite3.Connection]:
        """One transaction for a request that writes: all of it lands, or none of it.

        ``BEGIN IMMEDIATE`` takes the write lock up front, so two writers queue instead of
        failing halfway when both try to upgrade a read lock. ``cache_kib`` gives a write
        that rewrites a whole subtree a bigger page cache until it has committed.
        """
        conn = self.connection()
        with cache_size(conn, cache_kib) if cache_kib else nullcontext():
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")
        self._checkpoint_if_big()

    def _checkpoint_if_big(self) -> None:
        """Nudge the background checkpoint once the WAL is past CHECKPOINT_AFTER_BYTES."""
        try:
            size = os.path.getsize(f"{self.path}-wal")
        except OSError:
            return
        if size < CHECKPOINT_AFTER_BYTES:
            return
        with self._lock:
            if self._checkpointer is None:
                self._checkpointer = _Checkpointer(self.path)
                self._checkpointer.start()
            self._checkpointer.nudge.set()

    def close(self) -> None:
        """Close every connection: the last one to close folds the WAL into the file."""
        with self._lock:
            checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            checkpointer.stop()
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
