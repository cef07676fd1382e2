"""``hogtree shortcuts``, ``recent``, ``unfiled`` and ``projects`` as a shell runs them,
each checked against what the server then holds."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from support import ADMIN_KEY, LiveServer
from support.insight_helpers import create_insight
from support.scripting_helpers import create, environment, on_host, run
from support.view_history import record_views

from tui.scripting.errors import EXIT_FAILED, EXIT_USAGE


def shortcuts_held(http: httpx.Client) -> list[dict[str, object]]:
    response = http.get("file_system_shortcut/")
    assert response.status_code == 200, response.text
    results: list[dict[str, object]] = response.json()["results"]
    return results


def test_shortcuts_add_list_and_rm_change_what_the_server_holds(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    entry = create(http, "Starred/Weekly signups", type="insight", ref="wk1")
    folder = create(http, "Starred/Team", type="folder")

    added = run(on_host(server, "shortcuts", "add", "Starred/Weekly signups"), env)
    assert added.code == 0, added.err
    again = run(on_host(server, "shortcuts", "add", "Starred/Weekly signups"), env)
    assert again.code == 0 and "already" in again.err
    assert run(on_host(server, "shortcuts", "add", "Starred/Team"), env).code == 0
    held = shortcuts_held(http)
    assert sorted((s["path"], s["type"], s["ref"]) for s in held) == [
        ("Team", "folder", folder["id"]),
        ("Weekly signups", "insight", "wk1"),
    ]

    listed = run(on_host(server, "shortcuts", "--json"), env)
    assert listed.code == 0, listed.err
    rows = [json.loads(line) for line in listed.lines]
    assert {row["path"] for row in rows} == {"Starred/Weekly signups", "Starred/Team"}
    assert {row["entry_id"] for row in rows} == {entry["id"], folder["id"]}
    piped = run(on_host(server, "shortcuts"), env)
    assert sorted(piped.lines) == ["Starred/Team", "Starred/Weekly signups"]

    removed = run(on_host(server, "shortcuts", "rm", "Starred/Weekly signups"), env)
    assert removed.code == 0, removed.err
    assert [s["path"] for s in shortcuts_held(http)] == ["Team"]
    missing = run(on_host(server, "shortcuts", "rm", "Starred/Weekly signups"), env)
    assert missing.code == EXIT_FAILED
    assert "not in Shortcuts" in missing.err
    assert run(on_host(server, "shortcuts", "rm", "Starred/Team"), env).code == 0
    assert shortcuts_held(http) == []


def test_read_only_refuses_to_change_shortcuts_and_to_file(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "ReadOnly/Kept", type="insight", ref="ro1")
    for args in (("shortcuts", "add", "ReadOnly/Kept"), ("unfiled",)):
        refused = run(on_host(server, "--read-only", *args), env)
        assert refused.code == EXIT_USAGE, refused.err
        assert "--read-only" in refused.err
    assert shortcuts_held(http) == []
    # Looking is allowed.
    assert run(on_host(server, "--read-only", "shortcuts"), env).code == 0


def test_unfiled_files_each_object_once(server: LiveServer, env: dict[str, str]) -> None:
    create_insight(server.db_path, "Orphan revenue", None, short_id="orph1")
    first = run(on_host(server, "unfiled", "--json"), env)
    assert first.code == 0, first.err
    assert json.loads(first.out) == {"count": 1}
    with server.client() as http:
        entries = http.get("file_system/", params={"ref": "orph1", "type": "insight"}).json()
    assert [e["path"] for e in entries["results"]] == ["Unfiled/Insights/Orphan revenue"]
    second = run(on_host(server, "unfiled"), env)
    assert second.code == 0 and second.out.strip() == "0"


def test_projects_lists_the_projects_with_the_one_in_use(
    demo_server: LiveServer, tmp_path: Path
) -> None:
    env = environment(tmp_path)
    shown = run(on_host(demo_server, "projects", "--json"), env)
    assert shown.code == 0, shown.err
    rows = [json.loads(line) for line in shown.lines]
    assert len(rows) >= 2
    assert [row["id"] for row in rows if row["current"]] == [1]
    with demo_server.client() as http:
        listed = http.get(f"{demo_server.url}/api/projects/").json()["results"]
    assert {row["id"]: row["name"] for row in rows} == {p["id"]: p["name"] for p in listed}


def test_recent_prints_the_servers_recents_newest_first(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    old = create(http, "Viewed/Old", type="insight", ref="old1")
    new = create(http, "Viewed/New", type="insight", ref="new1")
    record_views(
        server.db_path,
        ADMIN_KEY,
        [("insight", "old1", "2026-11-01T10:00:00Z"), ("insight", "new1", "2026-11-03T10:00:00Z")],
    )
    shown = run(on_host(server, "recent", "--json"), env)
    assert shown.code == 0, shown.err
    assert [json.loads(line)["id"] for line in shown.lines] == [new["id"], old["id"]]
    limited = run(on_host(server, "recent", "--limit", "1"), env)
    assert limited.lines == ["Viewed/New"]
