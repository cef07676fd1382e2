"""The command palette (ctrl+p): every action of the app, and jump to any folder."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

from tui import labels
from tui.api import ApiError, PostHogClient
from tui.app.bindings import live_bindings
from tui.models import FileSystemEntry

# How many folders a palette search asks the server for.
FOLDER_HITS = 20


@runtime_checkable
class PaletteHost(Protocol):
    """What the palette needs of the app it runs in."""

    client: PostHogClient | None

    def action_targets(self) -> tuple[DOMNode, ...]:
        """Where the palette's actions run, the first one's bindings first."""
        ...

    def jump_to(self, entry: FileSystemEntry) -> None:
        """Put the tree's cursor on ``entry``."""
        ...


def palette_only(app: object) -> tuple[tuple[str, str, str], ...]:
    """The app's actions that no key is bound to: (title, help, action)."""
    found: tuple[tuple[str, str, str], ...] = getattr(app, "PALETTE_ONLY", ())
    return found


class HogtreeCommands(Provider):
    @property
    def host(self) -> PaletteHost | None:
        app = self.app
        return app if isinstance(app, PaletteHost) else None

    def _actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """(title, help, run) for each action allowed now (read-only hides the changes)."""
        app = self.app
        found: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        targets = self.host.action_targets() if self.host is not None else (app,)
        for target in targets:
            for binding in live_bindings(target):
                if binding.action in seen or app.check_action(binding.action, ()) is False:
                    continue
                seen.add(binding.action)
                title = binding.description
                keys = app.get_key_display(binding)
                run = partial(app.run_action, binding.action, target)
                found.append((title, f"key: {keys}", run))
        for title, help_text, action in palette_only(app):
            if app.check_action(action, ()) is not False:
                found.append((title, help_text, partial(app.run_action, action)))
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
        app = self.host
        if app is None or app.client is None or not query.strip():
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
