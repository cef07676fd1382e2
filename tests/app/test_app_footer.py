"""The key footer is rebuilt only when the keys it shows change."""

from __future__ import annotations

import pytest
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app, settle
from textual.widgets._footer import FooterKey

pytestmark = pytest.mark.anyio


async def test_the_footer_keeps_its_keys_until_they_change(demo_server: LiveServer) -> None:
    app = new_app(demo_server.url, ADMIN_KEY)
    async with app.run_test(size=(160, 40)) as pilot:
        await loaded(pilot)

        def keys() -> list[FooterKey]:
            return list(app.query(FooterKey))

        shown = keys()
        assert "toggle_mark" in {k.action for k in shown}  # the tree has the focus
        app.refresh_bindings()  # the same keys: nothing to rebuild
        await settle(pilot)
        assert keys() == shown and all(a is b for a, b in zip(keys(), shown, strict=True))

        await pilot.press("tab")  # the side pane's content: the tree's Mark key goes
        await settle(pilot)
        assert "toggle_mark" not in {k.action for k in keys()}
        app.project_tree.focus()
        await settle(pilot)
        assert "toggle_mark" in {k.action for k in keys()}
