"""Conformance: ``file_system_shortcut/``, each user's own Shortcuts (api.md 8.5).

One server for the module; every test starts with no shortcuts at all. Scopes, the 401s and
the 403 of ``reorder``/``bulk_update`` for every personal API key are in the auth matrix
(test_server_auth_matrix.py); the store's ``reorder`` and ``bulk_update``, which no key can
reach over HTTP, are checked against the store directly at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, OTHER_USER_KEY, LiveServer
from support.db_inspect import read_only
from support.server_helpers import (
    NOT_FOUND,
    assert_error,
    assert_error_shape,
    expect,
    module_server,
)

from tui.server.store import accounts
from tui.server.store import shortcuts as store
from tui.server.store.db import Database
from tui.server.store.file_system import now

SHORTCUT_FIELDS = {"id", "path", "type", "ref", "href", "order", "created_at", "user_access_level"}


server = module_server("shortcuts")


@pytest.fixture
def mine(server: LiveServer) -> Iterator[httpx.Client]:
    """The admin key's client on project 1, with no shortcut in either project."""
    with (
        server.client(ADMIN_KEY) as client,
        server.client(OTHER_USER_KEY) as other,
        server.client(ADMIN_KEY, project=2) as elsewhere,
    ):
        for each in (client, other, elsewhere):
            for shortcut in listed(each):
                expect(each.delete(f"file_system_shortcut/{shortcut['id']}/"), 204)
        yield client


def listed(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    page = expect(client.get("file_system_shortcut/", params={"limit": 1000, **params}), 200)
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == len(page["results"])
    return list(page["results"])


def star(client: httpx.Client, path: str, **fields: Any) -> dict[str, Any]:
    made = expect(client.post("file_system_shortcut/", json={"path": path, **fields}), 201)
    assert isinstance(made, dict) and set(made) == SHORTCUT_FIELDS, made
    return made


def held(server: LiveServer) -> list[tuple[str, str]]:
    """(path, type) of every shortcut row in the server's database."""
    with read_only(server.db_path) as conn:
        rows = conn.execute("SELECT path, type FROM file_system_shortcuts ORDER BY pk").fetchall()
    return [(row[0], row[1]) for row in rows]


# --- create and list ----------------------------------------------------------------------------


def test_a_new_shortcut_has_every_field_and_goes_last(mine: httpx.Client) -> None:
    first = star(mine, "Weekly signups", type="insight", ref="abc123", href="/insights/abc123")
    assert first["type"] == "insight" and first["ref"] == "abc123"
    assert first["href"] == "/insights/abc123"
    assert first["order"] == 1 and first["user_access_level"] == "editor"
    bare = star(mine, "Just a name")
    assert (bare["type"], bare["ref"], bare["href"], bare["order"]) == ("", None, None, 2)
    assert [s["id"] for s in listed(mine)] == [first["id"], bare["id"]]


def test_starring_the_same_thing_twice_answers_the_first(
    server: LiveServer, mine: httpx.Client
) -> None:
    first = star(mine, "Growth", type="dashboard", ref="7")
    again = star(mine, "Growth", type="dashboard", ref="7")
    assert again == first
    assert held(server) == [("Growth", "dashboard")]
    # Any difference (here the href) is another shortcut.
    other = star(mine, "Growth", type="dashboard", ref="7", href="/dashboard/7")
    assert other["id"] != first["id"] and other["order"] == 2


def test_the_list_is_by_order_then_path_ignoring_case(mine: httpx.Client) -> None:
    zeta = star(mine, "zeta", order=0)
    beta = star(mine, "Beta", order=5)
    alpha = star(mine, "alpha", order=5)
    last = star(mine, "Aardvark")
    assert last["order"] == 6  # the highest order + 1
    assert [s["path"] for s in listed(mine)] == ["zeta", "alpha", "Beta", "Aardvark"]
    by_age = [s["id"] for s in listed(mine, ordering="created_at")]
    assert by_age == [zeta["id"], beta["id"], alpha["id"], last["id"]]
    assert [s["id"] for s in listed(mine, ordering="-created_at")] == by_age[::-1]


def test_the_list_is_paginated(mine: httpx.Client) -> None:
    for n in range(3):
        star(mine, f"star {n}")
    page = expect(mine.get("file_system_shortcut/", params={"limit": 2}), 200)
    assert page["count"] == 3 and len(page["results"]) == 2
    assert page["next"] is not None and page["previous"] is None
    rest = expect(mine.get(page["next"]), 200)
    assert [s["path"] for s in rest["results"]] == ["star 2"]


def test_shortcuts_are_the_callers_own_and_the_projects_own(
    server: LiveServer, mine: httpx.Client
) -> None:
    made = star(mine, "Private", type="insight", ref="x")
    with server.client(OTHER_USER_KEY) as other, server.client(ADMIN_KEY, project=2) as p2:
        assert listed(other) == [] and listed(p2) == []
        for client in (other, p2):
            url = f"file_system_shortcut/{made['id']}/"
            assert_error(client.get(url), 404, NOT_FOUND)
            assert_error(client.patch(url, json={"path": "Stolen"}), 404, NOT_FOUND)
            assert_error(client.delete(url), 404, NOT_FOUND)
        # Their own identical star is their own row.
        theirs = star(other, "Private", type="insight", ref="x")
        assert theirs["id"] != made["id"] and theirs["order"] == 1
    assert expect(mine.get(f"file_system_shortcut/{made['id']}/"), 200) == made


# --- one shortcut -------------------------------------------------------------------------------


def test_retrieve_update_and_delete(server: LiveServer, mine: httpx.Client) -> None:
    made = star(mine, "Old name", type="insight", ref="a")
    url = f"file_system_shortcut/{made['id']}/"
    assert expect(mine.get(url), 200) == made
    patched = expect(mine.patch(url, json={"path": "New name", "order": 9}), 200)
    assert patched == {**made, "path": "New name", "order": 9}
    put = expect(mine.put(url, json={"path": "Put name", "ref": None}), 200)
    assert put == {**patched, "path": "Put name", "ref": None}
    assert mine.delete(url).status_code == 204
    assert_error(mine.get(url), 404, NOT_FOUND)
    assert held(server) == []


@pytest.mark.parametrize("shortcut_id", ["nope", "00000000-0000-0000-0000-000000000000"])
def test_an_unknown_or_malformed_id_is_not_found(mine: httpx.Client, shortcut_id: str) -> None:
    assert_error(mine.get(f"file_system_shortcut/{shortcut_id}/"), 404, NOT_FOUND)
    assert_error(mine.delete(f"file_system_shortcut/{shortcut_id}"), 404, NOT_FOUND)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({}, "required", "path"),
        ({"path": ""}, "blank", "path"),
        ({"path": "   "}, "blank", "path"),
        ({"path": None}, "null", "path"),
        ({"path": "x", "type": None}, "null", "type"),
        ({"path": "x", "type": "t" * 101}, "max_length", "type"),
        ({"path": "x", "ref": "r" * 101}, "max_length", "ref"),
        ({"path": "x", "order": "first"}, "invalid_input", "order"),
        ({"path": "x", "order": 2**31}, "max_value", "order"),
    ],
    ids=[
        "no-path",
        "empty-path",
        "blank-path",
        "null-path",
        "null-type",
        "long-type",
        "long-ref",
        "bad-order",
        "huge-order",
    ],
)
def test_create_refuses_as_posthog(
    server: LiveServer, mine: httpx.Client, body: dict[str, Any], code: str, attr: str
) -> None:
    resp = mine.post("file_system_shortcut/", json=body)
    assert_error_shape(resp, 400, type_="validation_error", code=code, attr=attr)
    assert held(server) == []


def test_what_create_accepts_at_the_limits(mine: httpx.Client) -> None:
    made = star(mine, "x", type="t" * 100, ref="r" * 100, href=None)
    assert (len(made["type"]), len(made["ref"]), made["href"]) == (100, 100, None)


def test_put_needs_a_path_and_patch_keeps_it_not_blank(mine: httpx.Client) -> None:
    made = star(mine, "Keep")
    url = f"file_system_shortcut/{made['id']}/"
    assert_error_shape(
        mine.put(url, json={"type": "x"}), 400, type_="validation_error", attr="path"
    )
    assert_error_shape(
        mine.patch(url, json={"path": ""}), 400, type_="validation_error", code="blank"
    )
    assert expect(mine.get(url), 200) == made


# --- reorder and bulk_update, in the store ------------------------------------------------------


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    db = Database(tmp_path / "store.sqlite3")
    connection = db.connection()
    accounts.ensure_project(connection, 1, "Project 1", now())
    yield connection
    db.close()


def _owner(conn: sqlite3.Connection, email: str) -> store.Owner:
    return store.Owner(project_id=1, user_id=accounts.create_user(conn, "A", "B", email))


def _paths(conn: sqlite3.Connection, owner: store.Owner) -> list[tuple[str, int]]:
    return [(row["path"], row["position"]) for row in store.list_shortcuts(conn, owner)[1]]


def test_reorder_numbers_the_given_ids_and_refuses_anothers(conn: sqlite3.Connection) -> None:
    me, them = _owner(conn, "me@x"), _owner(conn, "them@x")
    a, b, c = (store.create_shortcut(conn, me, path=p)[0]["id"] for p in ("a", "b", "c"))
    theirs = store.create_shortcut(conn, them, path="t")[0]["id"]
    store.reorder(conn, me, [c, a])
    assert _paths(conn, me) == [("c", 0), ("a", 1), ("b", 2)]  # b kept its order
    with pytest.raises(store.UnknownShortcuts) as refused:
        store.reorder(conn, me, [b, theirs])
    assert refused.value.unknown_ids == [theirs]
    assert _paths(conn, me) == [("c", 0), ("a", 1), ("b", 2)]


def test_bulk_update_removes_adds_after_the_rest_and_skips_duplicates(
    conn: sqlite3.Connection,
) -> None:
    me = _owner(conn, "me@x")
    a = store.create_shortcut(conn, me, path="a")[0]["id"]
    store.create_shortcut(conn, me, path="b", type="insight", ref="1")
    store.bulk_update(
        conn,
        me,
        add=[
            {"path": "b", "type": "insight", "ref": "1"},  # kept already: skipped
            {"path": "c"},
            {"path": "c"},  # twice in one request: once
            {"path": "a"},  # a is being removed, so this one is new
        ],
        remove_ids=[a],
    )
    assert _paths(conn, me) == [("b", 2), ("c", 3), ("a", 4)]
    with pytest.raises(store.UnknownShortcuts):
        store.bulk_update(conn, me, add=[{"path": "never"}], remove_ids=[a])
    assert [p for p, _ in _paths(conn, me)] == ["b", "c", "a"]
