"""Which page of a folder's listing holds an entry, found with the API PostHog has.

The app shows a big folder (100,000 entries) as a sparse window of pages. To jump to an entry
(from search) it must know which page of its folder's listing holds it, without loading the
pages before it. PostHog has no "offset of entry X" endpoint, but the client knows the order
a listing is sorted by: it reads the first page (the total, and the first keys), then probes
a few aligned page starts at a time with ``limit=1``, concurrently, compares each probed
entry's key with the entry's own, and so narrows to one page, which it then fetches.

The client cannot reproduce PostHog's sort exactly (Postgres ``lower(path)`` under the
database's collation, ties broken by a key it does not see), so the page it lands on may be
a little off: it then looks at the pages around it, a bounded number each way, and answers
``None`` if none holds the entry. Every offset is counted here; a server's ``next`` URL is
never followed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from tui.api.file_system import DEFAULT_PAGE_SIZE, FileSystemApi
from tui.models import FileSystemEntry, FileSystemPage

# Probes sent at once in each round of the search: K probes split the pages still in question
# into K + 1 parts. Measured for a 100,000-entry folder in pages of 100 (1,000 pages), at
# worst over where the entry sits, first page and the page finally fetched included:
# K=1: 12 requests in 12 round trips; K=2: 15 in 9; K=3: 17 in 7; K=4: 19 in 7; K=5: 21 in
# 6; K=7: 24 in 6. Round trips are what a far server makes slow, requests what its rate
# limit counts: three is the fewest requests that take 7 round trips.
PROBES_PER_ROUND = 3
# When the page landed on does not hold the entry (the server sorts a little differently
# from :func:`tree_order_key`, or the folder changed meanwhile), this many pages each way
# are looked at: enough for a run of names the two sorts disagree on, few enough that an
# entry that is not there costs at most 2 x 4 more requests.
SCAN_PAGES = 4
# The pages around are fetched this many at a time: one each way.
SCAN_AT_ONCE = 2

Key = tuple[int, str]
T = TypeVar("T")


def tree_order_key(entry: FileSystemEntry) -> Key:
    """PostHog's order of a folder's children (list with parent+depth): folders first, then
    path case-insensitively."""
    return (0 if entry.is_folder else 1, entry.path.casefold())


def created_at_key(entry: FileSystemEntry) -> Key:
    """The order of ``order_by=created_at``: the creation time (ties: see the scan)."""
    moment = entry.created_at
    if moment is None:  # PostHog always has one; a stranger server's goes first
        return (0, "")
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return (1, _fixed_width(utc))


def _fixed_width(moment: datetime) -> str:
    # Always with microseconds, so that texts compare as the times do.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


@dataclass(frozen=True)
class _Order:
    key: Callable[[FileSystemEntry], Key]
    descending: bool = False

    def before(self, a: Key, b: Key) -> bool:
        """Whether an entry of key ``a`` is listed before one of key ``b``."""
        return a > b if self.descending else a < b


# The orders a listing can be located in: ``None`` is the tree's own (list_folder's).
ORDERS: dict[str | None, _Order] = {
    None: _Order(tree_order_key),
    "created_at": _Order(created_at_key),
    "-created_at": _Order(created_at_key, descending=True),
}


@dataclass(frozen=True)
class Located:
    """Where an entry sits in its folder's listing."""

    count: int  # the folder's total, as the server counted it
    offset: int  # the page's offset: a multiple of the page size
    page: FileSystemPage  # limit=page_size at that offset; holds the entry
    index: int  # the entry's index in page.results

    @property
    def entry(self) -> FileSystemEntry:
        return self.page.results[self.index]


@dataclass(frozen=True)
class _Listing:
    """One folder's listing, as :meth:`FileSystemApi.list_folder` pages it."""

    api: FileSystemApi
    folder: str
    order_by: str | None
    search: str | None

    async def page(self, offset: int, limit: int) -> FileSystemPage:
        return await self.api.list_folder(
            self.folder, offset=offset, limit=limit, order_by=self.order_by, search=self.search
        )


async def locate_in_folder(
    api: FileSystemApi,
    folder: str,
    entry: FileSystemEntry,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    order_by: str | None = None,
    search: str | None = None,
    first_page: FileSystemPage | None = None,
) -> Located | None:
    """The aligned page of ``folder``'s listing (``""``: the top level) that holds ``entry``
    (matched by id), or ``None`` when no page near where it should be holds it.

    ``order_by`` is the listing's order: ``None`` (folders first, then path), ``created_at``
    or ``-created_at``. ``search`` filters the listing by name; ``entry`` must match it.
    ``first_page`` is the listing's page at offset 0 with ``limit=page_size``, if the caller
    has it already (it saves a request).

    For 100,000 entries in pages of 100: 17 requests in 7 round trips when the page landed
    on holds the entry, at most 8 more in 4 more round trips when it does not.
    """
    if page_size < 1:
        raise ValueError(f"page_size must be at least 1, not {page_size}")
    order = ORDERS.get(order_by)
    if order is None:
        known = ", ".join(repr(name) for name in ORDERS)
        raise ValueError(f"cannot locate in a listing ordered by {order_by!r} (known: {known})")
    listing = _Listing(api, folder, order_by, search)
    first = first_page if first_page is not None else await listing.page(0, page_size)
    if len(first.results) > page_size:  # asked with a bigger limit: keep the aligned page
        first = first.model_copy(update={"results": first.results[:page_size]})
    count = first.count
    found = _find(entry.id, count, 0, first)
    if found is not None or not first.results:
        return found
    last = max(count - 1, 0) // page_size  # the last page's index
    target = order.key(entry)
    fetched = {0}
    if order.before(target, order.key(first.results[-1])):
        landing = 0  # it belongs on the first page, which does not hold it: look around
    else:
        landing = await _search(listing, order, target, entry.id, page_size, last)
    if landing not in fetched:
        fetched.add(landing)
        offset = landing * page_size
        found = _find(entry.id, count, offset, await listing.page(offset, page_size))
        if found is not None:
            return found
    return await _scan(listing, entry.id, count, page_size, landing, last, fetched)


async def _search(
    listing: _Listing, order: _Order, target: Key, entry_id: str, page_size: int, last: int
) -> int:
    """The index of the last page, of 0…``last``, whose first entry is not listed after the
    target (page 0 is known to be such a page). Each round narrows the pages in question
    ``lo``…``hi`` to one part of :data:`PROBES_PER_ROUND` + 1, and always narrows them: the
    loop ends, whatever the server answers."""
    lo, hi = 0, last
    while lo < hi:
        starts = _probe_pages(lo, hi)
        probes = await _all([listing.page(page * page_size, 1) for page in starts])
        for page, probe in zip(starts, probes, strict=True):
            if probe.results and probe.results[0].id == entry_id:
                return page
            # An empty probe is past the end: the folder shrank since it was counted.
            if not probe.results or order.before(target, order.key(probe.results[0])):
                hi = page - 1
                break
            lo = page
    return lo


def _probe_pages(lo: int, hi: int) -> list[int]:
    """Where to probe pages ``lo``…``hi`` when page ``lo`` is known not to come after the
    target: the starts of parts 2…K+1 of K+1 even parts, or every page after ``lo``."""
    pages = hi - lo + 1
    parts = PROBES_PER_ROUND + 1
    if pages <= parts:
        return list(range(lo + 1, hi + 1))
    return [lo + part * pages // parts for part in range(1, parts)]


async def _scan(
    listing: _Listing,
    entry_id: str,
    count: int,
    page_size: int,
    landing: int,
    last: int,
    fetched: set[int],
) -> Located | None:
    """The pages around ``landing``, alternating outward (+1, -1, +2, -2 …), at most
    :data:`SCAN_PAGES` each way, :data:`SCAN_AT_ONCE` at a time; ``None`` if none holds the
    entry."""
    around = [
        page
        for step in range(1, SCAN_PAGES + 1)
        for page in (landing + step, landing - step)
        if 0 <= page <= last and page not in fetched
    ]
    for at in range(0, len(around), SCAN_AT_ONCE):
        batch = around[at : at + SCAN_AT_ONCE]
        pages = await _all([listing.page(page * page_size, page_size) for page in batch])
        for page, answer in zip(batch, pages, strict=True):
            found = _find(entry_id, count, page * page_size, answer)
            if found is not None:
                return found
    return None


def _find(entry_id: str, count: int, offset: int, page: FileSystemPage) -> Located | None:
    for index, candidate in enumerate(page.results):
        if candidate.id == entry_id:
            return Located(count=count, offset=offset, page=page, index=index)
    return None


async def _all(calls: Sequence[Coroutine[Any, Any, T]]) -> list[T]:
    """The calls' answers, in order, the calls made concurrently. The first to fail is
    raised as itself (an ApiError, as callers expect), the others being cancelled."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(call) for call in calls]
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None
    return [task.result() for task in tasks]
