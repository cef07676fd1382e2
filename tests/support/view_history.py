"""Views written beside a running local server, for tests of Recents.

PostHog records a view only for a browser session, never for a personal API key, so no
request a test can make records one (the local server answers ``log_view`` as PostHog
does); a test that needs a history writes it here, as the user of a test key.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from support.insight_helpers import database

from tui.server.store.accounts import key_hash
from tui.server.store.view_log import Viewer, record_view


def user_of(conn: sqlite3.Connection, key: str) -> int:
    row = conn.execute("SELECT id FROM users WHERE key_hash = ?", (key_hash(key),)).fetchone()
    assert row is not None, "the server has not seen this key"
    return int(row[0])


def record_views(
    db_path: Path, key: str, views: Iterable[tuple[str, str, str]], project_id: int = 1
) -> None:
    """Record ``(type, ref, viewed_at)`` views as the user ``key`` acts as."""
    with database(db_path) as conn:
        conn.row_factory = sqlite3.Row
        viewer = Viewer(project_id, user_of(conn, key))
        for entry_type, ref, viewed_at in views:
            record_view(conn, viewer, entry_type, ref, viewed_at)
