"""Pictures of the Details pane's charts at 80x24 and 120x40, on the fixed picture project
(tests/support/snapshot_charts.py): a trend line, bars, a big number, a table, a funnel
and a dashboard's tiles."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import new_app
from support.snapshot_data import SCENES

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
CHARTS = [
    "chart-line",
    "chart-bar",
    "chart-number",
    "chart-funnel",
    "chart-table",
    "chart-dashboard",
]

SnapCompare = Callable[..., bool]


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


@pytest.mark.parametrize("scene", CHARTS)
def test_chart(
    snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any, scene: str
) -> None:
    app = new_app(snapshot_server.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=size, run_before=SCENES[scene])
