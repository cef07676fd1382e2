"""B10: events ingested per second through ``/batch/`` (1,000 a batch, one client), beside the
bare SQLite insert of the same rows; the same through the ``posthog`` Python SDK; and B8's
page of events once they are in.

On a copy of the scale database (a million events already): ingesting a million more over
HTTP would take minutes, and a realistic amount into a database that already holds a million
costs what it costs at that size (the indexes are that big).

The events are the demo's month replayed by its people (``$pageview``, ``$autocapture``,
``$identify`` with ``$anon_distinct_id`` …), stamped now, each with a UUIDv7 as posthog-js
sends. The reference stores the same rows (the store's own ``INSERT`` and row values, no
HTTP, no persons) with uuids of their own (they must be unique), one transaction per batch,
on a connection set up as the server's (foreign keys checked too); its batches alternate
with the HTTP ones, so the machine's load falls on both alike.

The SDK's figure runs from its first ``capture`` until the server holds every event: with
its defaults it sends 100 events a request (``flush_at``) from its own thread.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.b8_events_page import page_times
from benchmarks.harness import Figure, percentile
from benchmarks.scale_support import PROJECT, bare, scale_database, served, size, writable_copy
from tui.server import seed_events
from tui.server.routes.capture import moment
from tui.server.store import events as event_store
from tui.server.store.db import connect

SCENARIO = "B10"
TITLE = "capture: events per second through /batch/ and the posthog SDK"

BATCH = 1_000
BATCHES = 60
SDK_EVENTS = 5_000  # under the SDK's queue (10,000): it drops what does not fit
SMOKE_BATCH = 50
SMOKE_BATCHES = 3
SMOKE_SDK_EVENTS = 200
# The SDK sends a batch once it holds this many events (its default ``flush_at``), or after
# its ``flush_interval``: a multiple of it leaves no tail waiting for the interval.
SDK_FLUSH_AT = 100
PAGES_PER_NAME = 10
TARGET_PER_S = 30_000
RATIO_TARGET = 0.3
PAGE_TARGET_MS = 30.0
SDK_TIMEOUT_S = 120.0
JSON_HEADERS = {"Content-Type": "application/json"}


class _Events:
    """The events to send: capture payloads, and the rows the reference inserts for them."""

    def __init__(self, count: int, rng: random.Random) -> None:
        now = datetime.now(UTC)
        month = seed_events.demo_events(seed_events.DEMO_SEED, now)
        self.items: list[dict[str, Any]] = []
        self.rows: list[tuple[str, int, str, str, str, str, str]] = []
        for index in range(count):
            source = month[index % len(month)]
            # A millisecond apart, up to now: the newest events of the project.
            moment = now - timedelta(milliseconds=count - index)
            self.items.append(
                {
                    "event": source.event,
                    "distinct_id": source.distinct_id,
                    "properties": dict(source.properties),
                    "timestamp": moment.isoformat(),
                    "uuid": _uuid7(rng, moment),
                }
            )
            row = event_store.NewEvent(
                event=source.event,
                distinct_id=source.distinct_id,
                timestamp=moment,
                properties=source.properties,
                uuid=_uuid7(rng, moment),
            )
            self.rows.append(event_store.event_row(PROJECT, row))

    def batch_body(self, token: str, start: int, stop: int) -> bytes:
        return json.dumps({"api_key": token, "batch": self.items[start:stop]}).encode()


def _uuid7(rng: random.Random, moment: datetime) -> str:
    """A UUIDv7 of ``moment`` (time-ordered), as posthog-js gives its events."""
    millis = int(moment.timestamp() * 1000)
    value = millis << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0x2 << 62 | rng.getrandbits(62)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _bare_insert(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> float:
    """Seconds of one transaction inserting ``rows`` with the store's own statement."""
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(event_store.INSERT_EVENT_SQL, rows)
    conn.execute("COMMIT")
    return time.perf_counter() - started


def _stored_after(conn: sqlite3.Connection, pk: int) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM events WHERE pk > ?", (pk,)).fetchone()[0])


def _last_pk(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(MAX(pk), 0) FROM events").fetchone()[0])


def _sdk_ingest(
    url: str, token: str, conn: sqlite3.Connection, items: list[dict[str, Any]]
) -> float:
    """Seconds from the first ``capture`` of the SDK (its defaults: batches sent from its own
    thread) until the server holds every event."""
    from posthog import Posthog

    calls = [
        (item["event"], item["distinct_id"], item["properties"], moment(item["timestamp"]))
        for item in items
    ]
    client = Posthog(token, host=url)
    before = _last_pk(conn)
    started = time.perf_counter()
    for event, distinct_id, properties, timestamp in calls:
        client.capture(event, distinct_id=distinct_id, properties=properties, timestamp=timestamp)
    deadline = started + SDK_TIMEOUT_S
    while _stored_after(conn, before) < len(items):
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the SDK's events did not all arrive in {SDK_TIMEOUT_S:.0f} s")
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    client.shutdown()
    return elapsed


def run(smoke: bool) -> list[Figure]:
    spec = size(smoke)
    source, figures = scale_database(spec)
    batch = SMOKE_BATCH if smoke else BATCH
    batches = SMOKE_BATCHES if smoke else BATCHES
    sdk_events = SMOKE_SDK_EVENTS if smoke else SDK_EVENTS
    rng = random.Random("hogtree-b10")
    events = _Events(batch * (batches + 1) + sdk_events, rng)
    with tempfile.TemporaryDirectory() as workdir, writable_copy(source, Path(workdir)) as db:
        conn = bare(db)
        # The reference writes on a connection set up as each of the server's (WAL,
        # synchronous NORMAL, foreign keys checked; the WAL checkpointed in the background).
        writer = connect(db)
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        token = str(
            conn.execute("SELECT api_token FROM projects WHERE id = ?", (PROJECT,)).fetchone()[0]
        )
        first = _last_pk(conn)
        # The bodies are encoded before the clock starts: the client's JSON is not the server's.
        bodies = [events.batch_body(token, n * batch, (n + 1) * batch) for n in range(batches + 1)]
        http_s = bare_s = 0.0
        with served(db) as server:
            capture_url = f"{server.url}/batch/"
            # A first batch each, untimed: connections, caches.
            server.client.post(capture_url, content=bodies[0], headers=JSON_HEADERS)
            _bare_insert(writer, events.rows[:batch])
            for n in range(1, batches + 1):
                started = time.perf_counter()
                response = server.client.post(capture_url, content=bodies[n], headers=JSON_HEADERS)
                http_s += time.perf_counter() - started
                response.raise_for_status()
                bare_s += _bare_insert(writer, events.rows[n * batch : (n + 1) * batch])
            timed = batch * batches
            assert _stored_after(conn, first) == 2 * (timed + batch), "not every event stored"
            sdk_s = _sdk_ingest(server.url, token, conn, events.items[-sdk_events:])
            pages = 2 if smoke else PAGES_PER_NAME
            http_ms, bare_ms = page_times(server, conn, pages)
        writer.close()
        conn.close()

    per_s, bare_per_s = timed / http_s, timed / bare_s
    sdk_per_s = sdk_events / sdk_s
    p50, p50_bare = percentile(http_ms, 50), percentile(bare_ms, 50)
    total = spec.events + 2 * (timed + batch) + sdk_events
    return [
        *figures,
        Figure(
            scenario=SCENARIO,
            name=f"/batch/ of {batch:,}: {timed:,} events into {spec.events:,}",
            value=per_s,
            unit="ev/s",
            reference_name="bare SQLite insert",
            reference=bare_per_s,
            ratio=per_s / bare_per_s,
            target=f"≥ {TARGET_PER_S:,} ev/s, ≥ {RATIO_TARGET}x the reference",
            passed=per_s >= TARGET_PER_S and per_s / bare_per_s >= RATIO_TARGET,
        ),
        Figure(
            scenario=SCENARIO,
            name=f"posthog SDK (defaults): {sdk_events:,} events until stored",
            value=sdk_per_s,
            unit="ev/s",
            reference_name="bare SQLite insert",
            reference=bare_per_s,
            ratio=sdk_per_s / bare_per_s,
            target="(reported, no target)",
            passed=True,
        ),
        Figure(
            scenario=SCENARIO,
            name=f"then B8's page of 100 of one name ({total:,} events), p50",
            value=p50,
            unit="ms",
            reference_name="bare SQLite page",
            reference=p50_bare,
            ratio=p50 / p50_bare,
            target=f"p50 ≤ {PAGE_TARGET_MS:.0f} ms",
            passed=p50 <= PAGE_TARGET_MS,
        ),
    ]
