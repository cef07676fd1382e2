"""Pictures of the message log (``M``) at the smallest size hogtree is made for and at
80x24: every level, a long error wrapped in full, the newest at the bottom. Update them
after a deliberate change with ``--snapshot-update -k test_message_log``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import new_app
from support.snapshot_data import SCENES

SIZES = {"60x15": (60, 15), "80x24": (80, 24)}

SnapCompare = Callable[..., bool]


@pytest.mark.parametrize("size", list(SIZES.values()), ids=list(SIZES))
def test_message_log(snap_compare: SnapCompare, snapshot_server: LiveServer, size: Any) -> None:
    app = new_app(snapshot_server.url, ADMIN_KEY)
    assert snap_compare(app, terminal_size=size, run_before=SCENES["messages"])
