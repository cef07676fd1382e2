"""Insights and dashboards in SQLite (rows of ``objects``), and trends computed from the
project's ``events``.

Functions take an open connection inside the caller's transaction. The shape of a
trends query and of its answer is ``tui.server.trends``'s business; here is only SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tui.server import funnels, trends
from tui.server.store.errors import NotFound
from tui.server.store.file_system import now

# SQL for the first day of an event's bucket, per interval. Timestamps are stored in UTC as
# "2024-05-01T12:00:00.123000+00:00", so the first ten characters are the day. Weeks start
# on Sunday, as PostHog's do.
_BUCKET_SQL = {
    "day": "substr(timestamp, 1, 10)",
    "week": "date(substr(timestamp, 1, 10), '-6 days', 'weekday 0')",
    "month": "substr(timestamp, 1, 7) || '-01'",
}
_MATH_SQL = {"total": "COUNT(*)", "dau": "COUNT(DISTINCT distinct_id)"}


@dataclass
class TrendsCache:
    """Counts already made in this request: the demo's hundreds of insights share a few
    events, so a page of insights costs a few queries rather than one per insight."""

    counts: dict[tuple[Any, ...], dict[str, int]] = field(default_factory=dict)


# --------------------------------------------------------------------------- insights


def get_insight(conn: sqlite3.Connection, project_id: int, insight_id: int | str) -> sqlite3.Row:
    """The insight ``insight_id`` of this project (deleted or not), or 404."""
    row = find_insight(conn, project_id, insight_id, include_deleted=True)
    if row is None:
        raise NotFound()
    return row


def find_insight(
    conn: sqlite3.Connection,
    project_id: int,
    insight_id: int | str,
    *,
    include_deleted: bool = False,
) -> sqlite3.Row | None:
    return _find(conn, project_id, "insight", insight_id, include_deleted=include_deleted)


def list_insights(
    conn: sqlite3.Connection,
    project_id: int,
    *,
    short_id: str | None,
    limit: int,
    offset: int,
) -> tuple[int, list[sqlite3.Row]]:
    """Live insights, oldest first (PostHog lists deleted ones nowhere)."""
    where = "project_id = ? AND type = 'insight' AND deleted = 0"
    params: list[Any] = [project_id]
    if short_id is not None:
        where += " AND ref = ?"
        params.append(short_id)
    total = conn.execute(f"SELECT COUNT(*) FROM objects WHERE {where}", params).fetchone()[0]
    rows = conn.execute(
        f"SELECT * FROM objects WHERE {where} ORDER BY id LIMIT ? OFFSET ?",
        [*params, limit, offset],
    ).fetchall()
    return int(total), rows


def insight_query(row: sqlite3.Row) -> dict[str, Any] | None:
    query = _data(row).get("query")
    return query if isinstance(query, dict) else None


def insight_json(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    *,
    today: date | None = None,
    cache: TrendsCache | None = None,
) -> dict[str, Any]:
    """An insight as PostHog's API answers it, with its result computed when possible."""
    try:
        result = compute_result(conn, row, today=today, cache=cache)
    except trends.UnsupportedQuery:
        # PostHog answers other kinds of insight with their own shapes; none is better
        # than a wrong one.
        result = None
    return insight_fields(row, result)


def insight_fields(row: sqlite3.Row, result: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The insight's own fields and ``result`` as given."""
    data = _data(row)
    return {
        "id": row["id"],
        "short_id": row["ref"],
        "name": row["name"],
        "derived_name": None,
        "description": data.get("description", ""),
        "deleted": bool(row["deleted"]),
        "query": insight_query(row),
        "result": result,
        "created_at": row["created_at"],
        "last_refresh": now(),
    }


def compute_result(
    conn: sqlite3.Connection,
    row: sqlite3.Row,
    *,
    today: date | None = None,
    cache: TrendsCache | None = None,
) -> list[dict[str, Any]]:
    """The insight's ``result`` in PostHog's shape for its kind (trends or funnels);
    :class:`trends.UnsupportedQuery` for anything the local server cannot compute."""
    query = insight_query(row)
    funnel_source = funnels.funnels_source(query)
    if funnel_source is not None:
        definition = funnels.parse_funnel(funnel_source)
        return funnels.posthog_result(
            definition, compute_funnel(conn, row["project_id"], definition, today=today)
        )
    trend = trends.parse_trends(query)
    computed = compute_trends(conn, row["project_id"], trend, row["name"], today=today, cache=cache)
    return trends.posthog_result(computed, trend)


def resolved_date_range(query: dict[str, Any] | None) -> dict[str, str] | None:
    """The query's date range as moments (PostHog's ``resolved_date_range``), or None when
    it has none the local server can read."""
    source = query.get("source", query) if isinstance(query, dict) else None
    if not isinstance(source, dict):
        return None
    date_range = source.get("dateRange") or {}
    today = datetime.now(UTC).date()
    try:
        first = trends.parse_day(
            date_range.get("date_from", trends.DEFAULT_DATE_FROM), today, default=today
        )
        last = trends.parse_day(date_range.get("date_to"), today, default=today)
    except trends.UnsupportedQuery:
        return None
    end = datetime.combine(last, datetime.max.time(), tzinfo=UTC)
    return {
        "date_from": datetime.combine(first, datetime.min.time(), tzinfo=UTC).isoformat(),
        "date_to": end.isoformat(),
    }


def compute_funnel(
    conn: sqlite3.Connection,
    project_id: int,
    definition: funnels.FunnelDefinition,
    *,
    today: date | None = None,
) -> list[int]:
    """People reaching each step: entries in the date range, conversions up to the
    window past its end (as PostHog lets a late entrant finish)."""
    today = today or datetime.now(UTC).date()
    if definition.date_from is None:
        first = _first_event_day(conn, project_id) or today
    else:
        first = trends.parse_day(definition.date_from, today, default=today)
    last = trends.parse_day(definition.date_to, today, default=today)
    start = first.isoformat()
    end = datetime.combine(last + timedelta(days=1), datetime.min.time()) + definition.window
    marks = ",".join("?" * len(definition.events))
    rows = conn.execute(
        "SELECT distinct_id, event, timestamp FROM events"
        f" WHERE project_id = ? AND event IN ({marks}) AND timestamp >= ? AND timestamp < ?"
        " ORDER BY timestamp",
        [project_id, *definition.events, start, end.date().isoformat()],
    ).fetchall()
    entry_end = (last + timedelta(days=1)).isoformat()
    first_step = definition.steps[0].event
    events = [
        (str(r["distinct_id"]), str(r["event"]), datetime.fromisoformat(r["timestamp"]))
        for r in rows
        # a step-1 event after the range starts no attempt
        if not (r["event"] == first_step and r["timestamp"] >= entry_end)
    ]
    return funnels.step_counts(definition, events)


def tile_insight_json(row: sqlite3.Row) -> dict[str, Any]:
    return {"id": row["id"], "short_id": row["ref"], "name": row["name"]}


# --------------------------------------------------------------------------- dashboards


def get_dashboard(
    conn: sqlite3.Connection, project_id: int, dashboard_id: int | str
) -> sqlite3.Row:
    row = find_dashboard(conn, project_id, dashboard_id, include_deleted=True)
    if row is None:
        raise NotFound()
    return row


def find_dashboard(
    conn: sqlite3.Connection,
    project_id: int,
    dashboard_id: int | str,
    *,
    include_deleted: bool = False,
) -> sqlite3.Row | None:
    return _find(conn, project_id, "dashboard", dashboard_id, include_deleted=include_deleted)


def dashboard_tiles(
    conn: sqlite3.Connection, project_id: int, dashboard: sqlite3.Row
) -> list[sqlite3.Row]:
    """The live insights on a dashboard, in tile order (a deleted insight leaves its tile)."""
    tiles = _data(dashboard).get("tiles")
    ids = [i for i in tiles if isinstance(i, int)] if isinstance(tiles, list) else []
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT * FROM objects WHERE project_id = ? AND type = 'insight' AND deleted = 0"
        f" AND id IN ({marks})",
        [project_id, *ids],
    ).fetchall()
    by_id = {row["id"]: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def dashboard_json(conn: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    data = _data(row)
    tiles = dashboard_tiles(conn, row["project_id"], row)
    return {
        "id": row["id"],
        "name": row["name"],
        "description": data.get("description", ""),
        "deleted": bool(row["deleted"]),
        "created_at": row["created_at"],
        # Tile ids are positions: the local server keeps no tile rows of its own.
        "tiles": [
            {"id": index, "insight": tile_insight_json(tile)}
            for index, tile in enumerate(tiles, start=1)
        ],
    }


# --------------------------------------------------------------------------- trends


def compute_trends(
    conn: sqlite3.Connection,
    project_id: int,
    definition: trends.TrendsDefinition,
    title: str,
    *,
    today: date | None = None,
    cache: TrendsCache | None = None,
) -> trends.TrendsResult:
    """Count each series' events per bucket over the query's date range."""
    today = today or datetime.now(UTC).date()
    if definition.date_from is None:
        first = _first_event_day(conn, project_id) or today
    else:
        first = trends.parse_day(definition.date_from, today, default=today)
    last = trends.parse_day(definition.date_to, today, default=today)
    days = trends.buckets(first, last, definition.interval)
    if not days:
        return trends.assemble(title, definition, days, [{} for _ in definition.series])
    cache = cache or TrendsCache()
    counts = [
        _series_counts(conn, project_id, series, days, last, definition.interval, cache)
        for series in definition.series
    ]
    return trends.assemble(title, definition, days, counts)


def _series_counts(
    conn: sqlite3.Connection,
    project_id: int,
    series: trends.Series,
    days: Sequence[date],
    last: date,
    interval: str,
    cache: TrendsCache,
) -> dict[str, int]:
    # Bounds as text compare correctly with the stored timestamps (same fixed format).
    start = days[0].isoformat()
    end = (last + timedelta(days=1)).isoformat()
    key = (project_id, series.event, series.math, interval, start, end)
    if key in cache.counts:
        return cache.counts[key]
    event_clause = " AND event = ?" if series.event is not None else ""
    params: list[Any] = [project_id, *([series.event] if series.event is not None else [])]
    rows = conn.execute(
        f"SELECT {_BUCKET_SQL[interval]} AS bucket, {_MATH_SQL[series.math]} AS value"
        f" FROM events WHERE project_id = ?{event_clause} AND timestamp >= ? AND timestamp < ?"
        " GROUP BY bucket",
        [*params, start, end],
    ).fetchall()
    found = {str(row["bucket"]): int(row["value"]) for row in rows}
    cache.counts[key] = found
    return found


def _first_event_day(conn: sqlite3.Connection, project_id: int) -> date | None:
    row = conn.execute(
        "SELECT MIN(timestamp) FROM events WHERE project_id = ?", (project_id,)
    ).fetchone()
    return date.fromisoformat(row[0][:10]) if row and row[0] else None


# --------------------------------------------------------------------------- helpers


def in_another_project(
    conn: sqlite3.Connection, project_id: int, object_type: str, object_id: int
) -> bool:
    """Whether object ``object_id`` of ``object_type`` lives in a project other than
    ``project_id`` (and is not deleted)."""
    if not 0 < object_id < 2**63:
        return False
    row = conn.execute(
        "SELECT 1 FROM objects WHERE id = ? AND type = ? AND project_id != ? AND deleted = 0",
        (object_id, object_type, project_id),
    ).fetchone()
    return row is not None


def _find(
    conn: sqlite3.Connection,
    project_id: int,
    object_type: str,
    object_id: int | str,
    *,
    include_deleted: bool,
) -> sqlite3.Row | None:
    if isinstance(object_id, str):
        if not (object_id.isascii() and object_id.isdigit()):
            return None
        object_id = int(object_id)
    # SQLite integers are 64-bit: a larger id names nothing (and would overflow).
    if not 0 < object_id < 2**63:
        return None
    deleted_clause = "" if include_deleted else " AND deleted = 0"
    row: sqlite3.Row | None = conn.execute(
        f"SELECT * FROM objects WHERE id = ? AND project_id = ? AND type = ?{deleted_clause}",
        (object_id, project_id, object_type),
    ).fetchone()
    return row


def _data(row: sqlite3.Row) -> dict[str, Any]:
    try:
        data = json.loads(row["data"] or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
