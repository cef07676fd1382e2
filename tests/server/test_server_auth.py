"""Conformance: authentication, scopes and projects (api.md section 1) and evaluations (5).

Every refused request is followed by a look at what the server holds: a refusal that still
wrote something is the worst kind of bug. The plain matrix (every route by no key, unknown key,
key without the scope, key of another project) is ``test_server_auth_matrix.py``; here are
the finer cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import (
    ADMIN_KEY,
    OTHER_USER_KEY,
    P1_KEY,
    READ_KEY,
    LiveServer,
    http_client,
    running_server,
    server_settings,
)
from support.server_helpers import (
    NOT_AUTHENTICATED,
    PROJECT_NOT_FOUND,
    assert_error,
    create,
    expect,
    missing_scope,
    snapshot,
    sole_entry,
    unfiled,
)

from tui.server.settings import ApiKeySpec

# Keys of the server this module starts itself, for scopes support.TEST_KEYS do not cover.
WRITE_ONLY_KEY = "phx_test_fs_write_only_0000000000000"
EVAL_WRITE_KEY = "phx_test_eval_write_00000000000000"
EVAL_READ_KEY = "phx_test_eval_read_000000000000000"
MIXED_KEY = "phx_test_mixed_scopes_000000000000"

# (method, path under /api/projects/<p>/, JSON body, scope it needs). ``{id}`` is the folder
# ``Box`` (holding one shortcut, so even a delete would succeed if it were let through).
READS: list[tuple[str, str, Any]] = [
    ("GET", "file_system/", None),
    ("GET", "file_system/{id}/", None),
    ("POST", "file_system/{id}/count/", None),
    ("POST", "file_system/count_by_path/?path=Box", None),
    # A read by PostHog's scope lists, though it writes (api.md 8.4).
    ("GET", "file_system/unfiled/", None),
]
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "file_system/", {"path": "Refused/new entry"}),
    ("PATCH", "file_system/{id}/", {"path": "Refused/renamed"}),
    ("DELETE", "file_system/{id}/", None),
    ("POST", "file_system/{id}/link/", {"new_path": "Refused/linked"}),
    ("POST", "file_system/{id}/move/", {"new_path": "Refused/moved"}),
    ("POST", "file_system/undo_delete/", {"items": [{"type": "dashboard", "ref": "1"}]}),
]
ALL = READS + WRITES


def _ids(cases: list[tuple[str, str, Any]]) -> list[str]:
    return [f"{method} {path}" for method, path, _ in cases]


def make_box(api: httpx.Client) -> str:
    box = create(api, "Box", type="folder")
    create(api, "Box/📊 shortcut [1]", type="dashboard", ref="1", shortcut=True)
    return box["id"]


def send(client: httpx.Client, method: str, path: str, payload: Any, box_id: str) -> httpx.Response:
    url = path.format(id=box_id)
    if payload is None:
        return client.request(method, url)
    return client.request(method, url, json=payload)


@pytest.fixture
def box(api: httpx.Client) -> str:
    return make_box(api)


@pytest.fixture
def scoped_server(tmp_path: Path) -> Iterator[str]:
    """A server of our own whose keys hold scopes the shared fixtures do not have."""
    keys = (
        ApiKeySpec.parse(ADMIN_KEY),
        ApiKeySpec.parse(f"{WRITE_ONLY_KEY}=file_system:write"),
        ApiKeySpec.parse(f"{EVAL_WRITE_KEY}=evaluation:write"),
        ApiKeySpec.parse(f"{EVAL_READ_KEY}=evaluation:read"),
        ApiKeySpec.parse(f"{MIXED_KEY}=evaluation:read,file_system:read"),
    )
    settings = server_settings(tmp_path / "scoped.sqlite3", "empty", keys=keys)
    with running_server(settings, wait=True) as server:
        yield server.url


def client_for(url: str, key: str | None, project: int | str = 1) -> httpx.Client:
    return http_client(f"{url}/api/projects/{project}/", key)


# --- 401 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        f"bearer {ADMIN_KEY}",
        f"BEARER {ADMIN_KEY}",
        f"Token {ADMIN_KEY}",
        f"Basic {ADMIN_KEY}",
        ADMIN_KEY,
    ],
    ids=["lowercase-bearer", "uppercase-bearer", "token", "basic", "bare-key"],
)
def test_authorization_without_the_bearer_keyword_is_no_credentials(
    live_server: LiveServer, api: httpx.Client, header: str
) -> None:
    """``Bearer`` is case-sensitive: anything else is not a personal API key at all."""
    before = snapshot(api)
    with httpx.Client(base_url=f"{live_server.url}/api/projects/1/", timeout=30) as raw:
        resp = raw.get("file_system/", headers={"Authorization": header})
        assert_error(resp, 401, NOT_AUTHENTICATED)
        resp = raw.post("file_system/", json={"path": "sneaky"}, headers={"Authorization": header})
        assert_error(resp, 401, NOT_AUTHENTICATED)
    assert snapshot(api) == before


@pytest.mark.parametrize("spaces", [1, 2, 5])
def test_bearer_accepts_one_or_more_spaces(
    live_server: LiveServer, api: httpx.Client, spaces: int
) -> None:
    header = {"Authorization": "Bearer" + " " * spaces + ADMIN_KEY}
    with httpx.Client(base_url=f"{live_server.url}/api/projects/1/", timeout=30) as raw:
        created = expect(
            raw.post("file_system/", json={"path": f"spaced {spaces}"}, headers=header), 201
        )
        page = expect(raw.get("file_system/", headers=header), 200)
    assert [e["id"] for e in page["results"]] == [created["id"]]


# --- 403: scopes --------------------------------------------------------------------------------


def test_read_only_key_refused_before_the_body_is_validated(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """The scope check comes first: an invalid body from a read-only key is still a 403."""
    with live_server.client(READ_KEY) as reader:
        assert_error(reader.post("file_system/", json={}), 403, missing_scope("file_system:write"))
    assert snapshot(api) == []


def test_read_only_key_runs_unfiled_on_the_demo(demo_server: LiveServer) -> None:
    """``unfiled`` creates entries, yet PostHog lists it among the reads: ``file_system:read``
    is enough (api.md 8.4)."""
    with demo_server.client() as admin, demo_server.client(READ_KEY) as reader:
        unfiled(admin)
        # Detach one insight from its only entry so that unfiled has something to create.
        insight = sole_entry(admin, "insight")
        expect(admin.patch(f"file_system/{insight['id']}/", json={"ref": "detached-by-test"}), 200)
        before = snapshot(admin)
        assert unfiled(reader) == 1
        after = snapshot(admin)
        assert len(after) == len(before) + 1
        assert next(e for e in after if e not in before)["ref"] == insight["ref"]


@pytest.mark.parametrize(("method", "path", "payload"), READS, ids=_ids(READS))
def test_read_only_key_can_read(
    live_server: LiveServer, box: str, method: str, path: str, payload: Any
) -> None:
    with live_server.client(READ_KEY) as reader:
        got = expect(send(reader, method, path, payload, box), 200)
    assert got


def test_read_only_key_reads_what_admin_wrote(live_server: LiveServer, api: httpx.Client) -> None:
    entry = create(api, "Reports/Q4 \\/ Q1 📈", type="insight", ref="abc123")
    with live_server.client(READ_KEY) as reader:
        assert expect(reader.get(f"file_system/{entry['id']}/"), 200) == entry
        listed = expect(reader.get("file_system/", params={"path": entry["path"]}), 200)
    assert [e["id"] for e in listed["results"]] == [entry["id"]]


@pytest.mark.parametrize(("method", "path", "payload"), READS, ids=_ids(READS))
def test_write_scope_satisfies_read_scope(
    scoped_server: str, method: str, path: str, payload: Any
) -> None:
    with (
        client_for(scoped_server, ADMIN_KEY) as admin,
        client_for(scoped_server, WRITE_ONLY_KEY) as writer,
    ):
        box = make_box(admin)
        expect(send(writer, method, path, payload, box), 200)


def test_write_only_key_writes(scoped_server: str) -> None:
    with (
        client_for(scoped_server, WRITE_ONLY_KEY) as writer,
        client_for(scoped_server, ADMIN_KEY) as admin,
    ):
        created = expect(writer.post("file_system/", json={"path": "Writer/🖊 note"}), 201)
        assert expect(admin.get(f"file_system/{created['id']}/"), 200)["path"] == "Writer/🖊 note"


def test_read_scope_among_others_reads_but_does_not_write(scoped_server: str) -> None:
    with (
        client_for(scoped_server, ADMIN_KEY) as admin,
        client_for(scoped_server, MIXED_KEY) as mixed,
    ):
        box = make_box(admin)
        expect(mixed.get("file_system/"), 200)
        before = snapshot(admin)
        for method, path, payload in WRITES:
            assert_error(
                send(mixed, method, path, payload, box), 403, missing_scope("file_system:write")
            )
        assert snapshot(admin) == before


# --- 403: projects ------------------------------------------------------------------------------


def test_project_limited_key_works_on_its_project(
    live_server: LiveServer, api: httpx.Client
) -> None:
    with live_server.client(P1_KEY, project=1) as p1:
        created = expect(p1.post("file_system/", json={"path": "Mine/🗂"}), 201)
        expect(p1.get(f"file_system/{created['id']}/"), 200)
    assert get_path(api, created["id"]) == "Mine/🗂"


def get_path(api: httpx.Client, entry_id: str) -> str:
    return expect(api.get(f"file_system/{entry_id}/"), 200)["path"]


@pytest.mark.parametrize(
    "project",
    # "²" is a digit to str.isdigit, and 5,000 digits are more than int() parses: both were 500s.
    ["3", "999999", "abc", "1abc", "0", "-1", "²", pytest.param("9" * 5000, id="5000-digits")],
)
@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("GET", "file_system/", None),
        ("POST", "file_system/", {"path": "Nowhere/x"}),
        ("POST", "file_system/count_by_path/?path=Box", None),
        ("GET", "file_system/unfiled/", None),
    ],
    ids=["list", "create", "count_by_path", "unfiled"],
)
def test_unknown_project_is_404(
    live_server: LiveServer, project: str, method: str, path: str, payload: Any
) -> None:
    with (
        live_server.client(ADMIN_KEY, project=1) as p1,
        live_server.client(ADMIN_KEY, project=2) as p2,
    ):
        before = (snapshot(p1), snapshot(p2))
        with client_for(live_server.url, ADMIN_KEY, project) as nowhere:
            assert_error(send(nowhere, method, path, payload, ""), 404, PROJECT_NOT_FOUND)
        assert (snapshot(p1), snapshot(p2)) == before


def test_projects_are_separate(live_server: LiveServer, api: httpx.Client) -> None:
    in_one = create(api, "Shared name/📁")
    with live_server.client(ADMIN_KEY, project=2) as p2:
        in_two = expect(p2.post("file_system/", json={"path": "Shared name/📁"}), 201)
        assert [
            e["id"]
            for e in p2.get("file_system/", params={"path": "Shared name/📁"}).json()["results"]
        ] == [in_two["id"]]
    assert [
        e["id"]
        for e in api.get("file_system/", params={"path": "Shared name/📁"}).json()["results"]
    ] == [in_one["id"]]


def test_second_user_sees_the_same_project(live_server: LiveServer, api: httpx.Client) -> None:
    mine = create(api, "Team/shared 🤝")
    with live_server.client(OTHER_USER_KEY) as other:
        assert expect(other.get(f"file_system/{mine['id']}/"), 200)["path"] == "Team/shared 🤝"


# --- evaluations (section 5) --------------------------------------------------------------------

EVALUATION_IDS = ["1", "0", "abc", "018f0e6e-0000-7000-8000-000000000000", "ünï 🚀", "-5"]


@pytest.mark.parametrize("prefix", ["projects", "environments"])
@pytest.mark.parametrize("slash", ["/", ""], ids=["slash", "no-slash"])
@pytest.mark.parametrize("evaluation_id", EVALUATION_IDS)
def test_evaluation_delete_is_405_with_no_body(
    live_server: LiveServer, prefix: str, slash: str, evaluation_id: str
) -> None:
    url = f"{live_server.url}/api/{prefix}/1/evaluations/{evaluation_id}{slash}"
    resp = httpx.delete(url, headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=30)
    assert resp.status_code == 405, resp.text
    assert resp.content == b""


def test_evaluation_delete_needs_evaluation_write(live_server: LiveServer) -> None:
    with live_server.client(READ_KEY) as reader:
        assert_error(reader.delete("evaluations/1/"), 403, missing_scope("evaluation:write"))


def test_evaluation_read_scope_is_not_enough_to_delete(scoped_server: str) -> None:
    with client_for(scoped_server, EVAL_READ_KEY) as reader:
        assert_error(reader.delete("evaluations/1/"), 403, missing_scope("evaluation:write"))
    with client_for(scoped_server, MIXED_KEY) as mixed:
        assert_error(mixed.delete("evaluations/1/"), 403, missing_scope("evaluation:write"))


def test_evaluation_write_scope_alone_reaches_the_405(scoped_server: str) -> None:
    with client_for(scoped_server, EVAL_WRITE_KEY) as evaluator:
        resp = evaluator.delete("evaluations/42/")
    assert resp.status_code == 405, resp.text
    assert resp.content == b""


@pytest.mark.parametrize("project", ["3", "abc"])
def test_evaluation_delete_on_an_unknown_project_is_404(
    live_server: LiveServer, project: str
) -> None:
    with client_for(live_server.url, ADMIN_KEY, project) as nowhere:
        assert_error(nowhere.delete("evaluations/1/"), 404, PROJECT_NOT_FOUND)
