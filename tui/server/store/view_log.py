"""When each user last viewed each object (PostHog's ``FileSystemViewLog``), and Recents.

Rows are per (project, user, type, ref). PostHog records a view only for requests of a
logged-in browser session, never for a personal API key; the local server knows only keys,
so over HTTP it records nothing (see the ``log_view`` route) and rows come from the demo's
seed (or a test writing them with :func:`record_view`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from tui.models import FileSystemListQuery
from tui.server.store import file_system as fs

# PostHog's Recents: at most this many results (a bad or missing limit is the default) …
RECENTS_DEFAULT_LIMIT = 100
RECENTS_MAX_LIMIT = 1000
# … and with a search, the text filter narrows this many of the latest views.
RECENTS_SEARCH_SCAN_LIMIT = 200


@dataclass(frozen=True)
class Viewer:
    """Whose views: a user's, in a project."""

    project_id: int
    user_id: int


def record_view(
    conn: sqlite3.Connection, viewer: Viewer, type: str, ref: str, viewed_at: str | None = None
) -> None:
    """One view: the row of (user, type, ref) is created, or its ``viewed_at`` moved."""
    conn.execute(
        "INSERT INTO file_system_view_log (project_id, user_id, type, ref, viewed_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (project_id, user_id, type, ref)"
        " DO UPDATE SET viewed_at = excluded.viewed_at",
        (viewer.project_id, viewer.user_id, type, ref, viewed_at or fs.now()),
    )


def list_views(
    conn: sqlite3.Connection, viewer: Viewer, *, type: str | None, limit: int | None
) -> list[dict[str, Any]]:
    """``GET log_view/``: the viewer's views, newest first (all of them unless ``limit``)."""
    params: list[Any] = [viewer.project_id, viewer.user_id]
    type_clause = ""
    if type:
        type_clause = " AND type = ?"
        params.append(type)
    rows = conn.execute(
        "SELECT type, ref, viewed_at FROM file_system_view_log"
        f" WHERE project_id = ? AND user_id = ?{type_clause}"
        " ORDER BY viewed_at DESC, pk DESC LIMIT ?",
        [*params, -1 if limit is None else limit],
    ).fetchall()
    return [{"type": row["type"], "ref": row["ref"], "viewed_at": row["viewed_at"]} for row in rows]


def recents_limit(text: str | None) -> int:
    """PostHog's Recents ``limit``: an integer clamped to 1…1000; anything else 100."""
    try:
        value = int(text) if text is not None else RECENTS_DEFAULT_LIMIT
    except ValueError:
        value = RECENTS_DEFAULT_LIMIT
    return max(1, min(value, RECENTS_MAX_LIMIT))


def recents(
    conn: sqlite3.Connection,
    viewer: Viewer,
    query: FileSystemListQuery,
    *,
    limit: int,
    descending: bool,
) -> list[tuple[sqlite3.Row, str]]:
    """``order_by=-last_viewed_at`` (or ascending): the project's non-shortcut entries of
    the objects the viewer viewed, each with when, as ``(row, viewed_at)``.

    Served view log first, as PostHog does: the ``limit`` latest views (with a search, the
    latest 200, then the search narrows them) are matched to their entries, so there may be
    fewer results than ``limit``. Only ``not_type``, ``search`` and ``search_name_only`` of
    the list's filters apply here.
    """
    scan = RECENTS_SEARCH_SCAN_LIMIT if query.search else limit
    direction = "DESC" if descending else "ASC"
    view_params: list[Any] = [viewer.project_id, viewer.user_id]
    not_type = ""
    if query.not_type:
        not_type = " AND type <> ?"
        view_params.append(query.not_type)
    # The entry filters: the project, originals only, and the search (if any).
    entry_query = FileSystemListQuery(search=query.search, search_name_only=query.search_name_only)
    where = fs.list_where(viewer.project_id, entry_query, viewer.user_id)
    where.add("shortcut = 0")
    rows = conn.execute(
        "WITH views AS ("
        "  SELECT pk AS view_pk, type AS view_type, ref AS view_ref, viewed_at"
        "  FROM file_system_view_log WHERE project_id = ? AND user_id = ?"
        f"{not_type} ORDER BY viewed_at {direction}, pk {direction} LIMIT ?)"
        f" SELECT {fs.ENTRY_COLUMNS}, views.viewed_at AS viewed_at FROM views"
        " JOIN file_system ON file_system.type = views.view_type"
        " AND file_system.ref = views.view_ref"
        f" WHERE {where.sql()}"
        f" ORDER BY views.viewed_at {direction}, views.view_pk {direction}, file_system.pk"
        " LIMIT ?",
        [*view_params, scan, *where.params, limit],
    ).fetchall()
    return [(row, row["viewed_at"]) for row in rows]
