"""Projects, users and the organisation: who may ask, and about what."""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Organization:
    """The local server's one organisation: every project and every user belong to it."""

    id: str
    name: str
    slug: str


ORGANIZATION = Organization(
    id="01900000-0000-7000-8000-00000000d3d0", name="Hogtree Demo", slug="hogtree-demo"
)
# PostHog's OrganizationMembership levels: member 1, admin 8, owner 15. A key acts for the
# organisation's owner: the local server has no one else to answer for.
OWNER_LEVEL = 15
# The user the demo's own keys act as (see user_for_key): the first of the demo's people.
DEMO_OWNER_EMAIL = "maya@hogtree.example"
# Every project answers in this time zone (events are stored in UTC).
TIMEZONE = "UTC"


def key_hash(key: str) -> str:
    """Users are found by a hash of their key, so the key itself is never stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_id(key: str) -> str:
    """A key's id, as PostHog gives each key a uuid: derived from its hash, so it is the
    same on every run and says nothing of the key."""
    return str(uuid.uuid5(uuid.NAMESPACE_OID, key_hash(key)))


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


def rename_project(conn: sqlite3.Connection, project_id: int, name: str) -> None:
    conn.execute("UPDATE projects SET name = ? WHERE id = ?", (name, project_id))


def projects(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> list[sqlite3.Row]:
    """The projects (all, or those of ``ids``), by id."""
    rows = conn.execute("SELECT id, name, api_token, created_at FROM projects ORDER BY id")
    wanted = None if ids is None else set(ids)
    return [row for row in rows if wanted is None or row["id"] in wanted]


def team_json(row: sqlite3.Row) -> dict[str, Any]:
    """A project as PostHog's project and environment lists carry it (TeamBasicSerializer):
    one environment per project, of the same id."""
    return {
        "id": row["id"],
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"hogtree:project:{row['id']}")),
        "organization": ORGANIZATION.id,
        "project_id": row["id"],
        "api_token": row["api_token"],
        "name": row["name"],
        "timezone": TIMEZONE,
        "is_demo": False,
    }


def organization_basic_json() -> dict[str, Any]:
    """The organisation as ``@me``'s ``organizations`` and ``/api/organizations/`` list it."""
    return {
        "id": ORGANIZATION.id,
        "name": ORGANIZATION.name,
        "slug": ORGANIZATION.slug,
        "membership_level": OWNER_LEVEL,
    }


def organization_json(rows: list[sqlite3.Row]) -> dict[str, Any]:
    """The organisation with its environments and projects, as ``@me`` carries it."""
    return {
        **organization_basic_json(),
        "teams": [team_json(row) for row in rows],
        "projects": [
            {"id": row["id"], "organization_id": ORGANIZATION.id, "name": row["name"]}
            for row in rows
        ],
    }


def demo_owner(conn: sqlite3.Connection) -> int | None:
    """The demo's owner (see :data:`DEMO_OWNER_EMAIL`), or ``None`` when the database was
    not seeded with the demo."""
    row = conn.execute(
        "SELECT id FROM users WHERE email = ? AND key_hash IS NULL ORDER BY id LIMIT 1",
        (DEMO_OWNER_EMAIL,),
    ).fetchone()
    return None if row is None else int(row[0])


def user_for_key(conn: sqlite3.Connection, key: str, label: str) -> int:
    """The user a key acts as, created the first time the key is seen.

    Each key is its own user, so that tests can tell callers apart (``user:me``, exports,
    shortcuts and views are per user). The demo's own keys are the exception: see
    :func:`tui.server.app.user_for_spec`.
    """
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


def user_json(conn: sqlite3.Connection, user_id: int) -> dict[str, Any]:
    """``{id, uuid, first_name, last_name, email}`` of one user."""
    found = users_json(conn, [user_id])
    if not found:  # pragma: no cover - every key's user exists (tui.server.app)
        raise LookupError(f"no user {user_id}")
    return found[0]
