"""The client's Shortcuts, Recents, account and project methods against a real local server
over real HTTP (the demo, whose owner has views and shortcuts), each checked against what
the server then holds, read back without the client under test.

One demo server for the module. Besides the test keys it takes a key acting as the demo's
owner (as the embedded demo's does) and a key that may read projects but not the user.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import (
    ADMIN_KEY,
    P1_KEY,
    READ_KEY,
    TEST_KEYS,
    LiveServer,
    connect,
    http_client,
    running_server,
    server_settings,
)

from tui.api import AuthenticationError, NotFoundError, PermissionDeniedError
from tui.server.settings import ApiKeySpec
from tui.server.store import accounts

OWNER_KEY = "phx_test_demo_owner_0000000000000000"
PROJECTS_ONLY_KEY = "phx_test_projects_only_00000000000000"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_database: Path) -> Iterator[LiveServer]:
    db_path = tmp_path_factory.mktemp("extras") / "demo.sqlite3"
    shutil.copyfile(demo_database, db_path)
    keys = (
        *TEST_KEYS,
        ApiKeySpec(key=OWNER_KEY, as_demo_owner=True),
        ApiKeySpec.parse(f"{PROJECTS_ONLY_KEY}=project:read"),
    )
    with running_server(server_settings(db_path, "demo", keys=keys)) as server:
        yield server


def held_shortcuts(server: LiveServer, key: str, project: int = 1) -> list[dict[str, Any]]:
    with server.client(key, project=project) as http:
        response = http.get("file_system_shortcut/", params={"limit": 1000})
        response.raise_for_status()
        return list(response.json()["results"])


# -- Shortcuts ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_add_list_and_remove_a_shortcut(demo: LiveServer) -> None:
    async with connect(demo, key=OWNER_KEY) as client:
        seeded = await client.shortcuts.list()
        assert [s.path for s in seeded][:2] == ["Weekly signups", "Product health"]
        added = await client.shortcuts.add(
            "Growth dashboard", type="dashboard", ref="9", href="/dashboard/9"
        )
        assert added.order == max(s.order for s in seeded) + 1
        again = await client.shortcuts.add(
            "Growth dashboard", type="dashboard", ref="9", href="/dashboard/9"
        )
        assert again.id == added.id
        assert [s["id"] for s in held_shortcuts(demo, OWNER_KEY)] == [
            *(s.id for s in seeded),
            added.id,
        ]
        await client.shortcuts.remove(added.id)
        assert added.id not in {s["id"] for s in held_shortcuts(demo, OWNER_KEY)}
        with pytest.raises(NotFoundError):
            await client.shortcuts.remove(added.id)


@pytest.mark.anyio
async def test_list_reads_every_page(demo: LiveServer) -> None:
    async with connect(demo, key=ADMIN_KEY, project=2) as client:
        made = [await client.shortcuts.add(f"Star {n:03d}") for n in range(103)]
        listed = await client.shortcuts.list()
        assert [s.id for s in listed] == [s.id for s in made]
        for shortcut in made:
            await client.shortcuts.remove(shortcut.id)
    assert held_shortcuts(demo, ADMIN_KEY, project=2) == []


# -- Recents -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_recent_is_what_the_server_lists_newest_first(demo: LiveServer) -> None:
    async with connect(demo, key=OWNER_KEY) as client:
        recent = await client.recent()
        assert recent[0].path == "Marketing/Weekly signups"
        stamps = [entry.last_viewed_at for entry in recent]
        assert all(stamps) and stamps == sorted(stamps, reverse=True)  # type: ignore[type-var]
        # The two latest views; fewer entries when one is of an object with no entry yet.
        latest = [e.path for e in await client.recent(limit=2)]
        assert 1 <= len(latest) <= 2 and latest == [e.path for e in recent[: len(latest)]]
        found = await client.recent(search="name:health")
        assert [e.path for e in found] == ["Product/Product health"]
    with http_client(demo.url, OWNER_KEY) as http:
        listed = http.get(
            "/api/projects/1/file_system/", params={"order_by": "-last_viewed_at"}
        ).json()
    assert [e["id"] for e in listed["results"]] == [e.id for e in recent]
    async with connect(demo, key=ADMIN_KEY) as stranger:
        assert await stranger.recent() == []


# -- the user, the key, the projects -----------------------------------------------------


@pytest.mark.anyio
async def test_me_and_key_info(demo: LiveServer) -> None:
    async with connect(demo, key=OWNER_KEY) as client:
        me = await client.accounts.me()
        info = await client.accounts.key_info()
    assert me.email == accounts.DEMO_OWNER_EMAIL and me.display_name == "Maya Chen"
    assert me.organization is not None and me.organization.name == accounts.ORGANIZATION.name
    assert (info.scopes, info.scoped_teams, info.user_id) == (["*"], None, me.id)
    async with connect(demo, key=P1_KEY) as limited:
        scoped = await limited.accounts.key_info()
    assert scoped.scoped_teams == [1] and scoped.allows_project(1)
    assert not scoped.allows_project(2)


@pytest.mark.anyio
async def test_projects_name_each_project_and_its_organisation(demo: LiveServer) -> None:
    async with connect(demo) as client:
        projects = await client.accounts.projects()
    assert [(p.id, p.name, p.organization_name) for p in projects] == [
        (1, "Hedgebox", "Hogtree Demo"),
        (2, "Staging", "Hogtree Demo"),
    ]
    assert {p.organization_id for p in projects} == {accounts.ORGANIZATION.id}


@pytest.mark.anyio
async def test_a_key_limited_to_a_project_lists_it_from_me(demo: LiveServer) -> None:
    """PostHog refuses such a key on /api/projects/: the user's organisation gives the
    projects, kept to the key's."""
    async with connect(demo, key=P1_KEY) as client:
        projects = await client.accounts.projects()
    assert [(p.id, p.name, p.organization_name) for p in projects] == [
        (1, "Hedgebox", "Hogtree Demo")
    ]


@pytest.mark.anyio
async def test_projects_without_user_read_have_no_organisation_name(demo: LiveServer) -> None:
    async with connect(demo, key=PROJECTS_ONLY_KEY) as client:
        projects = await client.accounts.projects()
    assert [(p.id, p.organization_name) for p in projects] == [(1, None), (2, None)]


@pytest.mark.anyio
async def test_projects_without_project_read_is_refused(demo: LiveServer) -> None:
    async with connect(demo, key=READ_KEY) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.accounts.projects()
    assert caught.value.missing_scope == "project:read"


@pytest.mark.anyio
async def test_for_project_opens_another_project_with_the_same_key(demo: LiveServer) -> None:
    async with connect(demo, key=OWNER_KEY) as client:
        async with client.for_project(2) as staging:
            assert (staging.host, staging.project_id) == (client.host, 2)
            top = await staging.list_folder("")
            assert [e.path for e in top.results] == ["QA", "Releases"]
            assert [s.ref for s in await staging.shortcuts.list()] == ["Releases/Candidates"]
            assert (await staging.accounts.me()).email == accounts.DEMO_OWNER_EMAIL
        # The first client is untouched by closing the second.
        assert (await client.list_folder("", limit=1)).results


@pytest.mark.anyio
async def test_a_refused_key_outside_the_project_says_so_without_the_key(
    demo: LiveServer,
) -> None:
    bad_key = "phx_not_a_key_this_server_knows_00000"
    async with connect(demo, key=bad_key) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.accounts.me()
    assert bad_key not in caught.value.message and caught.value.status == 401
    with pytest.raises(ValueError):
        client._transport.host_url("users/@me/")
