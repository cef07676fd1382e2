"""Conformance: ``GET file_system/`` — filters, ordering, pagination, ``users``, entry fields
(api.md sections 1 "Pagination" and 2 "The entry", "List")."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from support import OTHER_USER_KEY, LiveServer
from support.server_helpers import (
    ENTRY_FIELDS,
    USER_FIELDS,
    assert_error,
    assert_is_entry,
    create,
    create_many,
    expect,
    folder,
    list_all,
    list_page,
    parse_time,
    path_set,
    paths,
)

# --- the entry ----------------------------------------------------------------------------------


def test_empty_project_lists_nothing(api: httpx.Client) -> None:
    page = list_page(api)
    assert page == {"count": 0, "next": None, "previous": None, "results": [], "users": []}


def test_entry_has_exactly_the_contract_fields(api: httpx.Client) -> None:
    created = create(
        api,
        "Reports/Weekly 📈",
        type="insight",
        ref="a1B2c3",
        href="/insights/a1B2c3",
        meta={"created_by": 1, "nested": {"ünï": ["cödé", 1, None]}},
    )
    listed = list_page(api, path="Reports/Weekly 📈")["results"]
    assert len(listed) == 1
    retrieved = expect(api.get(f"file_system/{created['id']}/"), 200)
    for entry in (created, listed[0], retrieved):
        assert set(entry) == ENTRY_FIELDS
        assert str(uuid.UUID(entry["id"])) == entry["id"].lower()
        assert entry["path"] == "Reports/Weekly 📈"
        assert entry["depth"] == 2
        assert entry["type"] == "insight"
        assert entry["ref"] == "a1B2c3"
        assert entry["href"] == "/insights/a1B2c3"
        assert entry["meta"] == {"created_by": 1, "nested": {"ünï": ["cödé", 1, None]}}
        assert entry["shortcut"] is False
        assert parse_time(entry["created_at"]).tzinfo is not None
        assert entry["last_viewed_at"] is None or isinstance(entry["last_viewed_at"], str)
    assert listed[0] == retrieved == created


def test_every_entry_of_a_page_has_the_contract_fields(api: httpx.Client) -> None:
    create(api, "a/b/c", type="dashboard", ref="7", shortcut=True)
    results = list_page(api)["results"]
    assert paths(results) == ["a", "a/b", "a/b/c"]
    for entry in results:
        assert_is_entry(entry)
        assert isinstance(entry["depth"], int)
        assert isinstance(entry["shortcut"], bool)


# --- filters ------------------------------------------------------------------------------------


@pytest.fixture
def family(api: httpx.Client) -> None:
    create_many(
        api,
        [
            "RootItem",
            "SomeFolder/File1",
            "SomeFolder/SubFolder/File2",
            "SomeFolderX/File4",
            "AnotherFolder/File3",
            "somefolder/lowercase",
        ],
    )


def test_parent_lists_all_descendants(api: httpx.Client, family: None) -> None:
    got = path_set(list_all(api, parent="SomeFolder"))
    assert got == {"SomeFolder/File1", "SomeFolder/SubFolder", "SomeFolder/SubFolder/File2"}


def test_parent_with_depth_lists_direct_children(api: httpx.Client, family: None) -> None:
    assert path_set(list_all(api, parent="SomeFolder", depth=2)) == {
        "SomeFolder/File1",
        "SomeFolder/SubFolder",
    }
    assert path_set(list_all(api, parent="SomeFolder/SubFolder", depth=3)) == {
        "SomeFolder/SubFolder/File2"
    }


def test_parent_of_a_leaf_or_an_unknown_folder_is_empty(api: httpx.Client, family: None) -> None:
    assert list_all(api, parent="RootItem") == []
    assert list_all(api, parent="Nowhere") == []


@pytest.mark.parametrize(
    ("parent", "inside", "outside"),
    [
        ("a\\/b", "a\\/b/inside", "a/b/outside"),
        ("a", "a/inside", "a\\/b/outside"),
        ("50%", "50%/inside", "50 apples/outside"),
        ("a_b", "a_b/inside", "axb/outside"),
        ("[x]", "[x]/inside", "x/outside"),
        ("Case", "Case/inside", "case/outside"),
        ("ünï 🚀", "ünï 🚀/inside", "ÜNÏ 🚀/outside"),
        ("Some", "Some/inside", "Something/outside"),
    ],
    ids=[
        "escaped-slash",
        "not-into-escaped",
        "percent",
        "underscore",
        "brackets",
        "case",
        "unicode",
        "prefix",
    ],
)
def test_parent_is_a_literal_case_sensitive_prefix(
    api: httpx.Client, parent: str, inside: str, outside: str
) -> None:
    """``path`` starts with ``parent + "/"``: no wildcards, no case folding, escapes respected."""
    create_many(api, [inside, outside])
    assert paths(list_all(api, parent=parent)) == [inside]


def test_depth_filter(api: httpx.Client) -> None:
    create_many(api, ["OneSegment", "Folder/Sub", "Deep/Nested/Path", "Escaped\\/Slash/child"])
    assert path_set(list_all(api, depth=1)) == {"OneSegment", "Folder", "Deep", "Escaped\\/Slash"}
    assert path_set(list_all(api, depth=2)) == {
        "Folder/Sub",
        "Deep/Nested",
        "Escaped\\/Slash/child",
    }
    assert path_set(list_all(api, depth=3)) == {"Deep/Nested/Path"}
    assert list_all(api, depth=4) == []


@pytest.mark.parametrize("depth", ["abc", "1.5", "", "one", "1e0", "0x1"])
def test_non_integer_depth_is_ignored(api: httpx.Client, depth: str) -> None:
    create_many(api, ["OneSegment", "Folder/Sub", "Deep/Nested/Path"])
    everything = list_all(api)
    got = list_all(api, depth=depth)
    assert path_set(got) == path_set(everything)
    assert len(got) == len(everything) == 6


def test_path_is_exact(api: httpx.Client) -> None:
    create_many(
        api,
        [
            "SomeFolder/File1",
            "SomeFolder/File10",
            "somefolder/file1",
            "X/SomeFolder/File1",
            "a\\/b",
            "a/b",
        ],
    )
    assert paths(list_all(api, path="SomeFolder/File1")) == ["SomeFolder/File1"]
    assert paths(list_all(api, path="a\\/b")) == ["a\\/b"]
    assert paths(list_all(api, path="a/b")) == ["a/b"]
    assert list_all(api, path="SomeFolder/File") == []
    assert list_all(api, path="SomeFolder/File_") == []
    assert list_all(api, path="SomeFolder/File%") == []


@pytest.fixture
def typed(api: httpx.Client) -> None:
    create(api, "FileA", type="feature_flag")
    create(api, "FileB", type="dashboard")
    create(api, "FileC", type="feature_flag")
    create(api, "FileD", type="feature_flags")
    create(api, "FileE", type="hog_function/destination")
    create(api, "FileF", type="hog_function/source")
    create(api, "FileG")


def test_type_is_exact(api: httpx.Client, typed: None) -> None:
    assert paths(list_all(api, type="feature_flag")) == ["FileA", "FileC"]
    assert paths(list_all(api, type="hog_function/source")) == ["FileF"]
    assert list_all(api, type="feature") == []
    assert list_all(api, type="Feature_Flag") == []


def test_not_type(api: httpx.Client, typed: None) -> None:
    assert paths(list_all(api, not_type="feature_flag")) == [
        "FileB",
        "FileD",
        "FileE",
        "FileF",
        "FileG",
    ]


def test_type_startswith(api: httpx.Client, typed: None) -> None:
    assert paths(list_all(api, type__startswith="f")) == ["FileA", "FileC", "FileD"]
    assert paths(list_all(api, type__startswith="hog_function/")) == ["FileE", "FileF"]
    assert paths(list_all(api, type__startswith="feature_flag")) == ["FileA", "FileC", "FileD"]
    assert list_all(api, type__startswith="_") == []
    assert list_all(api, type__startswith="%") == []


def test_filters_combine_with_and(api: httpx.Client) -> None:
    create(api, "P/one", type="insight", ref="r1")
    create(api, "P/two", type="dashboard", ref="r1")
    create(api, "P/deep/three", type="insight", ref="r1")
    create(api, "Q/four", type="insight", ref="r1")
    assert paths(list_all(api, parent="P", type="insight")) == ["P/deep/three", "P/one"]
    assert paths(list_all(api, parent="P", type="insight", depth=2)) == ["P/one"]
    # With ``ref`` only "originals first" is promised, so compare as a set.
    assert path_set(list_all(api, parent="P", not_type="folder", ref="r1", depth=2)) == {
        "P/one",
        "P/two",
    }
    assert paths(list_all(api, parent="P", search="two")) == ["P/two"]


def test_ref_filter_is_exact(api: httpx.Client) -> None:
    create(api, "one", type="insight", ref="abc")
    create(api, "two", type="insight", ref="abcd")
    create(api, "three", type="insight", ref="ABC")
    assert paths(list_all(api, ref="abc")) == ["one"]


def test_ref_lists_originals_before_shortcuts(api: httpx.Client) -> None:
    # Path order would put every shortcut first.
    create(api, "A shortcut", type="insight", ref="abc", shortcut=True)
    create(api, "B shortcut", type="insight", ref="abc", shortcut=True)
    original = create(api, "Z original", type="insight", ref="abc")
    create(api, "C other", type="insight", ref="zzz")
    results = list_all(api, ref="abc")
    assert [e["shortcut"] for e in results] == [False, True, True]
    assert results[0]["id"] == original["id"]
    assert path_set(results) == {"A shortcut", "B shortcut", "Z original"}


def test_created_at_gt_and_lt(api: httpx.Client) -> None:
    # A second apart: the contract does not promise sub-second precision.
    first = create(api, "first")
    time.sleep(1.1)
    middle = create(api, "middle")
    time.sleep(1.1)
    last = create(api, "last")
    assert paths(list_all(api, created_at__gt=middle["created_at"])) == ["last"]
    assert paths(list_all(api, created_at__lt=middle["created_at"])) == ["first"]
    between = list_all(api, created_at__gt=first["created_at"], created_at__lt=last["created_at"])
    assert [e["id"] for e in between] == [middle["id"]]
    # The same instants written another way (an explicit offset) mean the same.
    t_first, t_middle = parse_time(first["created_at"]), parse_time(middle["created_at"])
    halfway = (t_first + (t_middle - t_first) / 2).astimezone(UTC)
    assert paths(list_all(api, created_at__lt=halfway.isoformat())) == ["first"]
    assert paths(list_all(api, created_at__gt=halfway.isoformat())) == ["last", "middle"]
    in_paris = halfway.astimezone(ZoneInfo("Europe/Paris"))
    assert paths(list_all(api, created_at__lt=in_paris.isoformat())) == ["first"]
    later = (parse_time(last["created_at"]) + timedelta(days=1)).isoformat()
    assert list_all(api, created_at__gt=later) == []


def test_search_name_only_matches_the_last_segment(api: httpx.Client) -> None:
    create_many(api, ["Reports/alpha", "Misc/my report", "Misc/other"])
    assert path_set(list_all(api, search="report")) == {
        "Reports",
        "Reports/alpha",
        "Misc/my report",
    }
    assert path_set(list_all(api, search="report", search_name_only="true")) == {
        "Reports",
        "Misc/my report",
    }
    assert path_set(list_all(api, search="misc", search_name_only="true")) == {"Misc"}


# --- ordering -----------------------------------------------------------------------------------


@pytest.fixture
def quoted_example(api: httpx.Client) -> None:
    """api.md's example: children ``alpha/``, ``beta/``, ``Afile.txt``, ``bFile.txt``."""
    folder(api, "beta")
    create(api, "bFile.txt", type="feature_flag")
    folder(api, "alpha")
    create(api, "Afile.txt", type="feature_flag")


def test_quoted_example_with_depth_puts_folders_first(
    api: httpx.Client, quoted_example: None
) -> None:
    assert paths(list_page(api, depth=1)["results"]) == ["alpha", "beta", "Afile.txt", "bFile.txt"]


def test_quoted_example_without_depth_is_case_insensitive_path_order(
    api: httpx.Client, quoted_example: None
) -> None:
    assert paths(list_page(api)["results"]) == ["Afile.txt", "alpha", "beta", "bFile.txt"]


def test_quoted_example_inside_a_folder(api: httpx.Client) -> None:
    """The web UI's way: ``parent=P&depth=d+1``."""
    folder(api, "P/beta")
    create(api, "P/bFile.txt", type="insight")
    create(api, "P/alpha/inner", type="insight")  # ``P/alpha`` appears as an ancestor folder
    create(api, "P/Afile.txt", type="dashboard")
    got = list_page(api, parent="P", depth=2)["results"]
    assert paths(got) == ["P/alpha", "P/beta", "P/Afile.txt", "P/bFile.txt"]
    assert [e["type"] for e in got[:2]] == ["folder", "folder"]
    assert paths(list_page(api, parent="P")["results"]) == [
        "P/Afile.txt",
        "P/alpha",
        "P/alpha/inner",
        "P/beta",
        "P/bFile.txt",
    ]


def test_default_order_is_by_whole_path_case_insensitively(api: httpx.Client) -> None:
    create_many(api, ["Zeta/a", "alpha", "Beta", "bz/x", "ALPHA2"])
    assert paths(list_all(api)) == ["alpha", "ALPHA2", "Beta", "bz", "bz/x", "Zeta", "Zeta/a"]


def test_order_by_path(api: httpx.Client) -> None:
    create_many(api, ["b", "c", "a"])
    assert paths(list_all(api, order_by="path")) == ["a", "b", "c"]
    assert paths(list_all(api, order_by="-path")) == ["c", "b", "a"]


def test_order_by_path_beats_depth_order(api: httpx.Client) -> None:
    create(api, "a")
    folder(api, "b")
    create(api, "c")
    assert paths(list_all(api, order_by="-path", depth=1)) == ["c", "b", "a"]


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
@pytest.mark.parametrize("name", ["created_at__gt", "created_at__lt"])
def test_a_moment_past_the_calendar_is_400(api: httpx.Client, name: str, moment: str) -> None:
    """In UTC these fall outside years 1 to 9999 (they used to answer 500)."""
    assert_error(
        api.get("file_system/", params={name: moment}),
        400,
        {
            "type": "validation_error",
            "code": "invalid_input",
            "detail": "Enter a valid date/time.",
            "attr": name,
        },
    )


def test_order_by_created_at(api: httpx.Client) -> None:
    oldest_first = ["m first", "a second", "z third"]  # path order would differ
    for name in oldest_first:
        create(api, name)
        time.sleep(1.1)
    assert paths(list_all(api, order_by="created_at")) == oldest_first
    assert paths(list_all(api, order_by="-created_at")) == oldest_first[::-1]


# --- pagination ---------------------------------------------------------------------------------


def test_limit_defaults_to_100(api: httpx.Client) -> None:
    create_many(api, [f"bulk/item {i:03}" for i in range(104)])
    page = list_page(api)
    assert page["count"] == 105
    assert len(page["results"]) == 100
    assert page["previous"] is None
    assert page["next"] is not None
    assert paths(page["results"]) == ["bulk"] + [f"bulk/item {i:03}" for i in range(99)]


def test_limit_and_offset(api: httpx.Client) -> None:
    create_many(api, [f"n{i}" for i in range(7)])
    page = list_page(api, limit=3, offset=2)
    assert page["count"] == 7
    assert paths(page["results"]) == ["n2", "n3", "n4"]
    assert list_page(api, limit=3, offset=6)["results"][0]["path"] == "n6"
    beyond = list_page(api, limit=3, offset=50)
    assert beyond["count"] == 7
    assert beyond["results"] == []
    assert beyond["next"] is None


def test_next_and_previous_are_absolute_urls(live_server: LiveServer, api: httpx.Client) -> None:
    create_many(api, [f"n{i}" for i in range(7)])
    first = list_page(api, limit=3)
    assert first["count"] == 7
    assert first["previous"] is None
    assert first["next"].startswith(live_server.url + "/")
    second = expect(api.get(first["next"]), 200)
    assert paths(second["results"]) == ["n3", "n4", "n5"]
    assert second["previous"].startswith(live_server.url + "/")
    assert second["next"].startswith(live_server.url + "/")
    back = expect(api.get(second["previous"]), 200)
    assert back["results"] == first["results"]
    third = expect(api.get(second["next"]), 200)
    assert paths(third["results"]) == ["n6"]
    assert third["next"] is None
    assert third["previous"] is not None


def test_walking_next_yields_every_entry_once_and_keeps_filters(api: httpx.Client) -> None:
    for i in range(13):
        folder(api, f"P/folder {i:02}")
        create(api, f"P/Item {i:02} 🚀", type="insight")
    create_many(api, ["P/folder 00/deeper", "Q/outside"])
    everything = list_all(api, parent="P", depth=2, limit=1000)
    assert len(everything) == 26
    assert [e["type"] for e in everything] == ["folder"] * 13 + ["insight"] * 13
    walked = list_all(api, parent="P", depth=2, limit=4)
    assert [e["id"] for e in walked] == [e["id"] for e in everything]
    assert len({e["id"] for e in walked}) == 26


def test_walking_next_on_the_whole_project(api: httpx.Client) -> None:
    create_many(api, [f"x/{i}" for i in range(9)] + ["y"])
    page = list_page(api, limit=3)
    seen: list[str] = []
    while True:
        assert page["count"] == 11
        seen.extend(e["id"] for e in page["results"])
        if page["next"] is None:
            break
        page = expect(api.get(page["next"]), 200)
    assert len(seen) == len(set(seen)) == 11


# --- users --------------------------------------------------------------------------------------


def test_users_lists_the_creators_seen_in_the_page(
    live_server: LiveServer, api: httpx.Client
) -> None:
    create(api, "a by admin")
    create(api, "b by admin")
    with live_server.client(OTHER_USER_KEY) as other:
        expect(other.post("file_system/", json={"path": "c by other"}), 201)

    admins = list_page(api, limit=2)["users"]
    assert len(admins) == 1
    others = list_page(api, limit=1, offset=2)["users"]
    assert len(others) == 1
    both = list_page(api)["users"]
    assert len(both) == 2

    for user in both:
        assert set(user) == USER_FIELDS
        assert isinstance(user["id"], int)
        uuid.UUID(user["uuid"])
        for name in ("first_name", "last_name", "email"):
            assert isinstance(user[name], str)
    assert admins[0]["id"] != others[0]["id"]
    assert {u["id"] for u in both} == {admins[0]["id"], others[0]["id"]}
    assert list_page(api, path="no such path")["users"] == []


def test_folders_are_never_synthesised(api: httpx.Client) -> None:
    """Only real rows are listed: a path whose ancestors have no row shows no folder."""
    entry = create(api, "a/b")
    expect(api.patch(f"file_system/{entry['id']}/", json={"path": "x/y/z"}), 200)
    assert paths(list_all(api)) == ["a", "x/y/z"]
    assert paths(list_all(api, depth=1)) == ["a"]
    assert list_all(api, path="x") == []
    assert paths(list_all(api, parent="x")) == ["x/y/z"]


def test_a_child_with_an_odd_path_is_not_listed_under_its_parent(api: httpx.Client) -> None:
    """A leading "/" files ``/a/c`` under ``a`` by its segments, but PostHog's test is
    ``path`` starting with ``a/``: it is no child of ``a``, whatever shortcut the server takes
    for folders that hold no such row."""
    create_many(api, ["a/b", "a/d"])
    assert paths(list_all(api, parent="a", depth=2)) == ["a/b", "a/d"]
    odd = create(api, "a/c")
    expect(api.patch(f"file_system/{odd['id']}/", json={"path": "/a/c"}), 200)
    assert paths(list_all(api, parent="a", depth=2)) == ["a/b", "a/d"]
    assert list_page(api, parent="a", depth=2)["count"] == 2
