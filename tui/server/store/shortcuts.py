"""Each user's Shortcuts (``file_system_shortcut/``) in SQLite.

A shortcut belongs to one user in one project; another user's is "not found". Functions
take an open connection inside the caller's transaction, like the rest of the store.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tui.server.store.errors import NotFound
from tui.server.store.file_system import now

COLUMNS = "pk, id, project_id, user_id, path, type, ref, href, position, created_at"

# PostHog's default order, by ``order`` then path case-insensitively; ``?ordering=`` may ask
# for creation time instead. (casefold: this server's case-insensitive order everywhere.)
DEFAULT_ORDER = "position, casefold(path), pk"
ORDERINGS = {"created_at": "created_at, pk", "-created_at": "created_at DESC, pk DESC"}


@dataclass(frozen=True)
class Owner:
    """Whose shortcuts: a user's, in a project."""

    project_id: int
    user_id: int


class UnknownShortcuts(Exception):
    """``reorder``/``bulk_update`` named shortcuts the caller does not have."""

    def __init__(self, unknown_ids: list[str]) -> None:
        super().__init__("Unknown shortcut ids")
        self.unknown_ids = unknown_ids


def shortcut_json(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "path": row["path"],
        "type": row["type"],
        "ref": row["ref"],
        "href": row["href"],
        "order": row["position"],
        "created_at": row["created_at"],
        "user_access_level": "editor",
    }


def _order(ordering: str | None) -> str:
    return ORDERINGS.get(ordering or "", DEFAULT_ORDER)


def list_shortcuts(
    conn: sqlite3.Connection,
    owner: Owner,
    *,
    ordering: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[int, list[sqlite3.Row]]:
    """The total and (a page of) the owner's shortcuts in display order."""
    where = "project_id = ? AND user_id = ?"
    params: list[Any] = [owner.project_id, owner.user_id]
    total = conn.execute(
        f"SELECT COUNT(*) FROM file_system_shortcuts WHERE {where}", params
    ).fetchone()[0]
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM file_system_shortcuts WHERE {where}"
        f" ORDER BY {_order(ordering)} LIMIT ? OFFSET ?",
        [*params, -1 if limit is None else limit, offset],
    ).fetchall()
    return total, rows


def get_shortcut(conn: sqlite3.Connection, owner: Owner, shortcut_id: str) -> sqlite3.Row:
    """The owner's shortcut ``shortcut_id``, or 404 (also another user's, or a malformed id)."""
    try:
        uuid.UUID(shortcut_id)
    except ValueError:
        raise NotFound() from None
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {COLUMNS} FROM file_system_shortcuts"
        " WHERE id = ? AND project_id = ? AND user_id = ?",
        (shortcut_id, owner.project_id, owner.user_id),
    ).fetchone()
    if row is None:
        raise NotFound()
    return row


def _highest_order(conn: sqlite3.Connection, owner: Owner) -> int:
    row = conn.execute(
        "SELECT MAX(position) FROM file_system_shortcuts WHERE project_id = ? AND user_id = ?",
        (owner.project_id, owner.user_id),
    ).fetchone()
    return int(row[0] or 0)


def _identical(
    conn: sqlite3.Connection,
    owner: Owner,
    path: str,
    type: str,
    ref: str | None,
    href: str | None,
) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {COLUMNS} FROM file_system_shortcuts WHERE project_id = ? AND user_id = ?"
        " AND path = ? AND type = ? AND ref IS ? AND href IS ? ORDER BY pk LIMIT 1",
        (owner.project_id, owner.user_id, path, type, ref, href),
    ).fetchone()
    return row


def _insert(
    conn: sqlite3.Connection,
    owner: Owner,
    *,
    path: str,
    type: str,
    ref: str | None,
    href: str | None,
    order: int,
    created_at: str | None = None,
) -> str:
    new_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO file_system_shortcuts"
        " (id, project_id, user_id, path, type, ref, href, position, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new_id,
            owner.project_id,
            owner.user_id,
            path,
            type,
            ref,
            href,
            order,
            created_at or now(),
        ),
    )
    return new_id


def create_shortcut(
    conn: sqlite3.Connection,
    owner: Owner,
    *,
    path: str,
    type: str = "",
    ref: str | None = None,
    href: str | None = None,
    order: int | None = None,
    created_at: str | None = None,
) -> tuple[sqlite3.Row, bool]:
    """Star an item: ``(the shortcut, whether it is new)``. Starring the same thing twice
    (same path, type, ref and href) answers the shortcut already there; a new one goes last
    (highest order + 1) unless ``order`` is given."""
    type = type or ""
    existing = _identical(conn, owner, path, type, ref, href)
    if existing is not None:
        return existing, False
    if order is None:
        order = _highest_order(conn, owner) + 1
    new_id = _insert(
        conn, owner, path=path, type=type, ref=ref, href=href, order=order, created_at=created_at
    )
    return get_shortcut(conn, owner, new_id), True


def update_shortcut(
    conn: sqlite3.Connection, owner: Owner, shortcut_id: str, changes: dict[str, Any]
) -> sqlite3.Row:
    """PATCH/PUT: the given fields change (``order`` is stored as ``position``)."""
    get_shortcut(conn, owner, shortcut_id)
    columns = {("position" if name == "order" else name): value for name, value in changes.items()}
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        conn.execute(
            f"UPDATE file_system_shortcuts SET {assignments} WHERE id = ?",
            [*columns.values(), shortcut_id],
        )
    return get_shortcut(conn, owner, shortcut_id)


def delete_shortcut(conn: sqlite3.Connection, owner: Owner, shortcut_id: str) -> None:
    row = get_shortcut(conn, owner, shortcut_id)
    conn.execute("DELETE FROM file_system_shortcuts WHERE pk = ?", (row["pk"],))


def _owned_ids(conn: sqlite3.Connection, owner: Owner) -> set[str]:
    return {
        row[0]
        for row in conn.execute(
            "SELECT id FROM file_system_shortcuts WHERE project_id = ? AND user_id = ?",
            (owner.project_id, owner.user_id),
        )
    }


def reorder(conn: sqlite3.Connection, owner: Owner, ordered_ids: Sequence[str]) -> None:
    """Give ``ordered_ids`` the orders 0, 1, 2…; the owner's others keep theirs. An id
    that is not the owner's refuses the whole request."""
    owned = _owned_ids(conn, owner)
    unknown = [shortcut_id for shortcut_id in ordered_ids if shortcut_id not in owned]
    if unknown:
        raise UnknownShortcuts(unknown)
    conn.executemany(
        "UPDATE file_system_shortcuts SET position = ? WHERE id = ?",
        [(index, shortcut_id) for index, shortcut_id in enumerate(ordered_ids)],
    )


def bulk_update(
    conn: sqlite3.Connection,
    owner: Owner,
    add: Sequence[dict[str, Any]],
    remove_ids: Sequence[str],
) -> None:
    """Remove ``remove_ids`` and add ``add`` (after the others, in order, skipping any
    identical to one kept or added), all or nothing."""
    remove = set(remove_ids)
    unknown = sorted(remove - _owned_ids(conn, owner))
    if unknown:
        raise UnknownShortcuts(unknown)
    _, rows = list_shortcuts(conn, owner)
    kept = [row for row in rows if row["id"] not in remove]
    seen = {(row["path"], row["type"] or "", row["ref"], row["href"]) for row in kept}
    next_order = max((row["position"] for row in kept), default=0) + 1
    conn.executemany(
        "DELETE FROM file_system_shortcuts WHERE id = ?", [(shortcut_id,) for shortcut_id in remove]
    )
    for item in add:
        key = (item["path"], item.get("type") or "", item.get("ref"), item.get("href"))
        if key in seen:
            continue
        seen.add(key)
        _insert(
            conn,
            owner,
            path=key[0],
            type=key[1],
            ref=key[2],
            href=key[3],
            order=next_order,
        )
        next_order += 1
