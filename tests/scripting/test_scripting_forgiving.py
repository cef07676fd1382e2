"""Commands as a newcomer types them (issue 19's "Seen on main"): times ago written with a
leading dash, an export folder that does not exist yet, counts past the first 200, a
dashboard asked for as CSV, a ``--db`` in no folder, a project that does not exist, and a
port already taken. Each runs as a shell runs it, against a real server."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from support import LiveServer
from support.event_helpers import ago, iso, sdk_event, send_batch
from support.insight_helpers import create_dashboard, create_insight, seed_signups, trends_query
from support.scripting_helpers import command, create, environment, on_host, run

from tui.scripting.arguments import join_dashed_values

# --------------------------------------------------------------------------- --after -24h


@pytest.fixture(scope="module")
def old_and_new(server: LiveServer) -> tuple[str, str]:
    """Two events: one of 30 hours ago, one of 5 minutes ago (their distinct ids)."""
    send_batch(
        server,
        [
            sdk_event("when_test", "old-one", ago(hours=30)),
            sdk_event("when_test", "new-one", ago(minutes=5)),
        ],
    )
    return "old-one", "new-one"


def _distinct_ids(result_lines: list[str]) -> list[str]:
    return [line.split("\t")[2] for line in result_lines]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (["--after", "-24h"], ["new-one"]),  # as the README writes it
        (["--after", "24h"], ["new-one"]),  # the past is the only direction
        (["--after", iso(ago(hours=24))], ["new-one"]),
        (["--before", "-1d"], ["old-one"]),
        (["--after", "-7d", "--before", "-1h"], ["old-one"]),
    ],
)
def test_events_take_times_ago_as_documented(
    server: LiveServer,
    env: dict[str, str],
    old_and_new: tuple[str, str],
    when: list[str],
    expected: list[str],
) -> None:
    result = run(on_host(server, "events", "--event", "when_test", *when), env)

    assert result.code == 0, result.err
    assert _distinct_ids(result.lines) == expected


def test_a_when_that_is_no_time_is_a_usage_error(server: LiveServer, env: dict[str, str]) -> None:
    result = run(on_host(server, "events", "--after", "yesterday"), env)

    assert result.code == 2
    assert "expected a time ago like -24h" in result.err


def test_only_after_and_before_values_are_glued_and_nothing_past_dashdash() -> None:
    assert join_dashed_values(["events", "--after", "-24h", "--before", "-1h"]) == [
        "events",
        "--after=-24h",
        "--before=-1h",
    ]
    # An option's name is not a time: left for argparse to report.
    assert join_dashed_values(["events", "--after", "--json"]) == ["events", "--after", "--json"]
    assert join_dashed_values(["ls", "--", "--after", "-1d"]) == ["ls", "--", "--after", "-1d"]


# --------------------------------------------------------------------------- export


@pytest.fixture(scope="module")
def insight_entry(server: LiveServer, http: httpx.Client) -> str:
    seed_signups(server.db_path)
    _, short_id = create_insight(server.db_path, "Signups", trends_query(("signed_up", "total")))
    create(http, "Forgive/Signups", "insight", ref=short_id)
    return "Forgive/Signups"


def test_export_creates_the_output_folder_and_its_parents(
    server: LiveServer, env: dict[str, str], insight_entry: str, tmp_path: Path
) -> None:
    folder = tmp_path / "reports" / "2026"

    result = run(on_host(server, "export", insight_entry, "-f", "csv", "-o", str(folder)), env)

    assert result.code == 0, result.err
    [saved] = folder.iterdir()
    assert result.out == f"{saved}\n"
    assert saved.read_text().startswith("date,signed_up")


def test_export_into_a_file_is_a_usage_error(
    server: LiveServer, env: dict[str, str], insight_entry: str, tmp_path: Path
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")

    result = run(
        on_host(server, "export", insight_entry, "-f", "csv", "-o", str(not_a_folder)), env
    )

    assert (result.code, result.out) == (2, "")
    assert "not a folder" in result.err


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_dashboard_as_csv_is_refused_before_anything_is_sent(
    server: LiveServer, env: dict[str, str], http: httpx.Client, tmp_path: Path, format: str
) -> None:
    if not http.get("file_system/", params={"path": "Forgive/Board"}).json()["results"]:
        board = create_dashboard(server.db_path, "Board", [])
        create(http, "Forgive/Board", "dashboard", ref=str(board))
    exports_before = http.get("exports/").json()["count"]

    result = run(on_host(server, "export", "Forgive/Board", "-f", format, "-o", str(tmp_path)), env)

    assert (result.code, result.out) == (2, "")
    assert "a dashboard exports as PNG or PDF" in result.err
    assert http.get("exports/").json()["count"] == exports_before
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- count


def test_count_breaks_down_every_entry_past_the_first_200(
    server: LiveServer, env: dict[str, str], http: httpx.Client
) -> None:
    for n in range(230):
        create(http, f"Many/insight {n:03}", "insight", ref=f"many{n}")
    for n in range(20):
        create(http, f"Many/Flags/flag {n:02}", "feature_flag", ref=str(1000 + n))
    held = http.get("file_system/", params={"limit": 10_000}).json()

    folder = json.loads(run(on_host(server, "count", "Many", "--json"), env).out)
    top = json.loads(run(on_host(server, "count", "/", "--json"), env).out)

    assert folder == {
        "path": "Many",
        "count": 251,
        "types": {"insight": 230, "feature_flag": 20, "folder": 1},
    }
    assert top["count"] == held["count"] > 251
    assert sum(top["types"].values()) == top["count"]
    assert top["types"]["insight"] == sum(e["type"] == "insight" for e in held["results"])


# --------------------------------------------------------------------------- the local demo


def test_a_db_in_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    env = environment(tmp_path, key=None)

    listed = run(command("ls", "--db", str(missing / "x.sqlite3")), env)
    served = run(command("serve", "--db", str(missing / "x.sqlite3")), env)

    for result in (listed, served):
        assert result.code == 2
        assert f"the folder {missing} does not exist" in result.err
    assert not (tmp_path / "no").exists()


def test_a_project_that_does_not_exist_is_an_error_in_posthogs_words(
    tmp_path: Path, demo_database: Path
) -> None:
    db = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_database, db)
    env = environment(tmp_path, key=None)

    unknown = run(command("--db", str(db), "--project", "99", "ls"), env)
    staging = run(command("--db", str(db), "--project", "2", "ls"), env)

    assert (unknown.code, unknown.out) == (1, "")
    assert "project 99: Not found: Project not found." in unknown.err
    assert staging.code == 0 and staging.lines, staging.err
    with sqlite3.connect(db) as conn:
        projects = {row[0] for row in conn.execute("SELECT id FROM projects")}
    assert 99 not in projects, "no project is made on the spot"


def test_serve_on_a_taken_port_says_so_before_seeding(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite3"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "tui", "serve", "--port", str(port), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: Address already in use" in done.stderr
    assert not db.exists(), "nothing seeded for a server that cannot listen"
