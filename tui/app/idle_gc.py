"""Python's full garbage collections, moved to when the user pauses.

A full collection walks every object alive: with a few thousand entries loaded and
Textual's render caches, 40-75 ms in one piece (B6 measured ten of them in 20 pages, the
longest stalls of the run). The young generations are still collected as Python does them
(a few milliseconds each); the full pass runs once nothing has happened for :data:`QUIET_S`
(no key, no click, no cursor move, no worker busy: a user who just waited for a page is
about to act on it), or at the latest :data:`LONGEST_WAIT_S` after the last one, so that
memory stays bounded through a long busy spell.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# The pause (no key, no click, no cursor move, no worker) after which a full pass is not felt.
QUIET_S = 1.5
# A full pass at least this often, busy or not: garbage in cycles is freed by it alone
# (a user holding a key down for two minutes meets one pause of a few hundred ms).
LONGEST_WAIT_S = 120.0
# How often the collector looks.
CHECK_EVERY_S = 0.5
# Python's full pass threshold while the collector is on: never reached, so only the
# collector starts full passes (the first two generations keep Python's own).
NEVER = 1_000_000


class IdleCollector:
    """Takes full collections off Python's hands while on (:meth:`take_over`), runs them
    at :meth:`check` when ``busy()`` is false and the user is quiet."""

    def __init__(
        self,
        busy: Callable[[], bool],
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[], object] = gc.collect,
    ) -> None:
        self._busy = busy
        self._clock = clock
        self._collect = collect
        self._last_input = clock()
        self._last_busy = clock()
        self._last_full = clock()
        self._thresholds: tuple[int, int, int] | None = None

    def take_over(self) -> None:
        if self._thresholds is None:
            self._thresholds = gc.get_threshold()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, NEVER)

    def give_back(self) -> None:
        """Python collects as it did before (the tests run many apps in one process)."""
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
            self._thresholds = None

    def user_input(self) -> None:
        self._last_input = self._clock()

    def check(self) -> bool:
        """Run a full collection if one is due and may not be felt; answer whether it ran."""
        if self._thresholds is None or gc.get_count()[2] == 0:
            return False  # nothing reached the old generation since the last pass
        now = self._clock()
        if self._busy():
            self._last_busy = now
        overdue = now - self._last_full >= LONGEST_WAIT_S
        quiet = now - max(self._last_input, self._last_busy) >= QUIET_S
        if not (quiet or overdue):
            return False
        self._collect()
        self._last_full = self._clock()
        return True
