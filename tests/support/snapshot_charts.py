"""Charts of the picture project: queries with absolute date ranges over events at fixed
moments, so every picture of a chart is the same every run.

A line (Weekly signups), bars (Black Friday traffic), a number (Daily active users), a
table (Café ☕ metrics), funnels (Signup funnel, Onboarding completion) and a dashboard
whose tiles are some of them (Growth dashboard).
"""

from __future__ import annotations

import json
import random
import sqlite3
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tui.server.store import objects

PROJECT_ID = 1
FIRST_DAY = datetime(2025, 11, 1, tzinfo=UTC)
DAYS = 28
DATE_RANGE = {"date_from": "2025-11-01", "date_to": "2025-11-28"}
FUNNEL_STEPS = ("signed_up", "file_uploaded", "subscription_started")
_EVENT_NAMESPACE = uuid.UUID("0d4f7c8e-2b1a-4c55-9f1e-6a7b8c9d0e1f")


def trends(*events: str, display: str | None = None, interval: str = "day") -> dict[str, Any]:
    source: dict[str, Any] = {
        "kind": "TrendsQuery",
        "series": [{"kind": "EventsNode", "event": e, "math": "total"} for e in events],
        "interval": interval,
        "dateRange": DATE_RANGE,
    }
    if display:
        source["trendsFilter"] = {"display": display}
    return {"kind": "InsightVizNode", "source": source}


def funnel(*steps: str) -> dict[str, Any]:
    return {
        "kind": "InsightVizNode",
        "source": {
            "kind": "FunnelsQuery",
            "series": [{"kind": "EventsNode", "event": e} for e in steps],
            "dateRange": DATE_RANGE,
        },
    }


# Insight name → its query.
QUERIES: dict[str, dict[str, Any]] = {
    "Weekly signups": trends("signed_up", "$pageview"),
    "Black Friday traffic": trends("$pageview", display="ActionsBar", interval="week"),
    "Daily active users": trends("$pageview", display="BoldNumber"),
    "Café ☕ metrics": trends("$pageview", "signed_up", display="ActionsTable"),
    "Signup funnel": funnel(*FUNNEL_STEPS),
    "Onboarding completion": funnel("signed_up", "file_uploaded"),
}
# Dashboard name → the insights on its tiles, in order.
TILES: dict[str, tuple[str, ...]] = {
    "Growth dashboard": ("Weekly signups", "Signup funnel", "Daily active users"),
}


def events() -> list[tuple[str, str, str, str]]:
    """(uuid, event, distinct_id, timestamp) rows: pageviews and signups every day, and
    signups that go on through the funnel's steps."""
    rng = random.Random(17)
    rows: list[tuple[str, str, datetime]] = []
    for day in range(DAYS):
        start = FIRST_DAY + timedelta(days=day)
        for index in range(30 + 3 * day + rng.randint(0, 20)):
            rows.append(("$pageview", f"visitor-{index}", start + timedelta(minutes=7 * index)))
        for index in range(4 + day // 3 + rng.randint(0, 5)):
            person = f"user-{day}-{index}"
            moment = start + timedelta(hours=1, minutes=13 * index)
            rows.append(("signed_up", person, moment))
            if rng.random() < 0.6:
                rows.append(("file_uploaded", person, moment + timedelta(hours=2)))
                if rng.random() < 0.5:
                    rows.append(("subscription_started", person, moment + timedelta(days=1)))
    return [
        (
            str(uuid.uuid5(_EVENT_NAMESPACE, f"{n}")),
            event,
            person,
            moment.isoformat(timespec="microseconds"),
        )
        for n, (event, person, moment) in enumerate(rows)
        if moment < FIRST_DAY + timedelta(days=DAYS)
    ]


def add_charts(conn: sqlite3.Connection) -> None:
    """Queries, tiles and events of the picture project (inside the caller's transaction)."""
    ids: dict[str, int] = {}
    for row in conn.execute(
        "SELECT id, name, type FROM objects WHERE project_id = ? AND type IN"
        " ('insight', 'dashboard')",
        (PROJECT_ID,),
    ):
        ids.setdefault(f"{row['type']}:{row['name']}", int(row["id"]))
    for name, query in QUERIES.items():
        objects.set_data(conn, ids[f"insight:{name}"], {"query": query})
    for name, tiles in TILES.items():
        tile_ids = [ids[f"insight:{tile}"] for tile in tiles]
        objects.set_data(conn, ids[f"dashboard:{name}"], {"tiles": tile_ids})
    conn.executemany(
        "INSERT INTO events (uuid, project_id, event, distinct_id, properties, timestamp)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(u, PROJECT_ID, e, d, json.dumps({}), t) for u, e, d, t in events()],
    )
