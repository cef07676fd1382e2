"""Projects and users: who may ask, and about what."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import uuid
from collections.abc import Iterable


def key_hash(key: str) -> str:
    """Users are found by a hash of their key, so the key itself is never stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def ensure_project(conn: sqlite3.Connection, project_id: int, name: str, created_at: str) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO projects (id, name, api_token, created_at) VALUES (?, ?, ?, ?)",
        (project_id, name, "phc_" + secrets.token_urlsafe(24), created_at),
    )


def project_tokens(conn: sqlite3.Connection) -> dict[int, str]:
    """Each project's public ``phc_`` token."""
    return {row[0]: row[1] for row in conn.execute("SELECT id, api_token FROM projects")}


def project_for_token(conn: sqlite3.Connection, token: str) -> int | None:
    row = conn.execute("SELECT id FROM projects WHERE api_token = ?", (token,)).fetchone()
    return None if row is None else int(row[0])


def project_ids(conn: sqlite3.Connection) -> set[int]:
    return {row[0] for row in conn.execute("SELECT id FROM projects")}


def user_for_key(conn: sqlite3.Connection, key: str, label: str) -> int:
    """The user a key acts as, created the first time the key is seen."""
    digest = key_hash(key)
    row = conn.execute("SELECT id FROM users WHERE key_hash = ?", (digest,)).fetchone()
    if row is not None:
        return int(row[0])
    cursor = conn.execute(
        "INSERT INTO users (uuid, first_name, last_name, email, key_hash) VALUES (?, ?, ?, ?, ?)",
        (str(uuid.uuid4()), label, "", f"{label.lower().replace(' ', '.')}@hogtree.local", digest),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def create_user(conn: sqlite3.Connection, first_name: str, last_name: str, email: str) -> int:
    cursor = conn.execute(
        "INSERT INTO users (uuid, first_name, last_name, email) VALUES (?, ?, ?, ?)",
        (str(uuid.uuid4()), first_name, last_name, email),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def users_json(conn: sqlite3.Connection, ids: Iterable[int]) -> list[dict[str, object]]:
    """``{id, uuid, first_name, last_name, email}`` of each user, as PostHog's ``users``."""
    id_list = sorted(set(ids))
    if not id_list:
        return []
    marks = ",".join("?" * len(id_list))
    rows = conn.execute(
        f"SELECT id, uuid, first_name, last_name, email FROM users WHERE id IN ({marks})"
        " ORDER BY id",
        id_list,
    ).fetchall()
    return [dict(row) for row in rows]
