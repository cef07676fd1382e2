"""Live events: a background thread that keeps the demo busy, ``--live-events RATE``.

Every tick it stores the events due since the last one (RATE per minute, fractions carried
over), spread evenly over the time that passed, for every project that already has events
(project 1, or the first project, when none has). :meth:`LiveEvents.stop` wakes the thread
at once and waits for it, so a stopping server leaves nothing behind.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tui.server.seed_events import live_events
from tui.server.store import events as store
from tui.server.store.db import Database

log = logging.getLogger("hogtree.server.live")

THREAD_NAME = "hogtree-live-events"
# Ticks are frequent enough that new events trickle in rather than arrive in lumps, and
# rare enough that a slow rate does not wake the thread for nothing.
MIN_TICK_S = 0.2
MAX_TICK_S = 5.0
# A tick that fell far behind (a suspended laptop) catches up at most this much, instead
# of writing hours of events at once.
MAX_CATCH_UP_S = 60.0


class LiveEvents:
    """Writes ``per_minute`` realistic events a minute until :meth:`stop`."""

    def __init__(
        self, db: Database, per_minute: float, projects: Sequence[int], seed: int | None = None
    ) -> None:
        if per_minute <= 0:
            raise ValueError("live events need a rate above 0 per minute")
        self._db = db
        self._per_second = per_minute / 60
        self._projects = tuple(projects)
        self._rng = random.Random(seed)
        self._tick = min(MAX_TICK_S, max(MIN_TICK_S, 1 / self._per_second))
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("live events were already started")
        with self._db.read() as conn:
            with_events = store.projects_with_events(conn)
        # Projects are fixed at start: every one with events, else the first one.
        self._projects = tuple(p for p in self._projects if p in with_events) or (
            (1,) if 1 in self._projects else self._projects[:1]
        )
        self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        due = 0.0
        last = time.monotonic()
        last_moment = datetime.now(UTC)
        while not self._stopping.wait(self._tick):
            now = time.monotonic()
            due += min(now - last, MAX_CATCH_UP_S) * self._per_second
            last = now
            count = int(due)
            if count == 0:
                continue
            due -= count
            moment = datetime.now(UTC)
            try:
                self._write(count, last_moment, moment)
            except Exception:  # a failed tick must not end the demo; the next one retries
                log.exception("could not store live events")
            last_moment = moment

    def _write(self, count: int, start: datetime, end: datetime) -> None:
        start = max(start, end - timedelta(seconds=MAX_CATCH_UP_S))
        batches = {project: live_events(self._rng, count, start, end) for project in self._projects}
        with self._db.write() as conn:
            for project, batch in batches.items():
                store.insert_events(conn, project, batch)
