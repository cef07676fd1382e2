"""Helpers for the events and capture tests: put events in through ``/batch/`` (as an SDK
would), read them back through ``events/`` (as a client would)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from support import LiveServer
from support.server_helpers import expect

EVENT_FIELDS = frozenset(
    {
        "id",
        "distinct_id",
        "properties",
        "event",
        "timestamp",
        "person",
        "elements",
        "elements_chain",
    }
)
# "2024-05-01T12:00:00.123000+00:00"
TIMESTAMP_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$"
# A safety net for walking ``next``: a server that loops forever must fail, not hang.
MAX_PAGES = 2000


def project_token(server: LiveServer, project: int = 1) -> str:
    """The project's public capture token, read from the server's database."""
    with sqlite3.connect(server.db_path) as conn:
        (token,) = conn.execute(
            "SELECT api_token FROM projects WHERE id = ?", (project,)
        ).fetchone()
    return str(token)


def person_of(server: LiveServer, distinct_id: str) -> dict[str, Any] | None:
    """The person behind ``distinct_id`` as the server's database holds it (``pk``, ``uuid``,
    ``properties``, ``is_identified``, every one of its ``distinct_ids``): an event's person
    in the API shows only a part of it."""
    with sqlite3.connect(server.db_path) as conn:
        row = conn.execute(
            "SELECT p.pk, p.uuid, p.properties, p.is_identified FROM persons AS p"
            " JOIN person_distinct_ids AS d ON d.person_pk = p.pk WHERE d.distinct_id = ?",
            (distinct_id,),
        ).fetchone()
        if row is None:
            return None
        ids = conn.execute(
            "SELECT distinct_id FROM person_distinct_ids WHERE person_pk = ? ORDER BY rowid",
            (row[0],),
        ).fetchall()
    return {
        "pk": row[0],
        "uuid": row[1],
        "properties": json.loads(row[2]),
        "is_identified": bool(row[3]),
        "distinct_ids": [id_ for (id_,) in ids],
    }


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def sdk_event(
    event: str, distinct_id: str, at: datetime, uuid: str | None = None, **properties: Any
) -> dict[str, Any]:
    """One event of a ``/batch/`` body, as posthog-python sends it."""
    body: dict[str, Any] = {
        "event": event,
        "properties": {"distinct_id": distinct_id, **properties},
        "timestamp": iso(at),
    }
    if uuid is not None:
        body["uuid"] = uuid
    return body


def send_batch(server: LiveServer, events: list[dict[str, Any]], project: int = 1) -> None:
    response = httpx.post(
        f"{server.url}/batch/",
        json={"api_key": project_token(server, project), "batch": events},
        timeout=60,
    )
    assert expect(response, 200) == {"status": 1}


def page(api: httpx.Client, **params: Any) -> dict[str, Any]:
    got = expect(api.get("events/", params=params), 200)
    assert isinstance(got, dict) and set(got) == {"next", "results"}, got
    return got


def walk(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    """Every event ``params`` selects, following ``next`` to the end."""
    got = page(api, **params)
    results = list(got["results"])
    pages = 1
    while got["next"]:
        pages += 1
        assert pages < MAX_PAGES, "next never became null"
        got = expect(api.get(got["next"]), 200)
        results.extend(got["results"])
    return results


def names(events: list[dict[str, Any]]) -> list[str]:
    return [event["event"] for event in events]


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [event["id"] for event in events]
