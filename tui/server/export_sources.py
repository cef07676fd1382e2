"""What an export is made of, read from the store: an insight's trends, a dashboard's
tiles, or the rows an ``export_context`` names. The result is plain data
(``tui.server.exporting.subjects``) for the renderers.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tui.models.exports import ExportFormat
from tui.server import trends
from tui.server.event_query import event_query, includes_person
from tui.server.exporting import tables
from tui.server.exporting.render import ExportUnsupported
from tui.server.exporting.subjects import DashboardSubject, InsightSubject, Subject
from tui.server.store import events as event_store
from tui.server.store import exports as export_store
from tui.server.store import insights as insight_store
from tui.server.store import persons as person_store

# PostHog's CSV exporter stops after this many rows.
MAX_EXPORT_ROWS = 50_000
# Rows read per query while following the events cursor (the events API's largest page).
EVENTS_PAGE_SIZE = 1000
# An events path this server can export: /api/projects/1/events or /api/environments/1/events/.
_EVENTS_PATH = re.compile(r"^/api/(?:projects|environments)/(\d+)/events/?$")


def gather(conn: sqlite3.Connection, row: sqlite3.Row, export_format: ExportFormat) -> Subject:
    project_id = int(row["project_id"])
    today = datetime.now(UTC).date()
    if row["insight_id"] is not None:
        insight = insight_store.find_insight(
            conn, project_id, row["insight_id"], include_deleted=True
        )
        if insight is None:
            raise ExportUnsupported("The insight of this export no longer exists.")
        return insight_subject(conn, insight, today)
    if row["dashboard_id"] is not None:
        dashboard = insight_store.find_dashboard(
            conn, project_id, row["dashboard_id"], include_deleted=True
        )
        if dashboard is None:
            raise ExportUnsupported("The dashboard of this export no longer exists.")
        cache = insight_store.TrendsCache()
        tiles = tuple(
            insight_subject(conn, tile, today, cache)
            for tile in insight_store.dashboard_tiles(conn, project_id, dashboard)
        )
        return DashboardSubject(title=str(dashboard["name"]), tiles=tiles)
    context = export_store.export_context(row) or {}
    return context_subject(conn, project_id, context, today)


def insight_subject(
    conn: sqlite3.Connection,
    insight: sqlite3.Row,
    today: date,
    cache: insight_store.TrendsCache | None = None,
) -> InsightSubject:
    title = str(insight["name"] or f"Insight {insight['ref']}")
    try:
        definition = trends.parse_trends(insight_store.insight_query(insight))
        result = insight_store.compute_trends(
            conn, insight["project_id"], definition, title, today=today, cache=cache
        )
    except trends.UnsupportedQuery as exc:
        return InsightSubject(title=title, result=None, problem=str(exc))
    return InsightSubject(title=title, result=result)


def context_subject(
    conn: sqlite3.Connection, project_id: int, context: dict[str, Any], today: date
) -> Subject:
    title = str(context.get("filename") or "Export")
    source = context.get("source")
    if isinstance(source, dict):
        # A query given inline: the local server computes trends queries.
        definition = trends.parse_trends(source)
        result = insight_store.compute_trends(conn, project_id, definition, title, today=today)
        return InsightSubject(title=title, result=result)
    path = context.get("path")
    if isinstance(path, str) and path:
        columns = context.get("columns")
        column_names = [str(c) for c in columns] if isinstance(columns, list) else []
        events = events_rows(conn, project_id, path)
        return tables.events_table(title, events, column_names)
    raise ExportUnsupported("The export_context needs a path or a source to export.")


def events_rows(conn: sqlite3.Connection, project_id: int, path: str) -> list[dict[str, Any]]:
    """What ``GET <path>`` and its ``next`` pages serve, up to MAX_EXPORT_ROWS events.

    Pages are read the way the events API links them: each next page repeats the query
    with ``before`` = the last row's timestamp, so the export holds exactly the rows a
    client following ``next`` would see.
    """
    _check_events_path(path, project_id)
    params = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    query = event_query(params)
    include_person = includes_person(params)
    offset = _offset(params.get("offset"))
    # The cursor replaces the offset, as in the API's next link.
    params.pop("offset", None)
    events: list[dict[str, Any]] = []
    while len(events) < MAX_EXPORT_ROWS:
        page_size = min(EVENTS_PAGE_SIZE, MAX_EXPORT_ROWS - len(events))
        rows = event_store.list_events(conn, project_id, query, page_size + 1, offset)
        has_more = len(rows) > page_size
        rows = rows[:page_size]
        persons = (
            person_store.event_persons(conn, project_id, (row["distinct_id"] for row in rows))
            if include_person
            else {}
        )
        events.extend(event_store.event_json(row, persons.get(row["distinct_id"])) for row in rows)
        if not has_more or not rows:
            break
        query = event_query({**params, "before": rows[-1]["timestamp"]})
        offset = 0
    return events


def _check_events_path(path: str, project_id: int) -> None:
    match = _EVENTS_PATH.match(urlsplit(path).path)
    if match is None:
        raise ExportUnsupported(
            f"The local server exports only its events API (/api/projects/<id>/events),"
            f" not {urlsplit(path).path!r}."
        )
    if int(match.group(1)) != project_id:
        raise ExportUnsupported("An export can only read the events of its own project.")


def _offset(text: str | None) -> int:
    # As the events API reads it: anything but a non-negative integer is 0.
    try:
        return max(0, int(text or 0))
    except ValueError:
        return 0
