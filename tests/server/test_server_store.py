"""The store's own guarantees, below HTTP: indexes that answer listings, derived columns that
stay true to each path through moves, and the demo data the issue asks for."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.db_inspect import assert_child_counts_true, assert_derived_columns_true

from tui import paths
from tui.server import seed
from tui.server.object_types import OBJECT_TYPES
from tui.server.store import accounts, objects, shortcuts, view_log
from tui.server.store import file_system as fs
from tui.server.store.db import Database


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = Database(tmp_path / "store.sqlite3")
    connection = db.connection()
    accounts.ensure_project(connection, 1, "Project 1", fs.now())
    yield connection
    db.close()


def seed_demo_at_once(conn: sqlite3.Connection) -> None:
    """The demo in project 1, in one transaction as the server seeds it (row by row in
    autocommit, every insert waited for the disk: seconds per test)."""
    conn.execute("BEGIN")
    seed.seed_demo(conn, project_id=1)
    conn.execute("COMMIT")


def _plan(conn: sqlite3.Connection, sql: str, params: list[object]) -> str:
    return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_a_folder_page_is_read_off_the_children_index_without_sorting(
    conn: sqlite3.Connection,
) -> None:
    where = fs._list_where(1, fs.ListQuery(parent="Data/Big", depth="3"), None)
    plan = _plan(
        conn,
        f"SELECT pk FROM file_system WHERE {where.sql()} ORDER BY {fs.FOLDERS_FIRST} LIMIT 100",
        where.params,
    )
    assert "USING INDEX file_system_children" in plan
    assert "TEMP B-TREE" not in plan  # no sort of a 100,000-row folder per page


def test_a_folder_without_odd_paths_counts_its_children_off_the_index_alone(
    conn: sqlite3.Connection,
) -> None:
    where = fs._list_where(1, fs.ListQuery(parent="Data/Big", depth="3"), None, odd_children=False)
    plan = _plan(conn, f"SELECT COUNT(*) FROM file_system WHERE {where.sql()}", where.params)
    assert "USING COVERING INDEX file_system_children" in plan  # no row read per child


def test_a_counts_first_entries_are_read_level_by_level(conn: sqlite3.Connection) -> None:
    plan = _plan(
        conn,
        "SELECT pk FROM file_system WHERE project_id = ? AND path >= ? AND path < ?"
        " AND depth = ? ORDER BY path, pk LIMIT 200",
        [1, "Big/", "Big0", 2],
    )
    assert "file_system_path_depth (project_id=? AND path>? AND path<?)" in plan
    # Read in path order: only entries sharing one path are sorted by pk, as they stream.
    assert "TEMP B-TREE FOR ORDER BY" not in plan


def test_the_top_level_is_read_off_the_children_index_without_sorting(
    conn: sqlite3.Connection,
) -> None:
    where = fs._list_where(1, fs.ListQuery(depth="1"), None)
    plan = _plan(
        conn,
        f"SELECT pk FROM file_system WHERE {where.sql()} ORDER BY {fs.FOLDERS_FIRST} LIMIT 100",
        where.params,
    )
    assert "USING INDEX file_system_children (project_id=? AND parent_path=?)" in plan
    assert "TEMP B-TREE" not in plan


def test_descendants_are_an_index_range(conn: sqlite3.Connection) -> None:
    where = fs._Where()
    where.add("project_id = ?", 1)
    fs._descendants_clause(where, "Data")
    plan = _plan(conn, f"SELECT COUNT(*) FROM file_system WHERE {where.sql()}", where.params)
    assert "file_system_path_depth (project_id=? AND path>? AND path<?)" in plan


def test_a_database_from_before_the_child_counts_gets_them_counted(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.sqlite3")
    connection = db.connection()
    accounts.ensure_project(connection, 1, "Project 1", fs.now())
    seed_demo_at_once(connection)
    # As a version-1 database was: no counts kept.
    connection.execute("DELETE FROM file_system_child_counts")
    connection.execute("UPDATE schema_info SET version = 1")
    db.close()
    db = Database(tmp_path / "old.sqlite3")
    assert_child_counts_true(db.connection())
    db.close()


names = st.text(
    alphabet=st.sampled_from(["a", "B", "ß", "İ", "Σ", "/", "\\", " ", "é", "🦔"]),
    min_size=1,
    max_size=4,
)
# Spellings of a path as a client may send them: normalised, or with doubled slashes and a
# trailing backslash, which the slow path of a move must handle.
raw_paths = st.one_of(
    st.lists(names, min_size=1, max_size=3).map(paths.join),
    st.text(alphabet=st.sampled_from(["a", "/", "\\", "Σ"]), min_size=1, max_size=6),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(folder=raw_paths, target=raw_paths, children=st.lists(names, min_size=1, max_size=4))
def test_moving_a_folder_keeps_every_derived_column_true(
    conn: sqlite3.Connection, folder: str, target: str, children: list[str]
) -> None:
    conn.execute("DELETE FROM file_system")
    if not paths.split(folder):
        return
    root = fs.create_entry(conn, 1, path=folder, type="folder", created_by=None)
    for name in children:
        fs.create_entry(conn, 1, path=folder + "/" + paths.escape(name) + "/leaf", created_by=None)
    try:
        fs.move_entry(conn, 1, root["id"], target)
    except Exception as exc:  # refused moves (into itself) change nothing
        assert "Cannot move folder into itself" in str(exc)
    assert_derived_columns_true(conn)


def test_demo_tree_has_what_the_issue_asks_for(conn: sqlite3.Connection) -> None:
    seed_demo_at_once(conn)
    rows = conn.execute("SELECT path, depth, type, ref, shortcut FROM file_system").fetchall()
    types = {row["type"] for row in rows}
    assert {
        "folder",
        "insight",
        "dashboard",
        "feature_flag",
        "experiment",
        "notebook",
        "cohort",
    } <= types
    assert any(t.startswith("hog_function/") for t in types)
    assert max(row["depth"] for row in rows) >= 5
    assert any(row["shortcut"] for row in rows)
    assert any("\\/" in row["path"] for row in rows), "a name with a slash"
    assert any("[" in row["path"] for row in rows), "a name with brackets"
    assert any(not row["path"].isascii() for row in rows), "a unicode name"
    assert any(row["path"].startswith("Unfiled/") for row in rows)
    big = conn.execute(
        "SELECT COUNT(*) FROM file_system WHERE parent_path = ?", (paths.join(seed.BIG_FOLDER),)
    ).fetchone()[0]
    assert big >= 200
    # every item stands for an object of the project, so delete and undo act on something
    items = [r for r in rows if r["type"] != "folder"]
    for row in items:
        assert conn.execute(
            "SELECT 1 FROM objects WHERE type = ? AND ref = ?", (row["type"], row["ref"])
        ).fetchone(), row["path"]
    assert_derived_columns_true(conn)


def test_demo_has_unfiled_objects_a_second_project_views_and_shortcuts(
    conn: sqlite3.Connection,
) -> None:
    """What Shortcuts, Recents, Unfiled and the project switcher need on a fresh demo."""
    seed_demo_at_once(conn)
    top = {
        row[0]
        for row in conn.execute("SELECT path FROM file_system WHERE project_id = 1 AND depth = 1")
    }
    assert top == {
        "Archive",
        "Data",
        "Engineering",
        "Favourites",
        "Marketing",
        "Product",
        "Sales",
        "Team 🦔 notes",
        "Unfiled",
    }, "the demo's top folders (the app's snapshots show them) stay as they were"
    waiting = objects.without_entries(conn, 1, list(OBJECT_TYPES))
    assert {"insight", "dashboard", "feature_flag", "notebook"} <= {o["type"] for o in waiting}
    assert any(o["name"] == "" for o in waiting), "one is filed as Untitled"

    names = dict(conn.execute("SELECT id, name FROM projects").fetchall())
    assert names == {1: seed.DEMO_PROJECT_NAME, 2: seed.STAGING_NAME}
    staging = conn.execute(
        "SELECT type, COUNT(*) FROM file_system WHERE project_id = 2 GROUP BY type"
    ).fetchall()
    assert dict(staging)["folder"] >= 3 and len(staging) >= 4
    assert objects.without_entries(conn, 2, list(OBJECT_TYPES))

    owner = accounts.demo_owner(conn)
    assert owner is not None
    for project in (1, 2):
        viewer = view_log.Viewer(project_id=project, user_id=owner)
        recent = view_log.recents(conn, viewer, fs.ListQuery(), limit=100, descending=True)
        assert len(recent) >= 2
        stamps = [when for _, when in recent]
        assert stamps == sorted(stamps, reverse=True)
        _, starred = shortcuts.list_shortcuts(conn, shortcuts.Owner(project, owner))
        assert starred
        for shortcut in starred:
            if shortcut["type"] == "folder":
                assert fs.folder_at(conn, project, shortcut["ref"]) is not None
            else:
                assert objects.get_object(conn, project, shortcut["type"], shortcut["ref"])
    # Everyone else's views are their own.
    others = conn.execute(
        "SELECT COUNT(*) FROM file_system_view_log WHERE user_id <> ?", (owner,)
    ).fetchone()[0]
    assert others >= 1


def test_demo_tree_is_deterministic(tmp_path: Path) -> None:
    def snapshot(name: str) -> list[tuple[str, str, str | None]]:
        db = Database(tmp_path / name)
        connection = db.connection()
        accounts.ensure_project(connection, 1, "Project 1", fs.now())
        seed_demo_at_once(connection)
        result = [
            (r["path"], r["type"], r["ref"])
            for r in connection.execute("SELECT path, type, ref FROM file_system ORDER BY path")
        ]
        db.close()
        return result

    assert snapshot("one.sqlite3") == snapshot("two.sqlite3")


def test_a_big_write_answers_before_the_wal_is_folded_which_happens_in_the_background(
    tmp_path: Path,
) -> None:
    import time

    from tui.server.store import db as store_db

    path = tmp_path / "wal.sqlite3"
    database = Database(path)
    with database.write() as connection:
        assert connection.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        accounts.ensure_project(connection, 1, "Project 1", fs.now())
        connection.executemany(
            "INSERT INTO objects (project_id, type, ref, name, data, created_at)"
            " VALUES (1, 'insight', ?, 'x', ?, '')",
            [(str(n), "x" * 4096) for n in range(store_db.CHECKPOINT_AFTER_BYTES // 4096)],
        )
    # The COMMIT left the rows in the WAL; the checkpointer copies them into the file.
    deadline = time.monotonic() + 10
    while path.stat().st_size < store_db.CHECKPOINT_AFTER_BYTES and time.monotonic() < deadline:
        time.sleep(0.05)
    assert path.stat().st_size >= store_db.CHECKPOINT_AFTER_BYTES
    database.close()
    assert not Path(f"{path}-wal").exists()  # the last connection folded the rest
