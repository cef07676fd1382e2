"""Persons as PostHog has them: ingestion's identify/alias/merge rules (events sent through
``/batch/``), the short person an event carries with ``include_person=true``, and a database
from before ``persons.is_identified`` upgrading when the server opens it.

One server for the rules (each test uses distinct ids of its own); the upgrade starts its own
on a database it downgraded first.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import LiveServer, running_server, server_settings
from support.db_inspect import read_only
from support.event_helpers import ago, person_of, sdk_event, send_batch, walk
from support.server_helpers import expect, module_api, module_server

from tui.server.store import accounts
from tui.server.store import events as store
from tui.server.store.db import SCHEMA_VERSION, Database
from tui.server.store.file_system import now

server = module_server("persons")


api = module_api()


def send(server: LiveServer, *steps: tuple[str, str, dict[str, Any]]) -> None:
    """``(event, distinct id, properties)`` a minute apart, oldest first, through /batch/."""
    start = ago(hours=1)
    send_batch(
        server,
        [
            sdk_event(name, who, start + timedelta(minutes=index), **properties)
            for index, (name, who, properties) in enumerate(steps)
        ],
    )


def identified(server: LiveServer, distinct_id: str) -> bool:
    person = person_of(server, distinct_id)
    assert person is not None, distinct_id
    return bool(person["is_identified"])


def same_person(server: LiveServer, *distinct_ids: str) -> bool:
    return len({person_of(server, id_)["pk"] for id_ in distinct_ids}) == 1  # type: ignore[index]


def test_an_events_person_is_posthogs_short_one(server: LiveServer, api: httpx.Client) -> None:
    """is_identified, the event's own distinct id only, and email/name/username only."""
    profile = {"email": "ann@example.com", "name": "Ann", "username": "ann", "plan": "pro"}
    send(
        server,
        ("$pageview", "shape-anon", {}),
        ("$identify", "shape-ann", {"$anon_distinct_id": "shape-anon", "$set": profile}),
    )
    short = {"email": "ann@example.com", "name": "Ann", "username": "ann"}
    for event in walk(api, after="-2h", include_person="true"):
        if event["distinct_id"].startswith("shape-"):
            assert event["person"] == {
                "is_identified": True,
                "distinct_ids": [event["distinct_id"]],
                "properties": short,
            }
            one = expect(api.get(f"events/{event['id']}/", params={"include_person": 1}), 200)
            assert one["person"] == event["person"]
    assert person_of(server, "shape-ann")["properties"]["plan"] == "pro"  # type: ignore[index]


def test_identify_and_alias_join_two_ids_and_identify_the_person(server: LiveServer) -> None:
    send(
        server,
        ("$pageview", "join-anon", {}),
        ("$pageview", "join-user", {}),
        ("$pageview", "join-other", {}),
        ("$identify", "join-user", {"$anon_distinct_id": "join-anon"}),
        ("$create_alias", "join-other", {"alias": "join-new"}),  # an id no one has yet
    )
    assert same_person(server, "join-anon", "join-user") and identified(server, "join-user")
    assert same_person(server, "join-other", "join-new") and identified(server, "join-other")
    assert not same_person(server, "join-user", "join-other")


def test_only_merge_dangerously_swallows_an_identified_person(server: LiveServer) -> None:
    send(
        server,
        ("$identify", "twin-a", {"$anon_distinct_id": "twin-a-anon"}),
        ("$identify", "twin-b", {"$anon_distinct_id": "twin-b-anon"}),
        ("$create_alias", "twin-a", {"alias": "twin-b"}),
        ("$identify", "twin-a", {"$anon_distinct_id": "twin-b-anon"}),
    )
    # Both persons were identified: alias and identify leave them apart.
    assert not same_person(server, "twin-a", "twin-b")
    assert not same_person(server, "twin-a", "twin-b-anon")
    send(server, ("$merge_dangerously", "twin-a", {"alias": "twin-b"}))
    assert same_person(server, "twin-a", "twin-a-anon", "twin-b", "twin-b-anon")


@pytest.mark.parametrize(
    ("event", "other"),
    [
        ("$identify", "anonymous"),  # generic ids stem from a bug in the sender
        ("$identify", "GUEST"),  # any casing of a few
        ("$identify", "null"),  # and exactly some others…
        ("$identify", '"undefined"'),  # …quoted too
        ("$create_alias", "0"),
        ("$identify", None),  # the event's own id: nothing to join
    ],
)
def test_generic_or_same_ids_identify_no_one(
    server: LiveServer, event: str, other: str | None
) -> None:
    me = f"generic {event} {other}"
    other = other or me
    key = "$anon_distinct_id" if event == "$identify" else "alias"
    send(server, ("$pageview", other, {}), (event, me, {key: other}))
    assert not identified(server, me)
    assert same_person(server, me, other) is (other == me)


def test_an_identify_without_an_anonymous_id_or_an_empty_alias_identifies_no_one(
    server: LiveServer,
) -> None:
    send(
        server,
        ("$identify", "bare-identify", {}),
        ("$create_alias", "bare-alias", {"alias": ""}),
        ("$merge_dangerously", "bare-merge", {"alias": None}),
    )
    for who in ("bare-identify", "bare-alias", "bare-merge"):
        assert not identified(server, who)


def test_the_merge_comes_before_the_events_set_once(server: LiveServer) -> None:
    """As ingestion: the merged person's own properties win, the anonymous one's fill gaps,
    and only then does the $identify's $set_once apply (to what is still missing)."""
    send(
        server,
        ("$pageview", "order-anon", {"$set": {"plan": "free"}}),
        (
            "$identify",
            "order-user",
            {"$anon_distinct_id": "order-anon", "$set_once": {"plan": "pro", "first": "yes"}},
        ),
    )
    person = person_of(server, "order-user")
    assert person is not None and person["properties"] == {"plan": "free", "first": "yes"}


# --------------------------------------------------------------------------- the upgrade


def _database_at_version(path: Path, version: int) -> None:
    """A database as schema ``version`` wrote it: persons without is_identified (and, for
    version 1, no child counts), holding a person with two ids and one with one."""
    db = Database(path)
    try:
        with db.write() as conn:
            accounts.ensure_project(conn, 1, "Project 1", now())
            start = ago(hours=1)
            store.insert_events(
                conn,
                1,
                [
                    store.NewEvent("$pageview", "old-anon", start),
                    store.NewEvent(
                        "$identify",
                        "old-user",
                        start + timedelta(minutes=1),
                        {"$anon_distinct_id": "old-anon"},
                    ),
                    store.NewEvent("$pageview", "old-lone", start + timedelta(minutes=2)),
                ],
            )
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE persons DROP COLUMN is_identified")
        if version == 1:
            conn.execute("DELETE FROM file_system_child_counts")
        conn.execute("UPDATE schema_info SET version = ?", (version,))


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_database_gains_is_identified_when_opened(tmp_path: Path, version: int) -> None:
    path = tmp_path / f"v{version}.sqlite3"
    _database_at_version(path, version)
    with running_server(server_settings(path, "empty")) as live, live.client() as api:
        persons = {
            event["distinct_id"]: event["person"]
            for event in walk(api, after="-2h", include_person="true")
        }
    # A second distinct id came only from an $identify or an alias: identified.
    assert persons == {
        "old-anon": {"is_identified": True, "distinct_ids": ["old-anon"], "properties": {}},
        "old-user": {"is_identified": True, "distinct_ids": ["old-user"], "properties": {}},
        "old-lone": {"is_identified": False, "distinct_ids": ["old-lone"], "properties": {}},
    }
    with read_only(path) as db:
        assert db.execute("SELECT MAX(version) FROM schema_info").fetchone()[0] == SCHEMA_VERSION
