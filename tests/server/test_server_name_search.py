"""Searches answered off the trigram index of names find exactly what a scan of every row
finds: for any names (odd path spellings, escapes, letters whose casefold changes length),
after moves, renames, links and deletes, whatever way a page is read; and a database from
before the index (schema 3) gets it when it opens."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, suppress
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import running_server, server_settings
from support.db_inspect import read_only

from tui import paths
from tui.server import search
from tui.server.store import accounts, name_search
from tui.server.store import file_system as fs
from tui.server.store.db import SCHEMA_VERSION, Database

LETTERS = ["a", "B", "ß", "s", "S", "İ", "Σ", "\u03c3", "/", "\\", " ", '"', "é", "🦔", "x"]
names = st.text(alphabet=st.sampled_from(LETTERS), min_size=1, max_size=5)
# Paths as clients send them: normalised, or with doubled and leading slashes and stray
# backslashes (the rows the plain-word search must test whole).
raw_paths = st.one_of(
    st.lists(names, min_size=1, max_size=3).map(paths.join),
    st.text(alphabet=st.sampled_from(["a", "ß", "/", "\\", "x", " "]), min_size=1, max_size=7),
)
types = st.sampled_from(["folder", "insight", "dashboard", "hog_function/destination", "ẞtype"])
terms = st.text(alphabet=st.sampled_from(LETTERS), min_size=1, max_size=4)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = Database(tmp_path / "store.sqlite3")
    connection = db.connection()
    accounts.ensure_project(connection, 1, "Project 1", fs.now())
    accounts.ensure_project(connection, 2, "Project 2", fs.now())
    yield connection
    db.close()


def _matching_pks(conn: sqlite3.Connection, clause: str, params: list[object]) -> set[int]:
    rows = conn.execute(f"SELECT pk FROM file_system WHERE project_id = 1 AND ({clause})", params)
    return {row[0] for row in rows}


def _assert_index_agrees(conn: sqlite3.Connection, value: str) -> None:
    for field in (search.Field.NAME, search.Field.TEXT):
        term = search.Term(field, value)
        scanned = _matching_pks(conn, *fs._term_sql(term, None))
        indexed = fs._indexed_term_sql(term, 1)
        if indexed is None:
            assert len(value.casefold()) < name_search.MIN_TERM_CHARS or "/" in value
            continue
        assert _matching_pks(conn, *indexed) == scanned, (field, value)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(st.tuples(st.sampled_from([1, 2]), raw_paths, types), max_size=12),
    moves=st.lists(st.tuples(st.integers(0, 11), raw_paths), max_size=3),
    deletes=st.lists(st.integers(0, 11), max_size=2),
    words=st.lists(terms, min_size=1, max_size=6),
)
def test_the_index_finds_what_the_scan_finds(
    conn: sqlite3.Connection,
    entries: list[tuple[int, str, str]],
    moves: list[tuple[int, str]],
    deletes: list[int],
    words: list[str],
) -> None:
    conn.execute("DELETE FROM file_system")
    ids = [
        fs.create_entry(conn, project, path=path, type=kind, created_by=None)["id"]
        for project, path, kind in entries
        if paths.split(path)
    ]
    for index, target in moves:  # moves and renames, of folders with their subtrees too
        if index < len(ids) and paths.split(target):
            # Another project's entry, a folder into itself: refused.
            with suppress(Exception):
                fs.move_entry(conn, 1, ids[index], target)
    for index in deletes:
        if index < len(ids):
            with suppress(Exception):  # gone with its folder already, or another project's
                fs.delete_entry(conn, 1, ids[index])
    stored = [row[0] for row in conn.execute("SELECT path_folded FROM file_system")]
    # Words the rows hold, across segment boundaries too, besides the random ones.
    found = [folded[i : i + n] for folded in stored[:3] for n in (3, 4) for i in (0, 2)]
    for value in [*words, *found]:
        _assert_index_agrees(conn, value)


def test_a_link_and_a_patch_are_found_by_their_new_names(conn: sqlite3.Connection) -> None:
    folder = fs.create_entry(conn, 1, path="Team/Growth", type="folder", created_by=None)
    fs.create_entry(conn, 1, path="Team/Growth/Weekly retention", type="insight", created_by=None)
    fs.link_entry(conn, 1, folder["id"], "Shared/Straße")
    item = fs.create_entry(conn, 1, path="Loose/Draft", type="insight", created_by=None)
    fs.update_entry(conn, 1, item["id"], {"path": "Loose/Renamed STRASSE chart"})
    for value in ("retention", "strasse", "straße", "draft", "growth", "shared", "insight"):
        _assert_index_agrees(conn, value)
    term = search.Term(search.Field.NAME, "STRASSE")
    indexed = fs._indexed_term_sql(term, 1)
    assert indexed is not None
    # "Straße" and "STRASSE" fold alike: Python's casefold is the one rule.
    assert len(_matching_pks(conn, *indexed)) == 2


@pytest.mark.parametrize(("sort_at_most", "walk_share"), [(0, 1), (10_000, 20)])
@pytest.mark.parametrize("query", ["name:retention", "retention", '"team 3"', "dashb"])
def test_a_searched_page_is_the_same_walked_or_sorted(
    conn: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
    sort_at_most: int,
    walk_share: int,
    query: str,
) -> None:
    conn.execute("BEGIN")
    for index in range(300):
        word = "Retention" if index % 3 == 0 else "Funnel"
        fs.create_entry(
            conn,
            1,
            path=f"Team {index % 7}/{word} {index:03d}",
            type="dashboard" if index % 5 == 0 else "insight",
            created_by=None,
        )
    conn.execute("COMMIT")
    monkeypatch.setattr(fs, "SORT_AT_MOST", sort_at_most)
    monkeypatch.setattr(fs, "WALK_SHARE", walk_share)
    word = query.removeprefix("name:").strip('"')
    expected = sorted(
        (row["path_folded"], row["pk"])
        for row in conn.execute("SELECT pk, path_folded, name_folded, type FROM file_system")
        if word in row["name_folded"]
        or (not query.startswith("name:") and (word in row["path_folded"] or word in row["type"]))
    )
    assert len(expected) > 40
    for offset in (0, 30, len(expected) - 5):
        total, rows = fs.list_entries(
            conn, 1, fs.ListQuery(search=query), limit=10, offset=offset, caller_id=None
        )
        assert total == len(expected)
        assert [row["pk"] for row in rows] == [pk for _, pk in expected[offset : offset + 10]]


def _database_at_version_3(path: Path) -> None:
    """A database as schema 3 wrote it: entries, and no name index."""
    db = Database(path)
    try:
        with db.write() as conn:
            accounts.ensure_project(conn, 1, "Project 1", fs.now())
            for entry_path in ("Growth/Weekly retention", "Growth/Signups", "Old/Retention 2024"):
                fs.create_entry(conn, 1, path=entry_path, type="insight", created_by=None)
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        for trigger in ("insert", "delete", "update"):
            conn.execute(f"DROP TRIGGER file_system_name_search_{trigger}")
        conn.execute("DROP TABLE file_system_name_search")
        conn.execute("DROP INDEX file_system_pk_project")
        conn.execute("DROP INDEX file_system_search_odd")
        conn.execute("UPDATE schema_info SET version = 3")


def test_a_database_from_before_the_index_is_searched_once_opened(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    _database_at_version_3(path)
    with running_server(server_settings(path, "empty")) as live, live.client() as api:

        def found(query: str) -> set[str]:
            response = api.get("file_system/", params={"search": query})
            assert response.status_code == httpx.codes.OK, response.text
            return {entry["path"] for entry in response.json()["results"]}

        assert found("name:retention") == {"Growth/Weekly retention", "Old/Retention 2024"}
        assert found("growth") == {"Growth", "Growth/Weekly retention", "Growth/Signups"}
        created = api.post("file_system/", json={"path": "New/Retention board", "type": "insight"})
        assert created.status_code == httpx.codes.CREATED, created.text
        assert "New/Retention board" in found("name:retention")
    with read_only(path) as db:
        assert db.execute("SELECT MAX(version) FROM schema_info").fetchone()[0] == SCHEMA_VERSION
    with closing(sqlite3.connect(path)) as db:
        # The index holds every entry's name as the entries say (FTS5 raises otherwise).
        db.execute(
            "INSERT INTO file_system_name_search (file_system_name_search, rank)"
            " VALUES ('integrity-check', 1)"
        )
