"""The objects behind tree entries (insights, dashboards, flags…): just enough of them for
delete, undo and unfiled to behave as in PostHog."""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
from collections.abc import Iterable, Sequence
from typing import Any

from tui.server.object_types import OBJECT_TYPES

_SHORT_ID_ALPHABET = string.ascii_letters + string.digits


def new_short_id() -> str:
    """PostHog-style short id: 8 random letters and digits."""
    return "".join(secrets.choice(_SHORT_ID_ALPHABET) for _ in range(8))


def create_object(
    conn: sqlite3.Connection,
    project_id: int,
    object_type: str,
    name: str,
    *,
    created_by: int | None,
    created_at: str,
    data: dict[str, Any] | None = None,
    short_id: str | None = None,
) -> sqlite3.Row:
    """Create an object; its ``ref`` is a short id or its numeric id, as its type wants."""
    uses_short_id = OBJECT_TYPES[object_type].short_id
    ref = (short_id or new_short_id()) if uses_short_id else ""
    cursor = conn.execute(
        "INSERT INTO objects (project_id, type, ref, name, data, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            project_id,
            object_type,
            ref or f"pending-{secrets.token_hex(8)}",
            name,
            json.dumps(data or {}),
            created_at,
            created_by,
        ),
    )
    object_id = cursor.lastrowid
    if not uses_short_id:
        conn.execute("UPDATE objects SET ref = ? WHERE id = ?", (str(object_id), object_id))
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM objects WHERE id = ?", (object_id,)
    ).fetchone()
    assert row is not None
    return row


def next_id(conn: sqlite3.Connection) -> int:
    """The id the next object will get."""
    return int(conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM objects").fetchone()[0])


def insert_many(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Insert objects given whole, ``(id, project_id, type, ref, name, data, created_at,
    created_by)``: for the scale seed, which numbers them itself so that refs are known
    before the rows are written."""
    conn.executemany(
        "INSERT INTO objects (id, project_id, type, ref, name, data, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def set_data(conn: sqlite3.Connection, object_id: int, data: dict[str, Any]) -> None:
    conn.execute("UPDATE objects SET data = ? WHERE id = ?", (json.dumps(data), object_id))


def get_object(
    conn: sqlite3.Connection, project_id: int, object_type: str, ref: str
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM objects WHERE project_id = ? AND type = ? AND ref = ?",
        (project_id, object_type, ref),
    ).fetchone()
    return row


def delete_for_entry(
    conn: sqlite3.Connection, project_id: int, object_type: str, ref: str, *, path: str
) -> dict[str, Any]:
    """Delete the object whose last entry is going; describe it as PostHog's ``deleted``."""
    known = OBJECT_TYPES[object_type]
    obj = get_object(conn, project_id, object_type, ref)
    if obj is None:
        # An entry pointing at nothing: PostHog removes the entry and reports a hard delete.
        return {
            "type": object_type,
            "ref": ref,
            "mode": "hard",
            "undo": known.undo_hint,
            "path": path,
            "can_undo": False,
        }
    if known.soft_delete:
        conn.execute("UPDATE objects SET deleted = 1 WHERE id = ?", (obj["id"],))
        mode = "soft"
    else:
        conn.execute("DELETE FROM objects WHERE id = ?", (obj["id"],))
        mode = "hard"
    return {
        "type": object_type,
        "ref": ref,
        "mode": mode,
        "undo": known.undo_hint,
        "path": path,
        "can_undo": mode == "soft",
    }


def restore(
    conn: sqlite3.Connection, project_id: int, object_type: str, ref: str
) -> sqlite3.Row | None:
    """Undelete a soft-deleted object; ``None`` when there is nothing to restore."""
    known = OBJECT_TYPES.get(object_type)
    if known is None or not known.soft_delete:
        return None
    obj = get_object(conn, project_id, object_type, ref)
    if obj is None or not obj["deleted"]:
        return None
    conn.execute("UPDATE objects SET deleted = 0 WHERE id = ?", (obj["id"],))
    return obj


def without_entries(
    conn: sqlite3.Connection, project_id: int, object_types: Sequence[str]
) -> list[sqlite3.Row]:
    """Live objects of ``object_types`` that no (non-shortcut) entry stands for, oldest first."""
    if not object_types:
        return []
    params: list[Any] = [project_id, *object_types]
    type_clause = f" AND o.type IN ({', '.join('?' * len(object_types))})"
    return conn.execute(
        "SELECT * FROM objects o WHERE o.project_id = ? AND o.deleted = 0"
        + type_clause
        + " AND NOT EXISTS (SELECT 1 FROM file_system f WHERE f.project_id = o.project_id"
        " AND f.type = o.type AND f.ref = o.ref AND f.shortcut = 0) ORDER BY o.id",
        params,
    ).fetchall()
