"""B7: request economy. Open a folder, page through it, mark 100 entries and move them;
count every request the app sends.

The app is driven with Textual's Pilot against ``hogtree serve`` in its own process; its
client goes through a counting transport (the real HTTP transport, each request noted on
its way out), so nothing the app sends is missed, retries included.
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from support.app_harness import backend_for, loaded, read_pages, settle, tree_of

from benchmarks.app_support import BENCH_KEY, BIG, big_folder_database, server_process
from benchmarks.harness import Figure
from tui.app.app import HogtreeApp
from tui.app.widgets.tree_rows import EntryRow
from tui.server.store.db import Database
from tui.server.store.file_system import create_entry

SCENARIO = "B7"
TITLE = "request economy: open, page, move 100 marked entries"

ENTRIES = 2_000
PAGES = 10
SMOKE_ENTRIES = 300
SMOKE_PAGES = 3
MARKED = 100
SMOKE_MARKED = 20
DESTINATION = "Moved here"


@dataclass
class CountingTransport(httpx.AsyncBaseTransport):
    """The real transport, noting each request (method, path, query) as it is sent."""

    inner: httpx.AsyncBaseTransport = field(default_factory=httpx.AsyncHTTPTransport)
    sent: list[httpx.Request] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()

    def since(self, mark: int) -> list[httpx.Request]:
        return self.sent[mark:]


def is_page_of(request: httpx.Request, folder: str) -> bool:
    return (
        request.method == "GET"
        and request.url.path.endswith("/file_system/")
        and request.url.params.get("parent") == folder
    )


def is_listing(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/file_system/")


def is_completion(request: httpx.Request) -> bool:
    """The move prompt's folder completion (the tree never filters by type)."""
    return is_listing(request) and request.url.params.get("type") == "folder"


def is_move(request: httpx.Request) -> bool:
    return request.method == "POST" and request.url.path.endswith("/move/")


@dataclass
class Counts:
    pages: int = 0  # pages of Big the tree shows
    paging_requests: int = 0  # every request from expanding Big to the last page
    marking_requests: int = 0
    prompt_requests: int = 0  # folder completions while the destination is typed
    move_requests: int = 0
    reload_requests: int = 0
    other_move_requests: int = 0
    affected_folders: int = 2  # Big, where the entries were, and the destination


def is_insight_preview(request: httpx.Request) -> bool:
    return "/insights/" in request.url.path


async def drive(url: str, pages: int, marked: int) -> Counts:
    sent = CountingTransport()
    backend = backend_for(url, BENCH_KEY)
    backend.transport = sent  # the harness's backend sends through it
    app = HogtreeApp(backend)
    counts = Counts()
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await settle(pilot)
        tree = tree_of(app)
        assert tree.cursor_entry is not None and tree.cursor_entry.path == BIG

        mark = len(sent.sent)
        await pilot.press("enter")
        await settle(pilot, lambda: BIG in tree.folders and tree.folders[BIG].total is not None)
        folder = tree.folders[BIG]
        counts.pages = await read_pages(pilot, BIG, pages)
        # Where the cursor rests on an insight, Details previews its chart (as in marking
        # below): the panes' requests, not paging's.
        paging = [r for r in sent.since(mark) if not is_insight_preview(r)]
        counts.paging_requests = len(paging)
        assert all(is_page_of(r, BIG) for r in paging), paging

        first = next(n for n in folder.node.children if isinstance(n.data, EntryRow))
        tree.move_cursor(first)
        await settle(pilot)
        # Counted from here: the jump up to the first row held is not marking, and what it
        # asks for (the page above, loaded ahead of a cursor going up) is settled first.
        mark = len(sent.sent)
        for _ in range(marked):
            await pilot.press("space")  # marks the entry, steps down to the next
        await settle(pilot)
        assert len(tree.marks) == marked
        # Marking itself asks for nothing. Where the cursor comes to rest on an insight,
        # Details previews its chart (the panes follow the cursor): not a cost of marking.
        counts.marking_requests = sum(not is_insight_preview(r) for r in sent.since(mark))

        mark = len(sent.sent)
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("ctrl+a", "ctrl+k", *DESTINATION)
        await settle(pilot)
        counts.prompt_requests = len(sent.since(mark))

        mark = len(sent.sent)
        await pilot.press("enter")
        await settle(pilot, lambda: "Moved" in app.status.message)
        await settle(pilot)
        moved = sent.since(mark)
        # The prompt's last completion may still be on its way when enter is pressed.
        late_completions = sum(map(is_completion, moved))
        counts.prompt_requests += late_completions
        counts.move_requests = sum(map(is_move, moved))
        counts.reload_requests = sum(map(is_listing, moved)) - late_completions
        counts.other_move_requests = (
            len(moved) - late_completions - counts.move_requests - counts.reload_requests
        )
    return counts


def run(smoke: bool) -> list[Figure]:
    entries, pages, marked = (
        (SMOKE_ENTRIES, SMOKE_PAGES, SMOKE_MARKED) if smoke else (ENTRIES, PAGES, MARKED)
    )
    with tempfile.TemporaryDirectory(prefix="hogtree-b7-") as tmp:
        db_path = big_folder_database(Path(tmp) / "b7.sqlite3", entries)
        db = Database(db_path)
        with db.write() as conn:
            create_entry(conn, 1, path=DESTINATION, type="folder", created_by=None)
        db.close()
        with server_process(db_path) as url:
            counts = asyncio.run(drive(url, pages, marked))

    per_page = counts.paging_requests / counts.pages
    move_total = counts.move_requests + counts.other_move_requests
    return [
        Figure(
            SCENARIO,
            f"open + {counts.pages} pages: requests per page",
            per_page,
            "req",
            "1 per page",
            per_page == 1,
        ),
        Figure(
            SCENARIO,
            f"mark {marked}: requests",
            counts.marking_requests,
            "req",
            "0",
            counts.marking_requests == 0,
        ),
        Figure(
            SCENARIO,
            f"move {marked} marked: requests (reloads apart)",
            move_total,
            "req",
            f"≤ {marked}",
            move_total <= marked,
        ),
        Figure(
            SCENARIO,
            f"move {marked} marked: reloads",
            counts.reload_requests,
            "req",
            f"{counts.affected_folders} (one per affected folder)",
            counts.reload_requests <= counts.affected_folders,
        ),
        Figure(
            SCENARIO,
            "typing the destination: folder completions",
            counts.prompt_requests,
            "req",
            "(reported, no target)",
            True,
        ),
    ]
