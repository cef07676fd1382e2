"""What the server benchmarks (B2, B3, B4, B8, B10) share: one database at PostHog scale, seeded
once and kept (B9 drives the app against it too), and the bare SQLite each HTTP figure is
set beside.

The database is ``--seed scale:1m:1m`` (a million entries, a tenth of them in ``Big``, and a
million events), built the first time it is asked for and cached under
``$HOGTREE_BENCH_CACHE`` (default: the user cache dir), keyed by its size and the schema, so
a second run starts at once. Scenarios that only read use the cached file; B4, which writes,
works on a copy. ``HOGTREE_BENCH_RESEED=1`` builds it afresh (after changing the seed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import platformdirs

from benchmarks.app_support import BENCH_KEY, server_process
from benchmarks.harness import Figure
from tui.server.app import prepare_database
from tui.server.seed_scale import seed_scale_events
from tui.server.settings import ScaleSeed, ServerSettings
from tui.server.store.db import SCHEMA, SCHEMA_VERSION

# The scale, and a smoke size that seeds in a second.
REAL = ScaleSeed(entries=1_000_000, events=1_000_000)
SMOKE = ScaleSeed(entries=2_000, events=2_000)
# Seeding a million entries must take under a minute on this machine.
SEED_TARGET_S = 60.0
PROJECT = 1


def size(smoke: bool) -> ScaleSeed:
    return SMOKE if smoke else REAL


def cache_dir() -> Path:
    configured = os.environ.get("HOGTREE_BENCH_CACHE")
    return Path(configured) if configured else Path(platformdirs.user_cache_dir("hogtree"))


def _cache_path(spec: ScaleSeed) -> Path:
    schema = hashlib.sha256(SCHEMA.encode()).hexdigest()[:8]
    name = f"scale-{spec.entries}-{spec.events}-v{SCHEMA_VERSION}-{schema}.sqlite3"
    return cache_dir() / "bench" / name


# Seeding figures of this run, reported by the first scenario that needed the database.
_seeded_now: dict[ScaleSeed, list[Figure]] = {}


def scale_database(spec: ScaleSeed) -> tuple[Path, list[Figure]]:
    """The cached database of ``spec`` (built now if missing), and the figures of seeding
    it when this call built it (once per run; later calls get none)."""
    path = _cache_path(spec)
    if os.environ.get("HOGTREE_BENCH_RESEED") == "1" and spec not in _seeded_now:
        path.unlink(missing_ok=True)
    if not path.exists():
        _seeded_now[spec] = _build(spec, path)
        return path, _seeded_now[spec]
    return path, []


def _build(spec: ScaleSeed, path: Path) -> list[Figure]:
    """Seed entries (timed, as ``hogtree serve --seed scale:N`` does), then events (timed),
    into a temporary file renamed into place at the end: an interrupted run leaves no
    half-seeded cache behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building")
    for leftover in _files_of(building):
        leftover.unlink(missing_ok=True)
    started = time.perf_counter()
    db, _ = prepare_database(
        ServerSettings(db_path=building, seed=ScaleSeed(spec.entries), projects=(PROJECT,))
    )
    entries_s = time.perf_counter() - started
    started = time.perf_counter()
    with db.write() as conn:
        seed_scale_events(conn, PROJECT, spec.events)
    events_s = time.perf_counter() - started
    db.close()  # the last connection folds the WAL into the file
    building.rename(path)
    return [
        Figure(
            scenario="seed",
            name=f"seed {spec.entries:,} entries (scale:{spec.entries})",
            value=entries_s,
            unit="s",
            target=f"< {SEED_TARGET_S:.0f} s",
            passed=entries_s < SEED_TARGET_S,
        ),
        Figure(
            scenario="seed",
            name=f"seed {spec.events:,} events",
            value=events_s,
            unit="s",
            target="(for B8)",
            passed=True,
        ),
    ]


def _files_of(db_path: Path) -> list[Path]:
    return [db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")]


@contextlib.contextmanager
def writable_copy(db_path: Path, workdir: Path) -> Iterator[Path]:
    """A copy of ``db_path`` to change, removed afterwards."""
    copy = workdir / db_path.name
    shutil.copyfile(db_path, copy)
    try:
        yield copy
    finally:
        for file in _files_of(copy):
            file.unlink(missing_ok=True)


@dataclass
class Server:
    """``hogtree serve`` on a database, and a keep-alive client on its project."""

    url: str
    client: httpx.Client


@contextlib.contextmanager
def served(db_path: Path) -> Iterator[Server]:
    """The server in its own process (as the app would reach a PostHog), one connection
    kept alive for every request, as the app's client does."""
    with (
        server_process(db_path) as url,
        httpx.Client(
            base_url=f"{url}/api/projects/{PROJECT}/",
            headers={"Authorization": f"Bearer {BENCH_KEY}"},
            timeout=120,
        ) as client,
    ):
        yield Server(url=url, client=client)


def bare(db_path: Path) -> sqlite3.Connection:
    """A plain SQLite connection to run the reference queries on, opened as the server opens
    its own (WAL)."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def ok_json(response: httpx.Response) -> object:
    """The body of a successful response (a benchmark of errors would measure nothing)."""
    response.raise_for_status()
    return response.json()


def warm(action: Callable[[], object], times: int = 3) -> None:
    """Run ``action`` a few times untimed: first connections, caches, the OS page cache."""
    for _ in range(times):
        action()
