"""Conformance: create, retrieve, update, delete and undo_delete of ``file_system`` entries
(api.md section 2: "Create", "Retrieve … update", "Delete").

Every action is followed by reading back what the server holds.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from support import LiveServer
from support.server_helpers import (
    NOT_FOUND,
    UNDO_REFUSED,
    assert_error,
    assert_error_shape,
    at_path,
    create,
    expect,
    folder,
    get_entry,
    is_gone,
    list_all,
    one_at,
    originals_of,
    snapshot,
    sole_entry,
    tree,
    unfiled,
)

OBJECT_TYPES = ["insight", "dashboard", "feature_flag"]

# --- create -------------------------------------------------------------------------------------


def test_create_with_only_a_path(api: httpx.Client) -> None:
    created = create(api, "Solo")
    assert created["path"] == "Solo"
    assert created["depth"] == 1
    assert created["type"] == ""
    assert created["ref"] is None
    assert created["href"] is None
    assert created["meta"] == {}
    assert created["shortcut"] is False
    assert get_entry(api, created["id"]) == created
    assert [e["id"] for e in list_all(api)] == [created["id"]]


def test_create_keeps_every_given_field(api: httpx.Client) -> None:
    meta = {"created_by": 1, "note": "ünï 🚀 [x] <b>", "list": [1, 2.5, None, True]}
    created = create(
        api,
        "Marketing/Weekly signups",
        type="insight",
        ref="a1B2c3",
        href="/insights/a1B2c3",
        meta=meta,
        shortcut=True,
    )
    stored = get_entry(api, created["id"])
    assert stored == created
    assert (stored["type"], stored["ref"], stored["href"], stored["meta"], stored["shortcut"]) == (
        "insight",
        "a1B2c3",
        "/insights/a1B2c3",
        meta,
        True,
    )


def test_create_shortcut_null_becomes_false(api: httpx.Client) -> None:
    created = create(api, "Nullish", shortcut=None)
    assert created["shortcut"] is False
    assert get_entry(api, created["id"])["shortcut"] is False


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"path": ""}, "blank"), ({}, "required"), ({"type": "insight", "ref": "x"}, "required")],
    ids=["blank", "missing", "missing-with-others"],
)
def test_create_without_a_path_is_400(
    api: httpx.Client, payload: dict[str, Any], code: str
) -> None:
    assert_error_shape(
        api.post("file_system/", json=payload),
        400,
        type_="validation_error",
        code=code,
        attr="path",
    )
    assert snapshot(api) == []


def test_type_of_100_characters_is_accepted_101_is_not(api: httpx.Client) -> None:
    created = create(api, "Long type", type="t" * 100)
    assert get_entry(api, created["id"])["type"] == "t" * 100
    resp = api.post("file_system/", json={"path": "Too long", "type": "t" * 101})
    assert_error_shape(resp, 400, type_="validation_error", attr="type")
    assert at_path(api, "Too long") == []


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (b'"a\\ud800b"', "lone surrogate (\\ud800)"),  # valid JSON no UTF-8 can hold
        (b"NaN", "Out of range float values are not JSON compliant"),  # Python's, not JSON's
        (b"1e999", "Out of range float values are not JSON compliant"),  # read as infinity
    ],
    ids=["lone-surrogate", "NaN", "1e999"],
)
def test_json_that_cannot_be_stored_is_400_and_changes_nothing(
    api: httpx.Client, value: bytes, detail: str
) -> None:
    """Found by the fuzz work: these used to answer 500, and a NaN stored in ``meta`` made
    every later listing of the tree answer 500 too."""
    item = create(api, "Box/item")
    before = snapshot(api)
    for method, url, body in (
        ("POST", "file_system/", b'{"path": "x", "meta": {"m": %s}}' % value),
        ("PATCH", f"file_system/{item['id']}/", b'{"meta": {"m": %s}}' % value),
        ("POST", f"file_system/{item['id']}/move/", b'{"new_path": "y", "m": %s}' % value),
    ):
        response = api.request(
            method, url, content=body, headers={"Content-Type": "application/json"}
        )
        # DRF's ParseError: PostHog's handler types it invalid_request.
        got = assert_error_shape(response, 400, type_="invalid_request", code="parse_error")
        assert got["detail"].startswith("JSON parse error - ") and detail in got["detail"]
    assert snapshot(api) == before


def test_create_makes_missing_ancestor_folders(api: httpx.Client) -> None:
    leaf = create(api, "a/b/c/d/e", type="doc-file")
    assert leaf["depth"] == 5
    for depth, path in enumerate(["a", "a/b", "a/b/c", "a/b/c/d"], start=1):
        ancestor = one_at(api, path)
        assert (ancestor["type"], ancestor["depth"], ancestor["shortcut"]) == (
            "folder",
            depth,
            False,
        )
    assert len(list_all(api)) == 5


def test_create_reuses_existing_ancestors(api: httpx.Client) -> None:
    create(api, "a/x")
    create(api, "a/b/y")
    create(api, "a/b/z")
    assert tree(api) == {
        "a": [("folder", 1, False)],
        "a/x": [("", 2, False)],
        "a/b": [("folder", 2, False)],
        "a/b/y": [("", 3, False)],
        "a/b/z": [("", 3, False)],
    }


@pytest.mark.parametrize(
    ("path", "ancestors", "depth"),
    [
        ("a\\/b/c", ["a\\/b"], 2),
        ("x\\\\/y", ["x\\\\"], 2),
        ("Unfiled/Feature Flags/Flag \\/ With Slash", ["Unfiled", "Unfiled/Feature Flags"], 3),
        ("Q4 \\/ Q1/Reports \\/ 📈/Weekly", ["Q4 \\/ Q1", "Q4 \\/ Q1/Reports \\/ 📈"], 3),
        ("\\/leading/x", ["\\/leading"], 2),
    ],
    ids=["escaped-slash", "escaped-backslash", "posthog-flag", "two-escaped", "leading-escaped"],
)
def test_ancestors_follow_escaped_segments(
    api: httpx.Client, path: str, ancestors: list[str], depth: int
) -> None:
    """Local server differs from PostHog: ancestors are built from correctly escaped segments."""
    leaf = create(api, path)
    assert leaf["depth"] == depth
    assert get_entry(api, leaf["id"])["depth"] == depth
    expected = {path: [("", depth, False)]}
    for i, ancestor in enumerate(ancestors, start=1):
        expected[ancestor] = [("folder", i, False)]
    assert tree(api) == expected


def test_empty_segments_do_not_count(api: httpx.Client) -> None:
    leaf = create(api, "a////b")
    assert leaf["depth"] == 2
    assert one_at(api, "a")["type"] == "folder"
    assert [e for e in list_all(api) if e["type"] == "folder"] == [one_at(api, "a")]


def test_duplicates_are_allowed(api: httpx.Client) -> None:
    first = create(api, "Twins/same 👯", type="insight", ref="r1")
    second = create(api, "Twins/same 👯", type="insight", ref="r1")
    assert first["id"] != second["id"]
    assert {e["id"] for e in at_path(api, "Twins/same 👯")} == {first["id"], second["id"]}
    assert len(at_path(api, "Twins")) == 1


def test_read_only_fields_are_ignored_on_create(api: httpx.Client) -> None:
    chosen_id = str(uuid.uuid4())
    created = create(
        api,
        "x/y",
        id=chosen_id,
        depth=9,
        created_at="2001-01-01T00:00:00Z",
        last_viewed_at="2001-01-01T00:00:00Z",
    )
    assert created["id"] != chosen_id
    assert created["depth"] == 2
    assert not created["created_at"].startswith("2001")
    stored = get_entry(api, created["id"])
    assert (stored["depth"], stored["created_at"]) == (2, created["created_at"])
    assert is_gone(api, chosen_id)


@pytest.mark.parametrize(
    "name",
    [
        "🚀 Launch [beta] (v2) {x}",
        "Ünïcödé — “quotes” 'single' \"double\"",
        "<b>not bold</b> [red]not red[/red] $HOME %s {0}",
        "tab\tnew\nline\x07bell",
        "back\\\\slash and \\/ slash",
        "  spaced  ",
    ],
    ids=["emoji-brackets", "unicode-quotes", "markup", "control", "escapes", "spaces"],
)
def test_names_hold_anything(api: httpx.Client, name: str) -> None:
    path = f"Odd names/{name}"
    created = create(api, path)
    assert created["path"] == path
    assert get_entry(api, created["id"])["path"] == path
    assert [e["id"] for e in at_path(api, path)] == [created["id"]]


# --- retrieve and 404s --------------------------------------------------------------------------


def test_retrieve_returns_the_stored_entry(api: httpx.Client) -> None:
    created = create(api, "Deep/er/Entry 🙂", type="notebook", ref="nb1", meta={"k": "v"})
    assert get_entry(api, created["id"]) == created


ID_ACTIONS = [
    ("GET", "", None),
    ("PATCH", "", {"path": "Hijacked"}),
    ("DELETE", "", None),
    ("POST", "count/", None),
    ("POST", "link/", {"new_path": "Hijacked/link"}),
    ("POST", "move/", {"new_path": "Hijacked/move"}),
]


@pytest.mark.parametrize(
    ("method", "suffix", "payload"), ID_ACTIONS, ids=[a[0] + " " + a[1] for a in ID_ACTIONS]
)
@pytest.mark.parametrize("which", ["unknown-uuid", "malformed", "integer", "other-project"])
def test_unknown_malformed_or_foreign_id_is_404(
    live_server: LiveServer,
    api: httpx.Client,
    method: str,
    suffix: str,
    payload: Any,
    which: str,
) -> None:
    create(api, "Mine/entry")
    with live_server.client(project=2) as p2:
        foreign = expect(p2.post("file_system/", json={"path": "Theirs", "type": "folder"}), 201)
        entry_id = {
            "unknown-uuid": str(uuid.uuid4()),
            "malformed": "not-a-uuid",
            "integer": "42",
            "other-project": foreign["id"],
        }[which]
        before = (snapshot(api), snapshot(p2))
        resp = api.request(method, f"file_system/{entry_id}/{suffix}", json=payload)
        assert_error(resp, 404, NOT_FOUND)
        assert (snapshot(api), snapshot(p2)) == before


# --- update -------------------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(api: httpx.Client) -> None:
    created = create(api, "P/item", type="insight", ref="r1", href="/insights/r1", meta={"a": 1})
    patched = expect(api.patch(f"file_system/{created['id']}/", json={"type": "dashboard"}), 200)
    assert patched == {**created, "type": "dashboard"} | {
        "last_viewed_at": patched["last_viewed_at"]
    }
    stored = get_entry(api, created["id"])
    assert stored["type"] == "dashboard"
    for field in ("path", "depth", "ref", "href", "meta", "shortcut", "created_at"):
        assert stored[field] == created[field], field


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ref", "new-ref"),
        ("href", "/dashboards/9"),
        ("meta", {"ünï": "🚀", "n": [1]}),
        ("shortcut", True),
        ("type", "hog_function/destination"),
    ],
)
def test_patch_each_field(api: httpx.Client, field: str, value: Any) -> None:
    created = create(api, "P/item", type="insight", ref="r1", href="/insights/r1", meta={"a": 1})
    patched = expect(api.patch(f"file_system/{created['id']}/", json={field: value}), 200)
    assert patched[field] == value
    stored = get_entry(api, created["id"])
    assert stored[field] == value
    assert stored["path"] == "P/item"


def test_patch_path_recomputes_depth_and_touches_nothing_else(api: httpx.Client) -> None:
    box = folder(api, "Box")
    child = create(api, "Box/child", type="insight", ref="c1")
    before = tree(api)
    patched = expect(api.patch(f"file_system/{box['id']}/", json={"path": "New/Place/Box 📦"}), 200)
    assert (patched["path"], patched["depth"]) == ("New/Place/Box 📦", 3)
    stored = get_entry(api, box["id"])
    assert (stored["path"], stored["depth"], stored["type"]) == ("New/Place/Box 📦", 3, "folder")
    # The child did not move, and no parent folder was created.
    assert get_entry(api, child["id"])["path"] == "Box/child"
    assert at_path(api, "New") == []
    assert at_path(api, "New/Place") == []
    after = tree(api)
    del before["Box"]
    assert after == {**before, "New/Place/Box 📦": [("folder", 3, False)]}


def test_patch_path_with_escaped_slashes(api: httpx.Client) -> None:
    created = create(api, "flat")
    patched = expect(api.patch(f"file_system/{created['id']}/", json={"path": "a\\/b\\/c"}), 200)
    assert patched["depth"] == 1
    assert get_entry(api, created["id"])["depth"] == 1
    patched = expect(api.patch(f"file_system/{created['id']}/", json={"path": "a/b\\/c/d"}), 200)
    assert patched["depth"] == 3


def test_patch_ignores_read_only_fields(api: httpx.Client) -> None:
    created = create(api, "x/y")
    other_id = str(uuid.uuid4())
    resp = api.patch(
        f"file_system/{created['id']}/",
        json={"id": other_id, "depth": 7, "created_at": "2001-01-01T00:00:00Z"},
    )
    assert resp.status_code == 200, resp.text
    stored = get_entry(api, created["id"])
    assert (stored["id"], stored["depth"], stored["created_at"]) == (
        created["id"],
        2,
        created["created_at"],
    )
    assert is_gone(api, other_id)


# --- delete: without objects --------------------------------------------------------------------


def test_delete_a_shortcut_removes_only_that_entry(api: httpx.Client) -> None:
    original = create(api, "Reports/Weekly", type="insight", ref="abc")
    shortcut = create(api, "Links/Weekly ↪", type="insight", ref="abc", shortcut=True)
    before = tree(api)
    resp = api.delete(f"file_system/{shortcut['id']}/")
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert is_gone(api, shortcut["id"])
    assert get_entry(api, original["id"]) == original
    del before["Links/Weekly ↪"]
    assert tree(api) == before


def test_delete_a_folder_removes_all_descendants_and_nothing_else(api: httpx.Client) -> None:
    trash = folder(api, "Trash")
    create(api, "Trash/link 1", type="insight", ref="i1", shortcut=True)
    create(api, "Trash/sub/link 2", type="dashboard", ref="2", shortcut=True)
    create(api, "Trash/sub/deeper/link 3 🚀", type="feature_flag", ref="3", shortcut=True)
    folder(api, "Trash/empty")
    create(api, "Trash/a\\/b/link 4", type="notebook", ref="n4", shortcut=True)
    survivors = [
        create(api, "Trash2/keep"),
        create(api, "trash/keep lowercase"),
        create(api, "Trash \\/ not/keep"),
        create(api, "Trashy"),
        create(api, "Other/Trash/keep"),
    ]
    expected = tree(api)
    for path in list(expected):
        if path == "Trash" or path.startswith("Trash/"):
            del expected[path]
    resp = api.delete(f"file_system/{trash['id']}/")
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert tree(api) == expected
    for entry in survivors:
        assert get_entry(api, entry["id"]) == entry


@pytest.mark.parametrize(
    ("name", "sibling"),
    [
        ("a_b", "axb/keep"),
        ("50%", "50 apples/keep"),
        ("[x]", "x/keep"),
        ("Case", "case/keep"),
        ("a\\/b", "a/b/keep"),
        ("a", "a\\/b/keep"),
    ],
)
def test_delete_a_folder_takes_its_name_literally(
    api: httpx.Client, name: str, sibling: str
) -> None:
    doomed = folder(api, name)
    create(api, f"{name}/link", type="insight", ref="i", shortcut=True)
    kept = create(api, sibling)
    expect_tree = {
        p: rows for p, rows in tree(api).items() if p != name and not p.startswith(name + "/")
    }
    assert api.delete(f"file_system/{doomed['id']}/").status_code == 204
    assert tree(api) == expect_tree
    assert get_entry(api, kept["id"]) == kept


@pytest.mark.parametrize("type_", ["doc-file", "", "notes", "Insight", "folders"])
def test_non_deletable_type_is_400_and_nothing_is_deleted(api: httpx.Client, type_: str) -> None:
    item = create(api, "Docs/Document.txt", type=type_)
    before = snapshot(api)
    resp = api.delete(f"file_system/{item['id']}/")
    assert_error_shape(
        resp,
        400,
        type_="validation_error",
        code="invalid_input",
        detail=f"Cannot delete resources with type '{type_}'.",
        attr="detail",  # PostHog raises ValidationError({"detail": …})
    )
    assert snapshot(api) == before


def test_non_deletable_type_deep_in_a_folder_blocks_the_whole_delete(api: httpx.Client) -> None:
    top = folder(api, "Top")
    create(api, "Top/a link", type="insight", ref="i1", shortcut=True)
    create(api, "Top/aaa/first link", type="dashboard", ref="1", shortcut=True)
    create(api, "Top/zzz/deeper/still/Document.txt", type="doc-file")
    create(api, "Top/zzz/deeper/z link", type="dashboard", ref="2", shortcut=True)
    before = snapshot(api)
    resp = api.delete(f"file_system/{top['id']}/")
    assert_error_shape(
        resp,
        400,
        type_="validation_error",
        code="invalid_input",
        detail="Cannot delete resources with type 'doc-file'.",
        attr="detail",
    )
    assert snapshot(api) == before


def test_item_without_ref_that_would_be_last_is_400(api: httpx.Client) -> None:
    item = create(api, "Dashboards/No reference", type="dashboard")
    before = snapshot(api)
    assert_error_shape(
        api.delete(f"file_system/{item['id']}/"),
        400,
        type_="validation_error",
        code="invalid_input",
        detail="Cannot delete type 'dashboard' without a reference.",
        attr="detail",
    )
    assert snapshot(api) == before


def test_item_without_ref_inside_a_folder_blocks_the_folder_delete(api: httpx.Client) -> None:
    box = folder(api, "Box")
    create(api, "Box/a link", type="insight", ref="i1", shortcut=True)
    create(api, "Box/sub/No reference", type="dashboard")
    before = snapshot(api)
    assert_error_shape(
        api.delete(f"file_system/{box['id']}/"),
        400,
        type_="validation_error",
        code="invalid_input",
        detail="Cannot delete type 'dashboard' without a reference.",
        attr="detail",
    )
    assert snapshot(api) == before


# --- delete and undo: objects (demo project) ------------------------------------------------------


@pytest.fixture
def demo(demo_server: LiveServer) -> httpx.Client:
    with demo_server.client() as client:
        unfiled(client)  # every object has an entry from here on
        yield client


def assert_object_deleted(api: httpx.Client, type_: str, ref: str) -> None:
    """No entry points at the object, and ``unfiled`` does not bring one back (it is deleted)."""
    assert list_all(api, type=type_, ref=ref) == []
    assert unfiled(api, type=type_) == 0
    assert list_all(api, type=type_, ref=ref) == []


def assert_object_alive(api: httpx.Client, type_: str, ref: str) -> None:
    """Nothing to restore: the object was never deleted."""
    resp = api.post("file_system/undo_delete/", json={"items": [{"type": type_, "ref": ref}]})
    assert_error_shape(
        resp,
        400,
        type_="validation_error",
        code="invalid_input",
        detail=UNDO_REFUSED,
        attr="detail",
    )


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_deleting_the_last_entry_deletes_the_object(demo: httpx.Client, type_: str) -> None:
    entry = sole_entry(demo, type_)
    resp = demo.delete(f"file_system/{entry['id']}/")
    got = expect(resp, 200)
    assert set(got) == {"deleted"}
    assert len(got["deleted"]) == 1
    deleted = got["deleted"][0]
    assert set(deleted) == {"type", "ref", "mode", "path", "can_undo", "undo"}
    assert (deleted["type"], deleted["ref"], deleted["path"]) == (
        type_,
        entry["ref"],
        entry["path"],
    )
    assert deleted["mode"] == "soft"
    assert deleted["can_undo"] is True
    assert isinstance(deleted["undo"], str)
    assert is_gone(demo, entry["id"])
    assert_object_deleted(demo, type_, entry["ref"])


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_deleting_one_of_two_originals_keeps_the_object(demo: httpx.Client, type_: str) -> None:
    entry = sole_entry(demo, type_)
    twin = create(demo, "Twins/📎 same object", type=type_, ref=entry["ref"], href=entry["href"])
    resp = demo.delete(f"file_system/{twin['id']}/")
    assert resp.status_code == 204, resp.text
    assert resp.content == b""
    assert is_gone(demo, twin["id"])
    assert get_entry(demo, entry["id"]) == entry
    assert_object_alive(demo, type_, entry["ref"])
    # Now it is the last one again.
    assert (
        expect(demo.delete(f"file_system/{entry['id']}/"), 200)["deleted"][0]["ref"] == entry["ref"]
    )


def test_a_shortcut_does_not_keep_the_object_alive(demo: httpx.Client) -> None:
    entry = sole_entry(demo, "insight")
    create(demo, "Links/↪ shortcut", type="insight", ref=entry["ref"], shortcut=True)
    got = expect(demo.delete(f"file_system/{entry['id']}/"), 200)
    assert [(d["type"], d["ref"]) for d in got["deleted"]] == [("insight", entry["ref"])]


def test_deleting_a_folder_deletes_the_objects_inside(demo: httpx.Client) -> None:
    insight = sole_entry(demo, "insight")
    moved = expect(
        demo.post(f"file_system/{insight['id']}/move/", json={"new_path": "Doomed/sub/📈 chart"}),
        200,
    )
    create(demo, "Doomed/↪ link", type="dashboard", ref="whatever", shortcut=True)
    doomed = one_at(demo, "Doomed")
    kept = create(demo, "Doomed2/keep")
    got = expect(demo.delete(f"file_system/{doomed['id']}/"), 200)
    assert [(d["type"], d["ref"], d["path"]) for d in got["deleted"]] == [
        ("insight", insight["ref"], moved["path"])
    ]
    assert list_all(demo, parent="Doomed") == []
    assert at_path(demo, "Doomed") == []
    assert get_entry(demo, kept["id"]) == kept
    assert_object_deleted(demo, "insight", insight["ref"])


def test_folder_delete_blocked_deep_down_deletes_no_object(demo: httpx.Client) -> None:
    insight = sole_entry(demo, "insight")
    expect(demo.post(f"file_system/{insight['id']}/move/", json={"new_path": "Box/📈"}), 200)
    create(demo, "Box/zzz/deeper/Document.txt", type="doc-file")
    box = one_at(demo, "Box")
    before = snapshot(demo)
    assert_error_shape(
        demo.delete(f"file_system/{box['id']}/"),
        400,
        type_="validation_error",
        detail="Cannot delete resources with type 'doc-file'.",
    )
    assert snapshot(demo) == before
    assert_object_alive(demo, "insight", insight["ref"])


@pytest.mark.parametrize("type_", OBJECT_TYPES)
def test_undo_delete_brings_the_object_and_its_entry_back(demo: httpx.Client, type_: str) -> None:
    entry = sole_entry(demo, type_)
    expect(demo.delete(f"file_system/{entry['id']}/"), 200)
    item = {"type": type_, "ref": entry["ref"]}
    got = expect(demo.post("file_system/undo_delete/", json={"items": [item]}), 200)
    assert got == {"undone": [item]}
    back = originals_of(demo, type_, entry["ref"])
    assert len(back) >= 1
    assert unfiled(demo, type=type_) == 0  # it has its entry already
    # A second undo has nothing to restore.
    resp = demo.post("file_system/undo_delete/", json={"items": [item]})
    assert_error_shape(
        resp,
        400,
        type_="validation_error",
        code="invalid_input",
        detail=UNDO_REFUSED,
        attr="detail",
    )
    assert originals_of(demo, type_, entry["ref"]) == back


def test_undo_delete_restores_to_the_given_path(demo: httpx.Client) -> None:
    entry = sole_entry(demo, "insight")
    expect(demo.delete(f"file_system/{entry['id']}/"), 200)
    target = "Restored/Here \\/ now/📈 back"
    item = {"type": "insight", "ref": entry["ref"], "path": target}
    got = expect(demo.post("file_system/undo_delete/", json={"items": [item]}), 200)
    assert got == {"undone": [{"type": "insight", "ref": entry["ref"]}]}
    back = originals_of(demo, "insight", entry["ref"])
    assert back
    assert {(e["path"], e["depth"]) for e in back} == {(target, 3)}


def test_undo_delete_of_several_objects(demo: httpx.Client) -> None:
    items = []
    for type_ in ("insight", "dashboard"):
        entry = sole_entry(demo, type_)
        expect(demo.delete(f"file_system/{entry['id']}/"), 200)
        items.append({"type": type_, "ref": entry["ref"]})
    got = expect(demo.post("file_system/undo_delete/", json={"items": items}), 200)
    assert got == {"undone": items}
    for item in items:
        assert originals_of(demo, item["type"], item["ref"])


@pytest.mark.parametrize(
    "item",
    [
        {"type": "insight", "ref": "no-such-short-id"},
        {"type": "dashboard", "ref": "987654321"},
        {"type": "doc-file", "ref": "x"},
    ],
)
def test_undo_delete_with_nothing_to_restore_is_400(
    demo: httpx.Client, item: dict[str, str]
) -> None:
    before = snapshot(demo)
    resp = demo.post("file_system/undo_delete/", json={"items": [item]})
    assert_error_shape(
        resp,
        400,
        type_="validation_error",
        code="invalid_input",
        detail=UNDO_REFUSED,
        attr="detail",
    )
    assert snapshot(demo) == before


def test_undo_delete_of_a_live_object_is_400(demo: httpx.Client) -> None:
    entry = sole_entry(demo, "insight")
    before = snapshot(demo)
    assert_object_alive(demo, "insight", entry["ref"])
    assert snapshot(demo) == before


def test_deleted_entries_leave_the_listing(demo: httpx.Client) -> None:
    entry = sole_entry(demo, "dashboard")
    expect(demo.delete(f"file_system/{entry['id']}/"), 200)
    assert entry["id"] not in {e["id"] for e in list_all(demo, limit=1000)}
    assert entry["id"] not in {e["id"] for e in at_path(demo, entry["path"])}


def test_deleting_a_folder_deletes_each_object_once(demo: httpx.Client) -> None:
    """Two originals of one object inside the folder: the object goes, and is listed once."""
    moved: list[tuple[str, str]] = []
    for type_ in OBJECT_TYPES:
        entry = sole_entry(demo, type_)
        expect(
            demo.post(f"file_system/{entry['id']}/move/", json={"new_path": f"Bin/{type_} 🗑"}),
            200,
        )
        moved.append((type_, entry["ref"]))
    insight_ref = moved[0][1]
    create(demo, "Bin/deeper/insight again", type="insight", ref=insight_ref)
    got = expect(demo.delete(f"file_system/{one_at(demo, 'Bin')['id']}/"), 200)
    assert sorted((d["type"], d["ref"]) for d in got["deleted"]) == sorted(moved)
    for type_, ref in moved:
        assert_object_deleted(demo, type_, ref)
    assert list_all(demo, parent="Bin") == []


def test_concurrent_creates_share_their_ancestors(
    live_server: LiveServer, api: httpx.Client
) -> None:
    """Ancestors are created only when missing, even when requests race."""

    def go(i: int) -> int:
        with live_server.client() as client:
            return client.post("file_system/", json={"path": f"p/q/r/leaf {i}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(go, range(16))) == {201}
    for path in ("p", "p/q", "p/q/r"):
        assert len(at_path(api, path)) == 1, path
    assert len(list_all(api)) == 19


EVERY_DELETABLE_KIND = [
    "insight",
    "dashboard",
    "feature_flag",
    "experiment",
    "notebook",
    "cohort",
    "action",
    "survey",
    "early_access_feature",
    "session_recording_playlist",
    "hog_function/destination",
    "hog_function/transformation",
]


@pytest.mark.parametrize("type_", EVERY_DELETABLE_KIND)
def test_every_deletable_kind_takes_its_object_and_undo_agrees_with_can_undo(
    demo: httpx.Client, type_: str
) -> None:
    entry = sole_entry(demo, type_)
    got = expect(demo.delete(f"file_system/{entry['id']}/"), 200)
    [deleted] = got["deleted"]
    assert (deleted["type"], deleted["ref"], deleted["path"]) == (
        type_,
        entry["ref"],
        entry["path"],
    )
    assert deleted["mode"] in ("soft", "hard")
    assert isinstance(deleted["can_undo"], bool)
    if type_ in OBJECT_TYPES:  # "soft-deleted where the object has a deleted flag"
        assert (deleted["mode"], deleted["can_undo"]) == ("soft", True)
    assert is_gone(demo, entry["id"])
    assert list_all(demo, type=type_, ref=entry["ref"]) == []
    item = {"type": type_, "ref": entry["ref"]}
    resp = demo.post("file_system/undo_delete/", json={"items": [item]})
    if deleted["can_undo"]:
        assert expect(resp, 200) == {"undone": [item]}
        assert originals_of(demo, type_, entry["ref"])
    else:
        assert_error_shape(
            resp,
            400,
            type_="validation_error",
            code="invalid_input",
            detail=UNDO_REFUSED,
            attr="detail",
        )
        assert list_all(demo, type=type_, ref=entry["ref"]) == []


@pytest.mark.parametrize("payload", [{}, {"things": []}], ids=["empty", "wrong-key"])
def test_undo_delete_without_items_is_400(demo: httpx.Client, payload: dict[str, Any]) -> None:
    before = snapshot(demo)
    resp = demo.post("file_system/undo_delete/", json=payload)
    assert_error_shape(resp, 400, type_="validation_error", code="required", attr="items")
    assert snapshot(demo) == before
