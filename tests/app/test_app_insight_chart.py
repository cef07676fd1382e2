"""The Details tab's chart with the app driven by Pilot over the picture project's server:
it follows the cursor (a fast j/j/j fetches for the row the cursor stops on, not for each
row passed), a result is fetched once a session, and a server's refusal is said in the pane."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import ADMIN_KEY, READ_KEY, LiveServer
from support.app_harness import loaded, move_cursor_to, new_app, open_folder, settle
from support.snapshot_data import serve_copy

from tui.app.widgets.insight_chart import InsightChart
from tui.models.insights import Insight

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, snapshot_database: Path
) -> Iterator[LiveServer]:
    yield from serve_copy(snapshot_database, tmp_path_factory.mktemp("chart") / "chart.sqlite3")


def shown_title(chart: InsightChart) -> str | None:
    return chart.shown.title if isinstance(chart.shown, Insight) else None


async def test_chart_follows_the_cursor_and_is_fetched_once(server: LiveServer) -> None:
    app = new_app(server.url, ADMIN_KEY)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        chart = app.query_one(InsightChart)
        calls: list[int] = []
        assert app.client is not None
        insights = app.client.insights
        original = insights.with_result

        async def counted(id: int, **options: object) -> Insight:
            calls.append(id)
            return await original(id, **options)

        insights.with_result = counted  # type: ignore[method-assign]
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        await settle(pilot, lambda: shown_title(chart) == "Weekly signups")
        assert chart.display
        # the dashboard: its tiles drawn (Signup funnel among them)
        await move_cursor_to(pilot, "Marketing/Growth dashboard")
        await settle(
            pilot,
            lambda: (
                chart.shown is not None
                and chart.entry is not None
                and chart.entry.type == "dashboard"
            ),
        )
        # j/j/j: past a cohort and a shortcut to an insight (never fetched), onto the
        # funnel, already fetched as a tile: no request at all
        calls.clear()
        await pilot.press("j", "j", "j")
        stopped = app.side_pane.entry
        assert stopped is not None and stopped.path == "Marketing/Signup funnel"
        await settle(pilot, lambda: shown_title(chart) == "Signup funnel")
        # On a loaded machine a key may come later than the pause that starts a fetch:
        # the shortcut's insight may then be asked for once; the funnel never is.
        assert len(calls) <= 1
        # back to an insight seen before: drawn from the session's cache, no request
        calls.clear()
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        await settle(pilot, lambda: shown_title(chart) == "Weekly signups")
        assert calls == []
        # a folder: no chart at all
        await move_cursor_to(pilot, "Marketing/Campaigns")
        await pilot.pause()
        assert not chart.display


async def test_server_refusal_shows_in_the_pane(server: LiveServer) -> None:
    app = new_app(server.url, READ_KEY)  # file_system:read only: no insight:read
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        await move_cursor_to(pilot, "Marketing/Weekly signups")
        chart = app.query_one(InsightChart)
        await settle(pilot, lambda: isinstance(chart.shown, str))
        assert isinstance(chart.shown, str)
        assert chart.shown.startswith("No chart:")
        assert "insight:read" in chart.shown or "permission" in chart.shown.lower()
