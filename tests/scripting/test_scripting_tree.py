"""``hogtree ls/find/count/mkdir/mv/ln/rm`` as a shell runs them, against a real server.

Each test works in a top-level folder of its own on one server shared by the module (a
process start is the expensive part), and checks what the command printed and what the
server holds afterwards, over HTTP.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, READ_KEY, LiveServer
from support.insight_helpers import create_dashboard, create_insight
from support.scripting_helpers import (
    at_path,
    command,
    create,
    entries_under,
    environment,
    on_host,
    paths_under,
    run,
    run_on_tty,
)

from tui.api import PostHogClient

# --------------------------------------------------------------------------- ls, find


def test_ls_prints_a_folder_in_tree_order_one_path_a_line(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "Ls/Q4 \\/ Q1")
    create(http, "Ls/Q4 \\/ Q1/deep", "insight", ref="deep1")
    create(http, "Ls/b-report", "insight", ref="b1")
    create(http, "Ls/Alpha", "insight", ref="a1")
    create(http, "Ls/zeta")

    # The connection flags after the command's name work as well as before it.
    piped = run(command("ls", "Ls", "--host", server.url, "--project", "1"), env)
    assert (piped.code, piped.err) == (0, "")
    # Folders first, then names whatever their case: the tree's order. Paths as stored,
    # the escaped slash included, so each line can be handed back to hogtree.
    assert piped.lines == ["Ls/Q4 \\/ Q1", "Ls/zeta", "Ls/Alpha", "Ls/b-report"]

    as_json = run(on_host(server, "ls", "-R", "Ls", "--type", "insight", "--json"), env)
    assert as_json.code == 0
    listed = [json.loads(line) for line in as_json.lines]
    held = [e for e in entries_under(http, "Ls") if e["type"] == "insight"]
    assert sorted(e["id"] for e in listed) == sorted(e["id"] for e in held)
    assert {e["path"] for e in listed} == {"Ls/Alpha", "Ls/b-report", "Ls/Q4 \\/ Q1/deep"}


def test_ls_on_a_terminal_prints_aligned_columns(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    folder = create(http, "Cols/Q4 \\/ Q1")
    item = create(http, "Cols/a much longer name than the folder", "dashboard", ref="7")

    shown = run_on_tty(on_host(server, "ls", "Cols"), env)

    assert shown.code == 0
    header, *rows = shown.lines
    assert header.split() == ["TYPE", "CREATED", "ID", "NAME"]
    assert len(rows) == 2
    # Every column starts where its header does; a folder's name ends in "/".
    for row, entry, name in [(rows[0], folder, "Q4 \\/ Q1/"), (rows[1], item, item["path"][5:])]:
        assert row[header.index("TYPE") :].startswith(entry["type"])
        assert row[header.index("ID") :].startswith(entry["id"])
        assert row[header.index("NAME") :] == name


def test_names_reach_a_pipe_harmless_and_json_exact(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    # An OSC sequence that would retitle the terminal, and a bidi override.
    hostile = create(http, "Evil/\x1b]0;pwned\x07 \u202etxt.exe", "insight", ref="ev")

    piped = run(on_host(server, "ls", "Evil"), env)
    as_json = run(on_host(server, "ls", "Evil", "--json"), env)

    assert piped.lines == ["Evil/␛]0;pwned␇ <U+202E>txt.exe"]
    assert "\x1b" not in as_json.out and "\u202e" not in as_json.out
    assert json.loads(as_json.out)["path"] == hostile["path"]


def test_ls_of_nothing_is_an_error_on_stderr(server: LiveServer, env: dict[str, str]) -> None:
    result = run(on_host(server, "ls", "Nope/Not here"), env)
    assert (result.code, result.out) == (1, "")
    assert result.err == "hogtree ls: Not found: nothing at Nope/Not here\n"


def test_listings_follow_every_page(server: LiveServer, http: httpx.Client) -> None:
    """The client's pager behind ls, find and rm, with pages small enough to need several."""
    for i in range(5):
        create(http, f"Pages/e{i}", "insight", ref=f"page{i}")

    async def walk() -> list[list[str]]:
        async with PostHogClient(server.url, 1, ADMIN_KEY) as client:
            pages = client.iter_entries(page_size=2, parent="Pages", order_by="path")
            return [[entry.path for entry in page.results] async for page in pages]

    assert asyncio.run(walk()) == [["Pages/e0", "Pages/e1"], ["Pages/e2", "Pages/e3"], ["Pages/e4"]]


def test_find_uses_posthogs_search_syntax(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "Find/needle one", "insight", ref="n1")
    create(http, "Find/Sub/Needle two", "feature_flag", ref="2")
    create(http, "Find/Old/needle three", "insight", ref="n3")
    create(http, "Find/hay", "insight", ref="h1")

    result = run(on_host(server, "find", "name:needle path:Find -path:Old"), env)

    assert result.code == 0
    assert sorted(result.lines) == ["Find/Sub/Needle two", "Find/needle one"]


# --------------------------------------------------------------------------- count


def test_count_prints_the_number_piped_and_the_types_as_json(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "Cnt/a", "insight", ref="c1")
    create(http, "Cnt/Sub/b", "insight", ref="c2")
    create(http, "Cnt/Sub/flag", "feature_flag", ref="3")

    piped = run(on_host(server, "count", "Cnt"), env)
    as_json = run(on_host(server, "count", "Cnt", "--json"), env)

    assert (piped.code, piped.out) == (0, "4\n")
    assert json.loads(as_json.out) == {
        "path": "Cnt",
        "count": 4,
        "types": {"insight": 2, "folder": 1, "feature_flag": 1},
    }


def test_count_of_an_item_fails_in_the_servers_words(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    create(http, "CntItem/chart", "insight", ref="ci")
    result = run(on_host(server, "count", "CntItem/chart"), env)
    assert (result.code, result.out) == (1, "")
    assert result.err == "hogtree count: Count can only be called on folders\n"


# --------------------------------------------------------------------------- mkdir


def test_mkdir_needs_its_parent_unless_p(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    refused = run(on_host(server, "mkdir", "Mk/Q4 \\/ Q1"), env)
    assert refused.code == 1
    assert refused.err == "hogtree mkdir: Mk/Q4 \\/ Q1: no folder Mk (-p creates it)\n"
    assert at_path(http, "Mk") == []

    made = run(on_host(server, "mkdir", "-p", "Mk/Q4 \\/ Q1"), env)

    assert (made.code, made.lines) == (0, ["Mk/Q4 \\/ Q1"])
    [parent] = at_path(http, "Mk")
    [folder] = at_path(http, "Mk/Q4 \\/ Q1")
    assert (parent["type"], folder["type"], folder["depth"]) == ("folder", "folder", 2)


# --------------------------------------------------------------------------- mv, ln


def test_mv_moves_into_a_folder_renames_otherwise(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    a = create(http, "Mv/a", "insight", ref="mva")
    create(http, "Mv/b", "insight", ref="mvb")
    create(http, "Mv/Dir/c", "insight", ref="mvc")

    # Several sources, and a destination written as a folder: created, filled.
    into = run(on_host(server, "mv", "Mv/a", "Mv/b", "Mv/Into/"), env)
    # A folder onto a new path: renamed, with what it holds.
    renamed = run(on_host(server, "mv", "Mv/Dir", "Mv/Renamed \\/ dir"), env)

    assert (into.code, into.lines) == (0, ["Mv/Into/a", "Mv/Into/b"])
    assert (renamed.code, renamed.lines) == (0, ["Mv/Renamed \\/ dir"])
    assert paths_under(http, "Mv") == [
        "Mv/Into",
        "Mv/Into/a",
        "Mv/Into/b",
        "Mv/Renamed \\/ dir",
        "Mv/Renamed \\/ dir/c",
    ]
    # The entry moved is the same one (same id), not a copy.
    assert at_path(http, "Mv/Into/a")[0]["id"] == a["id"]


def test_mv_by_id_and_of_several_into_no_folder(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    a = create(http, "MvId/Deep/a", "insight", ref="ida")
    create(http, "MvId/Deep/b", "insight", ref="idb")

    by_id = run(on_host(server, "mv", a["id"], "MvId"), env)
    refused = run(on_host(server, "mv", "MvId/a", "MvId/Deep/b", "MvId/None"), env)

    assert (by_id.code, by_id.lines) == (0, ["MvId/a"])
    assert refused.code == 1
    assert "no folder MvId/None: several entries go into a folder" in refused.err
    assert paths_under(http, "MvId") == ["MvId/Deep", "MvId/Deep/b", "MvId/a"]


def test_mv_of_a_folder_only_implied_by_its_entries(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    # PATCH moves one entry and creates no parents: "Ghost" then has no row of its own.
    entry = create(http, "Imp/x", "insight", ref="imp")
    assert http.patch(f"file_system/{entry['id']}/", json={"path": "Imp/Ghost/x"}).is_success

    listed = run(on_host(server, "ls", "Imp/Ghost"), env)
    moved = run(on_host(server, "mv", "Imp/Ghost", "Imp/Real"), env)

    assert listed.lines == ["Imp/Ghost/x"]
    assert (moved.code, moved.lines) == (0, ["Imp/Real"])
    assert paths_under(http, "Imp") == ["Imp/Real", "Imp/Real/x"]


def test_ln_makes_a_shortcut_inside_a_folder(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    original = create(http, "Ln/orig", "insight", ref="lnref")
    create(http, "Ln/Links")

    result = run(on_host(server, "ln", "Ln/orig", "Ln/Links", "--json"), env)

    assert result.code == 0
    [printed] = [json.loads(line) for line in result.lines]
    [held] = at_path(http, "Ln/Links/orig")
    assert printed["id"] == held["id"] != original["id"]
    assert (held["shortcut"], held["ref"], held["type"]) == (True, "lnref", "insight")
    assert at_path(http, "Ln/orig")[0]["shortcut"] is False


# --------------------------------------------------------------------------- rm


def test_rm_names_the_objects_and_a_refusal_deletes_nothing(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    insight, short_id = create_insight(server.db_path, "Kept", None)
    create(http, "RmNo/Box/chart", "insight", ref=short_id)
    create(http, "RmNo/Box/Sub")

    not_recursive = run(on_host(server, "rm", "-y", "RmNo/Box"), env)
    refused = run(on_host(server, "rm", "-r", "RmNo/Box"), env, stdin="n\n")

    assert not_recursive.code == 1
    assert "RmNo/Box is a folder: -r deletes it" in not_recursive.err
    assert (refused.code, refused.out) == (1, "")
    assert "Deletes folder RmNo/Box and the 2 entries inside it." in refused.err
    assert "This deletes 1 insight" in refused.err
    assert "hogtree rm: not deleted" in refused.err
    assert paths_under(http, "RmNo") == ["RmNo/Box", "RmNo/Box/Sub", "RmNo/Box/chart"]
    assert http.get(f"insights/{insight}/").json()["deleted"] is False


def test_rm_on_a_terminal_asks_then_deletes_the_objects_too(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    insights = [create_insight(server.db_path, f"Chart {i}", None) for i in range(2)]
    dashboard = create_dashboard(server.db_path, "Board", [])
    for i, (_, short_id) in enumerate(insights):
        create(http, f"RmYes/Box/chart {i}", "insight", ref=short_id)
    create(http, "RmYes/Box/board", "dashboard", ref=str(dashboard))
    create(http, "RmYes/Box/link", "insight", ref=insights[0][1], shortcut=True)

    shown = run_on_tty(on_host(server, "rm", "-r", "RmYes/Box"), env, answer="y")

    assert shown.code == 0, shown.out
    assert "This deletes 2 insights, 1 dashboard" in shown.out
    assert "Delete? [y/N] y" in shown.out
    assert "Deleted 1 entry and with it 2 insights, 1 dashboard" in shown.out
    assert paths_under(http, "RmYes") == []
    assert at_path(http, "RmYes/Box") == []
    for insight, _ in insights:
        assert http.get(f"insights/{insight}/").json()["deleted"] is True
    assert http.get(f"dashboards/{dashboard}/").json()["deleted"] is True


def test_rm_without_the_write_scope_fails_in_the_servers_words(
    server: LiveServer, tmp_path: Path, http: httpx.Client
) -> None:
    create(http, "RmRo/x", "insight", ref="ro")
    result = run(on_host(server, "rm", "-y", "RmRo/x"), environment(tmp_path, READ_KEY))
    assert result.code == 1
    assert result.err == (
        "hogtree rm: RmRo/x: Permission denied: the API key lacks the 'file_system:write'"
        " scope (add it to the key in PostHog's settings)\n"
    )
    assert paths_under(http, "RmRo") == ["RmRo/x"]


# --------------------------------------------------------------------------- usage


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["mv", "OnlyOne"], "usage: hogtree mv"),
        (["--read-only", "rm", "-y", "Anything"], "--read-only: rm would change the project"),
    ],
)
def test_usage_errors_exit_2_and_change_nothing(
    server: LiveServer, env: dict[str, str], args: list[str], said: str
) -> None:
    result = run(on_host(server, *args), env)
    assert (result.code, result.out) == (2, "")
    assert said in result.err
