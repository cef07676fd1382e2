"""A project at PostHog scale: ``hogtree serve --seed scale:1m`` (``scale:1m:1m`` adds a
million events), for the benchmarks of issue 7 and for trying hogtree on a big tree.

``N`` entries make a realistic tree: team folders holding folders of 10 to 1,000 entries,
nested up to six segments deep, with the usual mix of insights, dashboards, flags… named as
people name them (slashes, brackets, unicode, copies), a few shortcuts, and a folder ``Big``
holding ``N/10`` insights, as ``Unfiled/Insights`` does in large projects. Every item stands
for an object, so delete and undo behave as on the demo. Rows are created oldest first over
three years, a folder before what it holds, ``Big`` filling up alongside the rest.

A million entries must seed in well under a minute, so rows are built here with their derived
columns computed from the segments at hand (``Derived.of`` would split every path again; a
test checks both agree) and written by the store's bulk inserts, inside the caller's one
transaction, with the listing indexes built once after the rows are in. Deterministic for a
given seed; timestamps are relative to the moment of seeding.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from tui import paths
from tui.server import seed_events
from tui.server.object_types import OBJECT_TYPES
from tui.server.seed import BIG_FOLDER_EVENTS
from tui.server.settings import ScaleSeed
from tui.server.store import accounts, db, objects
from tui.server.store import events as event_store
from tui.server.store import file_system as fs

SCALE_SEED = 7

T = TypeVar("T")

BIG_FOLDER = "Big"
# Big holds entries // BIG_SHARE insights.
BIG_SHARE = 10
# Entries sit at most this many segments deep (so folders at most one less).
MAX_DEPTH = 6
# A folder holds this many children, drawn log-uniformly: most hold tens, a few hundreds.
MIN_FOLDER = 10
MAX_FOLDER = 1_000
# How many of a folder's children are folders, when it may hold folders. About four on
# average gives each team folder some 400 folders over five levels, ~90,000 entries.
SUBFOLDERS = (0, 1, 2, 3, 4, 4, 5, 6, 8, 10)
# Share of items that are a shortcut to an item filed elsewhere.
SHORTCUT_SHARE = 0.004
# Shortcuts point at one of this many items created just before (an item people use now).
RECENT_ITEMS = 2_000
# Entries were created over this long, oldest first.
HISTORY = timedelta(days=3 * 365)
# Rows go to SQLite in chunks of this many: few statements, little memory.
CHUNK = 20_000

USERS = (
    ("Maya", "Chen", "maya@hogtree.example"),
    ("Tomás", "Ortega", "tomas@hogtree.example"),
    ("Priya", "Nair", "priya@hogtree.example"),
    ("Kwame", "Mensah", "kwame@hogtree.example"),
    ("Zofia", "Wójcik", "zofia@hogtree.example"),
    ("Lars", "Johansson", "lars@hogtree.example"),
    ("Aisha", "Haddad", "aisha@hogtree.example"),
    ("Hiroshi", "Tanaka", "hiroshi@hogtree.example"),
)

TEAM_FOLDERS = (
    "Marketing", "Product", "Engineering", "Growth", "Sales", "Data", "Customer success",
    "Design", "Finance", "Mobile", "Platform", "Team 🦔 notes",
)  # fmt: skip
SUBFOLDER_NAMES = (
    "Campaigns", "Onboarding", "Experiments", "Archive", "2023", "2024", "2025", "Q1", "Q2",
    "Q3", "Q4", "EU", "US", "APAC", "Drafts", "Old", "Reports / weekly", "Dashboards",
    "Launches", "Pricing", "Retention", "[WIP]", "Café ☕", 'Experiments "archive"', "Checkout",
    "Search", "Billing", "Alerts", "Support", "Mobile app", "Web app", "Partners",
)  # fmt: skip

# (weight, type): roughly what a busy PostHog project files.
TYPE_WEIGHTS = (
    (0.50, "insight"), (0.08, "dashboard"), (0.10, "feature_flag"), (0.06, "notebook"),
    (0.05, "cohort"), (0.04, "action"), (0.04, "experiment"), (0.03, "survey"),
    (0.03, "session_recording_playlist"), (0.03, "hog_function/destination"),
    (0.02, "hog_function/transformation"), (0.02, "early_access_feature"),
)  # fmt: skip

METRICS = (
    "Pageviews", "Unique visitors", "Signups", "Weekly active users", "Daily active users",
    "Monthly active users", "Retention", "Churn", "Revenue", "MRR", "Conversion",
    "Checkout funnel", "Onboarding funnel", "Session length", "Bounce rate", "Errors",
    "API latency p95", "Feature adoption", "Trial starts", "Upgrades", "Invites sent",
    "Files uploaded", "Reports exported", "Search usage", "Time to first value", "Activation",
    "Stickiness", "Lifecycle",
)  # fmt: skip
# What follows a name's head: nothing, a breakdown, a market, a period, a copy.
QUALIFIERS = (
    "", "", "", " by country", " by browser", " by plan", " by device", " by referrer",
    " — mobile", " — web", " (EU)", " (US)", " per user", " / week", " / day",
    " vs. last month", " [Q1]", " [Q2]", " [Q3]", " [Q4]", " 2024", " 2025", " (old)",
    " (copy)", " ☕", " 🦔",
)  # fmt: skip
HEADS: dict[str, tuple[str, ...]] = {
    "insight": METRICS,
    "dashboard": tuple(f"{team} {noun}" for team in TEAM_FOLDERS[:9] for noun in (
        "overview", "KPIs", "health", "weekly review", "deep dive")),
    "feature_flag": tuple(f"{a}-{b}" for a in ("new", "beta", "enable", "rollout", "kill")
                          for b in ("checkout", "search", "onboarding", "dark-mode", "pricing",
                                    "ai-summaries", "export", "sharing")),
    "notebook": tuple(f"{kind}: {topic}" for kind in ("Retro", "Notes", "Research", "Spec")
                      for topic in ("onboarding", "pricing", "churn", "the Q3 launch",
                                    "search", "mobile")),
    "cohort": ("Power users", "Churned users", "Trial users", "Enterprise accounts",
               "Beta testers", "New signups", "Dormant accounts"),
    "action": ("Clicked signup", "Viewed pricing", "Completed onboarding", "Uploaded file",
               "Shared link", "Invited teammate"),
    "experiment": tuple(f"{metric} test" for metric in METRICS[:12]),
    "survey": ("NPS", "CSAT", "Exit survey", "Feature feedback", "Onboarding survey"),
    "session_recording_playlist": ("Errors after deploy", "Rage clicks", "Checkout drop-offs",
                                   "Mobile sessions", "New users"),
    "hog_function/destination": ("Slack alerts", "Webhook → CRM", "Salesforce sync",
                                 "BigQuery export", "HubSpot contacts"),
    "hog_function/transformation": ("GeoIP enrichment", "Drop bots", "Hash emails"),
    "early_access_feature": ("Guided tour", "Dark mode", "AI summaries", "Offline mode"),
}  # fmt: skip


@dataclass
class _Folder:
    """A folder whose children are still to be made."""

    path: str  # escaped
    depth: int


@dataclass(slots=True)
class _Row:
    """One entry; ``ref``, ``href`` and ``meta`` are filled in when it is stored."""

    path: str
    parent_path: str
    name: str  # escaped last segment
    depth: int
    type: str
    object_name: str | None = None  # the object's (unescaped) name; None: folder or shortcut
    shortcut_of: _Row | None = None
    ref: str | None = None
    href: str | None = None
    meta: str = "{}"


@dataclass
class _Writer:
    """Stores rows of ``file_system`` and the objects behind them, a chunk at a time."""

    conn: sqlite3.Connection
    rng: random.Random
    project_id: int
    user_ids: list[int]
    started: datetime
    total: int
    made: int = 0
    object_id: int = 0
    short_ids: int = 0
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    objects: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.object_id = objects.next_id(self.conn)
        self._oldest_us = _micros(self.started - HISTORY)
        self._step_us = HISTORY / timedelta(microseconds=1) / max(self.total, 1)

    def add(self, row: _Row) -> None:
        # Evenly over the history, oldest first, a little jitter.
        moment = self._oldest_us + int(self._step_us * (self.made + self.rng.random()))
        created_at = _format_micros(moment)
        created_by = _pick(self.rng, self.user_ids)
        if row.shortcut_of is not None:
            original = row.shortcut_of
            row.ref, row.href, row.meta = original.ref, original.href, original.meta
        elif row.object_name is not None:
            self._add_object(row, created_at, created_by)
        self.entries.append(
            (
                _uuid7(self.rng, moment),
                self.project_id,
                row.path,
                row.depth,
                row.type,
                row.ref,
                row.href,
                row.meta,
                int(row.shortcut_of is not None),
                created_at,
                created_by,
                # The derived columns, as Derived.of computes them from the path: the parent
                # and the last segment are at hand already escaped, and casefold works
                # character by character.
                row.parent_path,
                row.path.casefold(),
                row.name.casefold(),
            )
        )
        self.made += 1
        if len(self.entries) >= CHUNK:
            self.flush()

    def _add_object(self, row: _Row, created_at: str, created_by: int) -> None:
        """The object behind an item, with the ref, href and meta the entry carries."""
        assert row.object_name is not None
        known = OBJECT_TYPES[row.type]
        if known.short_id:
            row.ref = _short_id(self.short_ids)
            self.short_ids += 1
        else:
            row.ref = str(self.object_id)
        row.href = known.href(row.ref)
        # What json.dumps writes for PostHog's meta, as seed.py files objects.
        row.meta = f'{{"created_by": {created_by}, "created_at": "{created_at}"}}'
        self.objects.append(
            (
                self.object_id,
                self.project_id,
                row.type,
                row.ref,
                row.object_name,
                _object_data(row.type, row.object_name),
                created_at,
                created_by,
            )
        )
        self.object_id += 1

    def flush(self) -> None:
        objects.insert_many(self.conn, self.objects)
        fs.insert_many(self.conn, self.entries)
        self.objects.clear()
        self.entries.clear()


def seed_scale(
    conn: sqlite3.Connection, project_id: int, spec: ScaleSeed, seed: int = SCALE_SEED
) -> None:
    """Fill ``project_id`` (new and empty) with ``spec.entries`` entries and ``spec.events``
    events, inside the caller's transaction."""
    rng = random.Random(f"hogtree-scale-{seed}")
    writer = _Writer(
        conn=conn,
        rng=rng,
        project_id=project_id,
        user_ids=[accounts.create_user(conn, *user) for user in USERS],
        started=datetime.now(UTC),
        total=spec.entries,
    )
    with (
        db.cache_size(conn, SEED_CACHE_KIB),
        db.indexes_deferred(conn, "file_system"),
        db.name_index_deferred(conn),
    ):
        _lay_out(rng, spec.entries, writer)
        writer.flush()
    if spec.events:
        seed_scale_events(conn, project_id, spec.events, seed)


# SQLite's page cache while seeding: the UNIQUE indexes (entry ids, event uuids) that stay
# up to date during the bulk inserts take random keys, and thrash the default 2 MB.
SEED_CACHE_KIB = 256 * 1024


# --------------------------------------------------------------------------- layout


def _lay_out(rng: random.Random, entries: int, writer: _Writer) -> None:
    """The folder Big, and the tree beside it: ``entries`` rows in all."""
    big_total = entries // BIG_SHARE
    tree_total = entries - 1 - big_total
    big_names = _Names(rng)
    big_made = 0
    writer.add(_Row(BIG_FOLDER, "", BIG_FOLDER, 1, "folder"))
    for tree_made, row in enumerate(_tree(rng, tree_total), start=1):
        writer.add(row)
        # Big fills up alongside the rest of the tree, as Unfiled/Insights does.
        while big_made * tree_total < tree_made * big_total:
            writer.add(_item(big_names, BIG_FOLDER, 1, "insight"))
            big_made += 1
    while big_made < big_total:
        writer.add(_item(big_names, BIG_FOLDER, 1, "insight"))
        big_made += 1


def _tree(rng: random.Random, budget: int) -> Iterator[_Row]:
    """``budget`` rows of team folders and what they hold, each folder before its children.

    Every folder gets at least MIN_FOLDER children: making a folder sets that many aside
    (``free`` is what is not set aside yet). Folders are filled depth first, so even a small
    project reaches the full depth.
    """
    free = budget
    stack: list[_Folder] = []
    teams = _Names(rng, TEAM_FOLDERS)
    root_items = _Names(rng)
    recent: list[_Row] = []  # items a shortcut may point at: ones made lately
    while free > 0 or stack:
        if not stack:
            if free < 1 + MIN_FOLDER:
                # Too few left for one more folder: loose items at the top, as people leave them.
                for _ in range(free):
                    yield _item(root_items, "", 0, _pick_type(rng))
                return
            name = paths.escape(teams.next_folder())
            free -= 1 + MIN_FOLDER
            stack.append(_Folder(name, 1))
            yield _Row(name, "", name, 1, "folder")
            continue
        folder = stack.pop()
        size = round(math.exp(rng.uniform(math.log(MIN_FOLDER), math.log(MAX_FOLDER))))
        extra = min(size - MIN_FOLDER, free)
        free -= extra
        size = MIN_FOLDER + extra
        wanted = rng.choice(SUBFOLDERS) if folder.depth + 2 <= MAX_DEPTH else 0
        subfolders = min(wanted, size, free // MIN_FOLDER)
        free -= subfolders * MIN_FOLDER
        names = _Names(rng)
        folders_left = subfolders
        for left in range(size, 0, -1):
            # Folders land among the items: each child is one with the share still to place.
            if rng.random() * left < folders_left:
                folders_left -= 1
                row = _subfolder(names, folder)
                stack.append(_Folder(row.path, row.depth))
            elif recent and rng.random() < SHORTCUT_SHARE:
                row = _shortcut(names, folder, _pick(rng, recent))
            else:
                row = _item(names, folder.path, folder.depth, _pick_type(rng))
                if len(recent) < RECENT_ITEMS:
                    recent.append(row)
                else:
                    recent[int(rng.random() * RECENT_ITEMS)] = row
            yield row


def _subfolder(names: _Names, folder: _Folder) -> _Row:
    name = paths.escape(names.next_folder())
    return _Row(f"{folder.path}/{name}", folder.path, name, folder.depth + 1, "folder")


def _item(names: _Names, parent: str, parent_depth: int, kind: str) -> _Row:
    plain = names.next_item(kind)
    name = paths.escape(plain)
    path = f"{parent}/{name}" if parent else name
    return _Row(path, parent, name, parent_depth + 1, kind, object_name=plain)


def _shortcut(names: _Names, folder: _Folder, original: _Row) -> _Row:
    """A shortcut in ``folder`` to ``original``, under the original's name."""
    assert original.object_name is not None
    name = paths.escape(names.unique(original.object_name))
    return _Row(
        f"{folder.path}/{name}",
        folder.path,
        name,
        folder.depth + 1,
        original.type,
        shortcut_of=original,
    )


# Types drawn by weight: a table where each type fills its share of the slots, so a draw is
# one index (rng.choices costs a microsecond, a million times over).
_TYPE_SLOTS = tuple(kind for weight, kind in TYPE_WEIGHTS for _ in range(round(weight * 1000)))


def _pick(rng: random.Random, values: Sequence[T]) -> T:
    """``rng.choice``, without its checks: the seed draws a few million times."""
    return values[int(rng.random() * len(values))]


def _pick_type(rng: random.Random) -> str:
    return _pick(rng, _TYPE_SLOTS)


class _Names:
    """Names for the children of one folder, each once: a repeat gets " 2", " 3"…"""

    def __init__(self, rng: random.Random, folders: tuple[str, ...] = SUBFOLDER_NAMES) -> None:
        self.rng = rng
        self.folders = folders
        self.used: set[str] = set()
        self.next_number: dict[str, int] = {}

    def unique(self, name: str) -> str:
        number = self.next_number.get(name, 1)
        candidate = name if number == 1 else f"{name} {number}"
        while candidate in self.used:  # "x 2" may be taken already, by a shortcut to "x 2"
            number += 1
            candidate = f"{name} {number}"
        self.next_number[name] = number + 1
        self.used.add(candidate)
        return candidate

    def next_folder(self) -> str:
        return self.unique(_pick(self.rng, self.folders))

    def next_item(self, kind: str) -> str:
        rng = self.rng
        return self.unique(_pick(rng, HEADS[kind]) + _pick(rng, QUALIFIERS))


# --------------------------------------------------------------------------- values


# A short id is a counter spread over 8 letters and digits: unique by construction (the
# multiplier is prime to the alphabet's size, so this permutes 0..56**8-1) yet random-looking.
_SHORT_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_SHORT_SPACE = len(_SHORT_ALPHABET) ** 8
_SHORT_MULTIPLIER = 6_364_136_223_846_793_005 % _SHORT_SPACE | 1
_SHORT_OFFSET = _SHORT_SPACE // 3
# Two letters at a time: four lookups rather than eight divisions per id.
_SHORT_PAIRS = tuple(a + b for a in _SHORT_ALPHABET for b in _SHORT_ALPHABET)


def _short_id(counter: int) -> str:
    value = (counter * _SHORT_MULTIPLIER + _SHORT_OFFSET) % _SHORT_SPACE
    high, d = divmod(value, len(_SHORT_PAIRS))
    high, c = divmod(high, len(_SHORT_PAIRS))
    a, b = divmod(high, len(_SHORT_PAIRS))
    return _SHORT_PAIRS[a] + _SHORT_PAIRS[b] + _SHORT_PAIRS[c] + _SHORT_PAIRS[d]


def _object_data(kind: str, name: str) -> str:
    """The object's ``data`` as ``objects.create_object`` stores it: an insight counts one of
    the demo's events (the name picks which), as the demo's insights do."""
    if kind != "insight":
        return "{}"
    return _INSIGHT_DATA[len(name) % len(_INSIGHT_DATA)]


# One definition per event, encoded once: a million insights share a handful of queries.
_INSIGHT_DATA = tuple(
    json.dumps(
        {
            "query": {
                "kind": "InsightVizNode",
                "source": {
                    "kind": "TrendsQuery",
                    "series": [{"kind": "EventsNode", "event": event, "math": "total"}],
                    "interval": "day",
                    "dateRange": {"date_from": "-30d"},
                },
            }
        }
    )
    for event in BIG_FOLDER_EVENTS
)


def _micros(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(microseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _uuid7(rng: random.Random, micros: int) -> str:
    """A UUIDv7 of this moment, as PostHog gives its models and posthog-js its events.

    Time-ordered, so rows created oldest first append to the UNIQUE index of ids instead of
    landing all over it: a million random ids made seeding twice as slow.
    """
    value = (
        (micros // 1000) << 80
        | 0x7 << 76
        | rng.getrandbits(12) << 64
        | 0x2 << 62  # the RFC 4122 variant
        | rng.getrandbits(62)
    )
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@lru_cache(maxsize=4096)
def _day_prefix(day: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day)).isoformat() + "T"


# "HH:MM:SS" of every second of a day, looked up rather than formatted a million times.
_CLOCK = tuple(f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86_400))


# How the store writes UTC after a timestamp: entries (fs.format_time), events
# (events.format_timestamp).
ENTRY_ZONE = "Z"
EVENT_ZONE = "+00:00"


def _format_micros(micros: int, zone: str = ENTRY_ZONE) -> str:
    """The store's text of a moment given in microseconds since the epoch, several times
    faster than formatting a datetime (a million rows would spend seconds in strftime)."""
    day, rest = divmod(micros, 86_400_000_000)
    second, fraction = divmod(rest, 1_000_000)
    return f"{_day_prefix(day)}{_CLOCK[second]}.{fraction:06d}{zone}"


# --------------------------------------------------------------------------- events


def seed_scale_events(
    conn: sqlite3.Connection, project_id: int, count: int, seed: int = SCALE_SEED
) -> int:
    """``count`` events over the last month: the demo's month of sessions played as many
    times as it takes, each copy a few minutes apart, by the demo's people (so a busier
    product, not a larger one). Answers how many were stored."""
    now = datetime.now(UTC)
    rng = random.Random(f"hogtree-scale-events-{seed}")
    seed_events.create_demo_people(conn, project_id, seed_events.DEMO_SEED, now)
    base = sorted(seed_events.demo_events(seed_events.DEMO_SEED, now), key=lambda e: e.timestamp)
    moments = [_micros(event.timestamp) for event in base]
    copies = -(-count // len(base))

    def copy(index: int) -> Iterator[tuple[int, str, str, str]]:
        shift = int(COPY_SHIFT_S * 1_000_000) * index
        # The last copy takes every n-th event, so that it too spans the whole month.
        wanted = min(len(base), count - index * len(base))
        for n in range(wanted):
            at = n * len(base) // wanted
            event = base[at]
            properties = event.encoded or event_store.encode_properties(event.properties)
            yield moments[at] - shift, event.event, event.distinct_id, properties

    # In time order, as events arrive: the UNIQUE index of (time-ordered) uuids only grows
    # at its end, and a page of newest events reads neighbouring rows.
    merged = heapq.merge(*(copy(index) for index in range(copies)))
    with db.cache_size(conn, SEED_CACHE_KIB), db.indexes_deferred(conn, "events"):
        return event_store.insert_many(
            conn,
            (
                (
                    _uuid7(rng, moment),
                    project_id,
                    name,
                    distinct_id,
                    properties,
                    _format_micros(moment, EVENT_ZONE),
                )
                for moment, name, distinct_id, properties in merged
            ),
        )


# Copies of the demo's month are this many seconds apart: close enough that every copy
# keeps the month's rhythm, far enough that their events do not coincide.
COPY_SHIFT_S = 97.3
