"""The README is a test: every shell command of its fenced ``sh``/``bash`` blocks runs as a
user's shell runs it, against one local demo server started here, and must end with the
exit code the README documents and print what it says it prints.

What a README line's trailing comment may say, for this test:
- ``(not tested: REASON)``: not run (installs, runs until stopped, needs PostHog Cloud…);
  every such line is listed in NOT_RUN below, so that none is skipped silently;
- ``needs PostHog Cloud``: likewise;
- ``(exit N)``: the exit code expected (otherwise 0);
- ``→ TEXT``: the output (stdout and stderr) holds TEXT;
- ``(piped: TEXT)``: stdout piped is exactly TEXT.

The commands run in ``bash`` with ``hogtree`` on the PATH, ``HOME`` a fresh folder and the
environment pointing at the demo server (``POSTHOG_HOST``, ``POSTHOG_PROJECT_ID``, the key),
so one server serves them all, in the README's order (the Changing block builds on its own
lines). A plain ``hogtree …`` line runs in this process through ``tui.cli.main``; a line
with shell syntax (a pipe, a redirection, ``&&``) runs in ``bash``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import ADMIN_KEY, LiveServer, running_server, server_settings

from tui.cli import main

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
NOT_TESTED = re.compile(r"\(not tested: [^)]*\)|needs PostHog Cloud")
EXIT = re.compile(r"\(exit (\d+)\)")
SHOWS = re.compile(r"→ (.+)$")
PIPED = re.compile(r"\(piped: ([^)]*)\)")
# The README's lines this test does not run, each marked so in the README itself.
NOT_RUN = {
    "python3 -m pip install -e . && hogtree",
    "python3 -m pip install -e '.[test]' && python3 -m pytest",
    "alias ht='hogtree --host https://us.posthog.com --project 12345'",
    "hogtree events --follow --event signed_up",
    "register-python-argcomplete --shell fish hogtree | source",
    "hogtree serve --api-key phx_demo &",
    "python3 -m pip install -e '.[test,bench]'",
    "cd tests",
    "python -m benchmarks",
    "python -m benchmarks --only B2,B3",
    "python -m benchmarks --smoke",
    "python -m benchmarks --json figures.json",
}
# A line the shell must run (pipes, redirections, several commands); the others run in
# this process through tui.cli.main, which is what makes the test quick.
SHELL_SYNTAX = re.compile(r"[|<>&;$`\n]|^(?!hogtree )")
COMMAND_TIMEOUT_S = 60


@dataclass(frozen=True)
class Example:
    text: str  # the command as the README writes it (continuation lines joined)
    exit_code: int
    shows: str | None
    piped: str | None
    tested: bool

    @property
    def head(self) -> str:
        """The command without its trailing comment (for NOT_RUN)."""
        return self.text.split("\n")[0].split("  #")[0].strip()


def _commands(block: str) -> Iterator[str]:
    """A block's commands: a line ending with ``\\`` or ``|`` goes on, a ``do`` waits for
    its ``done``."""
    pending: list[str] = []
    for line in block.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        code = re.sub(r"#[^'\"\n]*$", "", line).rstrip()
        opened = len(re.findall(r"\bdo\b", text)) - len(re.findall(r"\bdone\b", text))
        if code.endswith(("\\", "|")) or opened > 0:
            continue
        pending = []
        yield text


def examples(readme: str) -> list[list[Example]]:
    blocks = []
    for block in BLOCK.findall(readme):
        found = []
        for text in _commands(block):
            exit_code = EXIT.search(text)
            shows = SHOWS.search(text)
            piped = PIPED.search(text)
            found.append(
                Example(
                    text=text,
                    exit_code=int(exit_code.group(1)) if exit_code else 0,
                    shows=shows.group(1).split("  (")[0].strip() if shows else None,
                    piped=piped.group(1) if piped else None,
                    tested=not NOT_TESTED.search(text),
                )
            )
        blocks.append(found)
    return blocks


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_database: Path) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("readme") / "demo.sqlite3"
    shutil.copyfile(demo_database, db)
    with running_server(server_settings(db, "demo"), wait=True) as server:
        yield server


def shell_environment(home: Path, server: LiveServer) -> dict[str, str]:
    bin_dir = home / "bin"
    bin_dir.mkdir(parents=True)
    shim = bin_dir / "hogtree"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m tui "$@"\n')
    shim.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "HOGTREE_"))}
    env.update(
        HOME=str(home),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(REPO),
        HOGTREE_CONFIG=str(home / "no-config.toml"),
        POSTHOG_HOST=server.url,
        POSTHOG_PROJECT_ID="1",
        POSTHOG_PERSONAL_API_KEY=ADMIN_KEY,
    )
    return env


def _run_in_process(text: str, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """``hogtree ARGS`` through :func:`tui.cli.main`, as the shim would run it."""
    argv = shlex.split(text, comments=True)[1:]
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.chdir(cwd)
    with (
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        monkeypatch.context() as patch,
    ):
        patch.setattr(sys, "stdin", io.StringIO(""))
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def _run_in_shell(text: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    done = subprocess.run(
        ["bash", "-c", text],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    return done.returncode, done.stdout, done.stderr


def check(example: Example, code: int, stdout: str, stderr: str) -> str | None:
    """What is wrong with an example's outcome, or ``None``."""
    said = stdout + stderr
    if code != example.exit_code:
        return (
            f"{example.text!r}: exit {code}, README says {example.exit_code}: {said.strip()[-500:]}"
        )
    if example.shows is not None and example.shows not in said:
        return f"{example.text!r}: does not print {example.shows!r}: {said[:500]}"
    if example.piped is not None and stdout.strip() != example.piped:
        return f"{example.text!r}: prints {stdout!r}, not {example.piped!r}"
    return None


def test_every_readme_command_runs_as_documented(
    demo: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = examples(README.read_text(encoding="utf-8"))
    env = shell_environment(tmp_path / "home", demo)
    for name in [k for k in os.environ if k.startswith(("POSTHOG_", "HOGTREE_"))]:
        monkeypatch.delenv(name)
    for name in ("HOME", "HOGTREE_CONFIG", "POSTHOG_HOST", "POSTHOG_PROJECT_ID"):
        monkeypatch.setenv(name, env[name])
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", ADMIN_KEY)
    tested = [example for block in blocks for example in block if example.tested]
    not_run = {example.head for block in blocks for example in block if not example.tested}

    wrong = []
    for example in tested:
        # The serve example's curl, pointed at this test's server and key.
        text = example.text.replace("http://127.0.0.1:8010", demo.url)
        text = text.replace("phx_demo", ADMIN_KEY)
        if SHELL_SYNTAX.search(text.split("  #")[0].strip()):
            outcome = _run_in_shell(text, env, tmp_path)
        else:
            outcome = _run_in_process(text, tmp_path, monkeypatch)
        problem = check(example, *outcome)
        if problem:
            wrong.append(problem)

    assert not_run == NOT_RUN, "an example is marked not tested: list it here, or run it"
    assert len(tested) >= 40
    assert not wrong, "\n".join(wrong)
