"""Conformance: the file_system actions count, count_by_path, link, move and unfiled
(api.md section 2: "Count", "Link", "Move", "Unfiled").

Each action is checked against what the server holds afterwards, and every refusal against
"nothing changed".
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from support import LiveServer
from support.server_helpers import (
    NOT_FOUND,
    assert_bare_detail,
    assert_error,
    assert_is_entry,
    at_path,
    create,
    create_many,
    expect,
    folder,
    get_entry,
    list_all,
    one_at,
    originals_of,
    snapshot,
    sole_entry,
    tree,
    unfiled,
)

from tui.paths import escape


def count(api: httpx.Client, entry_id: str) -> dict[str, Any]:
    got = expect(api.post(f"file_system/{entry_id}/count/"), 200)
    assert set(got) == {"count", "entries", "has_more"}
    return got


def count_by_path(api: httpx.Client, path: str) -> dict[str, Any]:
    got = expect(api.post("file_system/count_by_path/", params={"path": path}), 200)
    assert set(got) == {"count", "entries", "has_more"}
    return got


def move(api: httpx.Client, entry_id: str, new_path: str) -> dict[str, Any]:
    got = expect(api.post(f"file_system/{entry_id}/move/", json={"new_path": new_path}), 200)
    assert_is_entry(got)
    return got


def link(api: httpx.Client, entry_id: str, new_path: str) -> dict[str, Any]:
    got = expect(api.post(f"file_system/{entry_id}/link/", json={"new_path": new_path}), 200)
    assert_is_entry(got)
    return got


# --- count ----------------------------------------------------------------------------------------


@pytest.fixture
def counted(api: httpx.Client) -> dict[str, Any]:
    box = folder(api, "box")
    create(api, "box/a", type="insight", ref="i1")
    create(api, "box/sub/b", type="dashboard", ref="2")
    create(api, "box/sub/deeper/c 🚀", type="notebook", ref="n3")
    create(api, "box/s", type="insight", ref="i1", shortcut=True)
    folder(api, "box/empty")
    create_many(api, ["box2/x", "boxes/y", "Box/z", "other/box/w"])
    return box


BY_DEPTH_THEN_PATH = [
    "box/a",
    "box/empty",
    "box/s",
    "box/sub",
    "box/sub/b",
    "box/sub/deeper",
    "box/sub/deeper/c 🚀",
]


def test_count_counts_every_descendant(api: httpx.Client, counted: dict[str, Any]) -> None:
    got = count(api, counted["id"])
    assert got["count"] == 7
    assert got["has_more"] is False
    assert [e["path"] for e in got["entries"]] == BY_DEPTH_THEN_PATH
    for entry in got["entries"]:
        assert_is_entry(entry)
    assert [e["depth"] for e in got["entries"]] == [2, 2, 2, 2, 3, 3, 4]
    assert [e["shortcut"] for e in got["entries"]].count(True) == 1


def test_count_orders_by_depth_then_path(api: httpx.Client) -> None:
    box = folder(api, "f")
    create_many(api, ["f/z", "f/a/b/c", "f/m/n", "f/b"])
    got = count(api, box["id"])
    assert [e["path"] for e in got["entries"]] == [
        "f/a",
        "f/b",
        "f/m",
        "f/z",
        "f/a/b",
        "f/m/n",
        "f/a/b/c",
    ]


def test_count_does_not_change_anything(api: httpx.Client, counted: dict[str, Any]) -> None:
    before = snapshot(api)
    count(api, counted["id"])
    count_by_path(api, "box")
    assert snapshot(api) == before


def test_count_of_an_empty_folder(api: httpx.Client) -> None:
    empty = folder(api, "Empty 🫙")
    assert count(api, empty["id"]) == {"count": 0, "entries": [], "has_more": False}


def test_count_shows_the_first_200(api: httpx.Client) -> None:
    bulk = folder(api, "bulk")
    create_many(api, [f"bulk/n{i:03}" for i in range(201)])
    create(api, "bulk/a/deep")
    got = count(api, bulk["id"])
    assert got["count"] == 203
    assert got["has_more"] is True
    assert [e["path"] for e in got["entries"]] == ["bulk/a"] + [f"bulk/n{i:03}" for i in range(199)]


@pytest.mark.parametrize("type_", ["insight", "", "doc-file", "Folder"])
def test_count_on_a_non_folder_is_400(api: httpx.Client, type_: str) -> None:
    item = create(api, "Not a folder", type=type_)
    create(api, "Not a folder/child")  # even when it has descendants
    assert_bare_detail(
        api.post(f"file_system/{item['id']}/count/"), "Count can only be called on folders"
    )


def test_count_on_an_unknown_id_is_404(api: httpx.Client) -> None:
    assert_error(
        api.post("file_system/00000000-0000-4000-8000-000000000000/count/"), 404, NOT_FOUND
    )


def test_count_by_path_matches_count(api: httpx.Client, counted: dict[str, Any]) -> None:
    assert count_by_path(api, "box") == count(api, counted["id"])


def test_count_by_path_respects_escapes(api: httpx.Client) -> None:
    create_many(api, ["a\\/b/inside", "a\\/b/sub/deeper", "a/b/outside"])
    got = count_by_path(api, "a\\/b")
    assert [e["path"] for e in got["entries"]] == ["a\\/b/inside", "a\\/b/sub", "a\\/b/sub/deeper"]
    assert count_by_path(api, "a")["count"] == 2  # a/b and a/b/outside


def test_count_by_path_of_a_path_without_entries(api: httpx.Client) -> None:
    create(api, "somewhere/else")
    assert count_by_path(api, "nowhere") == {"count": 0, "entries": [], "has_more": False}


@pytest.mark.parametrize("query", ["", "?path=", "?other=box"], ids=["none", "empty", "other"])
def test_count_by_path_without_path_is_400(api: httpx.Client, query: str) -> None:
    create(api, "box/a")
    assert_bare_detail(api.post(f"file_system/count_by_path/{query}"), "path parameter is required")


# --- link -----------------------------------------------------------------------------------------


def test_link_an_item(api: httpx.Client) -> None:
    original = create(
        api,
        "Reports/Weekly 📈",
        type="insight",
        ref="abc123",
        href="/insights/abc123",
        meta={"k": ["v", 1]},
    )
    linked = link(api, original["id"], "Favourites/Team [A]/Weekly ↪")
    assert linked["id"] != original["id"]
    assert (linked["path"], linked["depth"], linked["shortcut"]) == (
        "Favourites/Team [A]/Weekly ↪",
        3,
        True,
    )
    for field in ("type", "ref", "href", "meta"):
        assert linked[field] == original[field], field
    assert get_entry(api, linked["id"]) == linked
    assert get_entry(api, original["id"]) == original
    assert one_at(api, "Favourites")["type"] == "folder"
    assert (
        one_at(api, "Favourites/Team [A]")["type"],
        one_at(api, "Favourites/Team [A]")["depth"],
    ) == (
        "folder",
        2,
    )


def test_link_to_an_escaped_path_creates_the_right_ancestors(api: httpx.Client) -> None:
    original = create(api, "x", type="dashboard", ref="5")
    linked = link(api, original["id"], "Q4 \\/ Q1/Board \\/ 2")
    assert linked["depth"] == 2
    assert one_at(api, "Q4 \\/ Q1")["depth"] == 1
    assert at_path(api, "Q4 ") == []
    assert set(tree(api)) == {"x", "Q4 \\/ Q1", "Q4 \\/ Q1/Board \\/ 2"}


def test_link_a_folder_copies_its_descendants_as_shortcuts(api: httpx.Client) -> None:
    src = folder(api, "Src")
    child = create(api, "Src/Child 🧒", type="feature_flag", ref="7", href="/feature_flags/7")
    create(api, "Src/sub/Grandchild", type="insight", ref="g1", meta={"x": 1})
    before = snapshot(api)
    got = link(api, src["id"], "Linked/Copy")
    assert (got["path"], got["type"]) == ("Linked/Copy", "folder")
    # The originals are untouched.
    after = snapshot(api)
    assert [e for e in after if e["id"] in {b["id"] for b in before}] == before
    # Every descendant has a shortcut copy under the new path.
    copy = one_at(api, "Linked/Copy/Child 🧒")
    assert (copy["shortcut"], copy["type"], copy["ref"], copy["href"], copy["depth"]) == (
        True,
        "feature_flag",
        "7",
        "/feature_flags/7",
        3,
    )
    assert copy["id"] != child["id"]
    grandchild = one_at(api, "Linked/Copy/sub/Grandchild")
    assert (grandchild["shortcut"], grandchild["ref"], grandchild["meta"], grandchild["depth"]) == (
        True,
        "g1",
        {"x": 1},
        4,
    )
    assert one_at(api, "Linked/Copy/sub")["type"] == "folder"
    assert one_at(api, "Linked/Copy")["type"] == "folder"
    assert one_at(api, "Linked")["type"] == "folder"
    assert set(tree(api)) == {
        "Src",
        "Src/Child 🧒",
        "Src/sub",
        "Src/sub/Grandchild",
        "Linked",
        "Linked/Copy",
        "Linked/Copy/Child 🧒",
        "Linked/Copy/sub",
        "Linked/Copy/sub/Grandchild",
    }


def test_link_a_folder_into_an_existing_folder_adds_no_second_folder(api: httpx.Client) -> None:
    src = folder(api, "Src")
    create(api, "Src/a", type="insight", ref="a1")
    dst = folder(api, "Dst")
    create(api, "Dst/b", type="insight", ref="b1")
    expect(api.post(f"file_system/{src['id']}/link/", json={"new_path": "Dst"}), 200)
    assert [e["id"] for e in at_path(api, "Dst")] == [dst["id"]]
    assert one_at(api, "Dst/a")["shortcut"] is True
    assert one_at(api, "Dst/b")["shortcut"] is False
    assert one_at(api, "Src/a")["shortcut"] is False


def test_link_a_folder_into_itself_is_400(api: httpx.Client) -> None:
    src = folder(api, "Folder2")
    create(api, "Folder2/a", type="insight", ref="a1")
    before = snapshot(api)
    resp = api.post(f"file_system/{src['id']}/link/", json={"new_path": "Folder2"})
    assert_bare_detail(resp, "Cannot link folder into itself")
    assert snapshot(api) == before


@pytest.mark.parametrize(
    "payload", [{}, {"new_path": ""}, {"new_path": None}, {"path": "Elsewhere"}]
)
@pytest.mark.parametrize("kind", ["item", "folder"])
def test_link_without_new_path_is_400(
    api: httpx.Client, payload: dict[str, Any], kind: str
) -> None:
    entry = folder(api, "F") if kind == "folder" else create(api, "I", type="insight", ref="i")
    before = snapshot(api)
    resp = api.post(f"file_system/{entry['id']}/link/", json=payload)
    assert_bare_detail(resp, "new_path is required")
    assert snapshot(api) == before


# --- move -----------------------------------------------------------------------------------------


def test_move_an_item(api: httpx.Client) -> None:
    item = create(api, "Old/place/Chart 📊", type="insight", ref="c1", meta={"m": 1})
    moved = move(api, item["id"], "New/deeper/still/Chart 📊")
    assert moved["id"] == item["id"]
    assert (moved["path"], moved["depth"]) == ("New/deeper/still/Chart 📊", 4)
    stored = get_entry(api, item["id"])
    assert stored == {**item, "path": "New/deeper/still/Chart 📊", "depth": 4} | {
        "last_viewed_at": stored["last_viewed_at"]
    }
    for depth, path in enumerate(["New", "New/deeper", "New/deeper/still"], start=1):
        ancestor = one_at(api, path)
        assert (ancestor["type"], ancestor["depth"]) == ("folder", depth)
    assert one_at(api, "Old/place")["type"] == "folder"  # the old folders stay
    assert at_path(api, "Old/place/Chart 📊") == []


def test_move_a_folder_rewrites_every_descendant(api: httpx.Client) -> None:
    old = folder(api, "Old")
    kids = [
        create(api, "Old/a", type="insight", ref="a"),
        create(api, "Old/sub/b", type="dashboard", ref="2"),
        create(api, "Old/sub/c ↪", type="insight", ref="a", shortcut=True),
    ]
    sub = one_at(api, "Old/sub")
    strangers = [
        create(api, "Older/x"),
        create(api, "old/y"),
        create(api, "Old \\/ not/z"),
        create(api, "Other/Old/w"),
    ]
    moved = move(api, old["id"], "New/Deeper/Old2")
    assert (moved["id"], moved["path"], moved["depth"], moved["type"]) == (
        old["id"],
        "New/Deeper/Old2",
        3,
        "folder",
    )
    expected = {
        kids[0]["id"]: ("New/Deeper/Old2/a", 4),
        kids[1]["id"]: ("New/Deeper/Old2/sub/b", 5),
        kids[2]["id"]: ("New/Deeper/Old2/sub/c ↪", 5),
        sub["id"]: ("New/Deeper/Old2/sub", 4),
        old["id"]: ("New/Deeper/Old2", 3),
    }
    for entry_id, (path, depth) in expected.items():
        stored = get_entry(api, entry_id)
        assert (stored["path"], stored["depth"]) == (path, depth)
    assert get_entry(api, kids[2]["id"])["shortcut"] is True
    for stranger in strangers:
        assert get_entry(api, stranger["id"]) == stranger
    assert list_all(api, parent="Old") == []
    assert at_path(api, "Old") == []
    assert one_at(api, "New/Deeper")["type"] == "folder"


def test_move_a_folder_to_a_longer_name_is_not_into_itself(api: httpx.Client) -> None:
    a = folder(api, "A")
    create(api, "A/x")
    moved = move(api, a["id"], "AB")
    assert moved["path"] == "AB"
    assert set(tree(api)) == {"AB", "AB/x"}


def test_move_into_an_existing_folder_merges(api: httpx.Client) -> None:
    src = folder(api, "Src")
    a = create(api, "Src/a", type="insight", ref="a1")
    create(api, "Src/shared/s1")
    dst = folder(api, "Dst")
    b = create(api, "Dst/b", type="insight", ref="b1")
    moved = move(api, src["id"], "Dst")
    # Local server differs: the answer is the surviving folder.
    assert moved["id"] == dst["id"]
    assert moved["path"] == "Dst"
    assert [e["id"] for e in at_path(api, "Dst")] == [dst["id"]]
    assert get_entry(api, a["id"])["path"] == "Dst/a"
    assert get_entry(api, b["id"])["path"] == "Dst/b"
    assert one_at(api, "Dst/shared/s1")["depth"] == 3
    resp = api.get(f"file_system/{src['id']}/")
    assert_error(resp, 404, NOT_FOUND)
    assert list_all(api, parent="Src") == []


def test_move_a_folder_onto_its_own_path_is_400(api: httpx.Client) -> None:
    f = folder(api, "Stay")
    create(api, "Stay/a")
    before = snapshot(api)
    assert_bare_detail(
        api.post(f"file_system/{f['id']}/move/", json={"new_path": "Stay"}),
        "Cannot move folder into itself",
    )
    assert snapshot(api) == before


@pytest.mark.parametrize(
    "new_path",
    ["A/B/C", "A/x/deeper", "A/new", "A/x"],
    ids=["new-chain", "under-item", "new", "item"],
)
def test_move_a_folder_into_its_own_descendant_is_400_and_changes_nothing(
    api: httpx.Client, new_path: str
) -> None:
    """Local server differs: refused, and no ancestor folder of ``new_path`` is created."""
    a = folder(api, "A")
    create_many(api, ["A/x", "A/sub/y"])
    before = snapshot(api)
    assert_bare_detail(
        api.post(f"file_system/{a['id']}/move/", json={"new_path": new_path}),
        "Cannot move folder into itself",
    )
    assert snapshot(api) == before


@pytest.mark.parametrize(
    "payload", [{}, {"new_path": ""}, {"new_path": None}, {"path": "Elsewhere"}]
)
@pytest.mark.parametrize("kind", ["item", "folder"])
def test_move_without_new_path_is_400(
    api: httpx.Client, payload: dict[str, Any], kind: str
) -> None:
    entry = folder(api, "F") if kind == "folder" else create(api, "I")
    create(api, "F2/child")
    before = snapshot(api)
    resp = api.post(f"file_system/{entry['id']}/move/", json=payload)
    assert_bare_detail(resp, "new_path is required")
    assert snapshot(api) == before


def test_rename_is_a_move_to_a_sibling_path(api: httpx.Client) -> None:
    f = folder(api, "Team/Old name")
    child = create(api, "Team/Old name/doc")
    moved = move(api, f["id"], "Team/New name ✨")
    assert (moved["path"], moved["depth"]) == ("Team/New name ✨", 2)
    assert get_entry(api, child["id"])["path"] == "Team/New name ✨/doc"
    assert set(tree(api)) == {"Team", "Team/New name ✨", "Team/New name ✨/doc"}


def test_escaped_names_survive_a_move(api: httpx.Client) -> None:
    q = folder(api, "Q4 \\/ Q1")
    report = create(api, "Q4 \\/ Q1/report \\\\ final", type="insight", ref="r")
    moved = move(api, q["id"], "Archive/Q4 \\/ Q1")
    assert (moved["path"], moved["depth"]) == ("Archive/Q4 \\/ Q1", 2)
    stored = get_entry(api, report["id"])
    assert (stored["path"], stored["depth"]) == ("Archive/Q4 \\/ Q1/report \\\\ final", 3)
    assert set(tree(api)) == {"Archive", "Archive/Q4 \\/ Q1", "Archive/Q4 \\/ Q1/report \\\\ final"}


def test_moving_a_folder_leaves_escaped_look_alikes_alone(api: httpx.Client) -> None:
    a = folder(api, "a")
    inside = create(api, "a/b")
    lookalike = create(api, "a\\/b/x")
    move(api, a["id"], "z")
    assert get_entry(api, inside["id"])["path"] == "z/b"
    assert get_entry(api, lookalike["id"]) == lookalike


def test_move_an_item_keeps_its_object(demo_server: LiveServer) -> None:
    with demo_server.client() as demo:
        unfiled(demo)
        entry = sole_entry(demo, "insight")
        moved = move(demo, entry["id"], "Moved here/📈 " + escape("a/b"))
        assert moved["path"] == "Moved here/📈 a\\/b"
        assert moved["depth"] == 2
        assert [e["id"] for e in originals_of(demo, "insight", entry["ref"])] == [entry["id"]]
        assert unfiled(demo, type="insight") == 0


# --- unfiled (demo project) -------------------------------------------------------------------

# The plurals api.md names.
PLURALS = {
    "insight": "Insights",
    "dashboard": "Dashboards",
    "feature_flag": "Feature Flags",
    "experiment": "Experiments",
    "notebook": "Notebooks",
    "cohort": "Cohorts",
    "survey": "Surveys",
}


def test_unfiled_on_an_empty_project_creates_nothing(api: httpx.Client) -> None:
    assert unfiled(api) == 0
    assert snapshot(api) == []


def test_unfiled_is_idempotent(demo_server: LiveServer) -> None:
    with demo_server.client() as demo:
        first = unfiled(demo)
        assert first >= 0
        before = snapshot(demo)
        assert unfiled(demo) == 0
        assert snapshot(demo) == before


def detach(demo: httpx.Client, type_: str) -> dict[str, Any]:
    """Point an object's only entry elsewhere, so the object has no entry any more."""
    entry = sole_entry(demo, type_)
    expect(demo.patch(f"file_system/{entry['id']}/", json={"ref": f"detached-{entry['ref']}"}), 200)
    assert list_all(demo, type=type_, ref=entry["ref"]) == []
    return entry


@pytest.mark.parametrize("type_", list(PLURALS))
def test_unfiled_files_an_object_without_an_entry(demo_server: LiveServer, type_: str) -> None:
    with demo_server.client() as demo:
        unfiled(demo)
        entry = detach(demo, type_)
        assert unfiled(demo) == 1
        filed = originals_of(demo, type_, entry["ref"])
        assert len(filed) == 1
        new = filed[0]
        assert new["id"] != entry["id"]
        assert new["path"].startswith(f"Unfiled/{PLURALS[type_]}/")
        assert new["depth"] == 3
        assert new["shortcut"] is False
        assert unfiled(demo) == 0
        assert len(originals_of(demo, type_, entry["ref"])) == 1


def test_unfiled_type_limits_what_is_filed(demo_server: LiveServer) -> None:
    with demo_server.client() as demo:
        unfiled(demo)
        insight = detach(demo, "insight")
        dashboard = detach(demo, "dashboard")
        assert unfiled(demo, type="dashboard") == 1
        assert len(originals_of(demo, "dashboard", dashboard["ref"])) == 1
        assert originals_of(demo, "insight", insight["ref"]) == []
        assert unfiled(demo, type="dashboard") == 0
        assert unfiled(demo, type="insight") == 1
        assert len(originals_of(demo, "insight", insight["ref"])) == 1
        assert unfiled(demo) == 0


def test_move_a_folder_onto_an_item_does_not_merge(api: httpx.Client) -> None:
    """Only a *folder* at ``new_path`` is merged into; an item there just gets company."""
    src = folder(api, "Src")
    child = create(api, "Src/a")
    item = create(api, "Dst", type="insight", ref="i1")
    moved = move(api, src["id"], "Dst")
    assert (moved["id"], moved["path"], moved["type"]) == (src["id"], "Dst", "folder")
    assert {e["id"] for e in at_path(api, "Dst")} == {src["id"], item["id"]}
    assert get_entry(api, child["id"])["path"] == "Dst/a"


def test_link_an_item_onto_its_own_path(api: httpx.Client) -> None:
    """Only a folder linked onto its own path is refused."""
    item = create(api, "Here/chart", type="insight", ref="c1")
    linked = link(api, item["id"], "Here/chart")
    assert linked["id"] != item["id"]
    assert sorted(e["shortcut"] for e in at_path(api, "Here/chart")) == [False, True]


def test_link_a_folder_onto_an_item_still_copies_the_folder(api: httpx.Client) -> None:
    src = folder(api, "Src")
    create(api, "Src/a", type="insight", ref="a1")
    item = create(api, "Dst", type="dashboard", ref="1")
    link(api, src["id"], "Dst")
    assert sorted(e["type"] for e in at_path(api, "Dst")) == ["dashboard", "folder"]
    assert item["id"] in {e["id"] for e in at_path(api, "Dst")}
    assert one_at(api, "Dst/a")["shortcut"] is True


def test_move_a_folder_to_an_escaped_look_alike_is_not_into_itself(api: httpx.Client) -> None:
    """``A\\/B`` is one segment called "A/B", not a folder inside ``A``."""
    a = folder(api, "A")
    child = create(api, "A/x")
    moved = move(api, a["id"], "A\\/B")
    assert (moved["path"], moved["depth"]) == ("A\\/B", 1)
    assert get_entry(api, child["id"])["path"] == "A\\/B/x"
    assert set(tree(api)) == {"A\\/B", "A\\/B/x"}


def test_concurrent_moves_of_one_folder_leave_it_whole(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """A folder move is one transaction: two racing moves never split the folder."""
    src = folder(api, "Src")
    create_many(api, [f"Src/item {i:02}" for i in range(40)])

    def go(destination: str) -> int:
        with live_server.client() as client:
            resp = client.post(f"file_system/{src['id']}/move/", json={"new_path": destination})
            return resp.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        assert list(pool.map(go, ["X", "Y"])) == [200, 200]
    final = get_entry(api, src["id"])["path"]
    assert final in ("X", "Y")
    items = list_all(api, not_type="folder", limit=1000)
    assert len(items) == 40
    assert {e["path"].split("/")[0] for e in items} == {final}
    assert set(tree(api)) == {final} | {e["path"] for e in items}
