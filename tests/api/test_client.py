"""The client against a real local server over real HTTP.

Each test drives one client method and then checks what the server holds afterwards,
read back with a plain HTTP call, so the client cannot agree with itself by mistake.
Faults a real server cannot produce on demand live in ``test_client_faults.py``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support import ADMIN_KEY, OTHER_USER_KEY, P1_KEY, READ_KEY, LiveServer, connect

from tui import paths
from tui.api import (
    AuthenticationError,
    ErrorKind,
    NotFoundError,
    PermissionDeniedError,
    PostHogClient,
    ValidationError,
)
from tui.app.errors import describe
from tui.models import FileSystemEntry
from tui.server import seed
from tui.server.limits import MAX_PATH_LENGTH

MISSING_ID = "00000000-0000-4000-8000-000000000000"


def held(server: LiveServer, **params: Any) -> list[dict[str, Any]]:
    """What the server holds, asked without the client under test."""
    with server.client() as http:
        response = http.get("file_system/", params={"limit": 1000, **params})
        response.raise_for_status()
        return list(response.json()["results"])


def held_paths(server: LiveServer, **params: Any) -> list[str]:
    return [row["path"] for row in held(server, **params)]


def by_path(server: LiveServer, path: str) -> dict[str, Any]:
    (row,) = held(server, path=path)
    return row


# -- creating and reading ---------------------------------------------------------------


@pytest.mark.anyio
async def test_create_entry_files_it_and_builds_missing_folders(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry(
            "Reports/Weekly/Signups",
            type="insight",
            ref="abc123",
            href="/insights/abc123",
            meta={"note": "kept"},
        )
    assert isinstance(entry, FileSystemEntry)
    assert (entry.path, entry.depth, entry.type, entry.ref) == (
        "Reports/Weekly/Signups",
        3,
        "insight",
        "abc123",
    )
    assert entry.shortcut is False
    stored = by_path(live_server, "Reports/Weekly/Signups")
    assert stored["id"] == entry.id
    assert stored["meta"] == {"note": "kept"}
    assert stored["href"] == "/insights/abc123"
    assert by_path(live_server, "Reports")["type"] == "folder"
    assert by_path(live_server, "Reports/Weekly")["type"] == "folder"


@pytest.mark.anyio
async def test_create_folder_and_get_entry(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        folder = await client.create_folder("Team")
        fetched = await client.get_entry(folder.id)
    assert folder.is_folder
    assert fetched == folder
    assert by_path(live_server, "Team")["type"] == "folder"


@pytest.mark.anyio
async def test_escaped_names_round_trip(live_server: LiveServer) -> None:
    path = paths.join(["Flags", "a/b", "c\\d ☕ [x]"])
    async with connect(live_server) as client:
        entry = await client.create_entry(path, type="feature_flag", ref="7")
        page = await client.list_folder(paths.join(["Flags", "a/b"]))
    assert entry.path == path
    assert entry.depth == 3
    assert [row.path for row in page.results] == [path]
    assert held_paths(live_server, path=path) == [path]


@pytest.mark.anyio
async def test_list_folder_lists_direct_children_folders_first(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        for path, kind in [
            ("dir/alpha", "folder"),
            ("dir/beta", "folder"),
            ("dir/Afile.txt", "doc"),
            ("dir/bFile.txt", "doc"),
            ("dir/alpha/deeper", "doc"),
        ]:
            await client.create_entry(path, type=kind)
        children = await client.list_folder("dir")
        root = await client.list_folder("")
    assert [row.path for row in children.results] == [
        "dir/alpha",
        "dir/beta",
        "dir/Afile.txt",
        "dir/bFile.txt",
    ]
    assert children.count == 4
    assert [row.path for row in root.results] == ["dir"]


@pytest.mark.anyio
async def test_iter_folder_walks_every_page(live_server: LiveServer) -> None:
    names = [f"item {n:02}" for n in range(7)]
    async with connect(live_server) as client:
        for name in names:
            await client.create_entry(f"Big/{name}", type="doc")
        pages = [page async for page in client.iter_folder("Big", page_size=3)]
    assert [len(page.results) for page in pages] == [3, 3, 1]
    assert [row.path for page in pages for row in page.results] == [f"Big/{n}" for n in names]


@pytest.mark.anyio
async def test_list_entries_filters(demo_server: LiveServer) -> None:
    async with connect(demo_server) as client:
        flags = await client.list_entries(type="feature_flag", limit=1000)
        not_folders = await client.list_entries(not_type="folder", limit=1000)
        hog = await client.list_entries(type__startswith="hog_function/")
        exact = await client.list_entries(path="Marketing/Weekly signups")
        ordered = await client.list_entries(parent="Marketing", depth=2, order_by="-path")
        future = await client.list_entries(created_at__gt=datetime.now(UTC) + timedelta(days=1))
        past = await client.list_entries(created_at__lt=datetime.now(UTC) + timedelta(days=1))
        paged = await client.list_entries(limit=2, offset=1)
    assert flags.results
    assert all(row.type == "feature_flag" for row in flags.results)
    assert flags.count == len(held(demo_server, type="feature_flag"))
    assert all(row.type != "folder" for row in not_folders.results)
    assert {row.type for row in hog.results} == {
        "hog_function/destination",
        "hog_function/transformation",
    }
    assert [row.path for row in exact.results] == ["Marketing/Weekly signups"]
    ordered_paths = [row.path for row in ordered.results]
    assert ordered_paths == sorted(ordered_paths, reverse=True)
    assert all(paths.depth(p) == 2 and p.startswith("Marketing/") for p in ordered_paths)
    assert future.count == 0
    assert past.count == len(held(demo_server))
    assert [row.path for row in paged.results] == held_paths(demo_server)[1:3]


@pytest.mark.anyio
async def test_list_entries_by_ref_puts_originals_before_shortcuts(
    demo_server: LiveServer,
) -> None:
    original = by_path(demo_server, "Marketing/Weekly signups")
    async with connect(demo_server) as client:
        page = await client.list_entries(ref=original["ref"], type="insight")
    assert [row.shortcut for row in page.results] == [False, True]
    assert page.results[0].id == original["id"]


@pytest.mark.anyio
async def test_search(demo_server: LiveServer) -> None:
    async with connect(demo_server) as client:
        by_name = await client.search("name:onboarding")
        typed = await client.search("type:feature_flag -name:dark")
        name_only = await client.search("Marketing", name_only=True)
    assert by_name.results
    assert all("onboarding" in paths.basename(row.path).lower() for row in by_name.results)
    assert typed.results
    assert all(row.type == "feature_flag" for row in typed.results)
    assert all("dark" not in paths.basename(row.path).lower() for row in typed.results)
    assert [row.path for row in name_only.results] == ["Marketing"]
    assert by_name.count == len(held(demo_server, search="name:onboarding"))


# -- changing ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_update_entry_patches_fields_and_recomputes_depth(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry("A/B/report", type="insight", ref="r1")
        updated = await client.update_entry(entry.id, path="top-level report", meta={"n": 1})
    assert updated.id == entry.id
    assert (updated.path, updated.depth) == ("top-level report", 1)
    stored = by_path(live_server, "top-level report")
    assert stored["meta"] == {"n": 1}
    assert stored["type"] == "insight"
    assert stored["ref"] == "r1"
    assert held_paths(live_server, path="A/B/report") == []


@pytest.mark.anyio
async def test_move_a_folder_takes_everything_in_it(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        await client.create_entry("Old/Sub/one", type="doc")
        await client.create_entry("Old/two", type="doc")
        folder = by_path(live_server, "Old")
        moved = await client.move(folder["id"], "Archive/New")
    assert moved.path == "Archive/New"
    assert moved.depth == 2
    assert held_paths(live_server, parent="Old") == []
    assert sorted(held_paths(live_server, parent="Archive/New")) == [
        "Archive/New/Sub",
        "Archive/New/Sub/one",
        "Archive/New/two",
    ]
    assert by_path(live_server, "Archive/New/Sub/one")["depth"] == 4
    assert by_path(live_server, "Archive")["type"] == "folder"


@pytest.mark.anyio
async def test_move_an_item_is_a_rename(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry("Docs/draft", type="notebook", ref="nb1")
        moved = await client.move(entry.id, "Docs/final")
    assert (moved.id, moved.path) == (entry.id, "Docs/final")
    assert held_paths(live_server, parent="Docs") == ["Docs/final"]


@pytest.mark.anyio
async def test_link_an_item_makes_a_shortcut(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        original = await client.create_entry(
            "Reports/Revenue", type="insight", ref="rev", href="/insights/rev"
        )
        link = await client.link(original.id, "Favourites/Revenue")
    assert link.id != original.id
    assert (link.path, link.shortcut, link.type, link.ref) == (
        "Favourites/Revenue",
        True,
        "insight",
        "rev",
    )
    stored = held(live_server, ref="rev", type="insight")
    assert [(row["path"], row["shortcut"]) for row in stored] == [
        ("Reports/Revenue", False),
        ("Favourites/Revenue", True),
    ]
    assert by_path(live_server, "Favourites")["type"] == "folder"


@pytest.mark.anyio
async def test_link_a_folder_copies_what_it_holds(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        await client.create_entry("Src/a", type="insight", ref="1")
        await client.create_entry("Src/b", type="insight", ref="2")
        folder = by_path(live_server, "Src")
        await client.link(folder["id"], "Copy")
    copies = held(live_server, parent="Copy")
    assert sorted(row["path"] for row in copies) == ["Copy/a", "Copy/b"]
    assert all(row["shortcut"] for row in copies)
    assert sorted(held_paths(live_server, parent="Src")) == ["Src/a", "Src/b"]


@pytest.mark.anyio
async def test_count_and_count_by_path(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        await client.create_entry("F/G/H/leaf", type="doc")
        await client.create_entry("F/other", type="doc")
        folder = by_path(live_server, "F")
        by_id = await client.count(folder["id"])
        by_name = await client.count_by_path("F")
    # F/G, F/G/H, F/G/H/leaf, F/other: every depth counts.
    assert by_id.count == by_name.count == 4
    assert by_id.has_more is False
    assert [row.path for row in by_id.entries] == ["F/G", "F/other", "F/G/H", "F/G/H/leaf"]


@pytest.mark.anyio
async def test_delete_an_object_entry_and_undo(demo_server: LiveServer) -> None:
    entry = by_path(demo_server, "Sales/Trials started")
    async with connect(demo_server) as client:
        response = await client.delete_entry(entry["id"])
        assert [(d.type, d.ref) for d in response.deleted] == [("insight", entry["ref"])]
        assert response.deleted[0].can_undo
        assert held(demo_server, ref=entry["ref"], type="insight") == []
        undone = await client.undo_delete(response.deleted)
    assert [(u.type, u.ref) for u in undone.undone] == [("insight", entry["ref"])]
    assert held_paths(demo_server, ref=entry["ref"], type="insight") == ["Sales/Trials started"]


@pytest.mark.anyio
async def test_undoing_twice_is_refused_in_posthogs_words(demo_server: LiveServer) -> None:
    entry = by_path(demo_server, "Sales/Trials started")
    async with connect(demo_server) as client:
        response = await client.delete_entry(entry["id"])
        await client.undo_delete(response.deleted)
        with pytest.raises(ValidationError) as caught:
            await client.undo_delete(response.deleted)
    # PostHog raises ValidationError({"detail": …}): attr "detail", which names no field.
    assert (caught.value.code, caught.value.attr) == ("invalid_input", "detail")
    assert describe(caught.value) == (
        "Couldn't restore this. It may already be restored, or you may not have access to it."
    )
    assert held_paths(demo_server, ref=entry["ref"], type="insight") == ["Sales/Trials started"]


@pytest.mark.anyio
async def test_delete_a_folder_with_no_objects_answers_an_empty_list(
    live_server: LiveServer,
) -> None:
    async with connect(live_server) as client:
        folder = await client.create_folder("Empty/Inner")
        response = await client.delete_entry(folder.id)
        with pytest.raises(NotFoundError):
            await client.get_entry(folder.id)
    assert response.deleted == []
    assert held_paths(live_server) == ["Empty"]


# The demo project's objects that have no entry (the demo's seed makes them so).
NEVER_FILED = [*seed.NEVER_FILED, *seed.MORE_NEVER_FILED]


@pytest.mark.anyio
async def test_unfiled_files_what_was_never_filed_once(demo_server: LiveServer) -> None:
    async with connect(demo_server) as client:
        first = await client.unfiled()
        second = await client.unfiled()
    assert first.count == len(NEVER_FILED)
    assert second.count == 0
    assert held_paths(demo_server, path="Unfiled/Insights/Sessions per user")
    assert held_paths(demo_server, path="Unfiled/Insights/Untitled")


@pytest.mark.anyio
async def test_unfiled_by_type(demo_server: LiveServer) -> None:
    async with connect(demo_server) as client:
        dashboards = await client.unfiled(type="dashboard")
        rest = await client.unfiled()
    kinds = [kind for kind, _ in NEVER_FILED]
    assert dashboards.count == kinds.count("dashboard") >= 1
    assert rest.count == len(kinds) - kinds.count("dashboard")


# -- errors, in both of PostHog's shapes ------------------------------------------------


@pytest.mark.anyio
async def test_a_blank_path_is_a_typed_validation_error(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        with pytest.raises(ValidationError) as caught:
            await client.create_entry("")
    error = caught.value
    assert (error.status, error.type, error.code, error.attr) == (
        400,
        "validation_error",
        "blank",
        "path",
    )
    assert error.message.startswith("path: ")
    assert held(live_server) == []


@pytest.mark.anyio
async def test_move_without_new_path_is_a_bare_detail(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry("x", type="doc")
        with pytest.raises(ValidationError) as caught:
            await client.move(entry.id, "")
    error = caught.value
    assert (error.status, error.type, error.code, error.attr) == (400, None, None, None)
    assert error.detail == "new_path is required"
    assert error.message == "new_path is required"


@pytest.mark.anyio
async def test_count_on_an_item_is_a_bare_detail(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry("x", type="doc")
        with pytest.raises(ValidationError, match="Count can only be called on folders"):
            await client.count(entry.id)


@pytest.mark.anyio
async def test_link_a_folder_into_itself_is_refused(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        folder = await client.create_folder("Loop")
        with pytest.raises(ValidationError) as caught:
            await client.link(folder.id, "Loop")
    assert caught.value.detail == "Cannot link folder into itself"
    assert held_paths(live_server) == ["Loop"]


@pytest.mark.anyio
async def test_a_rename_past_the_path_limit_shows_the_servers_words(
    live_server: LiveServer,
) -> None:
    """A name pasted into the rename prompt can be any length: the server's 400 says why."""
    async with connect(live_server) as client:
        entry = await client.create_entry("Box/item", type="doc")
        with pytest.raises(ValidationError) as caught:
            await client.move(entry.id, "Box/" + "n" * MAX_PATH_LENGTH)
    error = caught.value
    assert (error.code, error.attr) == ("invalid_input", None)  # PostHog's shape on a move
    assert describe(error) == f"Path must be {MAX_PATH_LENGTH} characters or fewer."
    assert held_paths(live_server) == ["Box", "Box/item"]


@pytest.mark.anyio
async def test_a_folder_too_long_for_a_url_is_a_clear_error(live_server: LiveServer) -> None:
    """A path the server takes may still be too long to list once percent-encoded (12 bytes a
    4-byte character): the user reads why, where httpx would raise InvalidURL."""
    # Older PostHog has no bound on a path; the local server holds PostHog's newest (4,000
    # characters), so the folder is only asked for, never made: the client refuses to send.
    name = "\U0001f4c1" * 6_000
    async with connect(live_server) as client:
        with pytest.raises(ValidationError) as caught:
            await client.list_folder(name)
    assert "too long to look inside" in describe(caught.value)


@pytest.mark.anyio
async def test_a_type_that_cannot_be_deleted_deletes_nothing(live_server: LiveServer) -> None:
    async with connect(live_server) as client:
        entry = await client.create_entry("Files/notes", type="doc-file", ref="9")
        with pytest.raises(ValidationError) as caught:
            await client.delete_entry(entry.id)
    assert caught.value.detail == "Cannot delete resources with type 'doc-file'."
    assert held_paths(live_server, path="Files/notes") == ["Files/notes"]


@pytest.mark.anyio
async def test_a_wrong_key_is_an_authentication_error(live_server: LiveServer) -> None:
    wrong = "phx_this_key_does_not_exist_0000000"
    async with connect(live_server, key=wrong) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_entries()
    assert caught.value.status == 401
    assert caught.value.code == "authentication_failed"
    assert caught.value.kind is ErrorKind.AUTH
    assert wrong not in str(caught.value)


@pytest.mark.anyio
async def test_no_key_at_all(live_server: LiveServer) -> None:
    async with PostHogClient(live_server.url, 1, None) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_entries()
    assert caught.value.code == "not_authenticated"


@pytest.mark.anyio
async def test_a_read_only_key_may_read_but_not_write(live_server: LiveServer) -> None:
    async with connect(live_server, key=READ_KEY) as client:
        assert (await client.list_folder("")).count == 0
        with pytest.raises(PermissionDeniedError) as caught:
            await client.create_folder("Nope")
    error = caught.value
    assert error.status == 403
    assert error.missing_scope == "file_system:write"
    assert "file_system:write" in error.message
    assert held(live_server) == []


@pytest.mark.anyio
async def test_a_key_limited_to_another_project(live_server: LiveServer) -> None:
    async with connect(live_server, key=P1_KEY, project=2) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.list_entries()
    assert caught.value.missing_scope is None
    assert "does not have access to the requested project" in caught.value.message


@pytest.mark.anyio
async def test_an_unknown_project_is_not_found(live_server: LiveServer) -> None:
    async with connect(live_server, project=999) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.list_entries()
    assert caught.value.status == 404
    assert caught.value.detail == "Project not found."


@pytest.mark.parametrize("entry_id", [MISSING_ID, "not-a-uuid"])
@pytest.mark.anyio
async def test_an_unknown_entry_is_not_found(live_server: LiveServer, entry_id: str) -> None:
    async with connect(live_server) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_entry(entry_id)
    assert caught.value.code == "not_found"


@pytest.mark.anyio
async def test_another_projects_entry_is_not_found(live_server: LiveServer) -> None:
    async with connect(live_server, project=2) as other:
        entry = await other.create_folder("Elsewhere")
    async with connect(live_server) as client:
        with pytest.raises(NotFoundError):
            await client.get_entry(entry.id)


@pytest.mark.anyio
async def test_each_key_acts_as_its_own_user(live_server: LiveServer) -> None:
    async with connect(live_server, key=OTHER_USER_KEY) as client:
        await client.create_folder("Theirs")
        page = await client.search("user:me")
    assert [row.path for row in page.results] == ["Theirs"]


# -- the key stays out of logs ----------------------------------------------------------


@pytest.mark.anyio
async def test_the_key_is_in_no_log_record(live_server: LiveServer, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "phx_wrong_key_for_the_log_test_0000"
    async with connect(live_server) as client:
        await client.create_folder("Logged")
        with pytest.raises(ValidationError):
            await client.create_entry("")
    async with connect(live_server, key=wrong) as client:
        with pytest.raises(AuthenticationError):
            await client.get_entry(MISSING_ID)
    assert caplog.records  # httpx and httpcore did log, at DEBUG
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert ADMIN_KEY not in text
        assert wrong not in text
