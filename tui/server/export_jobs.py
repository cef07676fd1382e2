"""Generating exports: gather an asset's data from the store, render it, keep the bytes.

With ``export_delay == 0`` an export is generated while its POST waits (newer PostHog);
above 0 it is generated on a worker thread after the delay, and the POST answers at once
(older PostHog), so clients meet both behaviours. Whatever goes wrong while generating
ends up in the asset's ``exception``: never a 500, never a dead worker.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

from tui.models.exports import export_format
from tui.server import export_sources
from tui.server.errors import ApiProblem
from tui.server.exporting.render import ExportUnsupported, render
from tui.server.store import exports as store
from tui.server.store.db import Database
from tui.server.store.errors import StoreError
from tui.server.trends import UnsupportedQuery

log = logging.getLogger("hogtree.server.exports")

# Exports are made one or two at a time, as PostHog's export workers do; more threads
# would only compete for the one SQLite writer.
WORKERS = 2


class ExportJobs:
    """Owns the worker threads of background exports; :meth:`shutdown` stops them."""

    def __init__(self, db: Database, *, delay: float) -> None:
        self._db = db
        self.delay = max(0.0, delay)
        self._stopping = threading.Event()
        self._executor = ThreadPoolExecutor(
            max_workers=WORKERS, thread_name_prefix="hogtree-export"
        )
        self._resume()

    @property
    def in_background(self) -> bool:
        return self.delay > 0

    def start(self, export_id: int) -> None:
        """Generate now (no delay) or schedule it; either way, never raise."""
        if not self.in_background:
            self.generate(export_id)
            return
        try:
            self._executor.submit(self._generate_later, export_id)
        except RuntimeError:  # shutting down: the asset stays not ready, as on a crash
            log.warning("export %s not scheduled: the server is stopping", export_id)

    def _resume(self) -> None:
        """Make the exports a stopped server left waiting, as if just created, so none is
        stuck at "not ready" for ever."""
        with self._db.read() as conn:
            waiting = store.pending_exports(conn)
        for export_id in waiting:
            self._executor.submit(self._generate_later, export_id)

    def shutdown(self) -> None:
        """Stop waiting exports and wait for the ones being generated."""
        self._stopping.set()
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _generate_later(self, export_id: int) -> None:
        # Wakes early when the server stops, so shutdown never waits out a delay.
        if self._stopping.wait(self.delay):
            return
        self.generate(export_id)

    def generate(self, export_id: int) -> None:
        try:
            content = self._render(export_id)
        except Exception as exc:
            self._record(export_id, exception=describe(exc))
            if not isinstance(exc, ExportUnsupported | UnsupportedQuery | ApiProblem | StoreError):
                log.exception("export %s failed", export_id)
            return
        if content is not None:
            self._record(export_id, content=content)

    def _render(self, export_id: int) -> bytes | None:
        with self._db.read() as conn:
            row = store.export_for_job(conn, export_id)
            if row is None:
                return None
            known = export_format(row["export_format"])
            if known is None:  # refused on create; only a hand-edited database gets here
                raise ExportUnsupported(f"Unknown export format {row['export_format']!r}.")
            subject = export_sources.gather(conn, row, known)
        return render(known, subject)

    def _record(
        self, export_id: int, *, content: bytes | None = None, exception: str | None = None
    ) -> None:
        try:
            with self._db.write() as conn:
                if content is not None:
                    store.save_content(conn, export_id, content)
                else:
                    store.save_exception(conn, export_id, exception or "The export failed.")
        except sqlite3.Error:
            log.exception("could not save the outcome of export %s", export_id)


def describe(exc: BaseException) -> str:
    """The words a user sees in ``exception``: ours as they are, anything else with its type."""
    if isinstance(exc, ApiProblem):
        return exc.detail
    if isinstance(exc, StoreError):
        return exc.message
    if isinstance(exc, ExportUnsupported | UnsupportedQuery):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
