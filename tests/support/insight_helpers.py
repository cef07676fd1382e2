"""Known insights, dashboards and events for the insights and exports tests.

Objects and events are written straight into the test server's SQLite file (the local
server has no create endpoint for insights, and events written here have exact, known
timestamps); everything is then read back over HTTP.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any


@contextmanager
def database(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield conn
        conn.execute("COMMIT")
    finally:
        conn.close()


def today() -> date:
    return datetime.now(UTC).date()


def stamp(day: date, hour: int = 12, minute: int = 0) -> str:
    """A timestamp as the server stores events' (UTC, microseconds, ``+00:00``)."""
    moment = datetime.combine(day, time(hour, minute), tzinfo=UTC)
    return moment.isoformat(timespec="microseconds")


def trends_query(
    *series: tuple[str | None, str], date_from: str = "-6d", interval: str = "day"
) -> dict[str, Any]:
    """An insight query like the demo's: ``series`` as (event, math) pairs."""
    return {
        "kind": "InsightVizNode",
        "source": {
            "kind": "TrendsQuery",
            "series": [{"kind": "EventsNode", "event": e, "math": m} for e, m in series],
            "interval": interval,
            "dateRange": {"date_from": date_from},
        },
    }


def create_insight(
    db_path: Path,
    name: str,
    query: dict[str, Any] | None,
    *,
    project_id: int = 1,
    short_id: str | None = None,
    description: str = "",
) -> tuple[int, str]:
    """An insight row; answers (id, short_id)."""
    ref = short_id or uuid.uuid4().hex[:8]
    data = {"query": query, "description": description}
    with database(db_path) as conn:
        cursor = conn.execute(
            "INSERT INTO objects (project_id, type, ref, name, data, created_at)"
            " VALUES (?, 'insight', ?, ?, ?, ?)",
            (project_id, ref, name, json.dumps(data), stamp(today())),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid, ref


def create_dashboard(
    db_path: Path, name: str, tiles: list[int], *, project_id: int = 1, description: str = ""
) -> int:
    with database(db_path) as conn:
        cursor = conn.execute(
            "INSERT INTO objects (project_id, type, ref, name, data, created_at)"
            " VALUES (?, 'dashboard', ?, ?, ?, ?)",
            (
                project_id,
                uuid.uuid4().hex,
                name,
                json.dumps({"tiles": tiles, "description": description}),
                stamp(today()),
            ),
        )
        assert cursor.lastrowid is not None
        conn.execute(
            "UPDATE objects SET ref = ? WHERE id = ?", (str(cursor.lastrowid), cursor.lastrowid)
        )
        return cursor.lastrowid


def insert_events(
    db_path: Path,
    events: Iterable[tuple[str, str, str]],
    *,
    project_id: int = 1,
    properties: dict[str, Any] | None = None,
) -> None:
    """Events as (event, distinct_id, timestamp)."""
    with database(db_path) as conn:
        conn.executemany(
            "INSERT INTO events (uuid, project_id, event, distinct_id, properties, timestamp)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (
                    str(uuid.uuid4()),
                    project_id,
                    event,
                    distinct_id,
                    json.dumps(properties or {}),
                    ts,
                )
                for event, distinct_id, ts in events
            ],
        )


def days_back(count: int) -> list[date]:
    """The ``count`` days up to today, oldest first."""
    return [today() - timedelta(days=count - 1 - i) for i in range(count)]


def seed_signups(db_path: Path) -> dict[str, Any]:
    """A week of ``signed_up`` and ``$pageview`` events with known daily counts, plus
    events that must not count (too old, or in project 2). Answers the expected columns."""
    days = days_back(7)
    signups = [0, 1, 0, 3, 2, 0, 4]
    # distinct ids per day for the dau series: the signups of a day come from this many people
    people = [0, 1, 0, 2, 2, 0, 1]
    pageviews = [5, 0, 2, 0, 1, 7, 3]
    rows: list[tuple[str, str, str]] = []
    for day, n, p, views in zip(days, signups, people, pageviews, strict=True):
        rows += [("signed_up", f"user-{i % p}" if p else "x", stamp(day, 9, i)) for i in range(n)]
        rows += [("$pageview", f"viewer-{i}", stamp(day, 15, i)) for i in range(views)]
    rows.append(("signed_up", "old", stamp(today() - timedelta(days=30))))
    insert_events(db_path, rows)
    insert_events(db_path, [("signed_up", "elsewhere", stamp(today()))], project_id=2)
    return {
        "days": [d.isoformat() for d in days],
        "signed_up": signups,
        "signed_up_dau": people,
        "$pageview": pageviews,
    }
