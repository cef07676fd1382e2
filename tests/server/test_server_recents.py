"""Conformance: the view log (``file_system/log_view/``), Recents (``order_by=-last_viewed_at``)
and the list's other ``order_by`` values (api.md 8.2, 8.3).

PostHog records a view only for a logged-in browser session, never for a personal API key,
and the local server knows only keys: views reach its database from the demo's seed, or, in
these tests, written straight into the file (as the seed would) beside the running server.
One server for the module; each test works in a folder of its own and with views of its own.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import ADMIN_KEY, OTHER_USER_KEY, LiveServer
from support.db_inspect import read_only
from support.insight_helpers import database
from support.server_helpers import assert_error_shape, create, expect, list_all, module_server

from tui.server.store import accounts, view_log
from tui.server.store.file_system import format_time

COUNTER = itertools.count()
# Each test's views are later than every earlier test's (a day per test, from now on), so
# that a test's own latest views are the latest of all, whatever ran before it.
DAYS = itertools.count(1)


server = module_server("recents")


@pytest.fixture
def api(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


class Clock:
    """This test's "now" for the views it records (see :data:`DAYS`)."""

    now = datetime.now(UTC)


@pytest.fixture(autouse=True)
def clock() -> None:
    Clock.now = datetime.now(UTC) + timedelta(days=next(DAYS))


def user_of(server: LiveServer, key: str) -> int:
    with read_only(server.db_path) as conn:
        row = conn.execute(
            "SELECT id FROM users WHERE key_hash = ?", (accounts.key_hash(key),)
        ).fetchone()
    return int(row[0])


def viewed(
    server: LiveServer,
    entry: dict[str, Any],
    minutes_ago: float,
    *,
    key: str = ADMIN_KEY,
    project: int = 1,
) -> None:
    """Record that ``key``'s user viewed ``entry``'s object ``minutes_ago``."""
    when = format_time(Clock.now - timedelta(minutes=minutes_ago))
    viewer = view_log.Viewer(project_id=project, user_id=user_of(server, key))
    with database(server.db_path) as conn:
        view_log.record_view(conn, viewer, entry["type"], entry["ref"], when)


def view_rows(server: LiveServer) -> list[tuple[Any, ...]]:
    with read_only(server.db_path) as conn:
        return [tuple(row) for row in conn.execute("SELECT * FROM file_system_view_log")]


def item(api: httpx.Client, name: str, type_: str = "insight", **fields: Any) -> dict[str, Any]:
    """An entry standing for a fresh object (a ref no other test uses)."""
    fields.setdefault("ref", f"ref-{next(COUNTER)}")
    return create(api, name, type=type_, **fields)


def recents(api: httpx.Client, **params: Any) -> dict[str, Any]:
    body = expect(api.get("file_system/", params={"order_by": "-last_viewed_at", **params}), 200)
    assert set(body) == {"count", "next", "previous", "results", "users"}
    assert (body["next"], body["previous"], body["count"]) == (None, None, len(body["results"]))
    return dict(body)


def paths_of(body: dict[str, Any]) -> list[str]:
    return [entry["path"] for entry in body["results"]]


def box() -> str:
    return f"Box {next(COUNTER)}"


# --- log_view -----------------------------------------------------------------------------------


def test_posting_a_view_with_a_key_answers_204_and_records_nothing(
    server: LiveServer, api: httpx.Client
) -> None:
    before = view_rows(server)
    for body in (
        {"type": "insight", "ref": "abc"},
        {"type": "dashboard", "ref": "1", "viewed_at": "2025-01-02T03:04:05Z"},
        {"type": "notebook", "ref": "n", "viewed_at": "2025-01-02 03:04"},
    ):
        resp = api.post("file_system/log_view/", json=body)
        assert resp.status_code == 204 and resp.content == b""
    assert view_rows(server) == before


@pytest.mark.parametrize(
    ("body", "code", "attr"),
    [
        ({"ref": "abc"}, "required", "type"),
        ({"type": "insight"}, "required", "ref"),
        ({"type": " ", "ref": "abc"}, "blank", "type"),
        ({"type": "insight", "ref": ""}, "blank", "ref"),
        ({"type": "insight", "ref": "a", "viewed_at": "yesterday"}, "invalid_input", "viewed_at"),
        ({"type": "insight", "ref": "a", "viewed_at": "2025-01-02"}, "invalid_input", "viewed_at"),
        ({"type": "insight", "ref": "a", "viewed_at": None}, "null", "viewed_at"),
    ],
)
def test_posting_a_view_is_validated_first(
    server: LiveServer, api: httpx.Client, body: dict[str, Any], code: str, attr: str
) -> None:
    before = view_rows(server)
    resp = api.post("file_system/log_view/", json=body)
    assert_error_shape(resp, 400, type_="validation_error", code=code, attr=attr)
    assert view_rows(server) == before


def test_listing_views_gives_the_callers_newest_first(
    server: LiveServer, api: httpx.Client
) -> None:
    folder = box()
    old, new = item(api, f"{folder}/old"), item(api, f"{folder}/new", "dashboard")
    viewed(server, old, 60)
    viewed(server, new, 1)
    viewed(server, old, 0.5, key=OTHER_USER_KEY)  # someone else's
    viewed(server, new, 0.5, project=2)  # another project's
    mine = expect(api.get("file_system/log_view/"), 200)
    assert isinstance(mine, list) and set(mine[0]) == {"type", "ref", "viewed_at"}
    refs = [(v["type"], v["ref"]) for v in mine]
    assert refs.index(("dashboard", new["ref"])) < refs.index(("insight", old["ref"]))
    assert expect(api.get("file_system/log_view/", params={"limit": 1}), 200) == mine[:1]
    dashboards = expect(api.get("file_system/log_view/", params={"type": "dashboard"}), 200)
    assert {v["type"] for v in dashboards} == {"dashboard"}
    # A view repeated moves, it does not add a row.
    viewed(server, old, 0)
    again = expect(api.get("file_system/log_view/"), 200)
    assert (again[0]["type"], again[0]["ref"]) == ("insight", old["ref"])
    assert len(again) == len(mine)


@pytest.mark.parametrize(
    ("limit", "code"), [("0", "min_value"), ("-3", "min_value"), ("x", "invalid_input")]
)
def test_a_bad_views_limit_is_400(api: httpx.Client, limit: str, code: str) -> None:
    resp = api.get("file_system/log_view/", params={"limit": limit})
    assert_error_shape(resp, 400, type_="validation_error", code=code, attr="limit")


# --- Recents ------------------------------------------------------------------------------------


def test_recents_are_the_viewed_entries_newest_first_with_when(
    server: LiveServer, api: httpx.Client
) -> None:
    folder = box()
    first, second, third = (item(api, f"{folder}/{n}") for n in ("first", "second", "third"))
    never = item(api, f"{folder}/never viewed")
    viewed(server, first, 3)
    viewed(server, second, 1)
    viewed(server, third, 2)
    body = recents(api, search=f'path:"{folder}"')
    assert paths_of(body) == [second["path"], third["path"], first["path"]]
    assert never["path"] not in paths_of(body)
    stamps = [entry["last_viewed_at"] for entry in body["results"]]
    assert all(stamps) and stamps == sorted(stamps, reverse=True)
    ascending = expect(
        api.get(
            "file_system/",
            params={"order_by": "last_viewed_at", "search": f'path:"{folder}"'},
        ),
        200,
    )
    assert paths_of(ascending) == paths_of(body)[::-1]
    # Everywhere else, last_viewed_at is null.
    assert {e["last_viewed_at"] for e in list_all(api, parent=folder)} == {None}


def test_recents_leave_out_shortcuts_and_views_of_objects_without_entries(
    server: LiveServer, api: httpx.Client
) -> None:
    folder = box()
    original = item(api, f"{folder}/original")
    create(api, f"{folder}/link", type="insight", ref=original["ref"], shortcut=True)
    twin = create(api, f"{folder}/twin", type="insight", ref=original["ref"])
    viewed(server, original, 1)
    viewed(server, {"type": "insight", "ref": "no entry anywhere"}, 0)
    body = recents(api, limit=2)
    # Both originals of the object (not the link), and fewer than the limit: the latest
    # view is of an object with no entry.
    assert sorted(paths_of(body)) == sorted([original["path"], twin["path"]])


def test_recents_honour_only_limit_not_type_and_search(
    server: LiveServer, api: httpx.Client
) -> None:
    folder = box()
    insight = item(api, f"{folder}/alpha report")
    dashboard = item(api, f"{folder}/beta report", "dashboard")
    viewed(server, insight, 0.2)
    viewed(server, dashboard, 0.1)
    assert paths_of(recents(api, limit=1)) == [dashboard["path"]]
    assert paths_of(recents(api, limit=1, not_type="dashboard")) == [insight["path"]]
    searched = recents(api, search=f'path:"{folder}" alpha')
    assert paths_of(searched) == [insight["path"]]
    named = recents(api, search="alpha", search_name_only="true", limit=5)
    assert insight["path"] in paths_of(named) and dashboard["path"] not in paths_of(named)
    # parent, depth, type, offset… are not Recents' filters.
    ignored = recents(api, limit=2, parent="Nowhere", depth=9, type="cohort", offset=50)
    assert paths_of(ignored) == [dashboard["path"], insight["path"]]


@pytest.mark.parametrize(("limit", "expected"), [("0", 1), ("-5", 1), ("abc", 2), ("5000", 2)])
def test_recents_limit_is_clamped(
    server: LiveServer, api: httpx.Client, limit: str, expected: int
) -> None:
    folder = box()
    for n in range(2):
        viewed(server, item(api, f"{folder}/{n}"), n)
    assert len(recents(api, limit=limit, search=f'path:"{folder}"')["results"]) == expected


def test_recents_are_the_callers_own(server: LiveServer, api: httpx.Client) -> None:
    folder = box()
    theirs = item(api, f"{folder}/theirs")
    viewed(server, theirs, 0, key=OTHER_USER_KEY)
    assert theirs["path"] not in paths_of(recents(api, limit=1000))
    with server.client(OTHER_USER_KEY) as other:
        assert theirs["path"] in paths_of(recents(other))


def test_deleting_an_objects_last_entry_forgets_its_views(
    server: LiveServer, api: httpx.Client
) -> None:
    folder = box()
    kept = item(api, f"{folder}/one of two")
    twin = create(api, f"{folder}/two of two", type="insight", ref=kept["ref"])
    viewed(server, kept, 0)
    viewed(server, kept, 0, key=OTHER_USER_KEY)

    def views_of_it() -> int:
        return sum(1 for row in view_rows(server) if row[3:5] == ("insight", kept["ref"]))

    assert api.delete(f"file_system/{twin['id']}/").status_code == 204
    assert views_of_it() == 2  # another entry still stands for it
    assert api.delete(f"file_system/{kept['id']}/").status_code in (200, 204)
    assert views_of_it() == 0


# --- order_by -----------------------------------------------------------------------------------


def test_order_by_path_and_created_at(api: httpx.Client) -> None:
    folder = box()
    made = [item(api, f"{folder}/{name}") for name in ("b", "C", "a")]
    by = {
        order: [e["path"] for e in list_all(api, parent=folder, order_by=order)]
        for order in ("path", "-path", "created_at", "-created_at", "nonsense")
    }
    names = [e["path"] for e in made]
    assert by["path"] == sorted(names) and by["-path"] == sorted(names, reverse=True)
    assert by["created_at"] == names and by["-created_at"] == names[::-1]
    assert by["nonsense"] == by["-created_at"]
