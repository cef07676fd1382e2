"""B8: at 1,000,000 events, a page of 100 events filtered by event name over HTTP, beside the
bare SQLite query that answers it.

As the events tab asks: newest first, then older pages through ``next`` (a ``before``
cursor), for event names common and rare.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from benchmarks.harness import Figure, percentile, timed_ms
from benchmarks.scale_support import (
    Server,
    bare,
    ok_json,
    scale_database,
    served,
    size,
    warm,
)

SCENARIO = "B8"
TITLE = "events: a page of 100 filtered by event name at 1,000,000 events"

# Common and rare names of the seeded events.
NAMES = ("$pageview", "$autocapture", "file_uploaded", "signed_up", "plan_changed")
PAGES_PER_NAME = 40
SMOKE_PAGES_PER_NAME = 2
PAGE = 100
TARGET_MS = 30.0

PAGE_SQL = (
    "SELECT pk, uuid, event, distinct_id, properties, timestamp, elements_chain FROM events"
    " WHERE project_id = 1 AND event = ? AND timestamp < ?"
    " ORDER BY timestamp DESC, pk DESC LIMIT ?"
)
NEWEST = "9999"  # after every timestamp: the first page


def page_times(
    server: Server, conn: sqlite3.Connection, pages: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of each page over HTTP and of the bare SQLite of the same page, for
    each of :data:`NAMES`, following ``next`` up to ``pages`` times (B10 reuses it)."""
    http_ms: list[float] = []
    bare_ms: list[float] = []

    def page(params: dict[str, Any]) -> Any:
        return ok_json(server.client.get("events/", params=params))

    def bare_page(name: str, before: str) -> None:
        # One row more, as the server reads to know whether there is a next page.
        conn.execute(PAGE_SQL, (name, before, PAGE + 1)).fetchall()

    warm(lambda: page({"event": NAMES[0], "limit": PAGE}))
    for name in NAMES:
        params: dict[str, Any] = {"event": name, "limit": PAGE}
        before = NEWEST
        for _ in range(pages):
            started = time.perf_counter()
            body = page(params)
            http_ms.append((time.perf_counter() - started) * 1000)
            bare_ms += timed_ms(lambda n=name, b=before: bare_page(n, b), 1)
            results = body["results"]
            assert results and all(e["event"] == name for e in results), name
            if not body["next"]:
                break
            # The next page, as the events tab follows it.
            params = {k: v[0] for k, v in parse_qs(urlsplit(body["next"]).query).items()}
            before = params["before"]
    return http_ms, bare_ms


def run(smoke: bool) -> list[Figure]:
    spec = size(smoke)
    db_path, figures = scale_database(spec)
    pages = SMOKE_PAGES_PER_NAME if smoke else PAGES_PER_NAME
    conn = bare(db_path)
    with served(db_path) as server:
        http_ms, bare_ms = page_times(server, conn, pages)
    conn.close()

    p50, p50_bare = percentile(http_ms, 50), percentile(bare_ms, 50)
    return [
        *figures,
        Figure(
            scenario=SCENARIO,
            name=f"page of {PAGE} events of one name ({spec.events:,} events), p50",
            value=p50,
            unit="ms",
            reference_name="bare SQLite page",
            reference=p50_bare,
            ratio=p50 / p50_bare,
            target=f"p50 ≤ {TARGET_MS:.0f} ms",
            passed=p50 <= TARGET_MS,
        ),
    ]
