"""``hogtree doctor`` against the local server: what it says of a good key, a refused key
and a key limited in scopes and projects, and that it never prints a key."""

from __future__ import annotations

import json
from pathlib import Path

from support import ADMIN_KEY, P1_KEY, READ_KEY, LiveServer
from support.scripting_helpers import command, environment, on_host, run

from tui import __version__


def _said(lines: list[str]) -> dict[str, str]:
    """``label   value`` lines as a mapping."""
    return {line[:11].strip(): line[12:] for line in lines}


def test_doctor_says_host_project_key_scopes_and_folders(
    server: LiveServer, env: dict[str, str], tmp_path: Path
) -> None:
    result = run(on_host(server, "doctor", "--download-dir", str(tmp_path)), env)

    assert result.code == 0, result.out + result.err
    said = _said(result.lines)
    assert said["hogtree"] == __version__
    assert said["host"] == server.url
    assert said["config"] == f"{env['HOGTREE_CONFIG']} (none there: not used)"
    assert said["downloads"] == str(tmp_path)
    assert said["key"] == "phx_… from POSTHOG_PERSONAL_API_KEY: accepted (Key 1)"
    assert said["scopes"] == "* (every scope)"
    assert said["project"].startswith("1 ")
    assert ADMIN_KEY not in result.out + result.err


def test_doctor_reports_a_refused_key_and_exits_1(server: LiveServer, tmp_path: Path) -> None:
    wrong = "phx_not_a_key_the_server_knows_000000"
    result = run(on_host(server, "doctor", "--json"), environment(tmp_path, key=wrong))

    assert result.code == 1
    said = json.loads(result.out)
    assert said["key"]["ok"] is False
    assert "from POSTHOG_PERSONAL_API_KEY" in said["key"]["value"]
    assert said["host"] == {"value": server.url, "ok": True}
    assert wrong not in result.out + result.err


def test_doctor_lists_a_scoped_keys_scopes_and_refuses_what_it_cannot_read(
    server: LiveServer, tmp_path: Path
) -> None:
    read_only = run(on_host(server, "doctor"), environment(tmp_path, key=READ_KEY))
    one_project = run(
        command("--host", server.url, "--project", "2", "doctor"),
        environment(tmp_path, key=P1_KEY),
    )

    # file_system:read alone: the tree is readable, the user and the project's name not.
    assert read_only.code == 0, read_only.out
    said = _said(read_only.lines)
    assert said["scopes"] == "file_system:read"
    assert said["user"] == "(not shown: the key lacks user:read)"
    assert said["project"] == "1 (name not readable)"
    # Limited to project 1, asked for project 2.
    assert one_project.code == 1
    said = _said(one_project.lines)
    assert said["projects"] == "the key may open 1"
    assert said["project"] == "✗ 2: the key may open only 1"


def test_doctor_without_a_key_says_what_is_missing(server: LiveServer, tmp_path: Path) -> None:
    result = run(on_host(server, "doctor"), environment(tmp_path, key=None))

    assert result.code == 2
    said = _said(result.lines)
    assert said["settings"].startswith("✗ no API key: set POSTHOG_PERSONAL_API_KEY")
