"""B1: expand a folder of 100,000 entries in the app, beside Textual's own DirectoryTree
expanding a local directory of 100,000 files.

Both apps run as real processes in a pseudo-terminal. The clock starts when enter is
typed on the folder and stops when the folder's first child reaches the terminal. Memory
is each app process's resident set (VmRSS, read from /proc from outside) before enter and
once the app has gone quiet: RSS, not tracemalloc, because it is what the user's machine
pays (Rich's and Textual's C-level allocations included) and because reading it from
outside costs the measured app nothing, where tracemalloc would slow it down several
times in the very run being timed. The server runs in a process of its own, so its
memory (SQLite's cache, the 100,000 rows) is not the app's.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.app_support import (
    BENCH_KEY,
    TESTS,
    Terminal,
    big_entry_name,
    big_folder_database,
    rss_bytes,
    server_process,
    terminal_env,
)
from benchmarks.harness import Figure

SCENARIO = "B1"
TITLE = "expand a folder of 100,000 entries: first page painted, memory growth"

ENTRIES = 100_000
SMOKE_ENTRIES = 1_000
# Runs of each app; the median is reported (the DirectoryTree takes seconds a run).
RUNS = 3
REFERENCE_RUNS = 2
SIZE = (120, 40)
ENTER = "\r"
DOWN = "\x1b[B"
# The app has settled when it writes nothing for this long.
QUIET_S = 1.0
TARGET_MS = 150.0
TARGET_SPEEDUP = 20.0
TARGET_MEMORY_SHARE = 0.25
MB = 1024 * 1024


@dataclass
class Expansion:
    first_paint_ms: float
    rss_growth: int


def expand(
    argv: list[str], env: dict[str, str], ready: str, first_child: str, before_keys: str = ""
) -> Expansion:
    """Start an app, wait until ``ready`` is painted, type ``before_keys`` and wait until
    the app is quiet, then type enter and time it until ``first_child`` is painted."""
    with Terminal(argv, env, TESTS, SIZE) as terminal:
        terminal.wait_for(ready)
        if before_keys:
            terminal.press(before_keys)
        terminal.wait_quiet(QUIET_S)
        before = rss_bytes(terminal.pid)
        mark = terminal.offset
        sent = terminal.press(ENTER)
        seen = terminal.wait_for(first_child, after=mark, timeout=300)
        terminal.wait_quiet(QUIET_S, timeout=300)
        after = rss_bytes(terminal.pid)
    return Expansion((seen.at - sent) * 1000, after - before)


def hogtree_expands(url: str, home: Path) -> Expansion:
    env = terminal_env(home) | {"POSTHOG_PERSONAL_API_KEY": BENCH_KEY}
    argv = [sys.executable, "-m", "tui", "--host", url, "--project", "1"]
    # "Big" is the only top-level entry: the cursor starts on it.
    return expand(argv, env, "Big", big_entry_name(0))


def directory_tree_expands(root: Path, home: Path) -> Expansion:
    argv = [sys.executable, "-m", "benchmarks.reference_apps", "directory", str(root)]
    # The cursor starts above the first row: one ↓ puts it on "big" (before the clock).
    # The name without its extension: DirectoryTree paints the extension in another style.
    first = file_name(0).removesuffix(".txt")
    return expand(argv, terminal_env(home), "big", first, before_keys=DOWN)


def file_name(index: int) -> str:
    return f"file_{index:06d}.txt"


def run(smoke: bool) -> list[Figure]:
    entries = SMOKE_ENTRIES if smoke else ENTRIES
    runs, reference_runs = (1, 1) if smoke else (RUNS, REFERENCE_RUNS)
    with tempfile.TemporaryDirectory(prefix="hogtree-b1-") as tmp:
        home = Path(tmp)
        db = big_folder_database(home / "big.sqlite3", entries)
        big = home / "local" / "big"
        big.mkdir(parents=True)
        for index in range(entries):
            (big / file_name(index)).touch()
        with server_process(db) as url:
            ours = [hogtree_expands(url, home) for _ in range(runs)]
        theirs = [directory_tree_expands(big.parent, home) for _ in range(reference_runs)]

    paint = statistics.median(e.first_paint_ms for e in ours)
    paint_ref = statistics.median(e.first_paint_ms for e in theirs)
    growth = statistics.median(e.rss_growth for e in ours) / MB
    growth_ref = statistics.median(e.rss_growth for e in theirs) / MB
    speedup = paint_ref / paint
    share = growth / growth_ref if growth_ref > 0 else float("inf")
    size = f"{entries:,}"
    return [
        Figure(
            SCENARIO,
            f"expand {size}: first page painted",
            paint,
            "ms",
            f"≤ {TARGET_MS:.0f} ms, ≥ {TARGET_SPEEDUP:.0f}x faster (ratio = ref/value)",
            paint <= TARGET_MS and speedup >= TARGET_SPEEDUP,
            "DirectoryTree",
            paint_ref,
            speedup,
        ),
        Figure(
            SCENARIO,
            f"expand {size}: app memory growth (RSS)",
            growth,
            "MB",
            f"≤ {TARGET_MEMORY_SHARE:.2f}x the reference",
            share <= TARGET_MEMORY_SHARE,
            "DirectoryTree",
            growth_ref,
            share,
        ),
    ]
