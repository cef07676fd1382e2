"""``events``: a project's recent events, oldest first as ``tail`` prints, and with
``--follow`` the new ones as they arrive until ctrl+c.

The filters are the events tab's: ``--event``, ``--distinct-id`` and ``--where`` in its
``key=value`` syntax (:func:`tui.models.events.parse_property_filter`). Following asks
every ``--interval`` seconds for events after the newest one seen, as the tab's tail does.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from collections import deque
from datetime import datetime, timedelta
from typing import Any

from tui.api import PostHogClient
from tui.models.events import Event, PropertyFilter, parse_property_filter
from tui.scripting.errors import UsageError
from tui.scripting.output import GUTTER, Output, json_text, pad, safe

# The page size the command asks for (PostHog gives up to 50,000 a page).
MAX_PAGE = 1000
# Events shown before following, as ``tail`` shows 10 lines; without --follow, a page.
DEFAULT_LIMIT = 100
DEFAULT_FOLLOW_LIMIT = 10
# A poll reads at most this many pages (a burst of events: the next poll goes on).
FOLLOW_PAGES = 10
# Ids remembered to skip events a poll sees twice (its window overlaps the last one).
SEEN_MEMORY = 10_000
# A millisecond of overlap between polls: an event stored with the newest one's exact
# timestamp is not lost; the ids already printed are skipped.
OVERLAP = timedelta(milliseconds=1)
# Where an event happened, first found wins (the terminal's fourth column).
PLACE_KEYS = ("$current_url", "$pathname", "$screen_name")
# Terminal columns: the widths most values fit; a longer one only pushes its own row.
TIME_WIDTH = 19
EVENT_WIDTH = 24
DISTINCT_ID_WIDTH = 24
CSV_HEADER = ("timestamp", "event", "distinct_id", "id", "properties")


def property_filters(texts: list[str]) -> list[PropertyFilter]:
    filters = []
    for text in texts:
        try:
            parsed = parse_property_filter(text)
        except ValueError as error:
            raise UsageError(f"--where {text!r}: {error}") from None
        if parsed is not None:
            filters.append(parsed)
    return filters


class EventPrinter:
    """Events as they come: terminal columns, tab-separated lines, JSON or CSV."""

    def __init__(self, out: Output, *, as_csv: bool) -> None:
        self.out = out
        self.writer = csv.writer(out.stream, lineterminator="\n") if as_csv else None
        self.started = False

    def _start(self) -> None:
        self.started = True
        if self.writer is not None:
            self.writer.writerow(CSV_HEADER)
        elif self.out.tty:
            self.out.line(self._row("TIME", "EVENT", "DISTINCT ID", "WHERE"))

    @staticmethod
    def _row(time: str, event: str, distinct_id: str, where: str) -> str:
        cells = [
            pad(time, TIME_WIDTH),
            pad(event, EVENT_WIDTH),
            pad(distinct_id, DISTINCT_ID_WIDTH),
        ]
        return GUTTER.join([*cells, where]).rstrip()

    def add(self, events: list[Event]) -> None:
        if not self.started:
            self._start()
        for event in events:
            self._print(event)
        self.out.flush()

    def _print(self, event: Event) -> None:
        if self.out.json:
            self.out.json_line(event.model_dump(mode="json"))
        elif self.writer is not None:
            properties = json_text(event.properties, separators=(",", ":"))
            self.writer.writerow(
                (event.timestamp.isoformat(), event.event, event.distinct_id, event.id, properties)
            )
        elif self.out.tty:
            when = event.timestamp.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            where = next(
                (str(event.properties[k]) for k in PLACE_KEYS if event.properties.get(k)), ""
            )
            self.out.line(self._row(when, safe(event.event), safe(event.distinct_id), safe(where)))
        else:
            fields = (event.timestamp.isoformat(), event.event, event.distinct_id, event.id)
            # safe() turns a tab inside a value into a visible ␉: the columns stay four.
            self.out.line("\t".join(safe(field) for field in fields))


async def events(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    limit = args.limit
    if limit is None:
        limit = DEFAULT_FOLLOW_LIMIT if args.follow else DEFAULT_LIMIT
    query: dict[str, Any] = {
        "event": args.event,
        "distinct_id": args.distinct_id,
        "properties": property_filters(args.where) or None,
        "after": args.after,
        "before": args.before,
    }
    printer = EventPrinter(out, as_csv=args.csv)
    latest: list[Event] = []
    if limit:
        async for page in client.events.iter_pages(limit=min(limit, MAX_PAGE), **query):
            latest += page.results
            if len(latest) >= limit:
                break
    latest = latest[:limit]
    # Pages come newest first; a log reads oldest first, the newest at the bottom.
    printer.add(latest[::-1])
    if args.follow:
        await follow(client, query, printer, latest, args.interval)
    return 0


async def follow(
    client: PostHogClient,
    query: dict[str, Any],
    printer: EventPrinter,
    shown: list[Event],
    interval: float,
) -> None:
    """Print new events every ``interval`` seconds until cancelled (ctrl+c)."""
    seen: deque[str] = deque((event.id for event in shown), maxlen=SEEN_MEMORY)
    newest: datetime | None = max((event.timestamp for event in shown), default=None)
    query = query | {"before": None}  # the future is wanted now
    while True:
        await asyncio.sleep(interval)
        after = newest - OVERLAP if newest is not None else query["after"]
        fresh: list[Event] = []
        pages = 0
        # Oldest first: a burst longer than FOLLOW_PAGES pages goes on at the next poll
        # from where this one stopped, nothing skipped.
        reads = client.events.iter_pages(
            limit=MAX_PAGE, oldest_first=True, **(query | {"after": after})
        )
        async for page in reads:
            fresh += page.results
            pages += 1
            if pages >= FOLLOW_PAGES:
                break
        known = set(seen)
        fresh = sorted((e for e in fresh if e.id not in known), key=lambda e: e.timestamp)
        if not fresh:
            continue
        printer.add(fresh)
        seen.extend(event.id for event in fresh)
        newest = max(newest or fresh[-1].timestamp, fresh[-1].timestamp)
