"""The command palette (ctrl+p): every action of the app, and jump to any folder."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui import labels
from tui.api import ApiError
from tui.app.bindings import live_bindings

if TYPE_CHECKING:
    from tui.app.app import HogtreeApp


# How many folders a palette search asks the server for.
FOLDER_HITS = 20


class HogtreeCommands(Provider):
    @property
    def hogtree(self) -> HogtreeApp:
        return cast("HogtreeApp", self.app)

    def _actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, run) for each action allowed now (read-only hides the changes)."""
        app = self.hogtree
        found: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for target in (app.project_tree, app):
            for binding in live_bindings(target):
                if binding.action in seen or app.check_action(binding.action, ()) is False:
                    continue
                seen.add(binding.action)
                title = binding.description
                keys = app.get_key_display(binding)
                found.append((title, f"key: {keys}", partial(target.run_action, binding.action)))
        return found

    async def discover(self) -> Hits:
        for title, help_text, run in self._actions():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._actions():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=help_text)
        async for hit in self._folders(query):
            yield hit

    async def _folders(self, query: str) -> Hits:
        app = self.hogtree
        if app.client is None or not query.strip():
            return
        try:
            page = await app.client.list_entries(
                type="folder", search=f'name:"{query}"', limit=FOLDER_HITS
            )
        except ApiError:
            return
        for entry in page.results:
            display = Text("Go to folder ")
            display.append_text(labels.display_path(entry.path))
            yield Hit(
                0.5,
                display,
                partial(app.jump_to, entry),
                help=f"{labels.icon('folder')} jump to this folder in the tree",
            )
