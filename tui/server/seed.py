"""The demo project: a realistic tree worth looking at, and the objects behind it.

Deterministic for a given seed (names, shapes, who created what); timestamps are relative
to the moment of seeding so the demo always looks recent.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from tui import paths
from tui.server.object_types import OBJECT_TYPES, unfiled_folder
from tui.server.seed_events import seed_demo_events
from tui.server.store import accounts, objects
from tui.server.store import file_system as fs

DEMO_SEED = 42

# (first, last, email) of the people who made the demo project.
DEMO_USERS = (
    ("Maya", "Chen", "maya@hogtree.example"),
    ("Tomás", "Ortega", "tomas@hogtree.example"),
    ("Priya", "Nair", "priya@hogtree.example"),
)

# The tree: folder path (unescaped segments) → items (type, name). Names hold what real
# projects hold: slashes, brackets, unicode, emoji, quotes.
DEMO_TREE: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("Marketing",): [
        ("insight", "Weekly signups"),
        ("dashboard", "Growth dashboard"),
        ("insight", "Signup funnel"),
        ("cohort", "Newsletter subscribers"),
    ],
    ("Marketing", "Campaigns"): [
        ("insight", "Q4 / Q1 launch — conversions"),
        ("insight", "Black Friday traffic"),
        ("dashboard", "Campaign overview"),
        ("feature_flag", "promo-banner"),
        ("survey", "Campaign feedback"),
    ],
    ("Marketing", "Campaigns", "2025"): [
        ("insight", "Spring campaign reach"),
        ("notebook", "Retro: spring campaign"),
    ],
    ("Product",): [
        ("dashboard", "Product health"),
        ("insight", "Daily active users"),
        ("insight", "Retention by plan"),
        ("notebook", "Roadmap [2026]"),
        ("insight", "Café ☕ metrics"),
    ],
    ("Product", "Onboarding"): [
        ("experiment", "New onboarding flow"),
        ("feature_flag", "onboarding-v2"),
        ("insight", "Onboarding completion"),
        ("action", "Completed onboarding"),
        ("early_access_feature", "Guided tour"),
    ],
    ("Product", "Onboarding", 'Experiments "archive"'): [
        ("experiment", "Checklist vs. wizard"),
    ],
    ("Engineering",): [
        ("dashboard", "API latency"),
        ("insight", "Errors per release"),
        ("hog_function/destination", "Slack alerts"),
        ("hog_function/transformation", "GeoIP enrichment"),
    ],
    ("Engineering", "Releases"): [
        ("feature_flag", "new-search-backend"),
        ("feature_flag", "dark-mode"),
        ("insight", "Release adoption"),
        ("session_recording_playlist", "Errors after deploy"),
    ],
    ("Sales",): [
        ("dashboard", "Pipeline"),
        ("insight", "Trials started"),
        ("cohort", "Enterprise trials"),
    ],
    ("Archive", "2023", "Q3", "Old experiments", "Pricing"): [
        ("experiment", "Annual discount test"),
        ("insight", "Pricing page views (old)"),
    ],
    ("Team 🦔 notes",): [
        ("notebook", "[bold]Standup[/bold] notes"),
        ("notebook", "On-call handbook"),
    ],
}

# A folder with a few hundred entries, for "load more".
BIG_FOLDER = ("Data", "Event catalogue")
BIG_FOLDER_SIZE = 320
BIG_FOLDER_EVENTS = (
    "$pageview",
    "$autocapture",
    "signed_up",
    "subscription_started",
    "invite_sent",
    "file_uploaded",
    "report_exported",
    "plan_changed",
)

# Objects that were never filed: they start under Unfiled/<Plural>.
UNFILED_ITEMS: list[tuple[str, str]] = [
    ("insight", "Untitled trend"),
    ("insight", "Pageviews by browser"),
    ("dashboard", "My first dashboard"),
    ("feature_flag", "beta-access"),
    ("feature_flag", "Flag / with slash"),
    ("notebook", "Scratchpad"),
    ("cohort", "Power users"),
    ("survey", "NPS"),
]

# Objects with no entry at all, for `unfiled` to find.
NEVER_FILED: list[tuple[str, str]] = [
    ("insight", "Sessions per user"),
    ("dashboard", "Exec summary"),
    ("cohort", "Churned last month"),
]

# Shortcuts to items elsewhere (folder, path of the original).
SHORTCUTS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("Favourites",), ("Marketing", "Weekly signups")),
    (("Favourites",), ("Product", "Product health")),
    (("Marketing",), ("Product", "Onboarding", "Onboarding completion")),
]


def _insight_definition(rng: random.Random, name: str) -> dict[str, Any]:
    """A trends query over one or two events: enough for charts and exports later."""
    events = rng.sample(BIG_FOLDER_EVENTS, k=rng.choice((1, 1, 2)))
    return {
        "query": {
            "kind": "InsightVizNode",
            "source": {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": e, "math": "total"} for e in events],
                "interval": "day",
                "dateRange": {"date_from": "-30d"},
            },
        },
        "description": f"{name}: daily count of {', '.join(events)}",
    }


class _Seeder:
    def __init__(self, conn: sqlite3.Connection, project_id: int, seed: int) -> None:
        self.conn = conn
        self.project_id = project_id
        self.rng = random.Random(seed)
        self.started = datetime.now(UTC)
        self.user_ids = [accounts.create_user(conn, *user) for user in DEMO_USERS]

    def _moment(self) -> str:
        ago = timedelta(days=self.rng.uniform(1, 400), seconds=self.rng.uniform(0, 86_400))
        return fs.format_time(self.started - ago)

    def make_object(self, object_type: str, name: str) -> sqlite3.Row:
        data = _insight_definition(self.rng, name) if object_type == "insight" else {}
        return objects.create_object(
            self.conn,
            self.project_id,
            object_type,
            name,
            created_by=self.rng.choice(self.user_ids),
            created_at=self._moment(),
            data=data,
            short_id="".join(
                self.rng.choices("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=8)
            ),
        )

    def lay_out_dashboards(self) -> None:
        """Give every dashboard tiles: insights of the project, a few each."""
        insight_ids = [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM objects WHERE project_id = ? AND type = 'insight' ORDER BY id"
                " LIMIT 40",
                (self.project_id,),
            )
        ]
        dashboards = self.conn.execute(
            "SELECT id FROM objects WHERE project_id = ? AND type = 'dashboard' ORDER BY id",
            (self.project_id,),
        ).fetchall()
        for (dashboard_id,) in dashboards:
            tiles = self.rng.sample(insight_ids, k=min(len(insight_ids), self.rng.randint(2, 4)))
            objects.set_data(self.conn, dashboard_id, {"tiles": tiles})

    def file(self, obj: sqlite3.Row, folder: str, *, shortcut: bool = False) -> None:
        fs.create_entry(
            self.conn,
            self.project_id,
            path=paths.child(folder, obj["name"]),
            type=obj["type"],
            ref=obj["ref"],
            href=OBJECT_TYPES[obj["type"]].href(obj["ref"]),
            meta={"created_by": obj["created_by"], "created_at": obj["created_at"]},
            shortcut=shortcut,
            created_by=obj["created_by"],
            created_at=obj["created_at"] if not shortcut else None,
        )


def seed_demo(conn: sqlite3.Connection, project_id: int = 1, seed: int = DEMO_SEED) -> None:
    """Fill ``project_id`` with the demo tree (inside the caller's transaction)."""
    seeder = _Seeder(conn, project_id, seed)
    by_path: dict[tuple[str, ...], sqlite3.Row] = {}

    for folder_segments, items in DEMO_TREE.items():
        folder = paths.join(folder_segments)
        fs.ensure_ancestors(conn, project_id, paths.child(folder, "x"), seeder.user_ids[0])
        for object_type, name in items:
            obj = seeder.make_object(object_type, name)
            seeder.file(obj, folder)
            by_path[(*folder_segments, name)] = obj

    big_folder = paths.join(BIG_FOLDER)
    for index in range(BIG_FOLDER_SIZE):
        event = BIG_FOLDER_EVENTS[index % len(BIG_FOLDER_EVENTS)]
        obj = seeder.make_object("insight", f"{event} — view {index + 1:03d}")
        seeder.file(obj, big_folder)

    for object_type, name in UNFILED_ITEMS:
        seeder.file(seeder.make_object(object_type, name), unfiled_folder(object_type))

    for object_type, name in NEVER_FILED:
        seeder.make_object(object_type, name)

    for folder_segments, original in SHORTCUTS:
        seeder.file(by_path[original], paths.join(folder_segments), shortcut=True)

    seeder.lay_out_dashboards()
    seed_demo_events(conn, project_id, seed)
