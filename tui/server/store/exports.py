"""Exported assets in SQLite: per user, with their content once generated.

Functions take an open connection inside the caller's transaction. Expiry is checked
here, against the moment the caller passes, so an expired asset is simply not found.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui.server.store.errors import NotFound

# Everything but the content itself, which only the content endpoint and the generator read.
_ASSET_COLUMNS = (
    "id, project_id, created_by, dashboard_id, insight_id, export_format, export_context,"
    " filename, created_at, expires_after, exception, content IS NOT NULL AS has_content"
)


@dataclass(frozen=True)
class NewExport:
    project_id: int
    created_by: int
    export_format: str
    dashboard_id: int | None
    insight_id: int | None
    export_context: dict[str, Any] | None
    filename: str
    created_at: str
    expires_after: str


def create_export(conn: sqlite3.Connection, new: NewExport) -> int:
    cursor = conn.execute(
        "INSERT INTO exports (project_id, created_by, dashboard_id, insight_id, export_format,"
        " export_context, filename, created_at, expires_after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new.project_id,
            new.created_by,
            new.dashboard_id,
            new.insight_id,
            new.export_format,
            None if new.export_context is None else json.dumps(new.export_context),
            new.filename,
            new.created_at,
            new.expires_after,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def get_export(
    conn: sqlite3.Connection,
    project_id: int,
    user_id: int,
    export_id: int | str,
    *,
    at: str,
    with_content: bool = False,
) -> sqlite3.Row:
    """The caller's own, unexpired export ``export_id``; anything else is 404."""
    number = _id(export_id)
    columns = _ASSET_COLUMNS + (", content" if with_content else "")
    row: sqlite3.Row | None = None
    if number is not None:
        row = conn.execute(
            f"SELECT {columns} FROM exports WHERE id = ? AND project_id = ? AND created_by = ?"
            " AND expires_after > ?",
            (number, project_id, user_id, at),
        ).fetchone()
    if row is None:
        raise NotFound()
    return row


def list_exports(
    conn: sqlite3.Connection,
    project_id: int,
    user_id: int,
    *,
    at: str,
    limit: int,
    offset: int,
    export_format: str | None = None,
) -> tuple[int, list[sqlite3.Row]]:
    """The caller's unexpired exports (of ``export_format`` only, if given), newest first."""
    where = "project_id = ? AND created_by = ? AND expires_after > ?"
    params: tuple[object, ...] = (project_id, user_id, at)
    if export_format is not None:
        where += " AND export_format = ?"
        params = (*params, export_format)
    total = conn.execute(f"SELECT COUNT(*) FROM exports WHERE {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT {_ASSET_COLUMNS} FROM exports WHERE {where}"
        " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    ).fetchall()
    return int(total), rows


def export_for_job(conn: sqlite3.Connection, export_id: int) -> sqlite3.Row | None:
    """An export as the generator needs it, whoever made it."""
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {_ASSET_COLUMNS} FROM exports WHERE id = ?", (export_id,)
    ).fetchone()
    return row


def pending_exports(conn: sqlite3.Connection) -> list[int]:
    """Exports neither made nor failed: those a stopped server left waiting."""
    rows = conn.execute(
        "SELECT id FROM exports WHERE content IS NULL AND exception IS NULL ORDER BY id"
    ).fetchall()
    return [int(row[0]) for row in rows]


def save_content(conn: sqlite3.Connection, export_id: int, content: bytes) -> None:
    conn.execute(
        "UPDATE exports SET content = ?, exception = NULL WHERE id = ?", (content, export_id)
    )


def save_exception(conn: sqlite3.Connection, export_id: int, message: str) -> None:
    conn.execute(
        "UPDATE exports SET exception = ?, content = NULL WHERE id = ?", (message, export_id)
    )


def export_context(row: sqlite3.Row) -> dict[str, Any] | None:
    if row["export_context"] is None:
        return None
    context = json.loads(row["export_context"])
    return context if isinstance(context, dict) else None


def drf_datetime(stored: str) -> str:
    """A stored moment as Django REST framework writes one: ISO 8601 in UTC with ``Z``,
    microseconds only when there are some (``2026-12-10T00:00:00Z``)."""
    moment = datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


def export_json(row: sqlite3.Row) -> dict[str, Any]:
    """An asset as PostHog's API answers it."""
    return {
        "id": row["id"],
        "dashboard": row["dashboard_id"],
        "insight": row["insight_id"],
        "export_format": row["export_format"],
        "created_at": drf_datetime(row["created_at"]),
        "has_content": bool(row["has_content"]),
        "export_context": export_context(row),
        "filename": row["filename"],
        "expires_after": drf_datetime(row["expires_after"]),
        "exception": row["exception"],
    }


def _id(export_id: int | str) -> int | None:
    if isinstance(export_id, str):
        if not (export_id.isascii() and export_id.isdigit()):
            return None
        export_id = int(export_id)
    # SQLite integers are 64-bit: a larger id names nothing (and would overflow).
    return export_id if 0 < export_id < 2**63 else None
