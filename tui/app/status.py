"""What the status line shows, as a plain object many workers share: the works running
now, and the messages of the session.

Each work registers itself and clears only its own::

    with status.busy("exporting PNG of Weekly signups") as work:
        ...
        work.update(f"exporting PNG of Weekly signups… {seconds} s")

Several at once are shown side by side, oldest first. A message has a level and is kept in a bounded
log (time, level, text) that a screen can show again; the last one is shown until another
replaces it or :meth:`StatusBoard.clear` puts it away. Nothing here knows Textual: the
status line watches the board through :meth:`StatusBoard.watch`. Thread workers may use
it too: a lock keeps the works whole, and watchers are called on the changing thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

logger = logging.getLogger(__name__)

# Messages kept for the log screen; older ones go first. A long session of small changes
# stays well inside it, and the log never grows without bound.
LOG_SIZE = 1000


class Level(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class LogEntry:
    """One message of the session."""

    time: datetime
    level: Level
    text: str


def _now() -> datetime:
    return datetime.now().astimezone()


class Work:
    """One thing running in the background, shown on the status line until it ends."""

    def __init__(self, board: StatusBoard, text: str) -> None:
        self._board = board
        self.text = text
        self.started = time.monotonic()
        self.ended = False

    @property
    def elapsed(self) -> float:
        """Seconds since the work began."""
        return time.monotonic() - self.started

    def update(self, text: str) -> None:
        """Say something new about this work (its progress, its elapsed time)."""
        if self.ended or text == self.text:
            return
        self.text = text
        self._board._changed()

    def end(self) -> None:
        """The work is over: it leaves the line, and nothing else does. Ending twice is
        harmless (a cancelled worker may end what its canceller already ended)."""
        if self.ended:
            return
        self.ended = True
        self._board._remove(self)

    def __enter__(self) -> Work:
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()


class StatusBoard:
    """The works running now, and the messages of the session (see the module's doc)."""

    def __init__(self, *, log_size: int = LOG_SIZE, clock: Callable[[], datetime] = _now) -> None:
        # When a message is said (a picture's test sets a fixed one).
        self.clock = clock
        self._works: list[Work] = []
        self._log: deque[LogEntry] = deque(maxlen=log_size)
        self._current: LogEntry | None = None
        self._watchers: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ works

    def busy(self, text: str, *, replaces_message: bool = False) -> Work:
        """Register a work: ``with status.busy("counting…"):`` shows it while the block runs
        (across awaits too) and takes it off however the block ends; or keep the
        :class:`Work` and :meth:`Work.end` it when it is over.

        A work the user just started (an export, a change) ``replaces_message``: the
        message shown is about what came before, and would read as if glued to it. Works
        the app starts by itself (a folder loading after a change) leave it alone, or the
        change's report would vanish as soon as it appeared."""
        work = Work(self, text)
        with self._lock:
            self._works.append(work)
            if replaces_message:
                self._current = None
        self._changed()
        return work

    @property
    def works(self) -> tuple[Work, ...]:
        """What runs now, oldest first."""
        with self._lock:
            return tuple(self._works)

    @property
    def work(self) -> str:
        """What runs now, in one line ("" when idle)."""
        return " · ".join(work.text for work in self.works)

    def _remove(self, work: Work) -> None:
        with self._lock:
            if work not in self._works:
                return
            self._works.remove(work)
        self._changed()

    # ------------------------------------------------------------------ messages

    def say(self, text: str, level: Level = Level.INFO, *, show: bool = True) -> None:
        """Keep a message in the log; with ``show``, it is the one the line shows now (it
        replaces the one before, error or not). Warnings and errors also go to the debug
        log (``--debug``): every failure the user was shown. Nothing to say clears."""
        if not text:
            self.clear()
            return
        entry = LogEntry(self.clock(), level, text)
        if level in (Level.WARNING, Level.ERROR):
            logger.warning("%s", text)
        with self._lock:
            self._log.append(entry)
            if show:
                self._current = entry
        self._changed()

    def warn(self, text: str) -> None:
        self.say(text, Level.WARNING)

    def fail(self, text: str) -> None:
        """Report a failure, in the server's words where it gave some."""
        self.say(text, Level.ERROR)

    def clear(self) -> None:
        """Put the shown message away (it stays in the log)."""
        if self._current is not None:
            self._current = None
            self._changed()

    @property
    def current(self) -> LogEntry | None:
        """The message shown now, if any."""
        return self._current

    @property
    def message(self) -> str:
        """The text of the message shown now, unless it is an error ("" if none)."""
        current = self._current
        return current.text if current is not None and current.level is not Level.ERROR else ""

    @property
    def error(self) -> str:
        """The text of the error shown now ("" if none)."""
        current = self._current
        return current.text if current is not None and current.level is Level.ERROR else ""

    @property
    def log(self) -> tuple[LogEntry, ...]:
        """Every message kept, oldest first."""
        with self._lock:
            return tuple(self._log)

    # ------------------------------------------------------------------ watching

    def watch(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after every change; returns what stops it."""
        self._watchers.append(callback)

        def unwatch() -> None:
            if callback in self._watchers:
                self._watchers.remove(callback)

        return unwatch

    def _changed(self) -> None:
        for callback in list(self._watchers):
            callback()
