"""Pictures of the delete confirmation at 60x15 and 80x24: one entry (a folder), several
entries (more than a screenful of names), a shortcut. Generate only these with
``pytest tests/app/test_app_delete_snapshots.py --snapshot-update`` and look at the SVGs.

(At 60x15 the buttons are clipped until dialogs scroll their content: the lead
regenerates every picture once that lands.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import new_app
from support.snapshot_data import SCENES

SIZES = {"60x15": (60, 15), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return SIZES[request.param]


@pytest.mark.parametrize("scene", ["delete", "delete-several", "delete-shortcut"])
def test_delete_confirmation(
    snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any, scene: str
) -> None:
    """``d`` on a folder; on a folder and 11 insights marked; on a shortcut."""
    app = new_app(snapshot_server.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=size, run_before=SCENES[scene])
