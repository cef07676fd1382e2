"""Conformance: what lives outside the projects (api.md 8.6): the current user, the projects
and environments a project switcher lists, the organisations, the key itself; and who the
demo's own keys act as.

Scopes and the 401/403s of every one of these routes are in the auth matrix
(test_server_auth_matrix.py); this module checks what they answer.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from support import (
    ADMIN_KEY,
    P1_KEY,
    READ_KEY,
    TEST_KEYS,
    LiveServer,
    http_client,
    running_server,
    server_settings,
)
from support.db_inspect import read_only
from support.server_helpers import NOT_FOUND, assert_error, expect, module_server

from tui.server.settings import ApiKeySpec
from tui.server.store import accounts

TEAM_FIELDS = {
    "id",
    "uuid",
    "organization",
    "project_id",
    "api_token",
    "name",
    "timezone",
    "is_demo",
}
DEMO_KEY = "phx_test_demo_run_one_000000000000"
NEXT_RUN_KEY = "phx_test_demo_run_two_000000000000"


server = module_server("accounts")


def get(server: LiveServer, path: str, key: str = ADMIN_KEY, **params: Any) -> Any:
    with http_client(server.url, key) as client:
        return expect(client.get(path, params=params), 200)


def test_me_is_the_keys_user_in_the_one_organisation(server: LiveServer) -> None:
    me = get(server, "/api/users/@me/")
    assert me["email"] == "key.1@hogtree.local" and me["first_name"] == "Key 1"
    organization = me["organization"]
    assert (organization["id"], organization["name"]) == (
        accounts.ORGANIZATION.id,
        accounts.ORGANIZATION.name,
    )
    assert [team["id"] for team in organization["teams"]] == [1, 2]
    assert all(set(team) == TEAM_FIELDS for team in organization["teams"])
    assert organization["projects"] == [
        {"id": n, "organization_id": accounts.ORGANIZATION.id, "name": f"Project {n}"}
        for n in (1, 2)
    ]
    assert [org["id"] for org in me["organizations"]] == [accounts.ORGANIZATION.id]
    assert me["team"]["id"] == 1
    # Another key is another user; a key limited to a project may still ask.
    assert get(server, "/api/users/@me/", P1_KEY)["email"] == "key.3@hogtree.local"


def test_projects_and_environments_list_every_project_once(server: LiveServer) -> None:
    projects = get(server, "/api/projects/")
    assert projects["count"] == 2 and projects["next"] is None
    for team in projects["results"]:
        assert set(team) == TEAM_FIELDS
        assert team["id"] == team["project_id"]  # one environment per project, same id
        assert team["organization"] == accounts.ORGANIZATION.id
        assert team["api_token"].startswith("phc_")
    assert get(server, "/api/environments/") == projects
    for organization in ("@current", accounts.ORGANIZATION.id):
        assert get(server, f"/api/organizations/{organization}/projects/") == projects
    first = get(server, "/api/projects/", limit=1)
    assert [t["id"] for t in first["results"]] == [1] and first["next"] is not None
    with http_client(server.url, ADMIN_KEY) as client:
        assert_error(client.get("/api/organizations/someone-elses/projects/"), 404, NOT_FOUND)


def test_organizations(server: LiveServer) -> None:
    listed = get(server, "/api/organizations/")
    assert listed["results"] == [
        {
            "id": accounts.ORGANIZATION.id,
            "name": accounts.ORGANIZATION.name,
            "slug": accounts.ORGANIZATION.slug,
            "membership_level": accounts.OWNER_LEVEL,
        }
    ]


@pytest.mark.parametrize(
    ("key", "scopes", "teams"),
    [(ADMIN_KEY, ["*"], None), (READ_KEY, ["file_system:read"], None), (P1_KEY, ["*"], [1])],
)
def test_the_key_reads_its_own_rules_and_never_its_value(
    server: LiveServer, key: str, scopes: list[str], teams: list[int] | None
) -> None:
    info = get(server, "/api/personal_api_keys/@current/", key)
    assert (info["scopes"], info["scoped_teams"], info["scoped_organizations"]) == (
        scopes,
        teams,
        None,
    )
    assert info["value"] is None
    assert key not in str(info) and key[4:12] not in str(info)
    with read_only(server.db_path) as conn:
        (user_id,) = conn.execute(
            "SELECT id FROM users WHERE key_hash = ?", (accounts.key_hash(key),)
        ).fetchone()
    assert info["user_id"] == user_id
    assert get(server, "/api/personal_api_keys/@current/", key)["id"] == info["id"]


# --- the demo ------------------------------------------------------------------------------------


def demo_settings(db_path: Path, *keys: ApiKeySpec) -> Any:
    return server_settings(db_path, "demo", projects=(1,), keys=(*TEST_KEYS, *keys))


@pytest.fixture
def demo_copy(tmp_path: Path, demo_database: Path) -> Path:
    db_path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_database, db_path)
    return db_path


def test_the_demos_own_keys_act_as_its_owner_run_after_run(demo_copy: Path) -> None:
    """Each run of the embedded demo makes a new key: every one sees the owner's Shortcuts
    and Recents, and what one run starred the next still has."""
    first_run = demo_settings(demo_copy, ApiKeySpec(key=DEMO_KEY, as_demo_owner=True))
    with running_server(first_run, wait=True) as live, live.client(DEMO_KEY) as demo:
        assert get(live, "/api/users/@me/", DEMO_KEY)["email"] == accounts.DEMO_OWNER_EMAIL
        recent = expect(demo.get("file_system/", params={"order_by": "-last_viewed_at"}), 200)
        assert recent["results"] and recent["results"][0]["path"] == "Marketing/Weekly signups"
        starred = expect(demo.post("file_system_shortcut/", json={"path": "From run one"}), 201)
        with live.client(ADMIN_KEY) as plain:  # any other key is a user of its own
            assert expect(plain.get("file_system_shortcut/"), 200)["count"] == 0
    next_run = demo_settings(demo_copy, ApiKeySpec(key=NEXT_RUN_KEY, as_demo_owner=True))
    with running_server(next_run, wait=True) as live, live.client(NEXT_RUN_KEY) as demo:
        ids = [s["id"] for s in expect(demo.get("file_system_shortcut/"), 200)["results"]]
        assert starred["id"] in ids and len(ids) >= 3


def test_the_demo_serves_its_second_project_whatever_the_settings(demo_copy: Path) -> None:
    with running_server(demo_settings(demo_copy), wait=True) as live:
        projects = get(live, "/api/projects/")
        assert [(t["id"], t["name"]) for t in projects["results"]] == [
            (1, "Hedgebox"),
            (2, "Staging"),
        ]
        with live.client(ADMIN_KEY, project=2) as staging:
            top = expect(staging.get("file_system/", params={"depth": 1}), 200)
        assert [e["path"] for e in top["results"]] == ["QA", "Releases"]


def test_a_demo_owner_key_on_a_database_without_the_demo_is_its_own_user(tmp_path: Path) -> None:
    settings = server_settings(
        tmp_path / "empty.sqlite3", "empty", keys=(ApiKeySpec(key=DEMO_KEY, as_demo_owner=True),)
    )
    with running_server(settings, wait=True) as live:
        assert get(live, "/api/users/@me/", DEMO_KEY)["email"] == "key.1@hogtree.local"
