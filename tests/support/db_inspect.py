"""Reading a local server's SQLite file directly, beside the server, for tests that must see
what the server *holds* rather than what it answers: "nothing was written", "the tree is
consistent", "the move landed wholly or not at all".

Connections are read-only (``mode=ro``): a check must never change what it checks.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tui import paths
from tui.server.store import file_system as fs


@contextmanager
def read_only(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the server's database file (WAL: it sees every commit)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
    with closing(conn):
        yield conn


def tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _row_order(conn: sqlite3.Connection, table: str) -> str:
    """``rowid``, or the primary key's columns for a WITHOUT ROWID table (it has no rowid)."""
    (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    if "WITHOUT ROWID" not in sql.upper():
        return "rowid"
    keys = sorted(
        (row[5], row[1]) for row in conn.execute(f'PRAGMA table_info("{table}")') if row[5]
    )
    return ", ".join(f'"{name}"' for _, name in keys)


def fingerprint(conn: sqlite3.Connection) -> dict[str, str]:
    """``table -> digest of all its rows`` over one snapshot: equal before and after a
    request means that request wrote nothing anywhere."""
    out: dict[str, str] = {}
    conn.execute("BEGIN")
    try:
        for table in tables(conn):
            digest = hashlib.sha256()
            for row in conn.execute(f'SELECT * FROM "{table}" ORDER BY {_row_order(conn, table)}'):
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
    finally:
        conn.execute("COMMIT")
    return out


@dataclass(frozen=True)
class Row:
    """A file_system row as stored."""

    id: str
    project_id: int
    path: str
    depth: int
    type: str
    ref: str | None
    shortcut: bool
    parent_path: str


def file_system_rows(conn: sqlite3.Connection, project_id: int | None = None) -> list[Row]:
    sql = "SELECT id, project_id, path, depth, type, ref, shortcut, parent_path FROM file_system"
    params: tuple[int, ...] = ()
    if project_id is not None:
        sql += " WHERE project_id = ?"
        params = (project_id,)
    return [
        Row(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])
        for r in conn.execute(sql + " ORDER BY pk", params)
    ]


def depth_problems(rows: list[Row]) -> list[str]:
    """Rows whose stored depth or parent is not what their path says."""
    problems = []
    for row in rows:
        segments = paths.split(row.path)
        if row.depth != len(segments):
            problems.append(f"{row.path!r}: depth {row.depth}, path has {len(segments)} segments")
        if row.parent_path != paths.join(segments[:-1]):
            problems.append(f"{row.path!r}: parent_path {row.parent_path!r}")
    return problems


def orphans(rows: list[Row], exempt: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Non-root rows (ids not in ``exempt``) whose parent folder does not exist."""
    folders = {(row.project_id, row.path) for row in rows if row.type == "folder"}
    return [
        f"{row.path!r} (no folder {row.parent_path!r})"
        for row in rows
        if row.depth > 1
        and row.id not in exempt
        and (row.project_id, row.parent_path) not in folders
    ]


def assert_derived_columns_true(conn: sqlite3.Connection) -> None:
    for row in conn.execute(
        "SELECT path, depth, parent_path, path_folded, name_folded FROM file_system"
    ):
        expected = fs.Derived.of(row["path"])
        assert (row["depth"], row["parent_path"], row["path_folded"], row["name_folded"]) == (
            expected.depth,
            expected.parent_path,
            expected.path_folded,
            expected.name_folded,
        ), row["path"]
    assert_child_counts_true(conn)


def assert_child_counts_true(conn: sqlite3.Connection) -> None:
    """The maintained child counts are the entries' own, folder by folder."""
    counted = {
        (row[0], row[1]): row[2]
        for row in conn.execute(
            "SELECT project_id, parent_path, COUNT(*) FROM file_system"
            " GROUP BY project_id, parent_path"
        )
    }
    kept = {
        (row[0], row[1]): row[2]
        for row in conn.execute("SELECT * FROM file_system_child_counts WHERE children <> 0")
    }
    assert kept == counted
