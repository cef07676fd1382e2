"""``client.exports.list_for`` against a real local server: the caller's exports of one
insight or dashboard, newest first, from at most ``max_pages`` pages of the list."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from support import ADMIN_KEY, LiveServer
from support.insight_helpers import create_dashboard, create_insight, seed_signups, trends_query

from tui.api import PostHogClient
from tui.api.exports import ExportTarget

pytestmark = pytest.mark.anyio


def connect(server: LiveServer) -> PostHogClient:
    return PostHogClient(server.url, 1, ADMIN_KEY, max_retries=0)


def copy_export(
    db_path: Path, export_id: int, *, insight: int, created_at: str, times: int
) -> None:
    """``times`` copies of export ``export_id`` (same owner), of ``insight``, made at
    ``created_at``: written straight into the database, as no endpoint backdates."""
    with sqlite3.connect(db_path) as conn:
        conn.executemany(
            "INSERT INTO exports (project_id, created_by, insight_id, export_format, filename,"
            " created_at, expires_after, content)"
            " SELECT project_id, created_by, ?, export_format, filename, ?, expires_after,"
            " content FROM exports WHERE id = ?",
            [(insight, created_at, export_id)] * times,
        )


@pytest.fixture
def objects(live_server: LiveServer) -> tuple[int, int, int]:
    seed_signups(live_server.db_path)
    query = trends_query(("signed_up", "total"))
    first, _ = create_insight(live_server.db_path, "Weekly signups", query)
    second, _ = create_insight(live_server.db_path, "Other", query)
    dashboard = create_dashboard(live_server.db_path, "Growth", [first])
    return first, second, dashboard


async def test_only_the_targets_exports_newest_first(
    live_server: LiveServer, objects: tuple[int, int, int]
) -> None:
    first, second, dashboard = objects
    async with connect(live_server) as client:
        made = [
            await client.exports.create("text/csv", insight=first),
            await client.exports.create("text/csv", insight=second),
            await client.exports.create("text/csv", insight=first),
            await client.exports.create("application/pdf", dashboard=dashboard),
        ]
        of_first = await client.exports.list_for(ExportTarget("insight", first, "Weekly signups"))
        of_dashboard = await client.exports.list_for(ExportTarget("dashboard", dashboard, "G"))
        of_nothing = await client.exports.list_for(ExportTarget("insight", 10_000, "gone"))
    assert [asset.id for asset in of_first] == [made[2].id, made[0].id]
    assert [asset.id for asset in of_dashboard] == [made[3].id]
    assert of_nothing == []


async def test_ties_in_time_go_newest_id_first(
    live_server: LiveServer, objects: tuple[int, int, int]
) -> None:
    first, second, _ = objects
    async with connect(live_server) as client:
        made = await client.exports.create("text/csv", insight=first)
        copy_export(
            live_server.db_path, made.id, insight=second, created_at="2030-01-01T00:00:00Z", times=3
        )
        found = await client.exports.list_for(ExportTarget("insight", second, "Other"))
    ids = [asset.id for asset in found]
    assert len(ids) == 3
    assert ids == sorted(ids, reverse=True)


async def test_reads_at_most_max_pages(
    live_server: LiveServer, objects: tuple[int, int, int]
) -> None:
    first, second, _ = objects
    async with connect(live_server) as client:
        made = await client.exports.create("text/csv", insight=first)
        # 150 newer exports of another insight push the first one onto the list's page 2.
        copy_export(
            live_server.db_path,
            made.id,
            insight=second,
            created_at="2030-01-01T00:00:00Z",
            times=150,
        )
        target = ExportTarget("insight", first, "Weekly signups")
        within_one_page = await client.exports.list_for(target, max_pages=1)
        within_two_pages = await client.exports.list_for(target, max_pages=2)
        of_second = await client.exports.list_for(ExportTarget("insight", second, "Other"))
    assert within_one_page == []
    assert [asset.id for asset in within_two_pages] == [made.id]
    assert len(of_second) == 150
