"""Locating an entry in a big folder's listing (``tui.api.locate``), as the app does to jump
to a search result: on a real local server over HTTP, and on a faked server whose order
disagrees with the client's (which no real server can be made to do on demand).

Where an entry should be is read from a full listing, walked with plain HTTP, never from the
client under test; how many requests and round trips it took is read off the transport.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from support import ADMIN_KEY, LiveServer, running_server, server_settings
from support.sample_bodies import ENTRY
from support.server_helpers import list_all

from tui import paths
from tui.api import Located, NotFoundError, PostHogClient, locate_in_folder, tree_order_key
from tui.api.locate import SCAN_PAGES
from tui.models import FileSystemEntry
from tui.server.app import prepare_database
from tui.server.store import file_system as fs

pytestmark = pytest.mark.anyio

FOLDER = "Big"
ITEMS = 5_000
PAGE = 100
# One name in 17 is a folder's.
FOLDER_EVERY = 17
# A run of entries that share one path (PostHog allows it) and a run that share one
# creation time (a bulk import): the client's keys tie, the scan tells them apart.
SAME_PATH = paths.child(FOLDER, "same name")
SAME_PATH_RUN = 150
SAME_TIME_RUN = 120
TOP_LEVEL = 250
# Mixed case, unicode, punctuation; "a/b" and "back\\slash" are escaped in the path.
WORDS = (
    "alpha",
    "Alpha",
    "ALPHA",
    "beta",
    "Éclair",
    "éclair",
    "zeta",
    "Ζήτα",
    "straße",
    "STRASSE",
    "_under",
    "-dash",
    "(paren)",
    "[bracket]",
    "a/b",
    "back\\slash",
    "日本語",
    "📊 chart",
    "O'Brien",
    '"quoted"',
    "~tilde",
    "ÅNGSTRÖM",
    "ﬁle",
    "İstanbul",
)

# A 100-entry page of 5,000 is one of 50: the search narrows 50 → 13 → 4 → 1 in three
# rounds of three probes. With the first page and the page landed on: 11 requests, 5 round
# trips. The scan adds at most 2 x SCAN_PAGES requests, two at a time.
FOUND_REQUESTS = 11
FOUND_ROUNDS = 5
SCAN_REQUESTS = 2 * SCAN_PAGES
SCAN_ROUNDS = SCAN_PAGES
# A locate that loops fails after this instead of hanging the run.
GIVE_UP_S = 20
# How long the recording transport holds each request: requests sent together are then
# surely in flight together, so round trips can be counted.
HOLD_S = 0.005


# -- the recording transport ---------------------------------------------------------------


class Recorder(httpx.AsyncBaseTransport):
    """Carries requests to ``inner``, recording each listing's ``(offset, limit)`` and the
    round trips they took (one starts whenever a request goes out while none is in flight)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner
        self.listings: list[tuple[int, int]] = []
        self.hosts: set[str] = set()
        self.rounds = 0
        self._in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        self.listings.append((int(params["offset"]), int(params["limit"])))
        self.hosts.add(request.url.host)
        if self._in_flight == 0:
            self.rounds += 1
        self._in_flight += 1
        try:
            await asyncio.sleep(HOLD_S)
            return await self._inner.handle_async_request(request)
        finally:
            self._in_flight -= 1

    @property
    def requests(self) -> int:
        return len(self.listings)

    def assert_aligned(self, page_size: int = PAGE) -> None:
        """Every request was a probe or a page, at an aligned offset it counted itself."""
        for offset, limit in self.listings:
            assert limit in (1, page_size), self.listings
            assert offset % page_size == 0, self.listings

    async def aclose(self) -> None:
        await self._inner.aclose()


def recording_client(server: LiveServer) -> tuple[PostHogClient, Recorder]:
    recorder = Recorder(httpx.AsyncHTTPTransport())
    return PostHogClient(server.url, 1, ADMIN_KEY, transport=recorder, max_retries=0), recorder


# -- the big folder ------------------------------------------------------------------------


def _rows() -> list[tuple[Any, ...]]:
    """The rows of the big folder and of a busy top level, as the store writes them."""
    rng = random.Random(20240501)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    seconds = list(range(ITEMS + TOP_LEVEL))
    rng.shuffle(seconds)  # created_at order is not path order
    rows: list[tuple[Any, ...]] = []

    def add(path: str, kind: str, created: datetime) -> None:
        d = fs.Derived.of(path)
        row = (str(uuid.uuid4()), 1, path, d.depth, kind, None, None, "{}", 0)
        rows.append(
            (*row, fs.format_time(created), None, d.parent_path, d.path_folded, d.name_folded)
        )

    add(FOLDER, "folder", start)
    for i in range(ITEMS - SAME_PATH_RUN):
        name = f"{rng.choice(WORDS)} {rng.randrange(1_000_000)} #{i}"
        kind = "folder" if i % FOLDER_EVERY == 0 else "insight"
        moment = start + timedelta(seconds=seconds[i], microseconds=rng.randrange(1_000_000))
        if i < SAME_TIME_RUN:
            moment = start + timedelta(days=1)
        add(paths.child(FOLDER, name), kind, moment)
    for i in range(SAME_PATH_RUN):
        add(SAME_PATH, "insight", start + timedelta(days=2, seconds=i))
    for i in range(TOP_LEVEL):
        name = f"{rng.choice(WORDS)} top {i}"
        add(paths.child("", name), "folder" if i % 5 == 0 else "insight", start)
    return rows


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A local server whose folder ``Big`` holds 5,000 entries, inserted in one statement
    before it starts (through the API it would take a minute)."""
    settings = server_settings(tmp_path_factory.mktemp("locate") / "locate.sqlite3", "empty")
    db, _ = prepare_database(settings)
    try:
        with db.write() as conn:
            fs.insert_many(conn, _rows())
    finally:
        db.close()
    with running_server(settings) as server:
        yield server


def listing(server: LiveServer, folder: str = FOLDER, **params: Any) -> list[dict[str, Any]]:
    """The folder's whole listing, walked without the client under test."""
    where = {"parent": folder} if folder else {}
    with server.client() as http:
        return list_all(http, **where, depth=paths.depth(folder) + 1, limit=1000, **params)


@pytest.fixture(scope="module")
def tree_listing(big_server: LiveServer) -> list[dict[str, Any]]:
    rows = listing(big_server)
    assert len(rows) == ITEMS
    return rows


def entry_of(row: dict[str, Any]) -> FileSystemEntry:
    return FileSystemEntry.model_validate(row)


def assert_located(found: Located | None, rows: list[dict[str, Any]], position: int) -> None:
    """``found`` is the aligned page the full listing puts ``rows[position]`` on."""
    assert found is not None, f"{rows[position]['path']!r} at {position} not found"
    assert found.count == len(rows)
    assert found.offset == position // PAGE * PAGE
    assert found.index == position - found.offset
    assert found.page.results[found.index].id == rows[position]["id"]
    assert [e.id for e in found.page.results] == [
        row["id"] for row in rows[found.offset : found.offset + PAGE]
    ]


def first_where(rows: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> int:
    return next(i for i, row in enumerate(rows) if i >= PAGE and test(row))


def last_where(rows: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> int:
    return max(i for i, row in enumerate(rows) if test(row))


Pick = Callable[[list[dict[str, Any]]], int]

PICKS: dict[str, Pick] = {
    "first": lambda rows: 0,
    "second page": lambda rows: PAGE,
    "last": lambda rows: len(rows) - 1,
    "middle": lambda rows: len(rows) // 2,
    "page end": lambda rows: 10 * PAGE - 1,
    "page start": lambda rows: 10 * PAGE,
    "a subfolder": lambda rows: last_where(rows, lambda row: row["type"] == "folder"),
    "unicode": lambda rows: first_where(rows, lambda row: row["path"].startswith("Big/Ζήτα")),
    "escaped slash": lambda rows: first_where(rows, lambda row: "\\/" in row["path"]),
    "punctuation": lambda rows: first_where(rows, lambda row: row["path"].startswith("Big/(")),
    "folded ß": lambda rows: last_where(rows, lambda row: row["path"].startswith("Big/STRASSE")),
}
# Where the client's key ties: found by the scan, so with more requests.
TIED_PICKS: dict[str, Pick] = {
    "same path, first": lambda rows: first_where(rows, lambda row: row["path"] == SAME_PATH),
    "same path, last": lambda rows: last_where(rows, lambda row: row["path"] == SAME_PATH),
}


# -- a real server, the tree's order ---------------------------------------------------------


@pytest.mark.parametrize("pick", PICKS.values(), ids=PICKS.keys())
async def test_an_entry_is_located_on_the_page_a_full_listing_puts_it(
    big_server: LiveServer, tree_listing: list[dict[str, Any]], pick: Pick
) -> None:
    position = pick(tree_listing)
    client, sent = recording_client(big_server)
    async with client:
        found = await locate_in_folder(client, FOLDER, entry_of(tree_listing[position]))
    assert_located(found, tree_listing, position)
    sent.assert_aligned()
    assert sent.requests <= FOUND_REQUESTS, sent.listings
    assert sent.rounds <= FOUND_ROUNDS, sent.listings
    assert sent.rounds < sent.requests or sent.requests == 1  # probes went out together


@pytest.mark.parametrize("pick", TIED_PICKS.values(), ids=TIED_PICKS.keys())
async def test_entries_whose_keys_tie_are_told_apart_by_the_scan(
    big_server: LiveServer, tree_listing: list[dict[str, Any]], pick: Pick
) -> None:
    position = pick(tree_listing)
    assert sum(row["path"] == SAME_PATH for row in tree_listing) == SAME_PATH_RUN
    client, sent = recording_client(big_server)
    async with client:
        found = await locate_in_folder(client, FOLDER, entry_of(tree_listing[position]))
    assert_located(found, tree_listing, position)
    sent.assert_aligned()
    assert sent.requests <= FOUND_REQUESTS + SCAN_REQUESTS, sent.listings
    assert sent.rounds <= FOUND_ROUNDS + SCAN_ROUNDS, sent.listings


async def test_an_entry_of_the_first_page_takes_one_request_and_a_given_first_page_none(
    big_server: LiveServer, tree_listing: list[dict[str, Any]]
) -> None:
    client, sent = recording_client(big_server)
    async with client:
        found = await locate_in_folder(client, FOLDER, entry_of(tree_listing[PAGE - 1]))
        assert_located(found, tree_listing, PAGE - 1)
        assert sent.listings == [(0, PAGE)]
        # The page the app already shows, asked as PostHog's UI asks (101 for "load more").
        shown = await client.list_folder(FOLDER, limit=PAGE + 1)
        before = sent.requests
        found = await locate_in_folder(client, FOLDER, entry_of(tree_listing[0]), first_page=shown)
        assert_located(found, tree_listing, 0)
        assert sent.requests == before
        middle = len(tree_listing) // 2
        found = await locate_in_folder(
            client, FOLDER, entry_of(tree_listing[middle]), first_page=shown
        )
        assert_located(found, tree_listing, middle)
        assert (0, PAGE) not in sent.listings[before:]
        assert sent.requests - before <= FOUND_REQUESTS - 1


async def test_the_top_level_is_a_folder_too(big_server: LiveServer) -> None:
    rows = listing(big_server, "")
    assert len(rows) == TOP_LEVEL + 1
    client, sent = recording_client(big_server)
    async with client:
        for position in (PAGE + 3, len(rows) - 1):
            found = await locate_in_folder(client, "", entry_of(rows[position]))
            assert_located(found, rows, position)
    sent.assert_aligned()


async def test_an_entry_not_in_the_folder_is_none_after_a_bounded_number_of_requests(
    big_server: LiveServer, tree_listing: list[dict[str, Any]]
) -> None:
    elsewhere = listing(big_server, "")[PAGE]  # a real entry, of the top level
    # Where each would sit: the middle of the folder, a page boundary (its key is that of
    # the entry opening page 10), near its end, before its first page.
    strangers = [
        ({**tree_listing[ITEMS // 2], "id": str(uuid.uuid4())}, True),
        ({**tree_listing[10 * PAGE], "id": str(uuid.uuid4())}, True),
        ({**tree_listing[-1], "id": str(uuid.uuid4()), "path": "Big/zzz gone"}, False),
        (elsewhere, False),
    ]
    client, sent = recording_client(big_server)
    async with client:
        for stranger, far_from_the_ends in strangers:
            before, rounds = sent.requests, sent.rounds
            assert await locate_in_folder(client, FOLDER, entry_of(stranger)) is None
            assert sent.requests - before <= FOUND_REQUESTS + SCAN_REQUESTS
            assert sent.rounds - rounds <= FOUND_ROUNDS + SCAN_ROUNDS
            pages = [offset for offset, limit in sent.listings[before:] if limit == PAGE]
            assert len(set(pages)) == len(pages)  # no page asked twice
            if far_from_the_ends:  # the first page, the one landed on, four each way
                assert len(pages) == 2 + SCAN_REQUESTS
    sent.assert_aligned()


async def test_an_empty_folder_has_nothing_to_locate(big_server: LiveServer) -> None:
    client, sent = recording_client(big_server)
    async with client:
        assert await locate_in_folder(client, "Nowhere", entry_of(ENTRY)) is None
    assert sent.listings == [(0, PAGE)]


async def test_a_page_size_must_be_positive_and_an_order_known(big_server: LiveServer) -> None:
    client, sent = recording_client(big_server)
    async with client:
        with pytest.raises(ValueError, match="page_size"):
            await locate_in_folder(client, FOLDER, entry_of(ENTRY), page_size=0)
        with pytest.raises(ValueError, match="'path'"):
            await locate_in_folder(client, FOLDER, entry_of(ENTRY), order_by="path")
    assert sent.requests == 0


# -- a real server, other orders and a filter -------------------------------------------------

TIME_PICKS: dict[str, Pick] = {
    "first": lambda rows: 0,
    "last": lambda rows: len(rows) - 1,
    "middle": lambda rows: len(rows) // 2 + 7,
    "page start": lambda rows: 20 * PAGE,
    "page end": lambda rows: 30 * PAGE - 1,
}


@pytest.mark.parametrize("order_by", ["-created_at", "created_at"])
async def test_an_entry_is_located_in_a_listing_ordered_by_creation(
    big_server: LiveServer, order_by: str
) -> None:
    rows = listing(big_server, order_by=order_by)
    times = [row["created_at"] for row in rows]
    assert times == sorted(times, reverse=order_by.startswith("-"))
    assert [row["id"] for row in rows] != [row["id"] for row in listing(big_server)]
    counted = Counter(times)
    tied = [i for i, moment in enumerate(times) if counted[moment] > 1]
    assert len(tied) == SAME_TIME_RUN
    client, sent = recording_client(big_server)
    async with client:
        for name, pick in TIME_PICKS.items():
            before, rounds = sent.requests, sent.rounds
            position = pick(rows)
            found = await locate_in_folder(
                client, FOLDER, entry_of(rows[position]), order_by=order_by
            )
            assert_located(found, rows, position)
            assert sent.requests - before <= FOUND_REQUESTS, name
            assert sent.rounds - rounds <= FOUND_ROUNDS, name
        # Entries created in the same microsecond tie: the scan tells them apart.
        for position in (tied[0], tied[len(tied) // 2], tied[-1]):
            before = sent.requests
            found = await locate_in_folder(
                client, FOLDER, entry_of(rows[position]), order_by=order_by
            )
            assert_located(found, rows, position)
            assert sent.requests - before <= FOUND_REQUESTS + SCAN_REQUESTS
    sent.assert_aligned()


async def test_an_entry_is_located_in_a_listing_filtered_by_name(big_server: LiveServer) -> None:
    rows = listing(big_server, search="a", search_name_only="true")
    everything = listing(big_server)
    assert 10 * PAGE < len(rows) < len(everything)
    client, sent = recording_client(big_server)
    async with client:
        for position in (PAGE, len(rows) // 2, len(rows) - 1, 10 * PAGE):
            found = await locate_in_folder(client, FOLDER, entry_of(rows[position]), search="a")
            assert_located(found, rows, position)  # counted and paged in the filtered listing
    sent.assert_aligned()
    assert sent.requests <= 4 * FOUND_REQUESTS


# -- a faked server whose order is not the client's -------------------------------------------

HOST = "https://posthog.example.com"
KEY = "phx_locate_test_key_0123456789abcdef"
FAKE_ITEMS = 2_000


def _ignoring_punctuation(row: dict[str, Any]) -> tuple[int, str]:
    """A collation that skips punctuation at the first level, as glibc's and ICU's do."""
    return (0 if row["type"] == "folder" else 1, re.sub(r"[\W_]", "", row["path"].casefold()))


def fake_rows(*extra: str) -> list[dict[str, Any]]:
    names = [f"item {i:05d}" for i in range(FAKE_ITEMS)] + list(extra)
    rows = [
        {**ENTRY, "id": str(uuid.UUID(int=i + 1)), "path": f"Fake/{name}", "depth": 2}
        for i, name in enumerate(names)
    ]
    return sorted(rows, key=_ignoring_punctuation)


def fake_server(rows: list[dict[str, Any]], *, count: int | None = None) -> Recorder:
    """Pages ``rows`` in their order; its ``next`` points at another host."""

    def handle(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["parent"] == "Fake" and params["depth"] == "2"
        offset, limit = int(params["offset"]), int(params["limit"])
        body = {
            "count": len(rows) if count is None else count,
            "next": "https://elsewhere.example/api/projects/1/file_system/?offset=999",
            "previous": None,
            "results": rows[offset : offset + limit],
        }
        return httpx.Response(200, content=json.dumps(body).encode())

    return Recorder(httpx.MockTransport(handle))


def fake_client(recorder: Recorder) -> PostHogClient:
    return PostHogClient(HOST, 1, KEY, transport=recorder, max_retries=0)


def by_path(rows: list[dict[str, Any]], path: str) -> int:
    (position,) = [i for i, row in enumerate(rows) if row["path"] == path]
    return position


async def test_an_entry_the_server_sorts_elsewhere_is_found_near_where_the_client_looks() -> None:
    # The client puts "item 01-2345" before "item 01000" ("-" < "0"): page 9 of 100 entries.
    # Ignoring the dash, the server puts it after "item 01234": page 12, three pages on.
    rows = fake_rows("item 01-2345")
    position = by_path(rows, "Fake/item 01-2345")
    assert position // PAGE == 12
    target = entry_of(rows[position])
    assert tree_order_key(target) < tree_order_key(entry_of(rows[10 * PAGE]))
    sent = fake_server(rows)
    async with fake_client(sent) as client:
        found = await locate_in_folder(client, "Fake", target)
    assert_located(found, rows, position)
    sent.assert_aligned()
    # 21 pages: 21 → 5 → 2 → 1, 7 probes; the landing page; three scan batches.
    assert sent.requests <= 1 + 7 + 1 + 6, sent.listings
    assert sent.hosts == {"posthog.example.com"}  # `next` was never followed


async def test_an_entry_the_server_sorts_far_away_is_none_after_a_bounded_number_of_requests() -> (
    None
):
    # The client puts "item 0-1900" first of all ("-" < "0"); the server near the end.
    rows = fake_rows("item 0-1900")
    position = by_path(rows, "Fake/item 0-1900")
    assert position // PAGE == 19
    sent = fake_server(rows)
    async with fake_client(sent) as client:
        assert await locate_in_folder(client, "Fake", entry_of(rows[position])) is None
    # It belongs on the first page by the client's key: no search, the scan alone.
    assert sorted(sent.listings) == [(page * PAGE, PAGE) for page in range(1 + SCAN_PAGES)]
    assert sent.rounds == 1 + SCAN_PAGES // 2  # two pages at a time, all after the first


async def test_an_entry_the_listing_never_holds_is_none_after_a_bounded_number_of_requests() -> (
    None
):
    rows = fake_rows()
    missing = {**ENTRY, "id": str(uuid.uuid4()), "path": "Fake/item 01234-b", "depth": 2}
    sent = fake_server(rows)
    async with fake_client(sent) as client:
        with anyio.fail_after(GIVE_UP_S):
            assert await locate_in_folder(client, "Fake", entry_of(missing)) is None
    sent.assert_aligned()
    assert sent.requests <= 1 + 7 + 1 + SCAN_REQUESTS, sent.listings
    assert sent.rounds <= 1 + 3 + 1 + SCAN_ROUNDS, sent.listings
    assert len(set(sent.listings)) == sent.requests  # nothing asked twice


async def test_probes_past_the_end_of_a_shrunk_folder_do_not_loop() -> None:
    # The server still counts 6,000 entries; 2,000 are left. Probes past them come back empty.
    rows = fake_rows()
    sent = fake_server(rows, count=3 * FAKE_ITEMS)
    async with fake_client(sent) as client:
        position = len(rows) - 1
        with anyio.fail_after(GIVE_UP_S):
            found = await locate_in_folder(client, "Fake", entry_of(rows[position]))
        assert found is not None and found.offset == position // PAGE * PAGE
        assert found.page.results[found.index].id == rows[position]["id"]
        before = sent.requests
        gone = {**rows[-1], "id": str(uuid.uuid4()), "path": "Fake/zzz"}
        with anyio.fail_after(GIVE_UP_S):
            assert await locate_in_folder(client, "Fake", entry_of(gone)) is None
    # 60 pages: 60 → 15 → 4 → 1, 9 probes; the landing page; the scan.
    assert before <= 1 + 9 + 1
    assert sent.requests - before <= 1 + 9 + 1 + SCAN_REQUESTS


async def test_a_failing_probe_raises_the_api_error_itself() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.params["limit"] == "1":
            return httpx.Response(
                404,
                json={
                    "type": "invalid_request",
                    "code": "not_found",
                    "detail": "Not found.",
                    "attr": None,
                },
            )
        body = {"count": 1000, "next": None, "previous": None, "results": fake_rows()[:PAGE]}
        return httpx.Response(200, json=body)

    async with fake_client(Recorder(httpx.MockTransport(handle))) as client:
        with pytest.raises(NotFoundError):
            await locate_in_folder(client, "Fake", entry_of(fake_rows()[-1]))


def test_the_tree_order_key_is_folders_first_then_path_case_insensitively() -> None:
    names = [("b", "insight"), ("B2", "folder"), ("a", "folder"), ("Ä", "insight"), ("A1", "x")]
    entries = [FileSystemEntry(id=str(i), path=f"F/{n}", type=t) for i, (n, t) in enumerate(names)]
    ordered = sorted(entries, key=tree_order_key)
    assert [e.path for e in ordered] == ["F/a", "F/B2", "F/A1", "F/b", "F/Ä"]
