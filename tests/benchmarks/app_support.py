"""What the app benchmarks (B1, B5, B6, B7, B9) share: a database with a big folder, a
``hogtree serve`` in its own process, and a real terminal (a pty) to run an app in.

The server always runs in a separate process from the app measured, so that the app's
memory and event loop are the app's alone, as they are against a remote PostHog.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
from support.serve_process import free_port

from tui.server.app import prepare_database
from tui.server.settings import SeedKind, ServerSettings
from tui.server.store.file_system import Derived

TESTS = Path(__file__).resolve().parent.parent
# The key the benchmark servers accept (every scope, every project).
BENCH_KEY = "phx_benchmark_key_000000000000000000"
# The folder of many entries; sorts before the demo's top-level folders, so it is the
# first row of the tree and the cursor starts on it.
BIG = "Big"
SERVER_START_TIMEOUT_S = 60.0


def big_entry_name(index: int) -> str:
    return f"Insight {index:06d}"


def big_folder_database(db_path: Path, entries: int, seed: SeedKind = "empty") -> Path:
    """A new SQLite file: ``Big`` holding ``entries`` insights (beside the demo project
    when ``seed`` is "demo"; alone, it is the tree's first row and under the cursor).

    Rows go in with one ``executemany`` (the store's one-entry-at-a-time writes would take
    minutes at 100,000); the derived columns come from the store's own :class:`Derived`.
    """
    db, _ = prepare_database(ServerSettings(db_path=db_path, seed=seed))
    created = "2026-01-01T00:00:00Z"

    def row(path: str, type: str, ref: str | None) -> tuple[object, ...]:
        d = Derived.of(path)
        ids = (str(uuid.uuid4()), 1, path, d.depth, type, ref, created)
        return (*ids, d.parent_path, d.path_folded, d.name_folded)

    rows = [row(BIG, "folder", None)]
    rows += [row(f"{BIG}/{big_entry_name(i)}", "insight", f"big{i:06d}") for i in range(entries)]
    with db.write() as conn:
        conn.executemany(
            "INSERT INTO file_system (id, project_id, path, depth, type, ref, created_at,"
            " parent_path, path_folded, name_folded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return db_path


@contextlib.contextmanager
def server_process(db_path: Path, *extra: str) -> Iterator[str]:
    """``hogtree serve`` on ``db_path`` in its own process; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "tui", "serve", "--db", str(db_path), "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--api-key", BENCH_KEY, *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"hogtree serve ended: {process.stderr.read()}")  # type: ignore[union-attr]
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/_health", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("hogtree serve did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def rss_bytes(pid: int) -> int:
    """The resident memory of process ``pid`` (VmRSS), read from outside it."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def terminal_env(home: Path) -> dict[str, str]:
    """A clean environment: no PostHog settings or config file of the user's leak in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POSTHOG_", "HOGTREE_"))}
    # Python caches compiled modules (.pyc) as it does on a user's machine: with
    # PYTHONDONTWRITEBYTECODE set (as on some CI and sandboxes) every run would compile
    # hogtree's own modules again, which no installed hogtree does after its first start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS), env.get("PYTHONPATH", "")])),
    )
    return env


@dataclass
class Seen:
    """When a text first appeared in a terminal's output."""

    at: float  # time.perf_counter()
    offset: int  # where in the output it ended


class Terminal:
    """A program running in a pseudo-terminal, as a user's terminal runs it.

    Everything it writes is read as it comes (a reader thread, so the program never waits
    on a full pty buffer) and timestamped, so that "when was X first painted" is a search.
    """

    def __init__(
        self, argv: Sequence[str], env: dict[str, str], cwd: Path, size: tuple[int, int]
    ) -> None:
        master, slave = pty.openpty()
        cols, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            start_new_session=True,  # the pty becomes its controlling terminal
        )
        os.close(slave)
        self._master = master
        self._output = bytearray()
        self._changed = threading.Condition()
        self.last_output_at = self.started
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self._master], [], [], 0.5)
                if not ready:
                    if self.process.poll() is not None:
                        return
                    continue
                chunk = os.read(self._master, 65536)
            except OSError:  # the program ended: the pty is gone
                return
            if not chunk:
                return
            with self._changed:
                self._output += chunk
                self.last_output_at = time.perf_counter()
                self._changed.notify_all()

    @property
    def offset(self) -> int:
        with self._changed:
            return len(self._output)

    def wait_for(self, text: str, *, after: int = 0, timeout: float = 60.0) -> Seen:
        """Block until ``text`` appears in the output past offset ``after``."""
        needle = text.encode()
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self._output.find(needle, max(0, after - len(needle)))
                if found >= 0:
                    return Seen(self.last_output_at, found + len(needle))
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    tail = bytes(self._output[-2000:]).decode(errors="replace")
                    raise TimeoutError(f"{text!r} never appeared; last output: {tail!r}")
                self._changed.wait(min(left, 0.5))

    def wait_quiet(self, quiet_s: float = 0.5, timeout: float = 30.0) -> None:
        """Block until the program has written nothing for ``quiet_s`` (it has settled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if time.perf_counter() - self.last_output_at >= quiet_s:
                return
            time.sleep(0.02)

    def press(self, keys: str) -> float:
        """Type ``keys``; returns when they were sent (time.perf_counter())."""
        sent = time.perf_counter()
        os.write(self._master, keys.encode())
        return sent

    def close(self) -> None:
        """Quit the program: politely (SIGTERM) first, then for sure."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self._master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
