"""The scripting commands' command line: help with examples, options before or after the
command, and no host at all (the local demo started in the command's own process)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from support import running_server, server_settings
from support.scripting_helpers import at_path, command, environment, run

from tui.cli import build_parser, main
from tui.scripting import events
from tui.scripting.arguments import COMMANDS, DEFAULT_LIMIT_TEXT, offer_completion


def test_hogtree_help_lists_every_command_with_examples(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    shown = capsys.readouterr().out
    assert exit.value.code == 0
    for name in COMMANDS:
        assert f"\n    {name} " in shown
        assert f"hogtree {name}" in shown.split("examples:")[1]


@pytest.mark.parametrize("name", COMMANDS)
def test_each_commands_help_has_options_and_examples(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit:
        main([name, "--help"])
    shown = capsys.readouterr().out
    assert exit.value.code == 0
    assert shown.startswith(f"usage: hogtree {name} ")
    assert "--host HOST" in shown  # hogtree's own options, valid after the command too
    examples = shown.split("examples:\n")[1]
    assert examples.startswith(f"  hogtree {name} ")


def test_the_help_states_the_events_limits_that_apply() -> None:
    assert (
        f"{events.DEFAULT_LIMIT}; {events.DEFAULT_FOLLOW_LIMIT} with --follow" == DEFAULT_LIMIT_TEXT
    )


def test_connection_options_work_before_and_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--host", "https://h.example", "--project", "7", "ls", "-R"])
    after = parser.parse_args(["ls", "-R", "--host", "https://h.example", "--project", "7"])
    neither = parser.parse_args(["ls"])
    assert vars(before) == vars(after)
    assert (before.host, before.project, before.recursive) == ("https://h.example", "7", True)
    # An option given before the command is not reset by the command's own copy of it.
    kept = parser.parse_args(["--read-only", "--db", "x.sqlite3", "ls"])
    assert (kept.read_only, kept.db) == (True, Path("x.sqlite3"))
    assert (neither.host, neither.read_only, neither.db) == (None, False, None)


def test_no_host_runs_on_the_local_demo_in_the_commands_process(
    tmp_path: Path, demo_database: Path
) -> None:
    db = tmp_path / "local.sqlite3"
    shutil.copyfile(demo_database, db)
    env = environment(tmp_path, key=None)  # the local demo needs none

    # --db after the command: it is one of hogtree's options, valid on either side.
    made = run(command("mkdir", "-p", "Scripts/Nightly \\/ cron", "--db", str(db)), env)

    assert (made.code, made.lines) == (0, ["Scripts/Nightly \\/ cron"]), made.err
    # What the command left in the database, read back over HTTP from a server on it: the
    # new folder beside the demo's.
    with (
        running_server(server_settings(db, "demo"), wait=True) as server,
        server.client() as http,
    ):
        [folder] = at_path(http, "Scripts/Nightly \\/ cron")
        [demo_folder] = at_path(http, "Marketing")
    assert (folder["type"], folder["depth"]) == ("folder", 2)
    assert demo_folder["type"] == "folder"


def test_tab_completes_commands_and_options(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete")
    offered = tmp_path / "offered"
    completions = {}
    for line in ("hogtree e", "hogtree ls --ty", "hogtree --pro"):
        env = environment(tmp_path) | {
            # What argcomplete's shell hook sets, and where it should write the answer.
            "_ARGCOMPLETE": "1",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(offered),
        }
        assert run(command(), env).code == 0
        completions[line] = sorted(offered.read_text().replace(" ", "").split("\v"))
    assert completions == {
        "hogtree e": ["events", "export"],
        "hogtree ls --ty": ["--type"],
        "hogtree --pro": ["--profile", "--project"],
    }


def test_an_ordinary_run_does_not_import_the_completion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("_ARGCOMPLETE", raising=False)
    monkeypatch.delitem(sys.modules, "argcomplete", raising=False)
    offer_completion(build_parser())
    assert "argcomplete" not in sys.modules
