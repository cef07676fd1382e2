"""Running ``hogtree`` subcommands as a user's shell does: a real process, with its output
piped or on a pseudo-terminal, against a real local server.

The process gets the key in ``POSTHOG_PERSONAL_API_KEY`` and no config file of the
developer's (``HOGTREE_CONFIG`` points at a missing one), so only the test's own settings
count.
"""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from support import ADMIN_KEY, LiveServer

# A command that runs longer than this has hung.
COMMAND_TIMEOUT_S = 60
# Settings that would point the process somewhere else than the test says.
_FOREIGN_SETTINGS = ("POSTHOG_HOST", "POSTHOG_PROJECT_ID", "HOGTREE_PROFILE")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def environment(tmp: Path, key: str | None = ADMIN_KEY) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_SETTINGS}
    env.pop("POSTHOG_PERSONAL_API_KEY", None)
    if key is not None:
        env["POSTHOG_PERSONAL_API_KEY"] = key
    env["HOGTREE_CONFIG"] = str(tmp / "no-config.toml")
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tui", *args]


def on_host(server: LiveServer, *args: str) -> list[str]:
    """``hogtree --host URL --project 1 ARGS``."""
    return command("--host", server.url, "--project", "1", *args)


def run(argv: list[str], env: Mapping[str, str], stdin: str = "") -> Result:
    """Run with stdin, stdout and stderr all pipes (as in a script or a cron job)."""
    done = subprocess.run(
        argv,
        input=stdin,
        capture_output=True,
        text=True,
        env=dict(env),
        timeout=COMMAND_TIMEOUT_S,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def run_on_tty(argv: list[str], env: Mapping[str, str], answer: str | None = None) -> Result:
    """Run on a pseudo-terminal (stdin, stdout and stderr all on it, as in a shell);
    ``answer`` is typed once the process asks. ``out`` holds everything shown."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        argv, stdin=follower, stdout=follower, stderr=follower, env=dict(env), close_fds=True
    )
    os.close(follower)
    shown = bytearray()
    answered = answer is None
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # the process closed the terminal: it is done
                    break
                if not chunk:
                    break
                shown += chunk
                if not answered and b"[y/N]" in shown:
                    os.write(leader, answer.encode() + b"\n")  # type: ignore[union-attr]
                    answered = True
            elif process.poll() is not None:
                break
        code = process.wait(timeout=COMMAND_TIMEOUT_S)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        os.close(leader)
    # A terminal turns "\n" into "\r\n".
    return Result(code, shown.decode().replace("\r\n", "\n"), "")


def create(http: httpx.Client, path: str, type: str = "folder", **fields: Any) -> dict[str, Any]:
    response = http.post("file_system/", json={"path": path, "type": type, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def entries_under(http: httpx.Client, folder: str) -> list[dict[str, Any]]:
    """Everything the server holds below ``folder``, ordered by path."""
    response = http.get("file_system/", params={"parent": folder, "limit": 1000})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return sorted(results, key=lambda entry: entry["path"])


def paths_under(http: httpx.Client, folder: str) -> list[str]:
    return [entry["path"] for entry in entries_under(http, folder)]


def at_path(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    response = http.get("file_system/", params={"path": path})
    assert response.status_code == 200, response.text
    results: list[dict[str, Any]] = response.json()["results"]
    return results
