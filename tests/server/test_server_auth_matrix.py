"""The auth matrix: every route of the local server by every kind of caller (api.md section 1).

The routes come from the running app itself, so a new endpoint cannot be forgotten: one
missing from :data:`ENDPOINTS` fails :func:`test_every_route_is_in_the_matrix`. Each route is
asked by: no key (401), an unknown key (401), keys lacking exactly the scope it needs (403,
one key per scope, each holding every other scope), a key limited to another project (403),
the right key on a project that does not exist (404), and the right key (the route's
success). Around every refused request the whole database is
fingerprinted (every row of every table, read from the file): a refusal that still wrote is
the worst kind of bug. The right key's request then shows the refusal was not vacuous: the
same request from a writing endpoint does change the database.

One server for the module keeps it fast; each request gets fresh targets from ``prepare``.
``tests/server/test_server_auth.py`` holds the finer cases (Bearer spelling, body validation order).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import fastapi.routing
import httpx
import pytest
from support import ADMIN_KEY, P1_KEY, TEST_KEYS, http_client, running_server, server_settings
from support.db_inspect import fingerprint, read_only
from support.insight_helpers import create_insight, insert_events, stamp, today, trends_query
from support.server_helpers import (
    AUTHENTICATION_FAILED,
    NOT_AUTHENTICATED,
    PROJECT_NOT_FOUND,
    expect,
    list_all,
    missing_scope,
    no_project_access,
)

from tui.server.app import PROJECT_PREFIXES, prepare_database
from tui.server.routes.capture import INVALID_TOKEN, MISSING_TOKEN
from tui.server.settings import ApiKeySpec, ServerSettings
from tui.server.store import accounts, objects
from tui.server.store.file_system import now

PROJECTS = (1, 2)
OTHER_PROJECT = 2  # P1_KEY may use project 1 only
NO_PROJECT = 3
UNKNOWN_KEY = "phx_matrix_nobody_issued_this_0000000"
# The scope families the server checks; a "key without the scope" holds all the others.
SCOPE_FAMILIES = (
    "file_system",
    "file_system_shortcut",
    "export",
    "query",
    "insight",
    "dashboard",
    "evaluation",
    "user",
    "project",
    "organization",
)
REQUIRED_SCOPES = (
    "file_system:read",
    "file_system:write",
    "file_system_shortcut:read",
    "file_system_shortcut:write",
    "export:read",
    "export:write",
    "query:read",
    "insight:read",
    "dashboard:read",
    "evaluation:write",
    "user:read",
    "project:read",
    "organization:read",
)
# For routes that only authenticate (the 405s): a valid key with nothing useful in it.
UNRELATED_SCOPE_KEY = "phx_matrix_unrelated_scope_000000000"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BROWSER = "Safari"


def key_without(scope: str) -> str:
    return f"phx_matrix_without_{scope.replace(':', '_')}"


def scopes_without(scope: str) -> list[str]:
    """Every scope but ``scope`` (and, for a read, its write, which would satisfy it)."""
    family, _, level = scope.partition(":")
    held = [f"{other}:write" for other in SCOPE_FAMILIES if other != family]
    if level == "write":
        held.append(f"{family}:read")
    return held


def _keys() -> tuple[ApiKeySpec, ...]:
    scoped = [
        ApiKeySpec.parse(f"{key_without(scope)}={','.join(scopes_without(scope))}")
        for scope in REQUIRED_SCOPES
    ]
    return (*TEST_KEYS, *scoped, ApiKeySpec.parse(f"{UNRELATED_SCOPE_KEY}=evaluation:read"))


# --------------------------------------------------------------------------- the server


@dataclass
class Seeded:
    """What the endpoints act on, per project, made before the server started."""

    insight: dict[int, int] = field(default_factory=dict)
    # ref of a dashboard that prepare soft-deletes
    undo_dashboard: dict[int, str] = field(default_factory=dict)
    # ref of a notebook that prepare leaves without an entry
    notebook: dict[int, str] = field(default_factory=dict)
    token: dict[int, str] = field(default_factory=dict)  # the public capture token


@dataclass
class Matrix:
    """The module's server, a read-only look at its database, and what endpoints act on."""

    url: str
    app: Any
    db: sqlite3.Connection
    seeded: Seeded
    counter: Iterator[int] = field(default_factory=itertools.count)
    clients: dict[tuple[str | None, str], httpx.Client] = field(default_factory=dict)

    def client(self, key: str | None, base: str = "") -> httpx.Client:
        """One client per (key, base) for the module: a fresh one per request costs time."""
        if (key, base) not in self.clients:
            self.clients[(key, base)] = http_client(self.url + base, key)
        return self.clients[(key, base)]

    def admin(self, project: int) -> httpx.Client:
        return self.client(ADMIN_KEY, f"/api/projects/{project}/")

    def unique(self) -> int:
        return next(self.counter)


def _seed(settings: ServerSettings) -> Seeded:
    """Objects and events the endpoints need, in both projects, before the server starts."""
    seeded = Seeded()
    db, _ = prepare_database(settings)
    try:
        with db.write() as conn:
            seeded.token.update(accounts.project_tokens(conn))
            for project in PROJECTS:
                for kind, name, into in (
                    ("dashboard", "Undo me", seeded.undo_dashboard),
                    ("notebook", "Unfile me", seeded.notebook),
                ):
                    made = objects.create_object(
                        conn, project, kind, name, created_by=None, created_at=now()
                    )
                    into[project] = made["ref"]
    finally:
        db.close()
    for project in PROJECTS:
        seeded.insight[project], _ = create_insight(
            settings.db_path,
            "Matrix insight",
            trends_query(("pageview", "total")),
            project_id=project,
        )
        insert_events(
            settings.db_path,
            [("pageview", "matrix-user", stamp(today()))],
            project_id=project,
            properties={"$browser": BROWSER},
        )
    return seeded


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    db_path = tmp_path_factory.mktemp("matrix") / "matrix.sqlite3"
    settings = server_settings(db_path, "empty", projects=PROJECTS, keys=_keys())
    seeded = _seed(settings)
    with running_server(settings, wait=True) as server, read_only(db_path) as db:
        matrix = Matrix(
            url=server.url,
            app=server.background.server.config.app,
            db=db,
            seeded=seeded,
        )
        try:
            yield matrix
        finally:
            for client in matrix.clients.values():
                client.close()


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class Call:
    """What one request fills in: path parameters, query and JSON body."""

    path: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None


Prepare = Callable[[Matrix, httpx.Client, int], Call]


def nothing(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call()


def _entry(admin: httpx.Client, path: str, **fields: Any) -> dict[str, Any]:
    entry = expect(admin.post("file_system/", json={"path": path, **fields}), 201)
    assert isinstance(entry, dict)
    return entry


def a_box(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    """A fresh folder holding a shortcut: even a delete of it would succeed if let through."""
    box = _entry(admin, f"Matrix/box {matrix.unique()}", type="folder")
    _entry(admin, f"{box['path']}/shortcut", type="doc", ref="1", shortcut=True)
    return Call(path={"entry_id": box["id"]}, query={"path": box["path"]})


def an_item(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    item = _entry(admin, f"Matrix/item {matrix.unique()}", type="doc", ref="x")
    return Call(path={"entry_id": item["id"]})


def with_new_path(prepare: Prepare) -> Prepare:
    def wrapped(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
        call = prepare(matrix, admin, project)
        return Call(path=call.path, json={"new_path": f"Matrix/elsewhere {matrix.unique()}"})

    return wrapped


def with_path(prepare: Prepare) -> Prepare:
    def wrapped(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
        call = prepare(matrix, admin, project)
        return Call(path=call.path, json={"path": f"Matrix/renamed {matrix.unique()}"})

    return wrapped


def new_entry(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(json={"path": f"Matrix/new {matrix.unique()}", "type": "doc"})


def soft_deleted_dashboard(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    """Give the dashboard an entry, then delete all its entries: the last delete soft-deletes
    it, so ``undo_delete`` has something to restore."""
    ref = matrix.seeded.undo_dashboard[project]
    _entry(admin, f"Matrix/undo {matrix.unique()}", type="dashboard", ref=ref)
    for entry in list_all(admin, type="dashboard", ref=ref):
        assert admin.delete(f"file_system/{entry['id']}/").status_code in (200, 204)
    return Call(json={"items": [{"type": "dashboard", "ref": ref}]})


def unfiled_notebook(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    """Detach the notebook from its entries so that ``unfiled`` has one to create."""
    ref = matrix.seeded.notebook[project]
    for entry in list_all(admin, type="notebook", ref=ref):
        detached = {"ref": f"detached {matrix.unique()}"}
        expect(admin.patch(f"file_system/{entry['id']}/", json=detached), 200)
    return Call()


def an_event(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    events = expect(admin.get("events/", params={"limit": 1}), 200)["results"]
    return Call(path={"event_id": events[0]["id"]})


def property_values(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(query={"key": "$browser", "event_name": "pageview"})


def a_trends_query(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    series = [{"kind": "EventsNode", "event": "pageview"}]
    return Call(json={"query": {"kind": "TrendsQuery", "series": series, "interval": "hour"}})


def export_body(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(json={"insight": matrix.seeded.insight[project], "export_format": "text/csv"})


def an_export(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    asset = expect(admin.post("exports/", json=export_body(matrix, admin, project).json), 201)
    return Call(path={"export_id": str(asset["id"])})


def an_insight(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(path={"insight_id": str(matrix.seeded.insight[project])})


def a_dashboard(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    dashboard_id = objects_id(matrix, project, "dashboard", matrix.seeded.undo_dashboard[project])
    return Call(path={"dashboard_id": str(dashboard_id)})


def objects_id(matrix: Matrix, project: int, kind: str, ref: str) -> int:
    row = matrix.db.execute(
        "SELECT id FROM objects WHERE project_id = ? AND type = ? AND ref = ?", (project, kind, ref)
    ).fetchone()
    return int(row[0])


def an_evaluation(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(path={"evaluation_id": "1"})


def a_view(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    return Call(json={"type": "insight", "ref": f"viewed {matrix.unique()}"})


def new_shortcut(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    """A shortcut no one has yet (an identical one would be answered, not created)."""
    return Call(json={"path": f"Starred {matrix.unique()}", "type": "insight", "ref": "x"})


def a_shortcut(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    """The admin's own shortcut: another user's would be "not found" whatever the scopes."""
    made = expect(
        admin.post("file_system_shortcut/", json=new_shortcut(matrix, admin, project).json), 201
    )
    return Call(path={"shortcut_id": made["id"]})


def with_shortcut_path(prepare: Prepare) -> Prepare:
    def wrapped(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
        call = prepare(matrix, admin, project)
        return Call(path=call.path, json={"path": f"Renamed star {matrix.unique()}"})

    return wrapped


def reordering(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    mine = a_shortcut(matrix, admin, project).path["shortcut_id"]
    return Call(json={"ordered_ids": [mine]})


def bulk_change(matrix: Matrix, admin: httpx.Client, project: int) -> Call:
    mine = a_shortcut(matrix, admin, project).path["shortcut_id"]
    return Call(json={"add": [{"path": f"Bulk {matrix.unique()}"}], "remove_ids": [mine]})


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Endpoint:
    """What a project route needs and answers.

    ``scopes`` empty: the route only authenticates (a 405 for a method the path does not
    take). ``writes``: the right key's request must change the database. ``no_keys``: an
    action PostHog lists in no scope list, which refuses every personal API key.
    """

    scopes: tuple[str, ...]
    success: int
    writes: bool
    prepare: Prepare = nothing
    no_keys: bool = False


def read(success: int, prepare: Prepare = nothing, scope: str = "file_system:read") -> Endpoint:
    return Endpoint((scope,), success, False, prepare)


def write(success: int, prepare: Prepare = nothing, *scopes: str) -> Endpoint:
    return Endpoint(scopes or ("file_system:write",), success, True, prepare)


WRONG_METHOD = Endpoint((), 405, False)


def refused_to_keys(prepare: Prepare) -> Endpoint:
    return Endpoint((), 403, False, prepare, no_keys=True)


SHORTCUT_READ = "file_system_shortcut:read"
SHORTCUT_WRITE = "file_system_shortcut:write"

# (method, path under the project prefix without the trailing slash) -> Endpoint
ENDPOINTS: dict[tuple[str, str], Endpoint] = {
    ("GET", "/file_system"): read(200),
    ("POST", "/file_system"): write(201, new_entry),
    ("POST", "/file_system/count_by_path"): read(200, a_box),
    ("POST", "/file_system/undo_delete"): write(200, soft_deleted_dashboard),
    # A read by its scope, though it writes (PostHog lists it among the reads).
    ("GET", "/file_system/unfiled"): Endpoint(("file_system:read",), 200, True, unfiled_notebook),
    # Both by file_system:write; a personal API key's view is not recorded.
    ("GET", "/file_system/log_view"): read(200, scope="file_system:write"),
    ("POST", "/file_system/log_view"): Endpoint(("file_system:write",), 204, False, a_view),
    ("GET", "/file_system/{entry_id}"): read(200, a_box),
    ("PATCH", "/file_system/{entry_id}"): write(200, with_path(an_item)),
    ("PUT", "/file_system/{entry_id}"): write(200, with_path(an_item)),
    ("DELETE", "/file_system/{entry_id}"): write(204, a_box),
    ("POST", "/file_system/{entry_id}/count"): read(200, a_box),
    ("POST", "/file_system/{entry_id}/link"): write(200, with_new_path(a_box)),
    ("POST", "/file_system/{entry_id}/move"): write(200, with_new_path(a_box)),
    ("DELETE", "/evaluations/{evaluation_id}"): Endpoint(
        ("evaluation:write",), 405, False, an_evaluation
    ),
    ("GET", "/events"): read(200, scope="query:read"),
    ("GET", "/events/values"): read(200, property_values, "query:read"),
    ("GET", "/events/{event_id}"): read(200, an_event, "query:read"),
    ("POST", "/query"): read(200, a_trends_query, "query:read"),
    ("POST", "/exports"): write(201, export_body, "export:write", "insight:read"),
    ("GET", "/exports"): read(200, scope="export:read"),
    ("GET", "/exports/{export_id}"): read(200, an_export, "export:read"),
    ("GET", "/exports/{export_id}/content"): read(200, an_export, "export:read"),
    ("GET", "/insights"): read(200, scope="insight:read"),
    ("GET", "/insights/{insight_id}"): read(200, an_insight, "insight:read"),
    ("GET", "/dashboards/{dashboard_id}"): read(200, a_dashboard, "dashboard:read"),
    ("GET", "/file_system_shortcut"): read(200, scope=SHORTCUT_READ),
    ("POST", "/file_system_shortcut"): write(201, new_shortcut, SHORTCUT_WRITE),
    ("GET", "/file_system_shortcut/{shortcut_id}"): read(200, a_shortcut, SHORTCUT_READ),
    ("PATCH", "/file_system_shortcut/{shortcut_id}"): write(
        200, with_shortcut_path(a_shortcut), SHORTCUT_WRITE
    ),
    ("PUT", "/file_system_shortcut/{shortcut_id}"): write(
        200, with_shortcut_path(a_shortcut), SHORTCUT_WRITE
    ),
    ("DELETE", "/file_system_shortcut/{shortcut_id}"): write(204, a_shortcut, SHORTCUT_WRITE),
    ("POST", "/file_system_shortcut/reorder"): refused_to_keys(reordering),
    ("POST", "/file_system_shortcut/bulk_update"): refused_to_keys(bulk_change),
}
# The actions answer 405 for the methods they do not take, rather than reading their name
# as an entry id.
for _action, _allowed in {
    "/file_system/count_by_path": ("POST",),
    "/file_system/undo_delete": ("POST",),
    "/file_system/unfiled": ("GET",),
    "/file_system/log_view": ("GET", "POST"),
    "/file_system_shortcut/reorder": ("POST",),
    "/file_system_shortcut/bulk_update": ("POST",),
}.items():
    for _method in METHODS:
        if _method not in _allowed:
            ENDPOINTS[(_method, _action)] = WRONG_METHOD


@dataclass(frozen=True)
class AccountEndpoint:
    """A route outside the projects (the user, the lists a project switcher reads, the key).

    ``scope`` ``None``: any key may ask. ``project_keys``: a key limited to some projects may
    ask too (PostHog refuses such keys on every other endpoint outside the projects).
    """

    scope: str | None
    project_keys: bool = False
    path: dict[str, str] = field(default_factory=dict)


ACCOUNT_ENDPOINTS: dict[tuple[str, str], AccountEndpoint] = {
    ("GET", "/api/users/@me"): AccountEndpoint("user:read", project_keys=True),
    ("GET", "/api/projects"): AccountEndpoint("project:read"),
    ("GET", "/api/environments"): AccountEndpoint("project:read"),
    ("GET", "/api/organizations"): AccountEndpoint("organization:read"),
    ("GET", "/api/organizations/{organization_id}/projects"): AccountEndpoint(
        "project:read", path={"organization_id": "@current"}
    ),
    ("GET", "/api/personal_api_keys/@current"): AccountEndpoint(None, project_keys=True),
}
SCOPED_KEY_OUTSIDE_PROJECTS = {
    "type": "authentication_error",
    "code": "permission_denied",
    "detail": "API keys with scoped projects are only supported on project-based endpoints.",
    "attr": None,
}
NO_PERSONAL_KEY_ACCESS = {
    "type": "authentication_error",
    "code": "permission_denied",
    "detail": "This action does not support personal API key access",
    "attr": None,
}

# Routes outside the projects, with no personal API key involved: method -> status for all.
PUBLIC: dict[tuple[str, str], int] = {
    ("GET", "/_health"): 200,
    ("GET", "/openapi.json"): 200,
    ("HEAD", "/openapi.json"): 200,
    ("GET", "/api/schema"): 200,
    ("GET", "/api/schema/"): 200,
    ("GET", "/docs"): 200,
    ("HEAD", "/docs"): 200,
    ("GET", "/docs/oauth2-redirect"): 200,
    ("HEAD", "/docs/oauth2-redirect"): 200,
    ("GET", "/redoc"): 200,
    ("HEAD", "/redoc"): 200,
}
# Capture authenticates by the public project token in the body, never by a personal key.
CAPTURE_PATHS = ("/capture", "/e", "/i/v0/e", "/track", "/engage", "/batch")
CAPTURE_V1 = "/i/v1/analytics/events"
CAPTURE_AI = "/i/v0/ai"  # one event as multipart/form-data, the token as Bearer
CAPTURE_AI_BATCH = "/i/v0/ai/batch"  # a /batch/ body of AI events
CAPTURE = {(method, path) for path in CAPTURE_PATHS for method in ("POST", "GET")} | {
    ("POST", CAPTURE_V1),
    ("POST", CAPTURE_AI),
    ("POST", CAPTURE_AI_BATCH),
}
MISSING_TOKEN_BODY = {
    "type": "authentication_error",
    "code": "missing_api_key",
    "detail": MISSING_TOKEN,
    "attr": None,
}
INVALID_TOKEN_BODY = {
    "type": "authentication_error",
    "code": "invalid_api_key",
    "detail": INVALID_TOKEN,
    "attr": None,
}


def project_routes() -> list[tuple[str, str]]:
    """Every concrete (method, path) the table implies: both prefixes, with and without the
    trailing slash."""
    return [
        (method, prefix + template + slash)
        for (method, template) in ENDPOINTS
        for prefix in PROJECT_PREFIXES
        for slash in ("/", "")
    ]


def account_routes() -> list[tuple[str, str]]:
    return [(method, path + slash) for method, path in ACCOUNT_ENDPOINTS for slash in ("/", "")]


def outside_routes() -> list[tuple[str, str]]:
    routes = list(PUBLIC)
    routes += [(method, path + slash) for method, path in CAPTURE for slash in ("/", "")]
    routes += account_routes()
    return routes


def route_ids(routes: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {path}" for method, path in routes]


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the running app answers."""
    # FastAPI >= 0.120 keeps included routers nested; older versions flatten them.
    iterate = getattr(fastapi.routing, "iter_route_contexts", None)
    routes = iterate(app.routes) if iterate is not None else app.routes
    found: set[tuple[str, str]] = set()
    for route in routes:
        path, methods = getattr(route, "path", None), getattr(route, "methods", None)
        if path is not None and methods:
            found.update((method, path) for method in methods)
    return found


# --------------------------------------------------------------------------- checking


def template_of(route_path: str) -> str:
    for prefix in PROJECT_PREFIXES:
        if route_path.startswith(prefix):
            return route_path[len(prefix) :].rstrip("/")
    raise AssertionError(route_path)


def url_for(route_path: str, project: int, call: Call) -> str:
    return route_path.format(project_id=project, **call.path)


def send(
    matrix: Matrix, method: str, route_path: str, key: str | None, project: int, call: Call
) -> httpx.Response:
    client = matrix.client(key)
    return client.request(
        method, url_for(route_path, project, call), params=call.query, json=call.json
    )


def refused_without_writing(
    matrix: Matrix,
    method: str,
    route_path: str,
    key: str | None,
    project: int,
    endpoint: Endpoint,
) -> httpx.Response:
    # Targets live in the project asked about; a project that does not exist gets project
    # 1's, as an attacker guessing ids would.
    home = project if project in PROJECTS else 1
    call = endpoint.prepare(matrix, matrix.admin(home), home)
    before = fingerprint(matrix.db)
    resp = send(matrix, method, route_path, key, project, call)
    assert fingerprint(matrix.db) == before, f"{method} {route_path} with a refused key wrote"
    return resp


def expected_refusals(endpoint: Endpoint) -> list[tuple[str, str | None, int, int, Any]]:
    """(kind, key, project, status, body) for every kind of caller that must be refused or,
    for an authentication-only route, still answered 405."""
    cases: list[tuple[str, str | None, int, int, Any]] = [
        ("no key", None, 1, 401, NOT_AUTHENTICATED),
        ("unknown key", UNKNOWN_KEY, 1, 401, AUTHENTICATION_FAILED),
    ]
    if endpoint.no_keys:
        # Before anything else, whatever the key's scopes or projects, whatever the project.
        for kind, key, project in (
            ("unrelated scope", UNRELATED_SCOPE_KEY, 1),
            ("another project's key", P1_KEY, OTHER_PROJECT),
            ("a project that does not exist", ADMIN_KEY, NO_PROJECT),
        ):
            cases.append((kind, key, project, 403, NO_PERSONAL_KEY_ACCESS))
        return cases
    if not endpoint.scopes:
        not_allowed = None  # filled per method by the caller
        cases.append(("unrelated scope", UNRELATED_SCOPE_KEY, 1, 405, not_allowed))
        cases.append(("another project's key", P1_KEY, OTHER_PROJECT, 405, not_allowed))
        cases.append(("a project that does not exist", ADMIN_KEY, NO_PROJECT, 405, not_allowed))
        return cases
    for scope in endpoint.scopes:
        cases.append((f"without {scope}", key_without(scope), 1, 403, missing_scope(scope)))
    cases.append(
        ("another project's key", P1_KEY, OTHER_PROJECT, 403, no_project_access(OTHER_PROJECT))
    )
    cases.append(("a project that does not exist", ADMIN_KEY, NO_PROJECT, 404, PROJECT_NOT_FOUND))
    return cases


def method_not_allowed(method: str) -> dict[str, Any]:
    return {
        "type": "invalid_request",
        "code": "method_not_allowed",
        "detail": f'Method "{method}" not allowed.',
        "attr": None,
    }


# --------------------------------------------------------------------------- tests


def test_every_route_is_in_the_matrix(matrix: Matrix) -> None:
    """The table and the running app name the same routes: a new endpoint fails here until
    the matrix covers it, and so does a route the table invents."""
    served = app_routes(matrix.app)
    listed = set(project_routes()) | set(outside_routes())
    assert served - listed == set(), "routes the auth matrix does not cover"
    assert listed - served == set(), "routes the matrix lists but the app does not serve"


def test_every_documented_operation_is_a_route(matrix: Matrix) -> None:
    """The OpenAPI schema agrees with the routes found (so the enumeration itself works)."""
    schema = expect(httpx.get(f"{matrix.url}/openapi.json"), 200)
    documented = {
        (method.upper(), path) for path, item in schema["paths"].items() for method in item
    }
    assert documented and documented <= app_routes(matrix.app)


@pytest.mark.parametrize(
    ("method", "route_path"), project_routes(), ids=route_ids(project_routes())
)
def test_project_route_refuses_every_wrong_caller_and_serves_the_right_one(
    matrix: Matrix, method: str, route_path: str
) -> None:
    endpoint = ENDPOINTS[(method, template_of(route_path))]
    for kind, key, project, status, expected in expected_refusals(endpoint):
        resp = refused_without_writing(matrix, method, route_path, key, project, endpoint)
        want = expected if expected is not None else method_not_allowed(method)
        assert resp.status_code == status, f"{kind}: {resp.status_code} {resp.text[:300]}"
        assert resp.json() == want, kind

    admin = matrix.admin(1)
    call = endpoint.prepare(matrix, admin, 1)
    before = fingerprint(matrix.db)
    resp = send(matrix, method, route_path, ADMIN_KEY, 1, call)
    assert resp.status_code == endpoint.success, resp.text[:500]
    if endpoint.no_keys:
        assert resp.json() == NO_PERSONAL_KEY_ACCESS
    elif endpoint.success == 405 and endpoint.scopes:
        assert resp.content == b""  # evaluations: PostHog's bare 405
    elif endpoint.success == 405:
        assert resp.json() == method_not_allowed(method)
    changed = fingerprint(matrix.db) != before
    assert changed is endpoint.writes, (
        "a write endpoint must write (else its refusals prove nothing)"
    )


def _unregistered_methods() -> list[tuple[str, str]]:
    """(method, path) for every method a project path does not take at all."""
    taken: dict[str, set[str]] = {}
    for method, template in ENDPOINTS:
        taken.setdefault(template, set()).add(method)
    return [
        (method, PROJECT_PREFIXES[0] + template + "/")
        for template, methods in sorted(taken.items())
        for method in METHODS
        if method not in methods
    ]


def _any_target(matrix: Matrix, admin: httpx.Client) -> Call:
    """Path parameters for any template: real ids, so only the method can be wrong."""
    box = a_box(matrix, admin, 1).path["entry_id"]
    return Call(
        path={
            "entry_id": box,
            "evaluation_id": "1",
            "event_id": an_event(matrix, admin, 1).path["event_id"],
            "export_id": an_export(matrix, admin, 1).path["export_id"],
            "insight_id": str(matrix.seeded.insight[1]),
            "dashboard_id": a_dashboard(matrix, admin, 1).path["dashboard_id"],
            "shortcut_id": a_shortcut(matrix, admin, 1).path["shortcut_id"],
        }
    )


@pytest.mark.parametrize(
    ("method", "route_path"), _unregistered_methods(), ids=route_ids(_unregistered_methods())
)
def test_a_method_no_route_takes_is_401_then_405_and_writes_nothing(
    matrix: Matrix, method: str, route_path: str
) -> None:
    """PostHog authenticates before it looks at the method."""
    admin = matrix.admin(1)
    call = _any_target(matrix, admin)
    json_body = {"path": "Matrix/never", "new_path": "Matrix/never"}
    for key, status, expected in (
        (None, 401, NOT_AUTHENTICATED),
        (UNKNOWN_KEY, 401, AUTHENTICATION_FAILED),
        (ADMIN_KEY, 405, method_not_allowed(method)),
    ):
        before = fingerprint(matrix.db)
        resp = send(matrix, method, route_path, key, 1, Call(call.path, json=json_body))
        assert fingerprint(matrix.db) == before
        assert resp.status_code == status, resp.text[:300]
        assert resp.json() == expected


def account_cases(endpoint: AccountEndpoint) -> list[tuple[str, str | None, int, Any]]:
    """(kind, key, status, body) for every kind of caller of a route outside the projects;
    a body of ``None`` is the route's success."""
    cases: list[tuple[str, str | None, int, Any]] = [
        ("no key", None, 401, NOT_AUTHENTICATED),
        ("unknown key", UNKNOWN_KEY, 401, AUTHENTICATION_FAILED),
    ]
    if endpoint.scope is not None:
        scope = endpoint.scope
        cases.append((f"without {scope}", key_without(scope), 403, missing_scope(scope)))
    if endpoint.project_keys:
        cases.append(("a key limited to project 1", P1_KEY, 200, None))
    else:
        cases.append(("a key limited to project 1", P1_KEY, 403, SCOPED_KEY_OUTSIDE_PROJECTS))
    cases.append(("a key with every scope", ADMIN_KEY, 200, None))
    return cases


@pytest.mark.parametrize(
    ("method", "route_path"), account_routes(), ids=route_ids(account_routes())
)
def test_account_route_refuses_every_wrong_caller_and_serves_the_right_one(
    matrix: Matrix, method: str, route_path: str
) -> None:
    endpoint = ACCOUNT_ENDPOINTS[(method, route_path.rstrip("/"))]
    url = route_path.format(**endpoint.path)
    for kind, key, status, expected in account_cases(endpoint):
        before = fingerprint(matrix.db)
        resp = matrix.client(key).request(method, url)
        assert fingerprint(matrix.db) == before, f"{kind}: {method} {url} wrote"
        assert resp.status_code == status, f"{kind}: {resp.status_code} {resp.text[:300]}"
        if expected is not None:
            assert resp.json() == expected, kind


@pytest.mark.parametrize(
    ("method", "route_path"),
    [
        (method, path + "/")
        for (_, path) in ACCOUNT_ENDPOINTS
        for method in METHODS
        if (method, path) not in ACCOUNT_ENDPOINTS
    ],
)
def test_a_method_no_account_route_takes_is_401_then_405(
    matrix: Matrix, method: str, route_path: str
) -> None:
    url = route_path.format(**ACCOUNT_ENDPOINTS[("GET", route_path.rstrip("/"))].path)
    for key, status, expected in (
        (None, 401, NOT_AUTHENTICATED),
        (ADMIN_KEY, 405, method_not_allowed(method)),
    ):
        before = fingerprint(matrix.db)
        resp = matrix.client(key).request(method, url, json={"name": "never"})
        assert fingerprint(matrix.db) == before
        assert resp.status_code == status, resp.text[:300]
        assert resp.json() == expected


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC), ids=route_ids(sorted(PUBLIC)))
def test_public_routes_answer_every_caller_alike_and_write_nothing(
    matrix: Matrix, method: str, path: str
) -> None:
    for key in (None, UNKNOWN_KEY, key_without("file_system:read"), P1_KEY, ADMIN_KEY):
        before = fingerprint(matrix.db)
        client = matrix.client(key)
        resp = client.request(method, path)
        assert resp.status_code == PUBLIC[(method, path)], resp.text[:300]
        assert fingerprint(matrix.db) == before


@pytest.mark.parametrize("path", sorted(CAPTURE_PATHS))
@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_capture_takes_only_a_project_token(matrix: Matrix, path: str, slash: str) -> None:
    """No token, an unknown token, or a personal API key (in the body or as Bearer) is a 401
    that stores nothing; the project's token stores the event."""
    event = {"event": "matrix", "distinct_id": "someone"}
    url = path + slash

    def body(token: str | None) -> dict[str, Any]:
        fields = {} if token is None else {"api_key": token}
        if path == "/batch":
            return {**fields, "batch": [event]}
        return {**fields, **event}

    refusals: list[tuple[str | None, str | None, dict[str, Any]]] = [
        (None, None, MISSING_TOKEN_BODY),
        (None, "phc_nobody_issued_this", INVALID_TOKEN_BODY),
        (None, ADMIN_KEY, INVALID_TOKEN_BODY),
        (ADMIN_KEY, None, MISSING_TOKEN_BODY),
        (P1_KEY, None, MISSING_TOKEN_BODY),
    ]
    for bearer, token, expected in refusals:
        before = fingerprint(matrix.db)
        client = matrix.client(bearer)
        resp = client.post(url, json=body(token))
        assert fingerprint(matrix.db) == before
        assert resp.status_code == 401, resp.text[:300]
        assert resp.json() == expected

    before = fingerprint(matrix.db)
    client = matrix.client(None)
    assert expect(client.post(url, json=body(matrix.seeded.token[1])), 200) == {"status": 1}
    assert fingerprint(matrix.db) != before


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_capture_v1_takes_only_a_project_token_as_bearer(matrix: Matrix, slash: str) -> None:
    """v1 reads the token from ``Authorization: Bearer`` alone: none is 401 missing, a
    personal key or a stranger's token 401 invalid, storing nothing."""
    event = {"event": "matrix_v1", "distinct_id": "someone", "uuid": str(uuid.uuid4())}
    body = {"created_at": "2026-01-01T00:00:00Z", "batch": [event]}
    url = CAPTURE_V1 + slash
    for bearer, expected in (
        (None, MISSING_TOKEN_BODY),
        (ADMIN_KEY, INVALID_TOKEN_BODY),
        ("phc_nobody_issued_this", INVALID_TOKEN_BODY),
    ):
        before = fingerprint(matrix.db)
        resp = matrix.client(bearer).post(url, json=body)
        assert fingerprint(matrix.db) == before
        assert resp.status_code == 401, resp.text[:300]
        assert resp.json() == expected
    accepted = matrix.client(matrix.seeded.token[1]).post(url, json=body)
    assert expect(accepted, 200) == {"results": {event["uuid"]: {"result": "ok"}}}


def ai_form(event_id: str) -> tuple[bytes, str]:
    """A multipart body of one AI event, as /i/v0/ai takes it."""
    event = {
        "event": "$ai_generation",
        "distinct_id": "someone",
        "uuid": event_id,
        "properties": {"$ai_model": "matrix-model"},
    }
    boundary = "matrix-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="event"\r\n\r\n'
        f"{json.dumps(event)}\r\n--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_capture_ai_takes_only_a_project_token_as_bearer(matrix: Matrix, slash: str) -> None:
    """The multipart AI route reads the token from ``Authorization: Bearer`` alone."""
    body, content_type = ai_form(str(uuid.uuid4()))
    url = CAPTURE_AI + slash
    for bearer, expected in (
        (None, MISSING_TOKEN_BODY),
        (ADMIN_KEY, INVALID_TOKEN_BODY),
        ("phc_nobody_issued_this", INVALID_TOKEN_BODY),
    ):
        before = fingerprint(matrix.db)
        resp = matrix.client(bearer).post(url, content=body, headers={"Content-Type": content_type})
        assert fingerprint(matrix.db) == before
        assert resp.status_code == 401, resp.text[:300]
        assert resp.json() == expected
    before = fingerprint(matrix.db)
    accepted = matrix.client(matrix.seeded.token[1]).post(
        url, content=body, headers={"Content-Type": content_type}
    )
    assert expect(accepted, 200)["accepted_parts"][0]["name"] == "event"
    assert fingerprint(matrix.db) != before


@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
def test_capture_ai_batch_takes_only_a_project_token(matrix: Matrix, slash: str) -> None:
    """As /batch/: the token in the body; a personal key, as Bearer or as api_key, is none."""
    event = {"event": "$ai_trace", "distinct_id": "someone"}
    url = CAPTURE_AI_BATCH + slash
    for bearer, token, expected in (
        (None, None, MISSING_TOKEN_BODY),
        (ADMIN_KEY, None, MISSING_TOKEN_BODY),
        (None, ADMIN_KEY, INVALID_TOKEN_BODY),
        (None, "phc_nobody_issued_this", INVALID_TOKEN_BODY),
    ):
        fields = {} if token is None else {"api_key": token}
        before = fingerprint(matrix.db)
        resp = matrix.client(bearer).post(url, json={**fields, "batch": [event]})
        assert fingerprint(matrix.db) == before
        assert resp.status_code == 401, resp.text[:300]
        assert resp.json() == expected
    before = fingerprint(matrix.db)
    body = {"api_key": matrix.seeded.token[1], "batch": [event]}
    assert expect(matrix.client(None).post(url, json=body), 200) == {"status": 1}
    assert fingerprint(matrix.db) != before
