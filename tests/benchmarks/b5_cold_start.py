"""B5: cold start of ``hogtree`` (a new process) on the demo database to its first tree
page painted, beside a new process of a minimal Textual app showing a static Tree.

Both run in a pseudo-terminal as a user starts them; the clock runs from the process's
start to the first output holding the first row of the tree ("Archive", the demo's first
top-level folder, which the static tree shows too). The demo database exists before the
clock starts (a first run's seeding is not start-up).
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.app_support import TESTS, Terminal, terminal_env
from benchmarks.harness import Figure
from tui.server.app import prepare_database
from tui.server.settings import ServerSettings

SCENARIO = "B5"
TITLE = "cold start to the first tree page painted"

# Alternating runs of each; the median is reported.
RUNS = 7
SMOKE_RUNS = 1
SIZE = (120, 40)
FIRST_ROW = "Archive"
START_TIMEOUT_S = 60.0
TARGET_S = 1.0
TARGET_RATIO = 3.0


def hogtree_command() -> list[str]:
    """The installed ``hogtree`` script beside this Python, as a user runs it."""
    script = Path(sys.executable).parent / "hogtree"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui"]


def first_paint_s(argv: list[str], home: Path) -> float:
    with Terminal(argv, terminal_env(home), TESTS, SIZE) as terminal:
        seen = terminal.wait_for(FIRST_ROW, timeout=START_TIMEOUT_S)
        return seen.at - terminal.started


def run(smoke: bool) -> list[Figure]:
    runs = SMOKE_RUNS if smoke else RUNS
    with tempfile.TemporaryDirectory(prefix="hogtree-b5-") as tmp:
        home = Path(tmp)
        template = home / "demo-template.sqlite3"
        db, _ = prepare_database(ServerSettings(db_path=template, seed="demo"))
        db.close()
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(runs):
            # A fresh copy each run: a run must not find what an earlier one left behind.
            db_path = home / "demo.sqlite3"
            shutil.copyfile(template, db_path)
            ours.append(first_paint_s([*hogtree_command(), "--db", str(db_path)], home))
            static_tree = [sys.executable, "-m", "benchmarks.reference_apps", "static-tree"]
            theirs.append(first_paint_s(static_tree, home))
    value = statistics.median(ours)
    reference = statistics.median(theirs)
    ratio = value / reference
    return [
        Figure(
            SCENARIO,
            "cold start to first tree page (demo)",
            value * 1000,
            "ms",
            f"≤ {TARGET_S * 1000:.0f} ms, ≤ {TARGET_RATIO:.0f}x the reference",
            value <= TARGET_S and ratio <= TARGET_RATIO,
            "static Tree app",
            reference * 1000,
            ratio,
        )
    ]
