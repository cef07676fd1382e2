"""The persons behind events, in SQLite: who a distinct id is, how ingestion joins two ids
into one person, and the person an event answers with.

Functions take an open connection inside the caller's transaction (see ``Database.write``).
Ingestion itself (which event does what, in which order) is
:func:`tui.server.store.events.insert_events`; this module holds the rules it applies.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from tui.server.dates import format_timestamp

# The events that make two distinct ids one person, and the property naming the other id
# (PostHog's person-merge-service.ts, handleIdentifyOrAlias): $identify with
# $anon_distinct_id (posthog-js's identify()), $create_alias with alias (the SDKs' alias()),
# $merge_dangerously with alias (which may also swallow an identified person).
MERGE_PROPERTY = {
    "$identify": "$anon_distinct_id",
    "$create_alias": "alias",
    "$merge_dangerously": "alias",
}
MERGE_DANGEROUSLY = "$merge_dangerously"

# Ids ingestion refuses to merge on, as generic ones stem from a bug in the sender
# (PostHog's person-utils.ts, isDistinctIdIllegal): some in any casing, some exactly.
_ILLEGAL_ANY_CASE = (
    "anonymous",
    "guest",
    "distinctid",
    "distinct_id",
    "id",
    "not_authenticated",
    "email",
    "undefined",
    "true",
    "false",
)
_ILLEGAL_EXACT = ("[object Object]", "NaN", "None", "none", "null", "0", "undefined")


def _quoted(ids: Sequence[str]) -> frozenset[str]:
    """The ids as sent bare, in single quotes and in double quotes (all seen in the wild)."""
    return frozenset(spelling for id_ in ids for spelling in (id_, f"'{id_}'", f'"{id_}"'))


ILLEGAL_ANY_CASE = _quoted(_ILLEGAL_ANY_CASE)
ILLEGAL_EXACT = _quoted(_ILLEGAL_EXACT)

# The only person properties an event carries: PostHog sends these three so that a page of
# events stays small (ClickhouseEventSerializer.get_person).
EVENT_PERSON_PROPERTIES = ("email", "name", "username")

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def is_illegal_distinct_id(distinct_id: str) -> bool:
    return (
        not distinct_id.strip()
        or distinct_id.lower() in ILLEGAL_ANY_CASE
        or distinct_id in ILLEGAL_EXACT
    )


def js_string(value: Any) -> str:
    """``String(value)`` as PostHog's (JavaScript) ingestion reads a merge property."""
    if isinstance(value, dict):
        return "[object Object]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    return value if isinstance(value, str) else str(value)


def merge_source(event: str, properties: Mapping[str, Any]) -> str | None:
    """The other distinct id an event asks to make the same person as its own, or ``None``:
    ``$identify`` needs the key present, the alias events a truthy ``alias``."""
    key = MERGE_PROPERTY.get(event)
    if key is None or key not in properties:
        return None
    value = properties[key]
    if key == "alias" and not value:
        return None
    return js_string(value)


# --------------------------------------------------------------------------- writing


def create_person(
    conn: sqlite3.Connection,
    project_id: int,
    distinct_ids: Sequence[str],
    *,
    properties: Mapping[str, Any] | None = None,
    created_at: datetime,
    person_uuid: str | None = None,
    is_identified: bool = False,
) -> int:
    """A new person known by ``distinct_ids``; answers its pk."""
    cursor = conn.execute(
        "INSERT INTO persons (uuid, project_id, properties, created_at, is_identified)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            person_uuid or str(uuid.uuid4()),
            project_id,
            _ENCODER.encode(dict(properties or {})),
            format_timestamp(created_at),
            int(is_identified),
        ),
    )
    person_pk = cursor.lastrowid
    assert person_pk is not None
    conn.executemany(
        "INSERT INTO person_distinct_ids (project_id, distinct_id, person_pk) VALUES (?, ?, ?)",
        [(project_id, distinct_id, person_pk) for distinct_id in distinct_ids],
    )
    return person_pk


def person_pk(conn: sqlite3.Connection, project_id: int, distinct_id: str) -> int | None:
    row = conn.execute(
        "SELECT person_pk FROM person_distinct_ids WHERE project_id = ? AND distinct_id = ?",
        (project_id, distinct_id),
    ).fetchone()
    return None if row is None else int(row[0])


# Distinct ids looked up per statement (well under SQLite's limit of bound parameters).
LOOKUP_CHUNK = 500


def person_pks(
    conn: sqlite3.Connection, project_id: int, distinct_ids: Iterable[str]
) -> dict[str, int]:
    """``distinct_id → person pk`` for those of ``distinct_ids`` someone has: what
    :func:`person_pk` answers for each, in a statement per :data:`LOOKUP_CHUNK` ids."""
    wanted = list(set(distinct_ids))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        found.update(
            conn.execute(
                "SELECT distinct_id, person_pk FROM person_distinct_ids"
                f" WHERE project_id = ? AND distinct_id IN ({','.join('?' * len(chunk))})",
                (project_id, *chunk),
            ).fetchall()
        )
    return found


def update_properties(conn: sqlite3.Connection, pk: int, set_: Any, set_once: Any) -> None:
    """``$set`` overwrites, ``$set_once`` only fills what the person lacks."""
    row = conn.execute("SELECT properties FROM persons WHERE pk = ?", (pk,)).fetchone()
    properties: dict[str, Any] = json.loads(row[0])
    if isinstance(set_once, dict):
        properties = {**set_once, **properties}
    if isinstance(set_, dict):
        properties.update(set_)
    conn.execute(
        "UPDATE persons SET properties = ? WHERE pk = ?", (_ENCODER.encode(properties), pk)
    )


def merge(
    conn: sqlite3.Connection,
    project_id: int,
    target_pk: int,
    target_id: str,
    other_id: str,
    *,
    dangerously: bool,
) -> None:
    """Ingestion's rule for ``$identify``/``$create_alias``/``$merge_dangerously``
    (person-merge-service.ts): ``other_id`` becomes an id of the event's person
    ``target_pk``, which is then identified.

    The same id twice, or either id a generic one (:func:`is_illegal_distinct_id`), does
    nothing at all. An ``other_id`` no one has yet is simply added. One that is another
    person's merges that person in (its ids move over, its properties fill gaps only),
    unless that person is identified already: only ``$merge_dangerously`` merges those,
    otherwise PostHog leaves both persons apart (with an ingestion warning) and, as here,
    still marks the event's person identified.
    """
    if other_id == target_id or is_illegal_distinct_id(target_id):
        return
    if is_illegal_distinct_id(other_id):
        return
    conn.execute("UPDATE persons SET is_identified = 1 WHERE pk = ?", (target_pk,))
    other_pk = person_pk(conn, project_id, other_id)
    if other_pk is None:
        conn.execute(
            "INSERT INTO person_distinct_ids (project_id, distinct_id, person_pk) VALUES (?, ?, ?)",
            (project_id, other_id, target_pk),
        )
        return
    if other_pk == target_pk:
        return
    other = conn.execute(
        "SELECT properties, is_identified FROM persons WHERE pk = ?", (other_pk,)
    ).fetchone()
    if other["is_identified"] and not dangerously:
        return
    update_properties(conn, target_pk, None, json.loads(other["properties"]))
    conn.execute(
        "UPDATE person_distinct_ids SET person_pk = ? WHERE project_id = ? AND person_pk = ?",
        (target_pk, project_id, other_pk),
    )
    conn.execute("DELETE FROM persons WHERE pk = ?", (other_pk,))


# --------------------------------------------------------------------------- reading


def person_distinct_ids(conn: sqlite3.Connection, project_id: int, person_id: str) -> list[str]:
    """Every distinct id of a person given by uuid or, as PostHog also accepts, numeric id."""
    if person_id.isdigit():
        where, key = "p.pk = ?", person_id
    else:
        try:
            where, key = "p.uuid = ?", str(uuid.UUID(person_id))
        except ValueError:
            return []
    return [
        row[0]
        for row in conn.execute(
            "SELECT d.distinct_id FROM persons AS p"
            " JOIN person_distinct_ids AS d ON d.person_pk = p.pk"
            f" WHERE p.project_id = ? AND {where} ORDER BY d.rowid",
            (project_id, key),
        )
    ]


def event_persons(
    conn: sqlite3.Connection, project_id: int, distinct_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """``distinct_id → person`` as ``events/?include_person=true`` embeds it in an event.

    PostHog's shape (event.py's ``_get_people``, ``ClickhouseEventSerializer.get_person``):
    ``is_identified``; ``distinct_ids`` holding one id only, the event's own (newest
    PostHog looks persons up by the events' ids and keeps just the id matched, to keep
    pages small); ``properties`` cut to ``email``, ``name`` and ``username``. No ``id``,
    ``uuid`` or ``created_at``.
    """
    wanted = sorted(set(distinct_ids))
    if not wanted:
        return {}
    rows = conn.execute(
        "SELECT d.distinct_id, p.properties, p.is_identified"
        " FROM person_distinct_ids AS d JOIN persons AS p ON p.pk = d.person_pk"
        f" WHERE d.project_id = ? AND d.distinct_id IN ({','.join('?' * len(wanted))})",
        (project_id, *wanted),
    ).fetchall()
    persons: dict[str, dict[str, Any]] = {}
    for row in rows:
        properties = json.loads(row["properties"])
        persons[row["distinct_id"]] = {
            "is_identified": bool(row["is_identified"]),
            "distinct_ids": [row["distinct_id"]],
            "properties": {
                key: properties[key] for key in EVENT_PERSON_PROPERTIES if key in properties
            },
        }
    return persons
