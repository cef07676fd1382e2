"""The scale seed (``--seed scale:N[:EVENTS]``): the tree issue 7 asks for, every row as the
store itself would have written it, and the events the B8 benchmark pages through."""

from __future__ import annotations

import json
import math
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.db_inspect import assert_derived_columns_true

from tui import paths
from tui.server import seed_events, seed_scale
from tui.server.object_types import OBJECT_TYPES
from tui.server.settings import ScaleSeed, ServerSettings, parse_seed
from tui.server.store import accounts
from tui.server.store import events as event_store
from tui.server.store import file_system as fs
from tui.server.store.db import SCHEMA, Database

# Small enough to seed in about a second, big enough for six levels and a few shortcuts.
ENTRIES = 3_000
EVENTS = 2_500


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sqlite3.Connection]:
    db = Database(tmp_path_factory.mktemp("scale") / "scale.sqlite3")
    conn = db.connection()
    with db.write():
        accounts.ensure_project(conn, 1, "Project 1", fs.now())
        seed_scale.seed_scale(conn, 1, ScaleSeed(ENTRIES, EVENTS))
    yield conn
    db.close()


def _entries(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM file_system WHERE project_id = 1").fetchall()


def test_the_tree_has_the_size_and_shape_the_issue_asks_for(seeded: sqlite3.Connection) -> None:
    rows = _entries(seeded)
    assert len(rows) == ENTRIES
    big = [r for r in rows if r["path"] == seed_scale.BIG_FOLDER]
    assert [(r["type"], r["depth"]) for r in big] == [("folder", 1)]
    children = Counter(r["parent_path"] for r in rows)
    assert children[seed_scale.BIG_FOLDER] == ENTRIES // seed_scale.BIG_SHARE
    folders = [r["path"] for r in rows if r["type"] == "folder" and r["path"] != "Big"]
    assert len(folders) > 10
    for folder in folders:
        assert seed_scale.MIN_FOLDER <= children[folder] <= seed_scale.MAX_FOLDER, folder
    assert max(r["depth"] for r in rows) == seed_scale.MAX_DEPTH
    types = Counter(r["type"] for r in rows)
    assert set(types) >= {"folder", "insight", "dashboard", "feature_flag", "notebook", "cohort"}
    assert any(t.startswith("hog_function/") for t in types)
    assert types["insight"] > ENTRIES // 3  # Big, and half of the rest
    assert any(r["shortcut"] for r in rows)
    assert any("\\/" in r["path"] for r in rows), "a name with a slash"
    assert any(not r["path"].isascii() for r in rows), "a unicode name"
    assert len({r["path"] for r in rows}) == len(rows), "names repeat as 'name 2'"


def test_every_derived_column_is_what_the_store_computes(seeded: sqlite3.Connection) -> None:
    assert_derived_columns_true(seeded)


def test_every_column_is_as_the_store_writes_it(seeded: sqlite3.Connection) -> None:
    rows = _entries(seeded)
    users = {row[0] for row in seeded.execute("SELECT id FROM users")}
    for row in rows:
        assert str(uuid.UUID(row["id"])) == row["id"]
        moment = datetime.strptime(row["created_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert fs.format_time(moment) == row["created_at"]
        assert row["created_by"] in users
        meta = json.loads(row["meta"])
        if row["type"] == "folder":
            assert (row["ref"], row["href"], meta) == (None, None, {})
        elif not row["shortcut"]:
            assert meta == {"created_by": row["created_by"], "created_at": row["created_at"]}
    # Rows were created oldest first, so ids (UUIDv7) and times grow with pk.
    ordered = sorted(rows, key=lambda r: r["pk"])
    assert [r["created_at"] for r in ordered] == sorted(r["created_at"] for r in rows)
    assert [r["id"] for r in ordered] == sorted(r["id"] for r in rows)


def test_every_item_stands_for_its_object(seeded: sqlite3.Connection) -> None:
    objects = {
        (row["type"], row["ref"]): row
        for row in seeded.execute("SELECT * FROM objects WHERE project_id = 1")
    }
    items = [r for r in _entries(seeded) if r["type"] != "folder"]
    originals = [r for r in items if not r["shortcut"]]
    assert len(objects) == len(originals)
    for row in items:
        obj = objects[(row["type"], row["ref"])]
        href = OBJECT_TYPES[row["type"]].href(row["ref"])
        assert row["href"] == href
        if not row["shortcut"]:
            assert obj["name"] == paths.basename(row["path"])
            assert (obj["created_at"], obj["created_by"]) == (row["created_at"], row["created_by"])
    # Nothing is left for `unfiled` to file.
    assert fs.file_unfiled(seeded, 1, None, None) == 0


def test_the_listing_indexes_are_back_and_answer_pages(seeded: sqlite3.Connection) -> None:
    fresh = sqlite3.connect(":memory:")
    fresh.executescript(SCHEMA)
    wanted = {row[0] for row in fresh.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    have = {row[0] for row in seeded.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert wanted <= have
    total, rows = fs.list_entries(
        seeded,
        1,
        fs.ListQuery(parent="Big", depth="2"),
        limit=100,
        offset=0,
        caller_id=None,
    )
    assert total == ENTRIES // seed_scale.BIG_SHARE
    assert len(rows) == 100


def test_events_are_the_demo_month_replayed(seeded: sqlite3.Connection) -> None:
    rows = seeded.execute("SELECT * FROM events ORDER BY pk").fetchall()
    assert len(rows) == EVENTS
    demo_names = {event.event for event in seed_events.demo_events()}
    assert {row["event"] for row in rows} <= demo_names
    assert len({row["event"] for row in rows}) >= 5
    now = datetime.now(UTC)
    for row in rows:
        moment = datetime.fromisoformat(row["timestamp"])
        assert event_store.format_timestamp(moment) == row["timestamp"]
        assert now - timedelta(days=seed_events.DEMO_DAYS + 1) < moment <= now
        assert uuid.UUID(row["uuid"]).version == 7
    # Stored in time order, and every distinct id has its person.
    assert [r["timestamp"] for r in rows] == sorted(r["timestamp"] for r in rows)
    persons = {row[0] for row in seeded.execute("SELECT distinct_id FROM person_distinct_ids")}
    assert {row["distinct_id"] for row in rows} <= persons


def test_more_events_than_the_demo_month_repeat_it_a_few_minutes_apart(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "events.sqlite3")
    conn = db.connection()
    demo = len(seed_events.demo_events())
    with db.write():
        accounts.ensure_project(conn, 1, "Project 1", fs.now())
        stored = seed_scale.seed_scale_events(conn, 1, demo + 10)
    assert stored == demo + 10
    assert conn.execute("SELECT COUNT(DISTINCT uuid) FROM events").fetchone()[0] == stored
    db.close()


def test_fast_timestamps_are_the_stores_own() -> None:
    start = datetime(2023, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    for step in range(0, 10**12, 7_777_777_777):
        moment = start + timedelta(microseconds=step)
        micros = seed_scale._micros(moment)
        assert seed_scale._format_micros(micros) == fs.format_time(moment)
        assert seed_scale._format_micros(
            micros, seed_scale.EVENT_ZONE
        ) == event_store.format_timestamp(moment)


def test_short_ids_are_unique_and_look_like_posthogs() -> None:
    assert math.gcd(seed_scale._SHORT_MULTIPLIER, seed_scale._SHORT_SPACE) == 1
    ids = [seed_scale._short_id(n) for n in range(100_000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) == 8 and i.isalnum() for i in ids)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("demo", "demo"),
        ("empty", "empty"),
        ("scale:1000000", ScaleSeed(1_000_000, 0)),
        ("scale:1m", ScaleSeed(1_000_000, 0)),
        ("scale:250k:1_000_000", ScaleSeed(250_000, 1_000_000)),
    ],
)
def test_seed_names(text: str, expected: object) -> None:
    assert parse_seed(text) == expected


@pytest.mark.parametrize(
    "text", ["demo2", "scale", "scale:", "scale:lots", "scale:50", "scale:1:2:3"]
)
def test_bad_seed_names_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected|at least"):
        parse_seed(text)


def test_the_server_seeds_scale_only_into_a_new_database(tmp_path: Path) -> None:
    from tui.server.app import prepare_database

    settings = ServerSettings(db_path=tmp_path / "s.sqlite3", seed=ScaleSeed(500))
    for _ in range(2):  # the second start finds it seeded and adds nothing
        db, _auth = prepare_database(settings)
        count = db.connection().execute("SELECT COUNT(*) FROM file_system").fetchone()[0]
        db.close()
        assert count == 500
