"""Driving the app in tests: a backend on a real local server, and waiting for the app to
settle (its requests run in workers)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from rich.text import Text
from textual.pilot import Pilot

from support import ADMIN_KEY, LiveServer, running_server, server_settings
from tui.api import PostHogClient, RetryNotice
from tui.app.app import HogtreeApp
from tui.app.bindings import KeyRow
from tui.app.screens.help import HelpScreen
from tui.app.widgets.events_tab import EventsTab
from tui.app.widgets.project_tree import ProjectTree
from tui.app.widgets.tree_rows import EntryRow, GapRow
from tui.app.widgets.tree_sections import PinnedRow, SectionName, SectionRow
from tui.backend import RemoteBackend
from tui.config import Connection

# Generous: CI machines are slow, and nothing waits this long unless something is wrong.
SETTLE_TIMEOUT_S = 15.0


@dataclass
class ServerBackend(RemoteBackend):
    """A real local server, shown in the header and URLs under a fixed name so that
    pictures do not depend on the port it happens to listen on."""

    shown_host: str = "https://posthog.example"
    max_retries: int = 0  # tests of failures should fail fast, not wait for retries
    backoff_base: float = 0.5
    # Fault injection: what carries the requests (None: a plain connection).
    transport: httpx.AsyncBaseTransport | None = None

    @property
    def place(self) -> str:
        return self.shown_host

    @property
    def web_host(self) -> str:
        return self.shown_host

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        assert self.connection.host is not None
        return PostHogClient(
            self.connection.host,
            self.connection.project_id,
            self.connection.api_key,
            on_retry=on_retry,
            max_retries=self.max_retries,
            backoff_base=self.backoff_base,
            transport=self.transport,
            key_source=self.connection.key_source,
        )


@dataclass
class GatedBackend(ServerBackend):
    """A connection that takes as long as the test wants: ``connect`` (run in the app's
    connecting thread) waits until ``gate`` is set, then connects, or fails with
    ``failure`` when one is given. For what the app does before it has a client."""

    gate: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        if not self.gate.wait(SETTLE_TIMEOUT_S):
            raise TimeoutError("the test never let the connection through")
        if self.failure is not None:
            raise ConnectionError(self.failure)
        return super().connect(on_retry)


def backend_for(url: str, key: str | None, project: int = 1) -> ServerBackend:
    return ServerBackend(
        Connection(host=url, project_id=project, api_key=SecretStr(key) if key else None)
    )


def gated_backend_for(url: str, key: str | None, failure: str | None = None) -> GatedBackend:
    """:class:`GatedBackend` on ``url``; set its ``gate`` to connect."""
    connection = backend_for(url, key).connection
    return GatedBackend(connection, failure=failure)


async def settle(pilot: Pilot[None], until: Callable[[], bool] | None = None) -> None:
    """Let the app's workers finish (or ``until`` hold), failing after a while.

    A worker waiting for the user's answer to a dialog never finishes by itself, so a
    dialog on screen also counts as settled.
    """
    app = pilot.app
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        await pilot.pause()
        if until is not None:
            if until():
                await pilot.pause()
                return
        else:
            busy = [w for w in app.workers if not w.is_finished]
            if not busy or app.screen is not app.screen_stack[0]:
                await pilot.pause()
                return
        if time.monotonic() > deadline:
            raise AssertionError("the app did not settle")
        await pilot.pause(0.02)


def tree_of(app: HogtreeApp) -> ProjectTree:
    return app.project_tree


def visible_names(app: HogtreeApp) -> list[str]:
    """The names of the entries the tree shows, top to bottom (expanded folders opened)."""
    tree = tree_of(app)
    names: list[str] = []

    def walk(node: object) -> None:
        for child in node.children:  # type: ignore[attr-defined]
            if isinstance(child.data, EntryRow):
                names.append(child.data.entry.path)
                if child.is_expanded:
                    walk(child)

    walk(tree.root)
    return names


def row_texts(app: HogtreeApp) -> list[str]:
    """Every row of the project's tree as plain text, notes and "load more" rows included
    (the heads of Shortcuts and Recent above it are left out)."""
    tree = tree_of(app)
    rows: list[str] = []

    def walk(node: object) -> None:
        for child in node.children:  # type: ignore[attr-defined]
            if isinstance(child.data, SectionRow):
                continue
            rows.append(child.label.plain)
            if child.is_expanded:
                walk(child)

    walk(tree.root)
    return rows


def drawn_row(app: HogtreeApp, path: str) -> Text:
    """The row of the entry at ``path`` as the tree draws it on screen now (its mark or
    cut sign and its styles included): through the Tree's own cache of drawn lines, so a
    row the tree forgot to draw again shows its old look here too."""
    tree = tree_of(app)
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None and isinstance(node.data, EntryRow) and node.data.entry.path == path:
            y = line - tree.scroll_offset.y
            if not 0 <= y < tree.scrollable_content_region.height:
                raise AssertionError(f"{path} is scrolled out of view")
            strip = tree.render_line(y)
            return Text.assemble(*((segment.text, segment.style) for segment in strip))
    raise AssertionError(f"{path} is not on screen: {visible_names(app)}")


def status_text(app: HogtreeApp) -> str:
    """The status line as it reads now."""
    return app.status_line.render().plain


async def loaded(pilot: Pilot[None]) -> HogtreeApp:
    """Wait until the top level is on screen."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)

    def top_level_shown() -> bool:
        top = tree_of(app).folders.get("")
        # Its first page has arrived (a "loading…" row alone is not the top level).
        return app.client is not None and top is not None and top.total is not None

    await settle(pilot, top_level_shown)
    return app


async def move_cursor_to(pilot: Pilot[None], path: str) -> None:
    """Put the tree's cursor on the visible entry at ``path``."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)
    for line in range(tree.last_line + 1):
        node = tree.get_node_at_line(line)
        if node is not None and isinstance(node.data, EntryRow) and node.data.entry.path == path:
            tree.move_cursor(node)
            await settle(pilot)
            return
    raise AssertionError(f"{path} is not on screen: {visible_names(app)}")


def new_app(url: str, key: str | None, **options: object) -> HogtreeApp:
    return HogtreeApp(backend_for(url, key), **options)  # type: ignore[arg-type]


def make(api: httpx.Client, path: str, **fields: Any) -> dict[str, Any]:
    """``POST file_system/`` over plain HTTP: what a test puts on the server for the app."""
    response = api.post("file_system/", json={"path": path, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def held(api: httpx.Client) -> dict[str, str]:
    """Every path on the server, by entry id."""
    results = api.get("file_system/", params={"limit": 10_000}).json()["results"]
    return {e["id"]: e["path"] for e in results}


async def open_folder(pilot: Pilot[None], path: str) -> None:
    """``l`` on the folder at ``path``: open, its first page loaded."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    await move_cursor_to(pilot, path)
    await pilot.press("l")
    tree = tree_of(app)
    await settle(pilot, lambda: path in tree.folders and tree.folders[path].total is not None)


@asynccontextmanager
async def in_folder(
    url: str, folder: str, *, size: tuple[int, int] = (120, 40), **options: object
) -> AsyncIterator[tuple[HogtreeApp, Pilot[None]]]:
    """The app on the server at ``url`` (the admin key), its top level shown and ``folder``
    open: the start most app tests share."""
    app = new_app(url, ADMIN_KEY, **options)
    async with app.run_test(size=size) as pilot:
        await loaded(pilot)
        await open_folder(pilot, folder)
        yield app, pilot


async def read_pages(pilot: Pilot[None], path: str, pages: int) -> int:
    """Page down through the open folder at ``path`` as ↓ held down would, until ``pages``
    pages were read (or its end): the cursor onto the row standing for the entries after
    the last page held, that page loads. Answers the pages read, the first included."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)
    folder = tree.folders[path]
    read = len(folder.window.pages)
    while read < pages:
        gaps = [n for n in folder.node.children if isinstance(n.data, GapRow)]
        if not gaps or not isinstance(gaps[-1].data, GapRow):
            return read
        wanted = folder.window.page_of(gaps[-1].data.start)
        tree.move_cursor(gaps[-1])
        await settle(pilot, lambda: folder.window.has(wanted))  # noqa: B023
        read += 1
    return read


async def open_events(pilot: Pilot[None]) -> EventsTab:
    """``v``: the Events tab on screen, its first page loaded."""
    app = await loaded(pilot)
    await pilot.press("v")
    tab = app.query_one(EventsTab)
    await settle(pilot, lambda: tab.started and not tab.loading and bool(tab.events))
    return tab


@contextmanager
def slow_export_server(folder: Path, demo_database: Path, delay: float) -> Iterator[LiveServer]:
    """A copy of the demo project on a server that makes each export in the background,
    ``delay`` seconds later (the older PostHog behaviour: the client polls)."""
    db_path = folder / "slow.sqlite3"
    shutil.copyfile(demo_database, db_path)
    with running_server(server_settings(db_path, "demo", export_delay=delay)) as server:
        yield server


async def open_help(pilot: Pilot[None]) -> list[KeyRow]:
    """``?`` on what has the focus now: the rows the help screen lists."""
    app = pilot.app
    await pilot.press("question_mark")
    await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return screen.rows


async def open_section(pilot: Pilot[None], name: SectionName) -> list[PinnedRow]:
    """``l`` on the head of Shortcuts or Recent: open, its rows loaded. Answers its rows."""
    app = pilot.app
    assert isinstance(app, HogtreeApp)
    tree = tree_of(app)
    section = tree.sections[name]
    tree.move_cursor(section.node)
    await settle(pilot)
    if not section.node.is_expanded:
        await pilot.press("l")
    await settle(pilot, lambda: section.rows is not None and not section.loading)
    assert section.rows is not None
    return section.rows


def pinned_rows(app: HogtreeApp, name: SectionName) -> list[PinnedRow]:
    """The rows a section shows now, top to bottom."""
    node = tree_of(app).sections[name].node
    return [child.data for child in node.children if isinstance(child.data, PinnedRow)]
