"""Conformance: URL prefixes and trailing slashes, ``/_health``, wrong methods, unknown routes,
malformed bodies, server errors (api.md sections 1, 2 and 7), and the client's models."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from support import ADMIN_KEY, P1_KEY, READ_KEY, LiveServer
from support.server_helpers import (
    ENTRY_FIELDS,
    ERROR_FIELDS,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    SERVER_ERROR,
    assert_error,
    assert_error_shape,
    create,
    expect,
    get_entry,
    list_all,
    list_page,
    missing_scope,
    no_project_access,
    snapshot,
)

from tui.models import CountResponse, FileSystemEntry, FileSystemPage
from tui.server.runner import uvicorn_config
from tui.server.settings import ServerSettings

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
PREFIXES = ["projects", "environments"]
SLASHES = pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
EACH_PREFIX = pytest.mark.parametrize("prefix", PREFIXES)


def url(server: LiveServer, prefix: str, rest: str, project: int = 1) -> str:
    return f"{server.url}/api/{prefix}/{project}/{rest}"


# --- prefixes and trailing slashes ---------------------------------------------------------------


@EACH_PREFIX
@SLASHES
def test_list(live_server: LiveServer, api: httpx.Client, prefix: str, slash: str) -> None:
    entry = create(api, "Listed/📄 entry")
    resp = httpx.get(
        url(live_server, prefix, f"file_system{slash}"), headers=AUTH, params={"depth": 2}
    )
    page = expect(resp, 200)
    assert [e["id"] for e in page["results"]] == [entry["id"]]
    assert page["count"] == 1


@EACH_PREFIX
@SLASHES
def test_create(live_server: LiveServer, api: httpx.Client, prefix: str, slash: str) -> None:
    resp = httpx.post(
        url(live_server, prefix, f"file_system{slash}"),
        headers=AUTH,
        json={"path": f"Made via {prefix}/x", "type": "insight"},
    )
    created = expect(resp, 201)
    assert get_entry(api, created["id"]) == created
    assert created["path"] == f"Made via {prefix}/x"


@EACH_PREFIX
@SLASHES
def test_retrieve_and_update(
    live_server: LiveServer, api: httpx.Client, prefix: str, slash: str
) -> None:
    entry = create(api, "Some/entry")
    target = url(live_server, prefix, f"file_system/{entry['id']}{slash}")
    assert expect(httpx.get(target, headers=AUTH), 200) == entry
    patched = expect(httpx.patch(target, headers=AUTH, json={"type": "notebook"}), 200)
    assert patched["type"] == "notebook"
    assert get_entry(api, entry["id"])["type"] == "notebook"


@EACH_PREFIX
@SLASHES
def test_delete(live_server: LiveServer, api: httpx.Client, prefix: str, slash: str) -> None:
    entry = create(api, "Gone/shortcut", type="insight", ref="x", shortcut=True)
    resp = httpx.delete(url(live_server, prefix, f"file_system/{entry['id']}{slash}"), headers=AUTH)
    assert resp.status_code == 204, resp.text
    assert_error(api.get(f"file_system/{entry['id']}/"), 404, NOT_FOUND)


@EACH_PREFIX
@SLASHES
def test_actions(live_server: LiveServer, api: httpx.Client, prefix: str, slash: str) -> None:
    box = create(api, "Box", type="folder")
    create(api, "Box/a")
    counted = expect(
        httpx.post(url(live_server, prefix, f"file_system/{box['id']}/count{slash}"), headers=AUTH),
        200,
    )
    assert counted["count"] == 1
    by_path = expect(
        httpx.post(
            url(live_server, prefix, f"file_system/count_by_path{slash}"),
            headers=AUTH,
            params={"path": "Box"},
        ),
        200,
    )
    assert by_path == counted
    moved = expect(
        httpx.post(
            url(live_server, prefix, f"file_system/{box['id']}/move{slash}"),
            headers=AUTH,
            json={"new_path": "Moved box"},
        ),
        200,
    )
    assert moved["path"] == "Moved box"
    assert get_entry(api, box["id"])["path"] == "Moved box"
    linked = expect(
        httpx.post(
            url(live_server, prefix, f"file_system/{box['id']}/link{slash}"),
            headers=AUTH,
            json={"new_path": "Linked box"},
        ),
        200,
    )
    assert linked["path"] == "Linked box"
    assert expect(
        httpx.get(url(live_server, prefix, f"file_system/unfiled{slash}"), headers=AUTH), 200
    ) == {"count": 0}
    resp = httpx.post(
        url(live_server, prefix, f"file_system/undo_delete{slash}"),
        headers=AUTH,
        json={"items": [{"type": "insight", "ref": "nothing-here"}]},
    )
    assert resp.status_code == 400, resp.text


def test_both_prefixes_share_one_project(live_server: LiveServer) -> None:
    made = expect(
        httpx.post(
            url(live_server, "environments", "file_system/"), headers=AUTH, json={"path": "Env/🌍"}
        ),
        201,
    )
    listed = expect(httpx.get(url(live_server, "projects", "file_system/"), headers=AUTH), 200)
    assert [e["id"] for e in listed["results"] if e["path"] == "Env/🌍"] == [made["id"]]
    other = expect(
        httpx.get(url(live_server, "environments", "file_system/", project=2), headers=AUTH), 200
    )
    assert other["count"] == 0


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_environments_prefix_enforces_auth(live_server: LiveServer, slash: str) -> None:
    target = url(live_server, "environments", f"file_system{slash}")
    assert_error(httpx.get(target), 401, NOT_AUTHENTICATED)
    read = {"Authorization": f"Bearer {READ_KEY}"}
    assert_error(
        httpx.post(target, headers=read, json={"path": "x"}),
        403,
        missing_scope("file_system:write"),
    )
    p1 = {"Authorization": f"Bearer {P1_KEY}"}
    other_project = url(live_server, "environments", f"file_system{slash}", project=2)
    assert_error(httpx.get(other_project, headers=p1), 403, no_project_access(2))
    assert expect(httpx.get(target, headers=AUTH), 200)["count"] == 0


# --- health, methods, routes ----------------------------------------------------------------------


def test_health_answers_without_credentials(live_server: LiveServer) -> None:
    resp = httpx.get(f"{live_server.url}/_health")
    assert resp.status_code == 200, resp.text


WRONG_METHODS = [
    ("PUT", "file_system/"),
    ("PATCH", "file_system/"),
    ("DELETE", "file_system/"),
    ("GET", "file_system/{id}/count/"),
    ("GET", "file_system/{id}/link/"),
    ("GET", "file_system/{id}/move/"),
    ("GET", "file_system/count_by_path/"),
    ("GET", "file_system/undo_delete/"),
    ("POST", "file_system/unfiled/"),
    ("POST", "file_system/{id}/"),
]


@pytest.mark.parametrize(
    ("method", "path"), WRONG_METHODS, ids=[f"{m} {p}" for m, p in WRONG_METHODS]
)
def test_wrong_method_is_405(api: httpx.Client, method: str, path: str) -> None:
    box = create(api, "Box", type="folder")
    create(api, "Box/a")
    before = snapshot(api)
    resp = api.request(method, path.format(id=box["id"]), json={"path": "x", "new_path": "y"})
    assert_error_shape(resp, 405, type_="invalid_request", code="method_not_allowed", attr=None)
    assert snapshot(api) == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/projects/1/nonexistent/",
        "/api/projects/1/file_system/00000000-0000-4000-8000-000000000000/nonexistent/",
        "/api/nonexistent/",
        "/nonexistent",
    ],
)
def test_unknown_route_is_404_json(live_server: LiveServer, path: str) -> None:
    resp = httpx.get(f"{live_server.url}{path}", headers=AUTH)
    assert resp.status_code == 404, resp.text
    assert resp.headers["content-type"].startswith("application/json")
    assert resp.json() == NOT_FOUND


# --- malformed bodies -----------------------------------------------------------------------------

MALFORMED = ["{not json", '{"path": "x",}', '{"path": "unterminated', "\xff\xfe garbage"]
MALFORMED_IDS = ["brace", "trailing-comma", "unterminated", "bytes"]


@pytest.mark.parametrize("raw", MALFORMED, ids=MALFORMED_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "file_system/"),
        ("PATCH", "file_system/{id}/"),
        ("POST", "file_system/undo_delete/"),
    ],
    ids=["create", "update", "undo_delete"],
)
def test_malformed_json_is_400(api: httpx.Client, raw: str, method: str, path: str) -> None:
    box = create(api, "Box", type="folder")
    before = snapshot(api)
    resp = api.request(
        method,
        path.format(id=box["id"]),
        content=raw.encode("latin-1"),
        headers={"Content-Type": "application/json"},
    )
    # DRF's ParseError, which PostHog's handler types invalid_request.
    assert_error_shape(resp, 400, type_="invalid_request", code="parse_error", attr=None)
    assert snapshot(api) == before


@pytest.mark.parametrize("raw", MALFORMED, ids=MALFORMED_IDS)
@pytest.mark.parametrize("action", ["link", "move"])
def test_malformed_json_to_link_or_move_is_400(api: httpx.Client, raw: str, action: str) -> None:
    """These actions may answer 400s either with the full error or with a bare ``detail``."""
    box = create(api, "Box", type="folder")
    before = snapshot(api)
    resp = api.post(
        f"file_system/{box['id']}/{action}/",
        content=raw.encode("latin-1"),
        headers={"Content-Type": "application/json"},
    )
    got = expect(resp, 400)
    assert isinstance(got, dict) and isinstance(got.get("detail"), str), got
    assert set(got) in ({"detail"}, ERROR_FIELDS), got
    assert snapshot(api) == before


@pytest.mark.parametrize("raw", ["[1, 2]", '"a string"', "42", "true"])
def test_json_that_is_not_an_object_is_400_on_create(api: httpx.Client, raw: str) -> None:
    resp = api.post("file_system/", content=raw, headers={"Content-Type": "application/json"})
    got = assert_error_shape(resp, 400, type_="validation_error", code="invalid_input", attr=None)
    assert got["detail"].startswith("Invalid data. Expected a dictionary, but got ")
    assert snapshot(api) == []


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"path": ["a", "b"]}, "path"),
        ({"path": {"a": 1}}, "path"),
        ({"path": "ok", "shortcut": "maybe"}, "shortcut"),
    ],
    ids=["path-list", "path-object", "shortcut-word"],
)
def test_wrongly_typed_fields_are_400(
    api: httpx.Client, payload: dict[str, Any], attr: str
) -> None:
    resp = api.post("file_system/", json=payload)
    assert_error_shape(resp, 400, type_="validation_error", attr=attr)
    assert snapshot(api) == []


# --- server errors --------------------------------------------------------------------------------


def assert_no_leak(resp: httpx.Response) -> None:
    text = resp.text
    for needle in ("Traceback", 'File "', '.py"', "sqlite3", "OperationalError", "no such table"):
        assert needle not in text, f"{resp.status_code}: {text[:1000]}"
    if resp.status_code >= 500:
        assert resp.json() == SERVER_ERROR


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "file_system/", {"params": {"limit": "9" * 40}}),
        ("GET", "file_system/", {"params": {"offset": "9" * 40}}),
        ("GET", "file_system/", {"params": {"depth": "9" * 40}}),
        ("GET", "file_system/", {"params": {"limit": "-1", "offset": "-5"}}),
        ("GET", "file_system/", {"params": {"limit": "abc", "offset": "xyz"}}),
        ("GET", "file_system/", {"params": {"created_at__gt": "not a date"}}),
        ("GET", "file_system/", {"params": {"created_at__lt": "2024-13-45T99:99:99Z"}}),
        ("GET", "file_system/", {"params": {"order_by": "; DROP TABLE file_system"}}),
        ("GET", "file_system/", {"params": {"search": '"unterminated \\ \x00 \'" (['}}),
        ("GET", "file_system/", {"params": {"search": "name:" + "(" * 500}}),
        ("POST", "file_system/", {"json": {"path": "nul\x00byte"}}),
        ("POST", "file_system/", {"json": {"path": "long/" + "x" * 100_000}}),
        ("POST", "file_system/", {"json": {"path": "deep", "meta": {"m": [[[[[[[[[[1]]]]]]]]]]}}}),
        ("POST", "file_system/", {"content": "[" * 100_000 + "]" * 100_000}),
        ("POST", "file_system/", {"json": {"path": "x", "ref": "r" * 101}}),
        ("POST", "file_system/undo_delete/", {"json": {"items": "not a list"}}),
        ("POST", "file_system/undo_delete/", {"json": {"items": [{"type": 1}]}}),
        ("POST", "file_system/count_by_path/", {"params": {"path": "\x00"}}),
    ],
)
def test_odd_requests_never_leak_a_traceback(
    api: httpx.Client, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/json"} if "content" in kwargs else {}
    resp = api.request(method, path, headers=headers, **kwargs)
    assert_no_leak(resp)


def test_a_server_error_is_the_generic_json_body(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """Break the database under the running server: the 500 says nothing about why."""
    create(api, "x")
    conn = sqlite3.connect(live_server.db_path, timeout=30)
    try:
        tables = [
            row[0]
            # Tables and virtual tables (the search index): a virtual table's shadow tables
            # are renamed with it.
            for row in conn.execute(
                "SELECT name FROM pragma_table_list WHERE schema = 'main'"
                " AND type IN ('table', 'virtual') AND name NOT LIKE 'sqlite_%'"
            )
        ]
        for table in tables:
            conn.execute(f'ALTER TABLE "{table}" RENAME TO "{table}_broken_by_test"')
        conn.commit()
    finally:
        conn.close()
    for resp in (api.get("file_system/"), api.post("file_system/", json={"path": "y"})):
        assert resp.status_code == 500, resp.text
        assert resp.json() == SERVER_ERROR
        assert_no_leak(resp)


# --- the client's models --------------------------------------------------------------------------


def test_entry_json_round_trips_through_the_client_model(api: httpx.Client) -> None:
    created = create(
        api,
        "Reports/Q4 \\/ Q1/📈 Weekly [beta]",
        type="insight",
        ref="a1B2c3",
        href="/insights/a1B2c3",
        meta={"created_by": 1, "ünï": [1, None]},
        shortcut=True,
    )
    for raw in (created, get_entry(api, created["id"]), list_all(api, type="insight")[0]):
        model = FileSystemEntry.model_validate(raw)
        dumped = model.model_dump(mode="json")
        assert set(dumped) == ENTRY_FIELDS
        for field in ENTRY_FIELDS - {"created_at", "last_viewed_at"}:
            assert getattr(model, field) == raw[field], field
        assert model.created_at == datetime.fromisoformat(raw["created_at"].replace("Z", "+00:00"))
        assert model.last_viewed_at is None or raw["last_viewed_at"] is not None
        again = FileSystemEntry.model_validate(dumped)
        assert again == model
    assert FileSystemEntry.model_validate(created).is_folder is False


def test_list_and_count_bodies_parse_with_the_client_models(api: httpx.Client) -> None:
    box = create(api, "Box", type="folder")
    create(api, "Box/a", type="dashboard", ref="1")
    page = FileSystemPage.model_validate(list_page(api))
    assert page.count == 2
    assert [e.path for e in page.results] == ["Box", "Box/a"]
    assert page.results[0].is_folder
    assert len(page.users) == 1
    counted = CountResponse.model_validate(expect(api.post(f"file_system/{box['id']}/count/"), 200))
    assert (counted.count, [e.path for e in counted.entries], counted.has_more) == (
        1,
        ["Box/a"],
        False,
    )


def test_walking_next_through_the_environments_prefix(
    live_server: LiveServer, api: httpx.Client
) -> None:
    for i in range(7):
        create(api, f"n{i}")
    with httpx.Client(headers=AUTH, timeout=30) as client:
        page = expect(
            client.get(url(live_server, "environments", "file_system/"), params={"limit": 3}), 200
        )
        seen = [e["path"] for e in page["results"]]
        while page["next"]:
            page = expect(client.get(page["next"]), 200)
            seen.extend(e["path"] for e in page["results"])
    assert seen == [f"n{i}" for i in range(7)]


# --------------------------------------------------------------------------- schema, 405


def test_the_schema_is_served_where_posthog_serves_its_own(api: httpx.Client) -> None:
    base = str(api.base_url).split("/api/")[0]
    published = httpx.get(f"{base}/openapi.json", timeout=30).json()
    as_json = httpx.get(f"{base}/api/schema/", params={"format": "json"}, timeout=30)
    assert as_json.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert as_json.json() == published
    default = httpx.get(f"{base}/api/schema/", timeout=30)
    assert default.headers["content-type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(default.text) == published  # JSON is YAML: a YAML reader reads it


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "file_system/undo_delete/", {"POST"}),
        ("GET", "file_system/count_by_path/", {"POST"}),
        ("DELETE", "exports/", {"GET", "POST"}),
    ],
)
def test_a_405_says_which_methods_are_allowed(
    api: httpx.Client, method: str, path: str, allowed: set[str]
) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    offered = {part.strip() for part in response.headers["allow"].split(",")}
    assert allowed <= offered and method not in offered


def test_the_server_keeps_an_idle_connection_longer_than_the_client_does(tmp_path: Path) -> None:
    """A server that drops an idle connection as the client reuses it makes the client read
    "Server disconnected without sending a response" (seen once in CI, mid-paging). The
    client must be the one to let go first: its keep-alive expiry is shorter."""
    client_expiry = httpx._config.DEFAULT_LIMITS.keepalive_expiry
    assert client_expiry is not None
    config = uvicorn_config(ServerSettings(db_path=tmp_path / "idle.sqlite3"), "127.0.0.1", 0)
    assert config.timeout_keep_alive > 2 * client_expiry
