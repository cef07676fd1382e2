"""Events in SQLite: every events read and write (the persons behind them are
:mod:`tui.server.store.persons`).

Functions take an open connection inside the caller's transaction (see ``Database.read`` and
``Database.write``). Timestamps are stored as fixed-width UTC text
(``2024-05-01T12:00:00.123000+00:00``), so text order is time order and the
``(project_id, …, timestamp)`` indexes answer newest-first pages and time bounds.

For a CSV export of ``export_context.path``::

    query = event_query_from_path(path)            # tui.server.event_query
    rows = list_events(conn, project_id, query, limit=1000)
    events = [event_json(row) for row in rows]
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tui.server.dates import format_timestamp
from tui.server.elements import elements_of
from tui.server.event_query import UNPARSABLE, Condition, ConditionGroup, EventQuery, as_text
from tui.server.store import persons
from tui.server.store.errors import InvalidField

EVENT_COLUMNS = "pk, uuid, event, distinct_id, properties, timestamp, elements_chain"
# Newest first; pk breaks ties in the order the index already holds (rowid ends every index).
NEWEST_FIRST = "timestamp DESC, pk DESC"
OLDEST_FIRST = "timestamp ASC, pk ASC"

# The properties of the person behind the event being filtered (``type: "person"``).
_PERSON_PROPERTIES = (
    "(SELECT p.properties FROM person_distinct_ids AS d JOIN persons AS p ON p.pk = d.person_pk"
    " WHERE d.project_id = events.project_id AND d.distinct_id = events.distinct_id)"
)
# Number operators → SQL.
_COMPARISONS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


# One encoder for every row: json.dumps with options builds a new one per call, which
# dominates seeding tens of thousands of events.
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def encode_properties(value: Mapping[str, Any]) -> str:
    """Properties as stored: compact JSON, unicode kept."""
    return _ENCODER.encode(value)


_dumps = encode_properties


# --------------------------------------------------------------------------- writing


# What capture writes for each event (the columns of :func:`event_row`); an event whose uuid
# is already stored is skipped, as PostHog dedupes on it.
INSERT_EVENT_SQL = (
    "INSERT OR IGNORE INTO events"
    " (uuid, project_id, event, distinct_id, properties, timestamp, elements_chain)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class NewEvent:
    """An event on its way in (capture, the demo seed, the live generator)."""

    event: str
    distinct_id: str
    timestamp: datetime
    properties: Mapping[str, Any] = field(default_factory=dict)
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    elements_chain: str = ""  # autocapture's elements (tui.server.elements)
    # ``properties`` already encoded (:func:`encode_properties`), when a bulk writer such
    # as the demo seed can build it faster than encoding each event whole.
    encoded: str | None = field(default=None, compare=False, repr=False)


def insert_events(conn: sqlite3.Connection, project_id: int, events: Sequence[NewEvent]) -> int:
    """Store ``events`` (one ``executemany``), giving each new distinct id a person first.

    As PostHog's ingestion, oldest first: ``$identify`` with ``$anon_distinct_id``,
    ``$create_alias`` and ``$merge_dangerously`` with ``alias`` join the other id to the
    event's person and mark it identified (:func:`tui.server.store.persons.merge`), then
    ``$set``/``$set_once`` update the person; ``$process_person_profile: false`` leaves
    persons alone. An event whose uuid is already stored is skipped, as PostHog dedupes on
    it. Answers how many events were stored.
    """
    # Every id's person in one go: a statement per id cost more than the rest of a person's
    # work. After a merge, ids are looked up one at a time again (looking them all up again
    # would cost a batch of merges a statement over the whole batch each).
    known = persons.person_pks(conn, project_id, {item.distinct_id for item in events})

    def person_of(distinct_id: str, moment: datetime) -> int:
        pk = persons.person_pk(conn, project_id, distinct_id)
        if pk is None:
            pk = persons.create_person(conn, project_id, [distinct_id], created_at=moment)
        known[distinct_id] = pk
        return pk

    for item in sorted(events, key=lambda e: e.timestamp):
        props = item.properties
        if props.get("$process_person_profile") is False:
            continue  # a personless event: no person is made or changed for it
        pk = known.get(item.distinct_id) or person_of(item.distinct_id, item.timestamp)
        other = persons.merge_source(item.event, props)
        if other is not None:
            persons.merge(
                conn,
                project_id,
                pk,
                item.distinct_id,
                other,
                dangerously=item.event == persons.MERGE_DANGEROUSLY,
            )
            known.clear()  # a merged person's ids now lead elsewhere
        if "$set" in props or "$set_once" in props:
            persons.update_properties(conn, pk, props.get("$set"), props.get("$set_once"))
    before = conn.total_changes
    conn.executemany(INSERT_EVENT_SQL, [event_row(project_id, item) for item in events])
    return conn.total_changes - before


def event_row(project_id: int, item: NewEvent) -> tuple[str, int, str, str, str, str, str]:
    """The values :data:`INSERT_EVENT_SQL` stores for ``item``."""
    return (
        item.uuid,
        project_id,
        item.event,
        item.distinct_id,
        item.encoded if item.encoded is not None else _dumps(item.properties),
        format_timestamp(item.timestamp),
        item.elements_chain,
    )


def insert_many(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> int:
    """Store events given as ``(uuid, project_id, event, distinct_id, properties JSON,
    timestamp text)``, as they are: no person is created or joined.

    For the scale seed's million events, whose people all exist already; everything else
    goes through :func:`insert_events`. Answers how many were stored.
    """
    before = conn.total_changes
    conn.executemany(
        "INSERT INTO events"
        " (uuid, project_id, event, distinct_id, properties, timestamp, elements_chain)"
        " VALUES (?, ?, ?, ?, ?, ?, '')",
        rows,
    )
    return conn.total_changes - before


# --------------------------------------------------------------------------- reading


def list_events(
    conn: sqlite3.Connection,
    project_id: int,
    query: EventQuery,
    limit: int,
    offset: int = 0,
    *,
    oldest_first: bool = False,
) -> list[sqlite3.Row]:
    """The events of ``project_id`` matching ``query``, newest first (or oldest first): at
    most ``limit`` rows after skipping ``offset``. Rows have :data:`EVENT_COLUMNS`;
    :func:`event_json` shapes one.

    Without property filters each page is read straight off an index (no sort), however
    many events the project holds.
    """
    select = list_events_sql(conn, project_id, query, limit, offset, oldest_first=oldest_first)
    return [] if select is None else conn.execute(*select).fetchall()


def list_events_sql(
    conn: sqlite3.Connection,
    project_id: int,
    query: EventQuery,
    limit: int,
    offset: int = 0,
    *,
    oldest_first: bool = False,
) -> tuple[str, list[Any]] | None:
    """The SQL and parameters :func:`list_events` runs (``None``: nothing can match), for
    checking its query plan."""
    found = _where_sql(conn, project_id, query)
    if found is None:
        return None
    where, params = found
    params.extend([max(0, limit), max(0, offset)])
    sql = (
        f"SELECT {EVENT_COLUMNS} FROM events WHERE {where}"
        f" ORDER BY {OLDEST_FIRST if oldest_first else NEWEST_FIRST} LIMIT ? OFFSET ?"
    )
    return sql, params


# Bucket keys by interval: the stored UTC text cut after the hour or the day
# (``2024-05-01T12`` / ``2024-05-01``), so grouping needs no date functions.
_BUCKET_PREFIX = {"hour": 13, "day": 10}


def count_by_bucket(
    conn: sqlite3.Connection, project_id: int, query: EventQuery, interval: str
) -> dict[str, int]:
    """How many events match ``query`` in each UTC hour or day that has any, keyed
    ``YYYY-MM-DDTHH`` (``hour``) or ``YYYY-MM-DD`` (``day``)."""
    found = _where_sql(conn, project_id, query)
    if found is None:
        return {}
    where, params = found
    rows = conn.execute(
        f"SELECT substr(timestamp, 1, {_BUCKET_PREFIX[interval]}) AS bucket, COUNT(*) AS n"
        f" FROM events WHERE {where} GROUP BY bucket",
        params,
    ).fetchall()
    return {str(row["bucket"]): int(row["n"]) for row in rows}


def _where_sql(
    conn: sqlite3.Connection, project_id: int, query: EventQuery
) -> tuple[str, list[Any]] | None:
    """The WHERE clause of ``query`` and its parameters (``None``: nothing can match)."""
    where = ["project_id = ?"]
    params: list[Any] = [project_id]
    if query.event is not None:
        where.append("event = ?")
        params.append(query.event)
    if query.distinct_id is not None:
        where.append("distinct_id = ?")
        params.append(query.distinct_id)
    if query.person_id is not None:
        distinct_ids = persons.person_distinct_ids(conn, project_id, query.person_id)
        if not distinct_ids:
            return None
        where.append(f"distinct_id IN ({','.join('?' * len(distinct_ids))})")
        params.extend(distinct_ids)
    if query.before is not None:
        where.append("timestamp < ?")
        params.append(format_timestamp(query.before))
    if query.after is not None:
        where.append("timestamp > ?")
        params.append(format_timestamp(query.after))
    if query.properties is not None:
        sql, values = _group_sql(query.properties)
        where.append(sql)
        params.extend(values)
    return " AND ".join(where), params


def get_event(conn: sqlite3.Connection, project_id: int, event_uuid: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE uuid = ? AND project_id = ?",
        (event_uuid, project_id),
    ).fetchone()
    return row


def event_json(row: sqlite3.Row, person: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row as PostHog's ``events/`` answers it."""
    return {
        "id": row["uuid"],
        "distinct_id": row["distinct_id"],
        "properties": json.loads(row["properties"]),
        "event": row["event"],
        "timestamp": row["timestamp"],
        "person": person,
        "elements": elements_of(row["elements_chain"]) if row["elements_chain"] else [],
        "elements_chain": row["elements_chain"],
    }


# The event columns ``events/values?is_column=true`` lists values of.
VALUE_COLUMNS = ("event", "distinct_id", "elements_chain")
# events/values reads this many of the newest matching events and counts their values, as
# PostHog samples (a quick answer for a suggestion list, whatever the project's size).
VALUES_SAMPLE = 10_000


def property_values(
    conn: sqlite3.Connection,
    project_id: int,
    key: str,
    event_names: Sequence[str],
    *,
    since: datetime,
    value: str | None = None,
    limit: int = 10,
    is_column: bool = False,
    where_properties: Mapping[str, str] | None = None,
) -> list[str]:
    """The values property ``key`` (or, ``is_column``, the event column ``key``) took in
    events named ``event_names`` (any event when empty) since ``since`` and whose properties
    equal ``where_properties``, most frequent first (in the newest :data:`VALUES_SAMPLE`);
    a list's items count one by one; only those containing ``value`` (case-insensitive)."""
    where = ["project_id = ?", "timestamp >= ?"]
    params: list[Any] = [project_id, format_timestamp(since)]
    if is_column:
        if key not in VALUE_COLUMNS:
            return []
        picked = f"{key} AS raw, 'text' AS kind"
        where.append(f"{key} IS NOT NULL AND {key} != ''")
    else:
        path = _json_path(key)
        picked = "json_extract(properties, ?) AS raw, json_type(properties, ?) AS kind"
        params = [path, path, *params]
        where.append("json_type(properties, ?) NOT IN ('null')")
        params.append(path)
    if event_names:
        where.append(f"event IN ({','.join('?' * len(event_names))})")
        params.extend(event_names)
    for other, wanted in (where_properties or {}).items():
        where.append(f"{_text('events.properties')} = ?")
        params.extend([_json_path(other), _json_path(other), wanted])
    params.append(VALUES_SAMPLE)
    rows = conn.execute(
        f"SELECT {picked} FROM events WHERE {' AND '.join(where)} ORDER BY timestamp DESC LIMIT ?",
        params,
    ).fetchall()
    seen: Counter[str] = Counter()
    for row in rows:
        for item in _flattened(row["raw"], row["kind"]):
            if not value or value.casefold() in item.casefold():
                seen[item] += 1
    return [item for item, _ in sorted(seen.items(), key=lambda pair: (-pair[1], pair[0]))][:limit]


def event_names(conn: sqlite3.Connection, project_id: int, *, since: datetime) -> list[str]:
    """The names events of ``project_id`` have had since ``since``, most frequent first."""
    rows = conn.execute(
        "SELECT event, COUNT(*) AS seen FROM events WHERE project_id = ? AND timestamp >= ?"
        " GROUP BY event ORDER BY seen DESC, event",
        (project_id, format_timestamp(since)),
    ).fetchall()
    return [row["event"] for row in rows]


def _flattened(raw: Any, kind: str) -> list[str]:
    """A property's value as the texts events/values lists: a list's items one by one."""
    if kind == "array":
        items = json.loads(raw)
        return [as_text(item) for item in items if item is not None]
    if kind == "object":
        return [raw]
    if kind in ("true", "false"):
        return [kind]
    return [str(raw)]


def projects_with_events(conn: sqlite3.Connection) -> list[int]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT id FROM projects AS p"
            " WHERE EXISTS (SELECT 1 FROM events WHERE project_id = p.id) ORDER BY id"
        )
    ]


# --------------------------------------------------------------------------- property filters


def _json_path(key: str) -> str:
    # SQLite's JSON paths quote a label with double quotes and know no escape for one.
    if '"' in key:
        raise InvalidField(UNPARSABLE)
    return f'$."{key}"'


def _text(document: str) -> str:
    """SQL for a property as text, as PostHog compares it (JSON true → 'true'); NULL when the
    property is missing or null. Takes the JSON path twice as parameters."""
    return (
        f"CASE json_type({document}, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
        f" WHEN 'null' THEN NULL ELSE CAST(json_extract({document}, ?) AS TEXT) END"
    )


def _number(document: str) -> str:
    """SQL for a numeric property, NULL when it is not a number. Takes the path twice."""
    return (
        f"CASE WHEN json_type({document}, ?) IN ('integer', 'real')"
        f" THEN json_extract({document}, ?) END"
    )


def _condition_sql(condition: Condition) -> tuple[str, list[Any]]:
    document = "events.properties" if condition.type == "event" else _PERSON_PROPERTIES
    path = _json_path(condition.key)
    op = condition.operator
    if op in _COMPARISONS:
        return f"{_number(document)} {_COMPARISONS[op]} ?", [path, path, condition.number]
    text = _text(document)
    if condition.moment is not None:
        moment = f"best_effort_date({text})"
        if op == "is_date_exact" and condition.whole_day:
            moment = f"substr({moment}, 1, 10)"
        compare = {"is_date_exact": "=", "is_date_before": "<", "is_date_after": ">"}[op]
        return f"({moment} {compare} ?)", [path, path, condition.moment]
    values = list(condition.values)
    marks = ",".join("?" * len(values))
    sql = {
        "exact": f"{text} IN ({marks})",
        # A missing property is "not" anything, so those events match (as in PostHog).
        "is_not": f"COALESCE({text} NOT IN ({marks}), 1)",
        "icontains": f"instr(casefold({text}), ?) > 0",
        "not_icontains": f"COALESCE(instr(casefold({text}), ?) = 0, 1)",
        "regex": f"match_cs({text}, ?)",
        "not_regex": f"NOT match_cs({text}, ?)",
        "is_set": f"{text} IS NOT NULL",
        "is_not_set": f"{text} IS NULL",
    }[op]
    if op in ("icontains", "not_icontains"):
        values = [values[0].casefold()]
    elif op in ("regex", "not_regex"):
        values = values[:1]
    elif op in ("is_set", "is_not_set"):
        values = []
    return f"({sql})", [path, path, *values]


def _group_sql(group: ConditionGroup) -> tuple[str, list[Any]]:
    parts: list[str] = []
    params: list[Any] = []
    for item in group.items:
        sql, values = _group_sql(item) if isinstance(item, ConditionGroup) else _condition_sql(item)
        parts.append(sql)
        params.extend(values)
    if not parts:
        return "1", []
    return "(" + f" {group.combine} ".join(parts) + ")", params
