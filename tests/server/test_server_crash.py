"""Crash safety: SIGKILL the server in the middle of moving a big folder; after a restart on
the same file the folder is wholly moved or wholly not (api.md section 2, "Move": every
descendant is rewritten in one transaction).

The server runs as ``python -m tui serve`` in its own process. The folder (thousands of
descendants) is written straight into the file before the first start. Each round sends a
move, watches the database's write lock from beside the server to see the move's
transaction running, kills the server at a different moment of it (before it starts, at its
start, a quarter, half, three quarters in, and after it), restarts on the same file and
checks every descendant. A round proves a kill landed mid-transaction when the lock was
still held just before the kill and the move is absent after the restart.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, http_client
from support.db_inspect import Row, depth_problems, file_system_rows, orphans, read_only
from support.serve_process import free_port, start_serve

from tui import paths
from tui.server.app import prepare_database
from tui.server.settings import ApiKeySpec, ServerSettings
from tui.server.store.file_system import Derived, now

# 50 subfolders of 99 items: 5,000 descendants, a move of ~0.2 s on a quiet machine, long
# enough to kill inside, and more dirty pages than SQLite's page cache holds, so part of
# the transaction reaches the WAL file before it commits.
SUBFOLDERS = 50
ITEMS_PER_SUBFOLDER = 99
DESCENDANTS = SUBFOLDERS * (ITEMS_PER_SUBFOLDER + 1)
ROOT = "Crash"
START = "Crash/Big"
# When to kill, as a fraction of the move's measured transaction time after its write lock
# is seen. None: as soon as the request is sent, before waiting for the lock; AFTER_COMMIT:
# once the lock is released (the move committed, its answer perhaps not yet sent).
AFTER_COMMIT = math.inf
KILL_POINTS: tuple[float | None, ...] = (None, 0.0, 0.3, 0.7, AFTER_COMMIT)
# HOGTREE_CRASH_ROUNDS=60 runs more rounds, cycling through the kill points.
ROUNDS_ENV = "HOGTREE_CRASH_ROUNDS"
# Polling the write lock more often than this only steals CPU from the server.
PROBE_INTERVAL_S = 0.0005
# A move that has not taken the lock by then is not coming (the server is stuck).
LOCK_WAIT_S = 10.0


def _bulk_tree(db_path: Path) -> tuple[str, set[str]]:
    """The big folder and its descendants, inserted in one statement before the server
    starts (the API would take minutes). Answers the folder's id and its descendants' ids."""
    settings = ServerSettings(db_path=db_path, seed="empty", keys=(ApiKeySpec.parse(ADMIN_KEY),))
    db, _ = prepare_database(settings)
    rows: list[tuple[object, ...]] = []

    def add(path: str, kind: str) -> str:
        derived = Derived.of(path)
        entry_id = str(uuid.uuid4())
        derived_columns = (derived.parent_path, derived.path_folded, derived.name_folded)
        rows.append((entry_id, 1, path, derived.depth, kind, "{}", now(), *derived_columns))
        return entry_id

    add(ROOT, "folder")
    folder_id = add(START, "folder")
    descendants = set()
    for sub in range(SUBFOLDERS):
        subfolder = paths.child(START, f"sub {sub:02d}")
        descendants.add(add(subfolder, "folder"))
        for item in range(ITEMS_PER_SUBFOLDER):
            descendants.add(
                add(paths.child(subfolder, f"item {item:02d} 📄 of the big folder"), "doc")
            )
    try:
        with db.write() as conn:
            conn.executemany(
                "INSERT INTO file_system (id, project_id, path, depth, type, meta, created_at,"
                " parent_path, path_folded, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        db.close()
    return folder_id, descendants


def kill_points() -> list[float | None]:
    rounds = int(os.environ.get(ROUNDS_ENV, len(KILL_POINTS)))
    return [KILL_POINTS[i % len(KILL_POINTS)] for i in range(rounds)]


class WriteLock:
    """Watches, from beside the server, whether some connection holds the write lock."""

    def __init__(self, db_path: Path) -> None:
        # timeout 0: "locked" must be an immediate answer, never a wait.
        self._conn = sqlite3.connect(db_path, timeout=0, isolation_level=None)

    def held(self) -> bool:
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        self._conn.execute("ROLLBACK")
        return False

    def wait_until(self, held: bool, give_up: threading.Thread | None = None) -> float:
        """Poll until the lock is (or is no longer) held; answers the moment it was seen."""
        deadline = time.monotonic() + LOCK_WAIT_S
        while self.held() is not held:
            if give_up is not None and not give_up.is_alive():
                break
            assert time.monotonic() < deadline, "the write lock never changed"
            time.sleep(PROBE_INTERVAL_S)
        return time.monotonic()

    def close(self) -> None:
        self._conn.close()


@dataclass
class Server:
    """``hogtree serve`` on one database file, restartable after a kill."""

    db_path: Path
    log: Path
    port: int = 0  # chosen at each start
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # A fresh port each time: the killed process's may linger in TIME_WAIT.
        self.port = free_port()
        with self.log.open("a") as log:
            _, self.process = start_serve(
                "--db", str(self.db_path), "--seed", "empty", "--api-key", ADMIN_KEY,
                port=self.port,
                output=log,
            )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def client(self) -> httpx.Client:
        return http_client(f"{self.url}/api/projects/1/", ADMIN_KEY)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    server = Server(db_path=tmp_path / "crash.sqlite3", log=tmp_path / "log")
    try:
        yield server
    finally:
        if server.process is not None:
            server.process.kill()
            server.process.wait(timeout=10)


def _send_move(client: httpx.Client, folder_id: str, new_path: str) -> threading.Thread:
    """The move, on a thread of its own: the kill will cut it off."""

    def move() -> None:
        with suppress(httpx.TransportError):  # the server dies under it, as intended
            client.post(f"file_system/{folder_id}/move/", json={"new_path": new_path})

    thread = threading.Thread(target=move, daemon=True)
    thread.start()
    return thread


def _where_is(db_path: Path, folder_id: str, descendants: set[str], here: str, there: str) -> str:
    """Whether the folder is ``here`` (not moved) or ``there`` (moved), after checking that
    all of it is in that one place and nothing of it anywhere else."""
    with read_only(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = file_system_rows(conn)
    assert depth_problems(rows) == []
    assert orphans(rows) == []
    by_id = {row.id: row for row in rows}
    folder = by_id[folder_id]
    assert folder.path in (here, there), folder.path
    mine: list[Row] = [by_id[entry_id] for entry_id in descendants if entry_id in by_id]
    assert len(mine) == len(descendants), f"{len(descendants) - len(mine)} descendants lost"
    stray = [row.path for row in mine if not row.path.startswith(folder.path + "/")]
    assert stray == [], f"{len(stray)} descendants not under {folder.path!r}: {stray[:3]}"
    # Nothing else under either place: no half-moved subtree anywhere.
    for place in (here, there):
        under = sum(1 for row in rows if row.path.startswith(place + "/"))
        assert under == (len(descendants) if place == folder.path else 0), (place, under)
    # The folder the move creates above its destination is there only if the move landed.
    created_above = paths.join(paths.split(there)[:-1])
    assert any(row.path == created_above for row in rows) is (folder.path == there)
    return folder.path


def test_a_killed_move_is_all_or_nothing(server: Server) -> None:
    folder_id, descendants = _bulk_tree(server.db_path)
    lock = WriteLock(server.db_path)
    server.start()
    try:
        # Calibration: a move that completes, timed by its write lock.
        here = START
        there = "Crash/Round 0/Big"
        with server.client() as client:
            mover = _send_move(client, folder_id, there)
            began = lock.wait_until(True, give_up=mover)
            took = lock.wait_until(False) - began
            mover.join(timeout=30)
        assert _where_is(server.db_path, folder_id, descendants, here, there) == there
        here = there

        mid_transaction = 0
        outcomes = []
        for round_number, point in enumerate(kill_points(), start=1):
            there = f"Crash/Round {round_number}/Big"
            with server.client() as client:
                mover = _send_move(client, folder_id, there)
                if point is not None:
                    lock.wait_until(True, give_up=mover)
                    if point == AFTER_COMMIT:
                        lock.wait_until(False)
                    else:
                        time.sleep(point * took)
                held_at_kill = lock.held()
                server.kill()
            server.start()  # the same file: SQLite recovers from the WAL on open
            landed = _where_is(server.db_path, folder_id, descendants, here, there)
            if point == AFTER_COMMIT:
                assert landed == there, "a committed move was lost by the kill"
            if held_at_kill and landed == here:
                mid_transaction += 1
            outcomes.append(
                "mid-transaction"
                if held_at_kill and landed == here
                else ("moved" if landed == there else "not moved")
            )
            # The restarted server serves the whole folder where the file says it is.
            with server.client() as client:
                counted = client.post(f"file_system/{folder_id}/count/").json()["count"]
                assert counted == DESCENDANTS
                entry = client.get(f"file_system/{folder_id}/").json()
                assert entry["path"] == landed
            here = landed
    finally:
        lock.close()
    # The figures for the README (``pytest -s`` shows them).
    print(
        f"\ncrash rounds survived: {len(outcomes)}, {outcomes.count('moved')} moved,"
        f" {outcomes.count('not moved')} not moved,"
        f" {mid_transaction} killed mid-transaction; move transaction {took:.3f} s"
    )
    assert mid_transaction >= 1, "no kill landed inside the move's transaction"
