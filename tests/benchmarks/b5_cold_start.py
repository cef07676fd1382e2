"""B5: cold start of ``hogtree`` (a new process) to its first tree page painted, both ways
it starts, each beside a new process of a minimal Textual app showing a static Tree:

- **embedded**: ``hogtree --db demo.sqlite3``, which starts the local server in a process
  of its own and then talks to it;
- **remote**: ``hogtree --host URL --project 1`` with ``POSTHOG_PERSONAL_API_KEY`` set,
  against a ``hogtree serve`` on the demo database started before the clock (and warmed
  by a first listing), as a user starts the app against a PostHog that is already up.

Every run is in a pseudo-terminal as a user starts it; the clock runs from the process's
start to the first output holding the first row of the tree ("Archive", the demo's first
top-level folder, which the static tree shows too). The demo database exists before the
clock starts (a first run's seeding is not start-up). The runs alternate (embedded,
reference, remote, reference, …) so that a busy moment of the machine weighs on both
sides of each ratio; each path is compared with the reference runs beside its own.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.app_support import (
    BENCH_KEY,
    TESTS,
    Terminal,
    server_process,
    terminal_env,
)
from benchmarks.harness import Figure
from tui.server.app import prepare_database
from tui.server.settings import ServerSettings

SCENARIO = "B5"
TITLE = "cold start to the first tree page painted (embedded demo, remote host)"

# Alternating runs of each; the median is reported.
RUNS = 7
SMOKE_RUNS = 1
SIZE = (120, 40)
FIRST_ROW = "Archive"
START_TIMEOUT_S = 60.0
PROJECT = "1"


@dataclass(frozen=True)
class Target:
    seconds: float
    ratio: float

    def text(self) -> str:
        return f"≤ {self.seconds * 1000:.0f} ms, ≤ {self.ratio:g}x the reference"

    def met(self, value_s: float, ratio: float) -> bool:
        return value_s <= self.seconds and ratio <= self.ratio


EMBEDDED_TARGET = Target(1.0, 3.0)
REMOTE_TARGET = Target(0.7, 2.5)
EMBEDDED_FIGURE = "cold start to first tree page (embedded demo)"
REMOTE_FIGURE = "cold start to first tree page (remote, warm server)"


def hogtree_command() -> list[str]:
    """The installed ``hogtree`` script beside this Python, as a user runs it."""
    script = Path(sys.executable).parent / "hogtree"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def static_tree_command() -> list[str]:
    return [sys.executable, "-m", "benchmarks.reference_apps", "static-tree"]


def first_paint_s(argv: list[str], env: dict[str, str]) -> float:
    with Terminal(argv, env, TESTS, SIZE) as terminal:
        seen = terminal.wait_for(FIRST_ROW, timeout=START_TIMEOUT_S)
        return seen.at - terminal.started


def warm_up(url: str) -> None:
    """One listing of the top level, as the app's first request: the server has loaded
    what answering it needs (routes, the database's pages) before any run is timed."""
    response = httpx.get(
        f"{url}/api/projects/{PROJECT}/file_system/",
        params={"parent": "", "limit": 100},
        headers={"Authorization": f"Bearer {BENCH_KEY}"},
        timeout=30,
    )
    response.raise_for_status()


def figure(name: str, ours: list[float], theirs: list[float], target: Target) -> Figure:
    value = statistics.median(ours)
    reference = statistics.median(theirs)
    ratio = value / reference
    return Figure(
        SCENARIO,
        name,
        value * 1000,
        "ms",
        target.text(),
        target.met(value, ratio),
        "static Tree app",
        reference * 1000,
        ratio,
    )


def run(smoke: bool) -> list[Figure]:
    runs = SMOKE_RUNS if smoke else RUNS
    with tempfile.TemporaryDirectory(prefix="hogtree-b5-") as tmp:
        home = Path(tmp)
        env = terminal_env(home)
        template = home / "demo-template.sqlite3"
        db, _ = prepare_database(ServerSettings(db_path=template, seed="demo"))
        db.close()
        served = home / "served.sqlite3"
        shutil.copyfile(template, served)
        embedded: list[float] = []
        remote: list[float] = []
        reference_embedded: list[float] = []
        reference_remote: list[float] = []
        with server_process(served) as url:
            warm_up(url)
            remote_argv = [*hogtree_command(), "--host", url, "--project", PROJECT]
            remote_env = env | {"POSTHOG_PERSONAL_API_KEY": BENCH_KEY}
            for _ in range(runs):
                # A fresh copy each run: a run must not find what an earlier one left behind.
                db_path = home / "demo.sqlite3"
                shutil.copyfile(template, db_path)
                embedded.append(first_paint_s([*hogtree_command(), "--db", str(db_path)], env))
                reference_embedded.append(first_paint_s(static_tree_command(), env))
                remote.append(first_paint_s(remote_argv, remote_env))
                reference_remote.append(first_paint_s(static_tree_command(), env))
    return [
        figure(
            EMBEDDED_FIGURE,
            embedded,
            reference_embedded,
            EMBEDDED_TARGET,
        ),
        figure(
            REMOTE_FIGURE,
            remote,
            reference_remote,
            REMOTE_TARGET,
        ),
    ]
