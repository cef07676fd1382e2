"""``hogtree export`` and ``hogtree events`` as a shell runs them, against a real server:
files saved where asked with the server's bytes, events as the server holds them, and
``--follow`` printing new events until ctrl+c."""

from __future__ import annotations

import csv
import io
import json
import select
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from support import LiveServer, running_server, server_settings
from support.event_helpers import ago, sdk_event, send_batch
from support.insight_helpers import create_dashboard, create_insight, seed_signups, trends_query
from support.scripting_helpers import (
    COMMAND_TIMEOUT_S,
    at_path,
    create,
    environment,
    on_host,
    run,
    run_on_tty,
)

# --------------------------------------------------------------------------- export


def test_export_saves_the_servers_file_under_its_safe_name(
    server: LiveServer, env: dict[str, str], http: httpx.Client, tmp_path: Path
) -> None:
    seed_signups(server.db_path)
    insight, short_id = create_insight(
        server.db_path, "Signups / week", trends_query(("signed_up", "total"))
    )
    create(http, "Exp/Signups \\/ week", "insight", ref=short_id)

    result = run(
        on_host(
            server, "export", "Exp/Signups \\/ week", "-f", "csv", "-o", str(tmp_path), "--json"
        ),
        env,
    )

    assert result.code == 0, result.err
    printed = json.loads(result.out)
    saved = Path(printed["file"])
    asset = http.get(f"exports/{printed['asset']['id']}/").json()
    assert asset["insight"] == insight
    assert asset["export_format"] == "text/csv"
    # The server's name, made safe (its "/" became nothing the file system would read).
    assert saved.parent == tmp_path
    assert saved.name == asset["filename"]
    assert saved.read_bytes() == http.get(f"exports/{asset['id']}/content/").content
    assert saved.read_text().splitlines()[0] == "date,signed_up"


def test_export_waits_with_a_progress_line_on_a_terminal(
    tmp_path: Path, env: dict[str, str]
) -> None:
    # A server that makes exports in the background, as older PostHog does.
    db_path = tmp_path / "slow.sqlite3"
    with running_server(server_settings(db_path, "empty", export_delay=0.5)) as server:
        dashboard = create_dashboard(db_path, "KPIs", [])
        with server.client() as http:
            create(http, "Boards/KPIs", "dashboard", ref=str(dashboard))
        downloads = tmp_path / "out"
        downloads.mkdir()

        shown = run_on_tty(
            on_host(server, "export", "Boards/KPIs", "--format", "png", "-o", str(downloads)),
            env,
        )

    assert shown.code == 0, shown.out
    [saved] = downloads.iterdir()
    assert saved.suffix == ".png"
    assert saved.read_bytes().startswith(b"\x89PNG")
    assert "Exporting Boards/KPIs as PNG: the server is making it…" in shown.out
    # The progress line is wiped before the result: the path is on a line of its own.
    assert shown.out.rstrip("\n").splitlines()[-1].endswith(str(saved))


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["export", "NoExp", "--format", "png"], 1, "NoExp is a folder: exports are of insights"),
        (["export", "NoExp", "--format", "jpg"], 2, "invalid choice: 'jpg'"),
    ],
)
def test_export_refuses_what_it_cannot_export(
    server: LiveServer,
    env: dict[str, str],
    http: httpx.Client,
    args: list[str],
    code: int,
    said: str,
) -> None:
    if not at_path(http, "NoExp"):
        create(http, "NoExp")
    result = run(on_host(server, *args), env)
    assert (result.code, result.out) == (code, "")
    assert said in result.err


# --------------------------------------------------------------------------- events


@pytest.fixture(scope="module")
def events(server: LiveServer) -> list[dict[str, object]]:
    """Four events of a known order, oldest first."""
    sent = [
        sdk_event("cli_signup", "u1", ago(minutes=4), plan="free", **{"$browser": "Safari"}),
        sdk_event("cli_signup", "u2", ago(minutes=3), plan="paid", **{"$browser": "Chrome"}),
        sdk_event("cli_other", "u1", ago(minutes=2), plan="paid"),
        sdk_event("cli_signup", "u3\tx", ago(minutes=1), plan="paid", **{"$browser": "Safari"}),
    ]
    send_batch(server, sent)
    return sent


def test_events_print_the_newest_oldest_first(
    server: LiveServer, env: dict[str, str], events: list[dict[str, object]]
) -> None:
    result = run(on_host(server, "events", "--event", "cli_signup", "--limit", "2"), env)

    assert result.code == 0
    rows = [line.split("\t") for line in result.lines]
    # The two newest, as tail prints them; a tab inside a value is shown, not obeyed.
    assert [row[1:3] for row in rows] == [["cli_signup", "u2"], ["cli_signup", "u3␉x"]]
    assert all(len(row) == 4 for row in rows)


def test_events_filter_by_property_as_json_and_csv(
    server: LiveServer, env: dict[str, str], http: httpx.Client, events: list[dict[str, object]]
) -> None:
    query = ["events", "--event", "cli_signup", "--where", "plan=paid", "--where", "$browser"]
    as_json = run(on_host(server, *query, "--json"), env)
    as_csv = run(on_host(server, *query, "--csv"), env)

    held = http.get(
        "events/",
        params={
            "event": "cli_signup",
            "properties": json.dumps(
                [
                    {"key": "plan", "value": ["paid"], "operator": "exact"},
                    {"key": "$browser", "operator": "is_set"},
                ]
            ),
        },
    ).json()["results"]
    assert [e["distinct_id"] for e in held] == ["u3\tx", "u2"]
    printed = [json.loads(line) for line in as_json.lines]
    assert [e["id"] for e in printed] == [e["id"] for e in reversed(held)]
    assert printed[0]["properties"] == held[1]["properties"]

    table = list(csv.DictReader(io.StringIO(as_csv.out)))
    assert [row["distinct_id"] for row in table] == ["u2", "u3\tx"]
    assert json.loads(table[0]["properties"])["plan"] == "paid"


def test_events_follow_prints_new_events_until_ctrl_c(
    server: LiveServer, env: dict[str, str], events: list[dict[str, object]]
) -> None:
    argv = on_host(server, "events", "--event", "cli_follow", "--follow", "--interval", "0.2")
    send_batch(server, [sdk_event("cli_follow", "before", ago(minutes=1))])
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        assert process.stdout is not None
        assert _next_line(process.stdout).split("\t")[2] == "before"
        send_batch(server, [sdk_event("cli_follow", "after", ago(seconds=0))])
        assert _next_line(process.stdout).split("\t")[2] == "after"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=COMMAND_TIMEOUT_S)
    finally:
        process.kill()
    assert process.returncode == 130
    assert out == ""
    assert "Traceback" not in err


def _next_line(stream: io.TextIOBase | object) -> str:
    """The next line the process prints, within the time a command may take."""
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.1)
        if ready:
            return str(stream.readline())  # type: ignore[attr-defined]
    raise AssertionError("no line printed in time")


def test_a_refused_key_fails_in_the_servers_words(server: LiveServer, tmp_path: Path) -> None:
    result = run(on_host(server, "events"), environment(tmp_path, "phx_not_a_key"))
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "hogtree events: Authentication failed: Personal API key found in request"
        " Authorization header is invalid.\n"
    )


def test_a_host_without_a_key_is_a_usage_error(server: LiveServer, tmp_path: Path) -> None:
    result = run(on_host(server, "events"), environment(tmp_path, key=None))
    assert (result.code, result.out) == (2, "")
    assert "no API key: set POSTHOG_PERSONAL_API_KEY" in result.err
